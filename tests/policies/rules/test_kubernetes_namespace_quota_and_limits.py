"""kubernetes-namespace-quota-and-limits: every stack, every namespace."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_namespace_quota_and_limits import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_namespace_without_quota_or_limits_in_every_stack(guardrails_plan: Plan,
                                                                guardrails_dev_plan: Plan) -> None:
    for plan in (guardrails_plan, guardrails_dev_plan):
        hits = flagged(plan, NAME)
        assert set(hits) == {"ns-no-quota-bad"}
        assert "no ResourceQuota and no LimitRange" in hits["ns-no-quota-bad"][0]


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_config_group_namespace(mode: str, manifests_plan: Plan, manifests_preview_plan: Plan) -> None:
    """A Namespace created through a yaml/v2 ConfigGroup needs its quota and limits like a declared one; the
    ones in the same ConfigGroup count."""
    plan = manifests_plan if mode == "up" else manifests_preview_plan
    assert {name for name in flagged(plan, NAME) if name.startswith("objs-")} == {"objs-objs-ns-bad"}
