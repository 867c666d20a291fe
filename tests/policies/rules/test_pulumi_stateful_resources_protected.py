"""pulumi-stateful-resources-protected: prod only, read from the resource options the engine passes."""

from __future__ import annotations

from policies.rules.pulumi_stateful_resources_protected import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_unprotected_stateful_resources_in_prod(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"key-unprotected-bad", "bucket-unprotected-bad"}


def test_not_applicable_outside_prod_unless_configured(guardrails_dev_plan: Plan) -> None:
    assert flagged(guardrails_dev_plan, NAME) == {}
    config = {NAME: {"stacks": ["dev", "prod"]}}
    assert set(flagged(guardrails_dev_plan, NAME, config)) == {"key-unprotected-bad", "bucket-unprotected-bad"}
