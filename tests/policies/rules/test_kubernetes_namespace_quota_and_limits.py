"""kubernetes-namespace-quota-and-limits: every stack, every namespace."""

from __future__ import annotations

from policies.rules.kubernetes_namespace_quota_and_limits import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_namespace_without_quota_or_limits_in_every_stack(guardrails_plan: Plan,
                                                                guardrails_dev_plan: Plan) -> None:
    for plan in (guardrails_plan, guardrails_dev_plan):
        hits = flagged(plan, NAME)
        assert set(hits) == {"ns-no-quota-bad"}
        assert "no ResourceQuota and no LimitRange" in hits["ns-no-quota-bad"][0]
