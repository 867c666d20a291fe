"""databricks-grants-authoritative."""

from __future__ import annotations

from policies.rules.databricks_grants_authoritative import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_additive_grant_only(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"grant-additive-bad"}
