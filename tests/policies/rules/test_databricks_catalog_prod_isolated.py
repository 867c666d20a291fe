"""databricks-catalog-prod-isolated."""

from __future__ import annotations

import pytest

from policies.rules.databricks_catalog_prod_isolated import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged
from tests.policies.rules.test_packs import stack_config


def test_flags_open_catalog_in_prod(access_plan: Plan) -> None:
    # Without workspaceIds the plan alone cannot tell one workspace from another: only isolation is judged.
    assert set(flagged(access_plan, NAME)) == {"catalog-open-bad"}


def test_without_prod_s_own_id_the_other_environments_workspaces_are_still_refused(access_plan: Plan) -> None:
    config = {NAME: {"workspaceIds": {"dev": "1111111111111111", "staging": "2222222222222222"}}}
    assert {n for n in flagged(access_plan, NAME, config) if n.startswith("binding-")} == {
        "binding-to-dev-bad", "binding-legacy-to-staging-bad", "binding-location-to-dev-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_prod_bound_to_another_workspace(mode: str, access_plan: Plan, access_preview_plan: Plan) -> None:
    """A prod catalog (or external location) bound to a non-prod workspace, read-only or not, through either
    binding resource; with prod's own id configured, any other workspace is refused; bindings to prod's pass."""
    plan = access_plan if mode == "up" else access_preview_plan
    found = flagged(plan, NAME, stack_config("prod"))
    assert {n for n in found if n.startswith("binding-")} == {
        "binding-to-dev-bad", "binding-legacy-to-staging-bad", "binding-location-to-dev-bad",
        "binding-unknown-workspace-bad"}
    assert "the dev workspace" in found["binding-to-dev-bad"][0]
