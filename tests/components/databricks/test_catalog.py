"""Each environment's catalog (ADR-001): named after the environment, schemas bronze/silver/gold, managed storage
in the processed bucket, ISOLATED and bound to its own workspace only; protected and retained where the stack says."""

from __future__ import annotations

import pytest

from components.databricks.catalog import CatalogArgs, validate_catalog_args
from tests.databricks.access import CATALOG
from tests.databricks.snippets import stack_cfg, stack_plan
from tests.support import STACKS

SCHEMA = "databricks:index/schema:Schema"
BINDING = "databricks:index/workspaceBinding:WorkspaceBinding"


@pytest.mark.parametrize("stack", STACKS)
def test_the_environment_catalog_is_isolated_in_its_own_workspace_with_three_schemas(stack: str) -> None:
    plan = stack_plan(stack)
    catalog = plan.one(CATALOG, name=f"{stack}-databricks-catalog").inputs
    assert catalog["name"] == stack and catalog["isolationMode"] == "ISOLATED"
    location = plan.one("databricks:index/externalLocation:ExternalLocation").inputs["url"]
    assert catalog["storageRoot"] == f"{location}{stack}"  # a folder of its own in the processed bucket's location
    assert sorted(s.inputs["name"] for s in plan.of_type(SCHEMA) if s.inputs["catalogName"] == stack) == [
        "bronze", "gold", "silver"]
    bindings = [b.inputs for b in plan.of_type(BINDING) if b.inputs["securableType"] == "catalog"]
    assert {b["workspaceId"] for b in bindings} == {stack_cfg(stack).databricks.workspace_id}  # this one only
    assert sorted(b["securableName"] for b in bindings) == sorted(c.inputs["name"] for c in plan.of_type(CATALOG))


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_staging_and_prod_hold_only_their_own_catalog(stack: str) -> None:
    assert [c.inputs["name"] for c in stack_plan(stack).of_type(CATALOG)] == [stack]


@pytest.mark.parametrize("stack", STACKS)
def test_catalogs_and_schemas_follow_the_stacks_protection_and_never_force_destroy_outside_offboarding(
        stack: str) -> None:
    protection = stack_cfg(stack).protection
    plan = stack_plan(stack)
    for resource in [*plan.of_type(CATALOG), *plan.of_type(SCHEMA)]:
        assert resource.options["protect"] is protection.protect, resource.name
        assert resource.options["retainOnDelete"] is protection.retain_on_delete, resource.name
        assert resource.inputs["forceDestroy"] is False, resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_catalog_and_schema_says_it_is_managed_by_pulumi(stack: str) -> None:
    """Unity Catalog has no tags that a provider adds by default: the `managed-by` property is the mark that the AWS
    resources carry as a default tag (stack_config's `tags`), so a person in the workspace knows not to edit it."""
    plan = stack_plan(stack)
    marked = {r.name: (r.inputs.get("properties") or {}).get("managed-by") for r in
              [*plan.of_type(CATALOG), *plan.of_type(SCHEMA)]}
    assert marked and set(marked.values()) == {"pulumi"}, marked


def test_prod_catalogs_are_protected_and_retained() -> None:
    # The shipped prod config could change; the rule it must keep is stated here on its own.
    catalog = stack_plan("prod").one(CATALOG)
    assert catalog.options["protect"] and catalog.options["retainOnDelete"]


def _args(**changes: object) -> CatalogArgs:
    base: dict[str, object] = {"catalog_name": "dev", "schemas": ("bronze",), "storage_root": "s3://b/uc/dev",
                               "workspace_id": "1"}
    return CatalogArgs(**{**base, **changes})  # type: ignore[arg-type]


@pytest.mark.parametrize(("changes", "words"), [
    ({"catalog_name": "Dev"}, "catalog_name must be lowercase"),
    ({"catalog_name": "dev-x"}, "catalog_name must be lowercase"),
    ({"catalog_name": "dev\n"}, "catalog_name must be lowercase"),  # `$` alone would let a trailing newline in
    ({"schemas": ()}, "at least one schema"),
    ({"schemas": ("gold", "gold")}, "must be unique"),
    ({"workspace_id": "ws-1"}, "workspace_id must be numeric"),
    ({"force_destroy": True, "protect": True}, "force_destroy conflicts with protect"),
])
def test_bad_catalog_args_are_refused_naming_the_argument(changes: dict[str, object], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_catalog_args(_args(**changes))
