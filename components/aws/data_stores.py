"""The environment's data stores and the roles that use them (Environment Strategy 3.4), in the one order that
works: roles first (the keys' policies name them), then the logs store and the four KMS-encrypted stores,
then each role's inline policy once the buckets exist."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

import pulumi

from components.aws.encrypted_bucket import EncryptedBucket, EncryptedBucketArgs
from components.aws.pipeline_role import PIPELINE_ACCESS, BucketGrant, PipelineRole, PipelineRoleArgs, pipelines_using
from components.aws.unity_catalog_role import UNITY_CATALOG_STORE, UnityCatalogRole, UnityCatalogRoleArgs

DATA_STORES = ("raw", "processed", "artifacts", "enriched")
"""The KMS-encrypted stores, each with its own key (Environment Strategy: raw, processed, artifacts, enriched)."""
LOG_STORE = "logs"
"""The access-log target (SSE-S3: S3 server access logging cannot deliver to SSE-KMS buckets)."""
PIPELINES = tuple(PIPELINE_ACCESS)
"""ingestion, training, inference, backend: one role each (Environment Strategy 3.4.2)."""


@dataclass(frozen=True)
class DataStoresArgs:
    environment: str
    """`dev`, `staging` or `prod`: the prefix of every child's name."""
    name_prefix: str
    """Start of bucket and role names, `ml-platform-<env>`."""
    account_id: pulumi.Input[str]
    """The member account: its root administers the keys."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider, which the pipeline roles trust (IRSA)."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer without `https://`."""
    service_account_namespace: str
    """Namespace of the pipelines' service accounts (`platform-<env>`), each named after its pipeline."""
    unity_catalog_external_id: pulumi.Input[str]
    """The storage credential's external id (`aws_iam_role.external_id`), which the Unity Catalog role's trust
    requires: the Databricks layer creates the credential with `unity_catalog_role.expected_arn` first."""
    backup_retention_days: int = 0
    """Days noncurrent versions are kept (Design Appendix: 0/7/30). Default 0: no versioning."""
    key_deletion_window_days: int = 30
    """KMS deletion window, 7..30. Default 30."""
    protect: bool = True
    """`protect` on buckets and keys. Default True."""
    retain_on_delete: bool = True
    """Keep buckets and keys when removed from the stack. Default True."""
    force_destroy: bool = False
    """Let `pulumi destroy` empty the buckets. Default False; conflicts with `protect`."""


def validate_data_stores_args(args: DataStoresArgs) -> None:
    """Raise one ValueError naming every bad argument (the buckets and roles check their own)."""
    problems: list[str] = []
    if not re.fullmatch(r"[a-z][a-z0-9-]{0,40}", args.environment):
        problems.append(f"environment must be a lowercase name, got {args.environment!r}")
    if args.backup_retention_days < 0:
        problems.append(f"backup_retention_days must be >= 0, got {args.backup_retention_days}")
    if args.force_destroy and args.protect:
        problems.append("force_destroy conflicts with protect")
    if problems:
        raise ValueError("DataStores: " + "; ".join(problems))


class DataStores(pulumi.ComponentResource):
    """Five buckets (`buckets`), four pipeline roles (`pipeline_roles`) and `unity_catalog_role`."""

    buckets: dict[str, EncryptedBucket]
    grants: dict[str, BucketGrant]
    """The KMS-encrypted stores as (bucket ARN, key ARN), for roles that other layers grant access to."""
    pipeline_roles: dict[str, PipelineRole]
    unity_catalog_role: UnityCatalogRole
    unity_catalog_access: pulumi.Resource
    """The Unity Catalog role's S3/KMS policy: the external location must wait for it (and for the role)."""

    def __init__(self, name: str, args: DataStoresArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_data_stores_args(args)
        super().__init__("platform:storage:DataStores", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        env, prefix = args.environment, args.name_prefix
        self.pipeline_roles = {
            pipeline: PipelineRole(f"{env}-{pipeline}", PipelineRoleArgs(
                pipeline=pipeline, namespace=args.service_account_namespace, role_name=f"{prefix}-{pipeline}",
                oidc_provider_arn=args.oidc_provider_arn, oidc_issuer=args.oidc_issuer), opts=child)
            for pipeline in PIPELINES}
        self.unity_catalog_role = UnityCatalogRole(f"{env}-unity-catalog", UnityCatalogRoleArgs(
            role_name=f"{prefix}-unity-catalog", account_id=args.account_id,
            external_id=args.unity_catalog_external_id), opts=child)
        key_users = {store: [self.pipeline_roles[p].role_arn for p in pipelines_using(store)] for store in DATA_STORES}
        key_users[UNITY_CATALOG_STORE].append(self.unity_catalog_role.role_arn)

        logs_args = EncryptedBucketArgs(
            name_prefix=f"{prefix}-{LOG_STORE}", account_id=args.account_id, log_delivery_target=True,
            versioning=args.backup_retention_days > 0, noncurrent_version_retention_days=args.backup_retention_days,
            key_deletion_window_days=args.key_deletion_window_days, protect=args.protect,
            retain_on_delete=args.retain_on_delete, force_destroy=args.force_destroy)
        logs = EncryptedBucket(f"{env}-{LOG_STORE}", logs_args, opts=child)
        self.buckets = {LOG_STORE: logs} | {
            store: EncryptedBucket(f"{env}-{store}", replace(
                logs_args, name_prefix=f"{prefix}-{store}", log_delivery_target=False,
                access_log_bucket=logs.bucket_name, key_user_role_arns=key_users[store]), opts=child)
            for store in DATA_STORES}

        self.grants = {store: BucketGrant(b.bucket_arn, b.key_arn)
                       for store, b in self.buckets.items() if b.key_arn is not None}
        for role in self.pipeline_roles.values():
            role.grant(self.grants)
        self.unity_catalog_access = self.unity_catalog_role.grant(self.grants[UNITY_CATALOG_STORE])
        self.register_outputs({
            "bucketNames": {store: b.bucket_name for store, b in self.buckets.items()},
            "pipelineRoleArns": {p: r.role_arn for p, r in self.pipeline_roles.items()},
            "unityCatalogRoleArn": self.unity_catalog_role.role_arn,
        })
