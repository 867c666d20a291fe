"""The Databricks layer of a stack, as the issue's "done when" states it: dev shows the dev catalog and schemas,
the service principal and one sandbox catalog per listed user; staging and prod show only their own."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.databricks.platform import DatabricksPlatformArgs, validate_databricks_platform_args
from components.databricks.workspace import DatabricksWorkspaceArgs
from preflight.harness import plain, reveal
from tests.databricks.access import CATALOG, SERVICE_PRINCIPAL
from tests.databricks.snippets import WORKSPACE_IDS, platform_plan, stack_cfg, stack_plan
from tests.support import STACKS

SCHEMA = "databricks:index/schema:Schema"


@pytest.mark.parametrize("stack", STACKS)
def test_a_stack_holds_its_catalog_schemas_principal_and_only_devs_sandboxes(stack: str) -> None:
    plan = stack_plan(stack)
    users = stack_cfg(stack).sandbox_users
    assert sorted(c.inputs["name"] for c in plan.of_type(CATALOG)) == sorted([stack, *(f"{u}_sandbox" for u in users)])
    assert sorted(f"{s.inputs['catalogName']}.{s.inputs['name']}" for s in plan.of_type(SCHEMA)) == sorted(
        [f"{stack}.bronze", f"{stack}.silver", f"{stack}.gold", *(f"{u}_sandbox.gold" for u in users)])
    assert [p.inputs["displayName"] for p in plan.of_type(SERVICE_PRINCIPAL)] == [f"ml-pipelines-{stack}"]
    assert (stack == "dev") == bool(users)


@pytest.mark.parametrize("stack", STACKS)
def test_the_layer_hands_out_catalog_names_and_the_principals_application_id(stack: str) -> None:
    plan = stack_plan(stack)
    outputs = plain(plan.one("platform:databricks:DatabricksPlatform", name=f"{stack}-databricks").component_outputs)
    users = stack_cfg(stack).sandbox_users
    assert outputs["catalogName"] == stack
    assert outputs["sandboxCatalogNames"] == [f"{u}_sandbox" for u in users]
    assert outputs["servicePrincipalApplicationId"] == plan.one(SERVICE_PRINCIPAL).outputs["applicationId"]
    secret = plan.one("aws:secretsmanager/secret:Secret", name=f"{stack}-databricks-pipelines-secret-secret")
    assert outputs["servicePrincipalSecretArn"] == secret.outputs["arn"]


METASTORE = "databricks:index/metastoreAssignment:MetastoreAssignment"


@pytest.mark.parametrize("stack", STACKS)
def test_the_workspace_is_attached_to_the_configured_metastore_before_any_unity_catalog_object(stack: str) -> None:
    """The provider's Unity Catalog guide: `databricks_metastore_assignment` per workspace, and Unity Catalog
    objects after it (`depends_on = [databricks_metastore_assignment...]`). A stack that declares the workspace
    pre-assigned (an account admin or automatic enablement attached it) creates none."""
    cfg = stack_cfg(stack).databricks
    plan = stack_plan(stack)
    assignments = plan.of_type(METASTORE)
    if cfg.metastore_pre_assigned:
        assert assignments == []
        return
    [assignment] = assignments
    assert assignment.inputs == {"workspaceId": cfg.workspace_id, "metastoreId": cfg.metastore_id}
    assert assignment.urn in plan.one("databricks:index/storageCredential:StorageCredential").options["dependsOn"]


def test_one_stack_attaches_its_workspace_itself() -> None:
    # The assertion above is only as strong as the stacks it runs over.
    assert any(not stack_cfg(stack).databricks.metastore_pre_assigned for stack in STACKS)


def test_a_stack_not_pre_assigned_attaches_exactly_its_own_workspace() -> None:
    plan = platform_plan("dev", pre_assigned=False)
    [assignment] = plan.of_type(METASTORE)
    assert assignment.inputs["workspaceId"] == WORKSPACE_IDS["dev"]
    assert plan.one("databricks:index/storageCredential:StorageCredential").options["dependsOn"] == [assignment.urn]


def _args(**changes: Any) -> DatabricksPlatformArgs:
    base: dict[str, Any] = {
        "environment": "dev", "workspace": DatabricksWorkspaceArgs(host="https://h.cloud.databricks.com",
                                                                   workspace_id="1"),
        "account_id": "a", "region": "eu-west-1", "processed_bucket": "b", "processed_key_arn": None,
        "storage_role_arn": "r", "storage_role_ready": (), "storage_buckets": ("b",), "node_types": ("m6i.large",),
        "max_workers": 2,
        "autotermination_minutes": 20, "sandbox_users": ("alice",), "user_email_domain": "example.com",
        "metastore_id": "5e1f7a2b-0000-4000-8000-00000000e0a1", "aws_provider": None, "aws_account_id": "1",
        "aws_administrator_role_arn": "a"}
    return DatabricksPlatformArgs(**{**base, **changes})


@pytest.mark.parametrize(("changes", "words"), [
    ({"environment": "sandbox"}, "environment must be one of"),
    ({"sandbox_force_destroy": ("bob",)}, "sandbox_force_destroy must be sandbox users"),
    ({"sandbox_users": ("alice", "alice")}, "sandbox_users must be unique"),
    ({"user_email_domain": None}, "user_email_domain is required"),
    ({"sandbox_force_destroy": ("alice",), "protect": True}, "sandbox_force_destroy conflicts with protect"),
    ({"metastore_id": "primary"}, "metastore_id must be a Unity Catalog metastore id"),
])
def test_bad_platform_args_are_refused(changes: dict[str, Any], words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_databricks_platform_args(_args(**changes))


def test_good_platform_args_pass() -> None:
    validate_databricks_platform_args(_args())


@pytest.mark.parametrize("environment", ["dev", "prod"])
def test_a_preview_plans_the_same_resources_as_an_up(environment: str) -> None:
    # During `pulumi preview` ids and application ids are unknown; nothing may depend on them to exist.
    variant: dict[str, Any] = {"users": ("alice", "bob")} if environment == "dev" else {
        "restricted": True, "domains": ("pypi-mirror.example.com",), "protect": True, "retain": True, "client": True}
    up = {r.urn for r in platform_plan(environment, **variant).registered}
    preview = {r.urn for r in platform_plan(environment, preview=True, **variant).registered}
    assert preview == up and len(up) > 20


def test_each_environment_has_a_dedicated_workspace_and_sandboxes_share_devs() -> None:
    # ADR-001: "sandbox uses ref-dev workspace, others have dedicated workspaces".
    workspaces = {stack: (stack_cfg(stack).databricks.workspace_id, stack_cfg(stack).databricks.host)
                  for stack in STACKS}
    assert len({w[0] for w in workspaces.values()}) == len({w[1] for w in workspaces.values()}) == len(STACKS)
    dev_workspace = stack_cfg("dev").databricks.workspace_id
    sandbox_bindings = [b.inputs["workspaceId"] for b in stack_plan("dev").of_type(
        "databricks:index/workspaceBinding:WorkspaceBinding") if b.inputs["securableName"].endswith("_sandbox")]
    assert sandbox_bindings and set(sandbox_bindings) == {dev_workspace}


@pytest.mark.parametrize("stack", STACKS)
def test_the_environment_catalog_keeps_its_managed_tables_in_a_folder_of_its_own_storage(stack: str) -> None:
    """The README's Databricks row: an external location on the processed bucket and the catalog `<env>`. A
    catalog's `storage_root` must lie inside an external location (Databricks, "Specify a managed storage location
    in Unity Catalog"): the layer's own, in a folder named after the catalog, never another catalog's."""
    plan = stack_plan(stack)
    location = plan.one("databricks:index/externalLocation:ExternalLocation",
                        name=f"{stack}-databricks-storage-location")
    catalog = plan.one(CATALOG, name=f"{stack}-databricks-catalog")
    assert catalog.inputs["storageRoot"] == f"{location.inputs['url'].rstrip('/')}/{stack}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_stored_credential_is_the_pipeline_principals_oauth_client(stack: str) -> None:
    """Databricks OAuth M2M: a service principal authenticates with its application id as the client id and one of
    its OAuth secrets (Databricks, "Authorize unattended access to Databricks resources with a service principal
    using OAuth"). The secret the pipelines read must name `ml-pipelines-<env>`'s own."""
    plan = stack_plan(stack)
    version = plan.one("aws:secretsmanager/secretVersion:SecretVersion",
                       name=f"{stack}-databricks-pipelines-secret-version")
    credential = json.loads(reveal(version.inputs)["secretString"])
    assert credential["client_id"] == plan.one(SERVICE_PRINCIPAL).outputs["applicationId"]
    assert credential["client_secret"] == reveal(
        plan.one("databricks:index/servicePrincipalSecret:ServicePrincipalSecret").outputs["secret"])
