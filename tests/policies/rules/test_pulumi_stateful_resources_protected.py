"""pulumi-stateful-resources-protected: prod only, read from the resource options the engine passes."""

from __future__ import annotations

from policies.rules.pulumi_stateful_resources_protected import NAME, STATEFUL_TYPES, STATELESS_BY_DESIGN
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_unprotected_stateful_resources_in_prod(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"key-unprotected-bad", "bucket-unprotected-bad"}


def test_not_applicable_outside_prod_unless_configured(guardrails_dev_plan: Plan) -> None:
    assert flagged(guardrails_dev_plan, NAME) == {}
    config = {NAME: {"stacks": ["dev", "prod"]}}
    assert set(flagged(guardrails_dev_plan, NAME, config)) == {"key-unprotected-bad", "bucket-unprotected-bad"}


def test_the_cluster_is_protected_its_node_groups_are_replaceable() -> None:
    """Issue 15: protection belongs on the cluster; a protected node group could never be replaced."""
    assert "aws:eks/cluster:Cluster" in STATEFUL_TYPES
    assert not set(STATELESS_BY_DESIGN) & set(STATEFUL_TYPES)
    assert "aws:eks/nodeGroup:NodeGroup" in STATELESS_BY_DESIGN
