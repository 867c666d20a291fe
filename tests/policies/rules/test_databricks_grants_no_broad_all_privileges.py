"""databricks-grants-no-broad-all-privileges: account users anywhere, groups on prod securables."""

from __future__ import annotations

from policies.rules.databricks_grants_no_broad_all_privileges import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_account_users_and_group_on_prod(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-prod-group-all-bad", "grants-account-users-bad"}
    assert "prod.silver" in hits["grants-prod-group-all-bad"][0]
