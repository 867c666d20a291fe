"""databricks-grants-sandbox-read-only-dev: sandbox users (owners of `<user>_sandbox`) only read dev."""

from __future__ import annotations

from policies.rules.databricks_grants_sandbox_read_only_dev import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_modify_on_dev_silver(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-dev-silver-sandbox-bad"}
    assert "MODIFY" in hits["grants-dev-silver-sandbox-bad"][0]
