"""kubernetes-namespace-default-deny-egress: each prod namespace joined to its default-deny policy."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_namespace_default_deny_egress import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_namespace_without_default_deny(guardrails_plan: Plan) -> None:
    # ns-open-egress has a default-deny policy; its open allow rule is the NetworkPolicy rule's business.
    assert set(flagged(guardrails_plan, NAME)) == {"ns-no-deny-bad", "ns-allow-only-bad"}


def test_same_in_preview_and_not_in_dev(guardrails_preview_plan: Plan, guardrails_dev_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"ns-no-deny-bad", "ns-allow-only-bad"}
    assert flagged(guardrails_dev_plan, NAME) == {}


@pytest.mark.parametrize("mode", ["up"])
def test_class_ns_deny(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """A deny policy without a namespace lands in default, even when it depends on the namespace."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("ns-deny-")}
    assert found == {"ns-deny-in-default-bad"}
