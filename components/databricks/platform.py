"""The Databricks layer of one environment, composed (ADR-001): provider, catalog storage, the environment's
catalog, its service principal and cluster policy, the dev sandboxes, every grant, serverless egress.

It only wires the single-purpose components together, in dependency order; each rule lives in the component
that owns it (grants.py holds the access table).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

from components.aws.principal_secret import PrincipalSecret, PrincipalSecretArgs
from components.databricks.catalog import Catalog, CatalogArgs
from components.databricks.catalog_storage import CatalogStorage, CatalogStorageArgs
from components.databricks.cluster_policy import EnvironmentClusterPolicy, EnvironmentClusterPolicyArgs
from components.databricks.grants import (
    ManagedCatalog,
    Securable,
    UnityCatalogGrants,
    UnityCatalogGrantsArgs,
    access_table,
)
from components.databricks.sandbox import SANDBOX_SCHEMAS, Sandbox, SandboxArgs, sandbox_principal
from components.databricks.serverless_egress import ServerlessEgress, ServerlessEgressArgs
from components.databricks.service_principal import PipelineServicePrincipal, PipelineServicePrincipalArgs
from components.databricks.workspace import DatabricksWorkspace, DatabricksWorkspaceArgs
from components.patterns import UUID as _UUID_RE
from stack_config import ENVIRONMENTS

ENVIRONMENT_SCHEMAS = ("bronze", "silver", "gold")


@dataclass(frozen=True)
class DatabricksPlatformArgs:
    environment: str
    """`dev`, `staging` or `prod`: the catalog's name and the service principal's suffix."""
    workspace: DatabricksWorkspaceArgs
    """The environment's workspace and how to authenticate to it."""
    account_id: str
    """Databricks account id (network policies are account-level)."""
    region: str
    """AWS region of the environment's buckets."""
    processed_bucket: pulumi.Input[str]
    """The processed bucket; `unity-catalog/` in it holds the catalogs' managed storage."""
    processed_key_arn: pulumi.Input[str] | None
    """The processed bucket's KMS key (SSE-KMS on Unity Catalog's writes). None: the bucket's default."""
    storage_role_arn: pulumi.Input[str]
    """IAM role for Unity Catalog's storage credential, as the string the AWS layer builds from account id and
    name (`UnityCatalogRole.expected_arn`), never the role's output (the role's trust waits for the credential)."""
    storage_role_ready: Sequence[pulumi.Resource]
    """The Unity Catalog role and its S3/KMS policy: the external location is created only after both."""
    storage_buckets: Sequence[pulumi.Input[str]]
    """Every bucket of the environment: what restricted serverless compute may reach."""
    node_types: Sequence[str]
    """Cluster policy: allowed node types."""
    max_workers: int
    """Cluster policy: most workers."""
    autotermination_minutes: int
    """Cluster policy: fixed idle auto-termination."""
    metastore_id: str
    """The region's Unity Catalog metastore (UUID) the workspace belongs to."""
    aws_provider: pulumi.ProviderResource
    """The environment's member-account AWS provider: the pipeline principal's secret is stored there."""
    aws_account_id: pulumi.Input[str]
    """That account's id (its root administers the secret's key)."""
    aws_administrator_role_arn: pulumi.Input[str]
    """The role `aws_provider` assumes: writes the secret and reads it back on refresh."""
    deploying_principal: pulumi.Input[str] | None = None
    """Who deploys (CI's deployer service principal's application id, or the personal `databricks.clientId`):
    the grantee of the storage credential and external location. None: the identity the provider authenticates
    as (`databricks.get_current_user`), which in a preview is the previewer: set it wherever CI previews."""
    metastore_pre_assigned: bool = False
    """True: the workspace is already attached (an account admin or automatic enablement did it); nothing is
    created. False: a MetastoreAssignment attaches it (the deploying principal must be an account admin)."""
    secret_reader_role_arns: Sequence[pulumi.Input[str]] = ()
    """IAM roles that read the pipeline principal's secret (the dbt role). Default none."""
    pipeline_secret_rotation: str | None = None
    """Rotation key of the pipeline principal's OAuth secret: a new value replaces it. Default none."""
    key_deletion_window_days: int = 30
    """KMS deletion window of the secret's key, 7..30. Default 30."""
    sandbox_users: Sequence[str] = ()
    """Developers with a sandbox (dev only). Default none."""
    user_email_domain: str | None = None
    """Sandbox user `alice` is the workspace user `alice@<user_email_domain>`. Required with sandbox_users."""
    sandbox_force_destroy: Sequence[str] = ()
    """Sandbox users whose catalog may be dropped with its tables (offboarding step 1). Subset of users."""
    restrict_serverless_egress: bool = False
    """Restrict serverless egress to `storage_buckets` and `egress_allowed_domains` (prod). Default off."""
    egress_allowed_domains: Sequence[str] = ()
    """DNS names serverless compute may reach when restricted."""
    protect: bool = False
    """`protect` on catalogs, schemas, the service principal and catalog storage."""
    retain_on_delete: bool = False
    """Keep catalogs, schemas and catalog storage when the stack is destroyed."""


