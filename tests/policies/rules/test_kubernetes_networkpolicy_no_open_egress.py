"""kubernetes-networkpolicy-no-open-egress: no internet CIDR off the allow-list, no rule without `to`."""

from __future__ import annotations

from policies.rules.kubernetes_networkpolicy_no_open_egress import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged
from tests.policies.rules.test_packs import stack_config


def test_flags_open_cidr_and_rule_without_peers(guardrails_plan: Plan) -> None:
    hits = flagged(guardrails_plan, NAME, stack_config("prod"))
    assert set(hits) == {"ns-open-egress-egress"}
    assert len(hits["ns-open-egress-egress"]) == 2


def test_allow_listed_partner_range_passes_only_with_the_config(guardrails_plan: Plan) -> None:
    assert "ns-good-egress" in flagged(guardrails_plan, NAME, {})
