"""Unity Catalog's storage: a storage credential on the AWS layer's role and an external location on the processed
bucket (SSE-KMS under its key), both isolated to the environment's workspace."""

from __future__ import annotations

import json

import pytest

from components.databricks.catalog_storage import CatalogStorageArgs, validate_catalog_storage_args
from preflight.computed import DEFAULT_ACCOUNT_ID, DEFAULT_REGION, Context
from preflight.harness import Plan, reveal
from preflight.invokes import answer
from tests.databricks.access import GRANT, GRANTS
from tests.databricks.snippets import platform_plan, stack_cfg, stack_plan
from tests.support import STACKS

CREDENTIAL = "databricks:index/storageCredential:StorageCredential"
LOCATION = "databricks:index/externalLocation:ExternalLocation"
BINDING = "databricks:index/workspaceBinding:WorkspaceBinding"


@pytest.mark.parametrize("stack", STACKS)
def test_the_credential_wraps_the_unity_catalog_role_and_the_location_covers_the_processed_bucket(stack: str) -> None:
    plan = stack_plan(stack)
    credential = plan.one(CREDENTIAL).inputs
    location = plan.one(LOCATION).inputs
    # The AWS layer's resources (issue 3): the Unity Catalog role, the processed bucket and its key.
    role_arn = plan.one("aws:iam/role:Role", name=f"{stack}-unity-catalog-role").outputs["arn"]
    bucket = plan.one("aws:s3/bucket:Bucket", name=f"{stack}-processed-bucket").outputs["bucket"]
    key_arn = plan.one("aws:kms/key:Key", name=f"{stack}-processed-key").outputs["arn"]
    assert credential["awsIamRole"] == {"roleArn": role_arn}
    assert location["url"] == f"s3://{bucket}/unity-catalog/"
    assert location["credentialName"] == credential["name"] == f"ml-platform-{stack}-unity-catalog"
    assert location["encryptionDetails"] == {"sseEncryptionDetails": {"algorithm": "AWS_SSE_KMS",
                                                                      "awsKmsKeyArn": key_arn}}


