"""databricks-catalog-prod-isolated."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules.databricks_catalog_prod_isolated import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource
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


WORKSPACE_IDS = {"workspaceIds": {"dev": "1111111111111111", "prod": "3333333333333333"}}


@pytest.mark.parametrize(("kind", "props", "what"), [
    ("databricks:index/workspaceBinding:WorkspaceBinding",
     {"securableName": "prod", "securableType": "catalog"}, "catalog prod"),
    ("databricks:index/workspaceBinding:WorkspaceBinding",
     {"securableName": "prod-raw", "securableType": "external_location"}, "external_location prod-raw"),
    ("databricks:index/catalogWorkspaceBinding:CatalogWorkspaceBinding", {"catalogName": "prod"}, "catalog prod"),
], ids=["binding", "binding-external-location", "legacy-catalog-binding"])
def test_a_binding_to_another_environment_names_the_securable(kind: str, props: dict[str, Any], what: str) -> None:
    """WorkspaceBinding names its securable in `securableName`, the deprecated CatalogWorkspaceBinding in
    `catalogName`: either way the message says what prod would share, and with which workspace."""
    to_dev = resource(kind, {**props, "workspaceId": "1111111111111111"})
    assert check(to_dev, WORKSPACE_IDS).messages == [
        f"binds prod's {what} to workspace 1111111111111111, the dev workspace; bind it to prod's own workspace "
        "(3333333333333333) only."]
    assert check(resource(kind, {**props, "workspaceId": "3333333333333333"}), WORKSPACE_IDS).messages == []
