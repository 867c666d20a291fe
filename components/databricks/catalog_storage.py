"""Unity Catalog's way into the environment's processed bucket: a storage credential and an external location.

The credential wraps the IAM role the AWS layer creates for Unity Catalog; the external location covers the
`unity-catalog/` prefix of the processed bucket, under which every catalog of the environment keeps its
managed storage. Both are ISOLATED and bound to the environment's workspace only.

Order (the storage trust loop of the Databricks provider's Unity Catalog guide): the credential is created
with the role's ARN as a string (the role may not exist yet) and reports `external_id`, which the AWS layer
puts into the role's trust; the external location, whose creation validates the credential (Unity Catalog
assumes the role and lists/writes the path), is created only after the role with that trust and the role's
S3/KMS policy exist (`role_ready`, explicit `depends_on`).

Grants: each of the two gets one authoritative `databricks.Grants` naming only the deploying principal, with
exactly what it uses (`CREATE_EXTERNAL_LOCATION` on the credential; `CREATE_MANAGED_STORAGE` on the location, which
creating a catalog rooted in it needs). It owns both as their creator, so nothing is added; what the resource
buys is authority: a `READ_FILES` or `WRITE_FILES` someone grants by hand (path access to every catalog's managed
storage, around Unity Catalog's table permissions) is revoked on the next `pulumi up`. Managed tables need no
grant here, so no one else gets any.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_databricks as databricks

_NAME_RE = re.compile(r"^[a-z][a-z0-9-]{0,62}$")
_PREFIX_RE = re.compile(r"^([a-z0-9][a-z0-9_-]*/)+$")
# What the deploying principal uses of each (Unity Catalog privileges reference): nothing that reads or writes files.
ADMINISTRATOR_CREDENTIAL_PRIVILEGES = ("CREATE_EXTERNAL_LOCATION",)
ADMINISTRATOR_LOCATION_PRIVILEGES = ("CREATE_MANAGED_STORAGE",)


@dataclass(frozen=True)
class CatalogStorageArgs:
    name_prefix: str
    """Prefix of the metastore-wide names of the credential and location, e.g. `ml-platform-prod`."""
    bucket_name: pulumi.Input[str]
    """The environment's processed bucket (KMS-encrypted, owned by the AWS layer)."""
    kms_key_arn: pulumi.Input[str] | None
    """The bucket's KMS key; Unity Catalog writes with SSE-KMS under it. None: the bucket's default encryption."""
    role_arn: pulumi.Input[str]
    """IAM role Unity Catalog assumes, as a string built from account id and name (not the role's output: the
    role's trust waits for this credential's external id)."""
    role_ready: Sequence[pulumi.Resource]
    """The role (its trust carries the external id) and its S3/KMS policy: the external location waits for all."""
    workspace_id: str
    """The only workspace the credential and the location are bound to."""
    administrator: pulumi.Input[str]
    """The deploying principal (a service principal's application id, or a user name): the only grantee of both
    (see the module docstring)."""
    prefix: str = "unity-catalog/"
    """Bucket prefix the external location covers. Default `unity-catalog/`; must end with `/`."""
    protect: bool = False
    """`protect` on both (catalogs' managed storage depends on them)."""
    retain_on_delete: bool = False
    """Keep both when the stack is destroyed (with the catalogs they serve)."""
    metastore_ready: Sequence[pulumi.Resource] = field(default_factory=tuple)
    """What attaches the workspace to its metastore (the assignment), when the stack makes it. Default none."""


def validate_catalog_storage_args(args: CatalogStorageArgs) -> None:
    problems: list[str] = []
    if not _NAME_RE.fullmatch(args.name_prefix):
        problems.append(f"name_prefix must be lowercase letters, digits and hyphens, got {args.name_prefix!r}")
    if not _PREFIX_RE.fullmatch(args.prefix):
        problems.append(f"prefix must be a relative path ending in '/', got {args.prefix!r}")
    if not args.workspace_id.isdigit():
        problems.append(f"workspace_id must be numeric, got {args.workspace_id!r}")
    if not args.role_ready:
        problems.append("role_ready must name the role and its policy (the location's validation needs both), "
                        "got none")
    if isinstance(args.administrator, str) and not args.administrator.strip():
        problems.append(f"administrator must name the deploying principal, got {args.administrator!r}")
    if problems:
        raise ValueError("CatalogStorageArgs: " + "; ".join(problems))


