"""databricks-grants-no-cross-environment: service principals joined by application id to their environment."""

from __future__ import annotations

from policies.rules.databricks_grants_no_cross_environment import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes


def test_flags_dev_principal_on_prod_schema(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-prod-cross-env-bad"}
    assert "dev service principal" in hits["grants-prod-cross-env-bad"][0]


def test_unknown_application_ids_in_preview_get_a_note(access_preview_plan: Plan) -> None:
    assert flagged(access_preview_plan, NAME) == {}
    assert "during preview" in notes(access_preview_plan, NAME)[""]
