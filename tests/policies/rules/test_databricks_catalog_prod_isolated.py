"""databricks-catalog-prod-isolated."""

from __future__ import annotations

from policies.rules.databricks_catalog_prod_isolated import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_open_catalog_in_prod(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"catalog-open-bad"}