def validate_databricks_platform_args(args: DatabricksPlatformArgs) -> None:
    problems: list[str] = []
    if args.environment not in ENVIRONMENTS:
        problems.append(f"environment must be one of {list(ENVIRONMENTS)}, got {args.environment!r}")
    unknown = sorted(set(args.sandbox_force_destroy) - set(args.sandbox_users))
    if unknown:
        problems.append(f"sandbox_force_destroy must be sandbox users, got {unknown}")
    duplicates = sorted({u for u in args.sandbox_users if list(args.sandbox_users).count(u) > 1})
    if duplicates:
        problems.append(f"sandbox_users must be unique (one catalog each), got {duplicates} more than once")
    if args.sandbox_users and not args.user_email_domain:
        problems.append("user_email_domain is required with sandbox_users (grants name users by email)")
    if not _UUID_RE.fullmatch(args.metastore_id):
        problems.append(f"metastore_id must be a Unity Catalog metastore id (UUID), got {args.metastore_id!r}")
    if args.sandbox_force_destroy and args.protect:
        problems.append("sandbox_force_destroy conflicts with protect: a protected sandbox is never dropped")
    if problems:
        raise ValueError("DatabricksPlatformArgs: " + "; ".join(problems))


class DatabricksPlatform(pulumi.ComponentResource):
    """Everything Databricks of one environment."""

    provider: pulumi.ProviderResource
    catalog_name: pulumi.Output[str]
    sandbox_catalog_names: list[pulumi.Output[str]]
    service_principal_application_id: pulumi.Output[str]
    """The OAuth client id of `ml-pipelines-<env>` (also its name in grants)."""
    service_principal_secret_arn: pulumi.Output[str]
    """The Secrets Manager secret (`ml-platform-<env>/databricks/ml-pipelines`) holding its OAuth credential as
    JSON `{"host", "client_id", "client_secret"}`, in the environment's account."""
    storage_external_id: pulumi.Output[str]
    """The external id Unity Catalog presents for the storage credential (the storage role's trust must require
    it: `get_aws_unity_catalog_assume_role_policy` calls it "the storage credential external id")."""

    def __init__(self, name: str, args: DatabricksPlatformArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_databricks_platform_args(args)
        super().__init__("platform:databricks:DatabricksPlatform", name, None, opts)
        env = args.environment
        workspace = DatabricksWorkspace(f"{name}-workspace", args.workspace, opts=pulumi.ResourceOptions(parent=self))
        self.provider = workspace.provider
        in_workspace = pulumi.ResourceOptions(parent=self, provider=workspace.provider)
        workspace_id = args.workspace.workspace_id

        # Unity Catalog objects live in the workspace's metastore: attach it first unless that is done already.
        metastore_ready: list[pulumi.Resource] = []
        if not args.metastore_pre_assigned:
            metastore_ready.append(databricks.MetastoreAssignment(
                f"{name}-metastore", workspace_id=workspace_id, metastore_id=args.metastore_id, opts=in_workspace))

        storage = CatalogStorage(f"{name}-storage", CatalogStorageArgs(
            name_prefix=f"ml-platform-{env}", bucket_name=args.processed_bucket, kms_key_arn=args.processed_key_arn,
            role_arn=args.storage_role_arn, role_ready=args.storage_role_ready, metastore_ready=metastore_ready,
            workspace_id=workspace_id, administrator=args.deploying_principal if args.deploying_principal is not None
            else databricks.get_current_user_output(opts=pulumi.InvokeOutputOptions(
                provider=workspace.provider)).user_name,
            protect=args.protect,
            retain_on_delete=args.retain_on_delete), opts=in_workspace)
        catalog = Catalog(f"{name}-catalog", CatalogArgs(
            catalog_name=env, schemas=ENVIRONMENT_SCHEMAS, storage_root=storage.root_for(env),
            workspace_id=workspace_id, comment=f"The {env} environment (ADR-001)", protect=args.protect,
            retain_on_delete=args.retain_on_delete), opts=in_workspace)
        principal = PipelineServicePrincipal(f"{name}-pipelines", PipelineServicePrincipalArgs(
            environment=env, protect=args.protect, rotation=args.pipeline_secret_rotation), opts=in_workspace)
        if principal.oauth_secret is None:
            raise ValueError(f"DatabricksPlatform {name}: the pipeline principal has no OAuth secret to store")
        credential = pulumi.Output.all(principal.application_id, principal.oauth_secret).apply(
            lambda v: json.dumps({"host": args.workspace.host, "client_id": v[0], "client_secret": v[1]}))
        pipeline_secret = PrincipalSecret(f"{name}-pipelines-secret", PrincipalSecretArgs(
            secret_name=f"ml-platform-{env}/databricks/ml-pipelines",  # the name reader policies use
            account_id=args.aws_account_id, region=args.region, value=pulumi.Output.secret(credential),
            administrator_role_arn=args.aws_administrator_role_arn, reader_role_arns=args.secret_reader_role_arns,
            key_deletion_window_days=args.key_deletion_window_days, protect=args.protect,
            retain_on_delete=args.retain_on_delete),
            opts=pulumi.ResourceOptions(parent=self, provider=args.aws_provider))
        EnvironmentClusterPolicy(f"{name}-cluster-policy", EnvironmentClusterPolicyArgs(
            environment=env, node_types=args.node_types, max_workers=args.max_workers,
            autotermination_minutes=args.autotermination_minutes,
            user_application_id=principal.application_id), opts=in_workspace)

        sandboxes = [Sandbox(f"{name}-{user}-sandbox", SandboxArgs(
            user=user, principal=sandbox_principal(user, args.user_email_domain or ""), storage=storage,
            workspace_id=workspace_id,
            force_destroy=user in args.sandbox_force_destroy, protect=args.protect,
            retain_on_delete=args.retain_on_delete), opts=in_workspace)
            for user in args.sandbox_users]

        managed = [(ManagedCatalog(env, ENVIRONMENT_SCHEMAS, principal.display_name), catalog)]
        managed += [(ManagedCatalog(s.catalog_name, SANDBOX_SCHEMAS, s.principal), s.catalog) for s in sandboxes]
        securable_names: dict[Securable, pulumi.Input[str]] = {}
        for spec, resource in managed:
            securable_names[Securable("catalog", spec.name)] = resource.name
            for schema, full_name in resource.schema_names.items():
                securable_names[Securable("schema", f"{spec.name}.{schema}")] = full_name
        UnityCatalogGrants(f"{name}-grants", UnityCatalogGrantsArgs(
            table=access_table(managed[0][0], [spec for spec, _ in managed[1:]]),
            securable_names=securable_names,
            principal_names={principal.display_name: principal.application_id},
            sandbox_principals=frozenset(s.principal for s in sandboxes)), opts=in_workspace)

        ServerlessEgress(f"{name}-serverless-egress", ServerlessEgressArgs(
            environment=env, restricted=args.restrict_serverless_egress, account_id=args.account_id,
            workspace_id=workspace_id, region=args.region, storage_buckets=args.storage_buckets,
            allowed_domains=args.egress_allowed_domains, client_id=args.workspace.client_id,
            client_secret=args.workspace.client_secret), opts=pulumi.ResourceOptions(parent=self))

        self.catalog_name = catalog.name
        self.sandbox_catalog_names = [s.catalog.name for s in sandboxes]
        self.service_principal_application_id = principal.application_id
        self.service_principal_secret_arn = pipeline_secret.arn
        self.storage_external_id = storage.external_id
        self.register_outputs({"catalogName": catalog.name, "sandboxCatalogNames": self.sandbox_catalog_names,
                               "servicePrincipalApplicationId": principal.application_id,
                               "servicePrincipalSecretArn": pipeline_secret.arn})