@pytest.mark.parametrize("stack", STACKS)
def test_the_credential_and_the_location_follow_the_stacks_protection(stack: str) -> None:
    """Deleting either cuts every catalog off its storage, so both are kept as the stack's catalogs are."""
    protection = stack_cfg(stack).protection
    plan = stack_plan(stack)
    for resource in [plan.one(CREDENTIAL), plan.one(LOCATION)]:
        assert resource.options["protect"] is protection.protect, resource.name
        assert resource.options["retainOnDelete"] is protection.retain_on_delete, resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_the_storage_trust_loop_runs_credential_then_role_then_location(stack: str) -> None:
    """The Databricks provider's Unity Catalog guide (docs/guides/unity-catalog.md, "Configure external locations
    and credentials"): "create the storage credential in Databricks before creating the IAM role in AWS ...
    the external ID of the Databricks storage credential is required in the IAM role trust policy"; the credential
    names the role by an ARN built from account id and role name ("cannot reference aws_iam_role directly, as it
    will create circular dependency"). Creating the external location validates the credential (Unity Catalog
    assumes the role and reads the path: terraform-provider-databricks#3069 shows the failure when it runs first),
    so it waits for the role and its policy explicitly."""
    plan = stack_plan(stack)
    credential = plan.one(CREDENTIAL)
    role = plan.one("aws:iam/role:Role", name=f"{stack}-unity-catalog-role")
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-unity-catalog-access")
    location = plan.one(LOCATION)
    assert role.urn not in credential.options["dependsOn"]  # a string ARN: no cycle through the role
    assert credential.urn in role.options["dependsOn"]  # the trust is built from the credential's output
    trust = json.loads(role.inputs["assumeRolePolicy"])
    external_id = credential.outputs["awsIamRole"]["externalId"]
    assert {s["Condition"]["StringEquals"]["sts:ExternalId"] for s in trust["Statement"]} == {external_id}
    assert {role.urn, policy.urn} <= set(location.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_location_is_created_only_after_its_credential_is_bound_to_the_workspace(stack: str) -> None:
    """Databricks "Limit which workspaces can access a storage credential" (workspace bindings): an ISOLATED
    credential can be used only from the workspaces bound to it, and the external location is created from
    this workspace on that credential. Its name gives the location an edge to the credential, not to the
    binding: the explicit `depends_on` is the only thing that orders them."""
    plan = stack_plan(stack)
    location = plan.one(LOCATION)
    [binding] = [b for b in plan.of_type(BINDING) if b.inputs["securableType"] == "storage_credential"]
    assert binding.urn in location.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_credential_and_location_are_isolated_to_the_environments_workspace(stack: str) -> None:
    plan = stack_plan(stack)
    for kind, type_ in (("storage_credential", CREDENTIAL), ("external_location", LOCATION)):
        resource = plan.one(type_)
        assert resource.inputs["isolationMode"] == "ISOLATION_MODE_ISOLATED"
        bindings = [b.inputs for b in plan.of_type(BINDING) if b.inputs["securableType"] == kind]
        assert bindings == [{"securableType": kind, "securableName": resource.inputs["name"],
                             "workspaceId": stack_cfg(stack).databricks.workspace_id,
                             "bindingType": "BINDING_TYPE_READ_WRITE"}]


# Unity Catalog privileges reference: creating an external location on a credential needs CREATE EXTERNAL LOCATION
# on it; creating a catalog whose managed storage is in an external location needs CREATE MANAGED STORAGE on that
# location. READ FILES / WRITE FILES would open path access to every catalog's managed storage: nobody gets them.
CREDENTIAL_USE = {"CREATE_EXTERNAL_LOCATION"}
LOCATION_USE = {"CREATE_MANAGED_STORAGE"}


def _storage_grants(plan: Plan) -> dict[str, list[dict[str, object]]]:
    """`storageCredential`/`externalLocation` -> the grants of the one Grants resource naming that securable."""
    found: dict[str, list[dict[str, object]]] = {}
    for grants in plan.of_type(GRANTS):
        inputs = reveal(grants.inputs)
        for kind in ("storageCredential", "externalLocation"):
            if kind in inputs:
                assert kind not in found, f"two Grants on the {kind}: neither would be authoritative"
                found[kind] = inputs["grants"]
    assert not [g.name for g in plan.of_type(GRANT)
                if {"storageCredential", "externalLocation"} & set(reveal(g.inputs))], "a per-principal Grant"
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_credential_and_location_grants_are_authoritative_and_name_only_the_deploying_principal(stack: str) -> None:
    """Issue 17: one authoritative Grants each (a READ_FILES granted by hand is revoked on the next `up`), naming
    only the principal that deploys (the stack file's CI deployer, whatever identity runs a preview) with what it
    uses; the grants name the securables by their resources' outputs, so they wait for them."""
    plan = stack_plan(stack)
    deployer = stack_cfg(stack).ci.databricks_deployer_client_id
    assert deployer, f"{stack}: the shipped stacks name CI's Databricks deployer"
    grants = _storage_grants(plan)
    assert grants == {"storageCredential": [{"principal": deployer, "privileges": sorted(CREDENTIAL_USE)}],
                      "externalLocation": [{"principal": deployer, "privileges": sorted(LOCATION_USE)}]}
    credential, location = reveal(plan.one(CREDENTIAL).inputs), reveal(plan.one(LOCATION).inputs)
    by_kind = {kind: reveal(g.inputs)[kind] for g in plan.of_type(GRANTS)
               for kind in ("storageCredential", "externalLocation") if kind in reveal(g.inputs)}
    assert by_kind == {"storageCredential": credential["name"], "externalLocation": location["name"]}


def test_a_preview_grants_to_the_deployer_not_to_the_previewer(monkeypatch: pytest.MonkeyPatch) -> None:
    # A preview authenticates as the read-only previewer; granting to "whoever runs" would show a change on
    # every preview and revoke the deployer's grants if ever applied.
    cfg = stack_cfg("staging")
    monkeypatch.setattr(type(cfg.access), "is_preview", property(lambda self: True))
    assert cfg.databricks_ci_client_id == cfg.ci.databricks_previewer_client_id
    assert cfg.databricks_deploying_principal == cfg.ci.databricks_deployer_client_id


def test_without_a_configured_deployer_the_grantee_is_the_providers_own_identity() -> None:
    plan = platform_plan("staging")
    current_user = answer("databricks:index/getCurrentUser:getCurrentUser", {},
                          Context(DEFAULT_ACCOUNT_ID, DEFAULT_REGION))["userName"]
    assert {g["principal"] for rows in _storage_grants(plan).values() for g in rows} == {current_user}


def test_catalogs_rooted_in_the_location_wait_for_its_grants() -> None:
    # The catalog's creation uses CREATE_MANAGED_STORAGE on the location: the grant must exist first; and an
    # ISOLATED location is usable only from a workspace it is bound to, so the binding too.
    plan = platform_plan("dev", ("alice",))
    location_grants = next(g for g in plan.of_type(GRANTS) if "externalLocation" in g.inputs)
    [location_binding] = [b for b in plan.of_type(BINDING) if b.inputs["securableType"] == "external_location"]
    for catalog in plan.of_type("databricks:index/catalog:Catalog"):
        assert location_grants.urn in catalog.options["dependsOn"], catalog.name
        assert location_binding.urn in catalog.options["dependsOn"], catalog.name


@pytest.mark.parametrize(("changes", "words"), [
    ({"name_prefix": "ML_platform"}, "name_prefix"),
    ({"prefix": "/unity-catalog"}, "prefix must be a relative path"),
    ({"workspace_id": "x"}, "workspace_id must be numeric"),
    ({"role_ready": ()}, "role_ready must name the role and its policy"),
    ({"administrator": " "}, "administrator must name the deploying principal"),
])
def test_bad_storage_args_are_refused(changes: dict[str, str], words: str) -> None:
    base = {"name_prefix": "ml-platform-dev", "bucket_name": "b", "kms_key_arn": None, "role_arn": "r",
            "role_ready": ("role", "policy"), "workspace_id": "1",
            "administrator": "0a1b2c3d-0000-4000-8000-0000000000d1"}
    with pytest.raises(ValueError, match=words):
        validate_catalog_storage_args(CatalogStorageArgs(**{**base, **changes}))  # type: ignore[arg-type]
    with pytest.raises(ValueError) as info:  # every problem, in one refusal
        validate_catalog_storage_args(CatalogStorageArgs(**{**base, "workspace_id": "x", "administrator": ""}))
    assert str(info.value) == ("CatalogStorageArgs: workspace_id must be numeric, got 'x'; administrator must name the "
                               "deploying principal, got ''")


@pytest.mark.parametrize("stack", STACKS)
def test_the_component_registers_its_credentials_and_locations_names_and_the_locations_url(stack: str) -> None:
    """What `pulumi stack` shows of the component and what the catalogs root in: the credential's and the location's
    names as their resources output them, and the location's `s3://<processed bucket>/unity-catalog/`."""
    plan = stack_plan(stack)
    bucket = plan.one("aws:s3/bucket:Bucket", name=f"{stack}-processed-bucket").outputs["bucket"]
    outputs = plan.one("platform:databricks:CatalogStorage", name=f"{stack}-databricks-storage").component_outputs
    assert outputs == {"credentialName": f"ml-platform-{stack}-unity-catalog",
                       "locationName": f"ml-platform-{stack}-unity-catalog",
                       "url": f"s3://{bucket}/unity-catalog/"}
    assert outputs["credentialName"] == plan.one(CREDENTIAL).outputs["name"]
    assert (outputs["locationName"], outputs["url"]) == (plan.one(LOCATION).outputs["name"],
                                                         plan.one(LOCATION).outputs["url"])
