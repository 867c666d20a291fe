"""Unity Catalog's storage: a storage credential on the AWS layer's role and an external location on the processed
bucket (SSE-KMS under its key), both isolated to the environment's workspace."""

from __future__ import annotations

import json

import pytest

from components.databricks.catalog_storage import CatalogStorageArgs, validate_catalog_storage_args
from tests.databricks.access import GRANTS
from tests.databricks.snippets import stack_cfg, stack_plan
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
def test_credential_and_location_are_isolated_to_the_environments_workspace(stack: str) -> None:
    plan = stack_plan(stack)
    for kind, type_ in (("storage_credential", CREDENTIAL), ("external_location", LOCATION)):
        resource = plan.one(type_)
        assert resource.inputs["isolationMode"] == "ISOLATION_MODE_ISOLATED"
        bindings = [b.inputs for b in plan.of_type(BINDING) if b.inputs["securableType"] == kind]
        assert bindings == [{"securableType": kind, "securableName": resource.inputs["name"],
                             "workspaceId": stack_cfg(stack).databricks.workspace_id,
                             "bindingType": "BINDING_TYPE_READ_WRITE"}]


@pytest.mark.parametrize("stack", STACKS)
def test_nobody_is_granted_direct_file_access(stack: str) -> None:
    # Managed tables need no grant on their storage. What the deploying identity holds as the owner is not
    # visible offline; the absence of any Grants on these securables is.
    plan = stack_plan(stack)
    assert [g.name for g in plan.of_type(GRANTS)
            if "storageCredential" in g.inputs or "externalLocation" in g.inputs] == []


@pytest.mark.parametrize(("changes", "words"), [
    ({"name_prefix": "ML_platform"}, "name_prefix"),
    ({"prefix": "/unity-catalog"}, "prefix must be a relative path"),
    ({"workspace_id": "x"}, "workspace_id must be numeric"),
    ({"role_ready": ()}, "role_ready must name the role and its policy"),
])
def test_bad_storage_args_are_refused(changes: dict[str, str], words: str) -> None:
    base = {"name_prefix": "ml-platform-dev", "bucket_name": "b", "kms_key_arn": None, "role_arn": "r",
            "role_ready": ("role", "policy"), "workspace_id": "1"}
    with pytest.raises(ValueError, match=words):
        validate_catalog_storage_args(CatalogStorageArgs(**{**base, **changes}))  # type: ignore[arg-type]