class CatalogStorage(pulumi.ComponentResource):
    """Storage credential + external location on `s3://<bucket>/<prefix>`, isolated to one workspace."""

    external_id: pulumi.Output[str]
    """The external id Databricks presents when assuming the role (what the role's trust policy must require);
    empty only if the provider reports none, which the role's trust refuses."""
    url: pulumi.Output[str]
    """`s3://<bucket>/<prefix>`, known once the external location exists (so users of it depend on it)."""

    def __init__(self, name: str, args: CatalogStorageArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_catalog_storage_args(args)
        super().__init__("platform:databricks:CatalogStorage", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete)
        child = pulumi.ResourceOptions(parent=self)

        credential = databricks.StorageCredential(
            f"{name}-credential",
            name=f"{args.name_prefix}-unity-catalog",
            comment="Unity Catalog access to the environment's processed bucket (managed by Pulumi)",
            aws_iam_role={"role_arn": args.role_arn},
            isolation_mode="ISOLATION_MODE_ISOLATED",
            read_only=False,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(depends_on=list(args.metastore_ready))))
        credential_binding = databricks.WorkspaceBinding(
            f"{name}-credential-binding", securable_type="storage_credential", securable_name=credential.name,
            workspace_id=args.workspace_id, binding_type="BINDING_TYPE_READ_WRITE", opts=child)

        location = databricks.ExternalLocation(
            f"{name}-location",
            name=f"{args.name_prefix}-unity-catalog",
            url=pulumi.Output.concat("s3://", args.bucket_name, "/", args.prefix),
            credential_name=credential.name,
            comment="Managed storage of the environment's catalogs (managed by Pulumi)",
            isolation_mode="ISOLATION_MODE_ISOLATED",
            read_only=False,
            encryption_details=None if args.kms_key_arn is None else databricks.ExternalLocationEncryptionDetailsArgs(
                sse_encryption_details=databricks.ExternalLocationEncryptionDetailsSseEncryptionDetailsArgs(
                    algorithm="AWS_SSE_KMS", aws_kms_key_arn=args.kms_key_arn)),
            # Created (and validated by Unity Catalog) only once the role trusts the credential and may use the
            # bucket and key: the engine sees no data flow from the role to the location, so it is stated here.
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(
                depends_on=[credential_binding, *args.role_ready])))
        location_binding = databricks.WorkspaceBinding(
            f"{name}-location-binding", securable_type="external_location", securable_name=location.name,
            workspace_id=args.workspace_id, binding_type="BINDING_TYPE_READ_WRITE", opts=child)
        databricks.Grants(f"{name}-credential-grants", storage_credential=credential.name, grants=[
            databricks.GrantsGrantArgs(principal=args.administrator,
                                       privileges=list(ADMINISTRATOR_CREDENTIAL_PRIVILEGES))], opts=child)
        location_grants = databricks.Grants(f"{name}-location-grants", external_location=location.name, grants=[
            databricks.GrantsGrantArgs(principal=args.administrator,
                                       privileges=list(ADMINISTRATOR_LOCATION_PRIVILEGES))], opts=child)

        self.external_id = credential.aws_iam_role.apply(
            lambda role: str(role.external_id) if role and role.external_id else "")
        # The URL is read only after the location is bound and its grants are in place, so a catalog rooted in it
        # waits for all three.
        self.url = pulumi.Output.all(location.url, location_binding.id, location_grants.id).apply(
            lambda parts: parts[0])
        self.register_outputs({"credentialName": credential.name, "locationName": location.name, "url": self.url})

    def root_for(self, catalog_name: str) -> pulumi.Output[str]:
        """The managed-storage root of one catalog: a folder of its own under the location."""
        return self.url.apply(lambda url: f"{url.rstrip('/')}/{catalog_name}")
