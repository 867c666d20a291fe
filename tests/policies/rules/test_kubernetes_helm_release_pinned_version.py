"""kubernetes-helm-release-pinned-version: an exact version, not missing, not a range."""

from __future__ import annotations

from policies.rules.kubernetes_helm_release_pinned_version import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_unpinned_and_range_versions(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"release-unpinned-bad", "release-range-bad"}


def test_prod_only(guardrails_dev_plan: Plan) -> None:
    assert flagged(guardrails_dev_plan, NAME) == {}


def test_class_helm_v4_chart(classes_plan: Plan) -> None:
    """`helm.v4.Chart` renders its chart in the program's own preview: an unpinned one changes under the plan."""
    assert {name for name in flagged(classes_plan, NAME) if name.startswith("chart-v4-")} == {"chart-v4-unpinned-bad"}
