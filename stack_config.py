"""The stack's configuration, read once into frozen, typed objects and validated before any resource exists.

Every other module receives these values; nothing else calls `pulumi.Config()`. A bad value ends the
program with one line naming the stack, the key and what is allowed (`ConfigError`, a `pulumi.RunError`,
so `pulumi up` prints it without a traceback).
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Literal, TypeVar

import pulumi
import yaml

from components.databricks.rotation import rotation_warning
from components.kubernetes import capacity
from components.kubernetes.versions import support_problem, support_warning
from components.patterns import AVAILABILITY_ZONE as _ZONE_RE
from components.patterns import AWS_ACCOUNT_ID as _ACCOUNT_ID_RE
from components.patterns import AWS_REGION as _REGION_RE
from components.patterns import DNS_NAME as _DOMAIN_RE
from components.patterns import EMAIL as _EMAIL_RE
from components.patterns import GITHUB_REPOSITORY as _REPO_RE
from components.patterns import IAM_ROLE_NAME as _ROLE_NAME_RE
from components.patterns import SANDBOX_USER as _USER_RE
from components.patterns import SUBNET_ID as _SUBNET_RE
from components.patterns import UUID as _UUID_RE
from components.patterns import VPC_ID as _VPC_RE

PROJECT = "ml-platform"
Environment = Literal["dev", "staging", "prod"]
ENVIRONMENTS: tuple[Environment, ...] = ("dev", "staging", "prod")
NODE_POOL_NAMES = ("system", "data", "compute")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
# What each pool is for (Design Appendix 1.1): the same in every environment, so fixed here, not in stack files.
# Only pods tolerating `workload=data` land on the data pool (stateful workloads).
_POOL_TAINTS: Mapping[str, tuple[tuple[str, str, str], ...]] = {
    "system": (), "data": (("workload", "data", "NO_SCHEDULE"),), "compute": (),
}
# The data stores of every environment (Environment Strategy): `logs` receives the others' access logs.

# Unity Catalog catalog names built from a user name: lowercase letters, digits and underscores.
# A team becomes the namespace `team-<name>`: a DNS label, so lowercase letters, digits and hyphens.
_TEAM_RE = re.compile(r"^[a-z]([a-z0-9-]{0,40}[a-z0-9])?$")
_OU_RE = re.compile(r"^(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}|r-[0-9a-z]{4,32})$")
_INSTANCE_RE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")
_GROUP_RE = re.compile(r"^[A-Za-z0-9:._@-]{1,128}$")
_K8S_VERSION_RE = re.compile(r"^1\.\d{2}$")
_IMAGE_TAG_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_KMS_KEY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:key/[0-9a-f-]{36}$")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_CONNECTION_ARN_RE = re.compile(
    r"^arn:aws[a-z-]*:codeconnections:[a-z]{2}(-gov)?-[a-z]+-\d:\d{12}:connection/[0-9a-f-]{36}$")
_CLIENT_ID_RE = re.compile(r"^[0-9a-f-]{8,64}$")
ACCESS_MODE_VARIABLE = "ML_PLATFORM_ACCESS"
"""Environment variable the workflows set to `deploy` or `preview`: which roles the providers assume. Not a
stack config value, so that a preview and an up of the same commit read the same stack file."""
ACCESS_MODES = ("deploy", "preview")
# ECR repository names: lowercase segments separated by '/', each may hold '.', '_' and '-'.
_REPOSITORY_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")
_HOSTED_ZONE_RE = re.compile(r"^Z[A-Z0-9]{1,32}$")
_CERTIFICATE_RE = re.compile(r"^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate/[0-9a-f-]{36}$")
_MODULE_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$")


# Scalars are read as plain strings (Pulumi passes them unquoted); objects and lists arrive as JSON text.
_STRING_KEYS: tuple[str, ...] = ("owner", "region", "githubRepository", "kubernetesVersion", "accessRoleName")
_STRUCTURED_KEYS: tuple[str, ...] = ("account", "network", "cluster", "nodePools", "namespaceQuotas", "teams", "egress",
                    "rbacGroups", "databricks", "sandboxUsers", "sandboxForceDestroy", "protection", "helm",
                    "database", "registries", "ci", "rbacGroupMembers", "ingress")
SECRET_KEYS: tuple[str, ...] = ("databricksClientSecret", "mlflowDbPassword")
KNOWN_KEYS: tuple[str, ...] = _STRING_KEYS + _STRUCTURED_KEYS + SECRET_KEYS


class ConfigError(pulumi.RunError):
    """Bad stack configuration. `str()` is one line: `<stack>: <key> <problem>`."""

    def __init__(self, stack: str, problems: list[str]) -> None:
        self.stack = stack
        self.problems = problems
        more = (f" (and {len(problems) - 1} more problem(s): python -m preflight --stack {stack} --all-errors "
                "lists them)") if len(problems) > 1 else ""
        super().__init__(f"{stack}: {problems[0]}{more}")


# ---------------------------------------------------------------------------------------------
# Typed configuration
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountConfig:
    name: str
    """Name of the member account in AWS Organizations."""
    email: str
    """Root email of the member account; must be unique across AWS."""
    parent_ou_id: str
    """Organizational unit (or root `r-...`) the account is created in."""
    access_role_name: str
    """Role the management account assumes in the member account (fixed at creation)."""
    existing_account_id: str | None = None
    """Adopt this existing account instead of creating one. Default: create."""
    close_on_deletion: bool = False
    """Close the account when the stack deletes it. Default off; never on in prod."""
    management_role_arn: str | None = None
    """Role to assume in the management account. Default: the ambient credentials."""


@dataclass(frozen=True)
class ExistingNetworkConfig:
    vpc_id: str
    """The adopted VPC (`network.vpcId`)."""
    vpc_cidr: str
    """Its primary IPv4 CIDR (`network.vpcCidr`)."""
    private_subnets: Mapping[str, str]
    """Subnet id -> zone name for nodes and pods (`network.privateSubnetIds`): 2+ zones."""
    database_subnets: Mapping[str, str]
    """Subnet id -> zone name for databases (`network.databaseSubnetIds`): 2+ zones."""


@dataclass(frozen=True)
class NetworkConfig:
    cidr: str | None
    """The VPC the stack creates (`network.cidr`), /16 to /20, RFC 1918. None when the network is adopted."""
    nat_gateways: Literal["single", "per_az"] = "per_az"
    """`network.natGateways`: `perAz` (default outside dev) or `single` (dev's default; refused in prod)."""
    existing: ExistingNetworkConfig | None = None
    """An adopted account's existing network (only with `account.id`): then nothing is created."""

    @property
    def vpc_cidr(self) -> str:
        """The VPC's CIDR, created or adopted."""
        return self.existing.vpc_cidr if self.existing is not None else self.cidr or ""


@dataclass(frozen=True)
class ClusterConfig:
    version: str
    """EKS control-plane version, e.g. `1.35`; one of the calendar in components/kubernetes/versions.py."""
    public_access_cidrs: tuple[str, ...] = ()
    """CIDRs that may reach the public API endpoint. Empty: public endpoint off (required in prod)."""


@dataclass(frozen=True)
class NodeTaint:
    key: str
    """Taint key."""
    value: str
    """Taint value."""
    effect: str
    """EKS API effect: NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE."""


@dataclass(frozen=True)
class NodePoolConfig:
    instance_types: tuple[str, ...]
    """EC2 instance types, e.g. `m6i.xlarge` (4 vCPU/16 GiB)."""
    min_size: int
    """Minimum nodes. Must be <= desired_size."""
    desired_size: int
    """Initial nodes; later owned by the cluster autoscaler (ignored on update)."""
    max_size: int
    """Maximum nodes. Must be >= desired_size."""
    capacity_type: str = "ON_DEMAND"
    """ON_DEMAND or SPOT. SPOT is refused in prod."""
    disk_size_gib: int = 50
    """Encrypted gp3 root volume size."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels on the pool's nodes (`pool: <name>`, from the pool's role, not configurable)."""
    taints: tuple[NodeTaint, ...] = ()
    """Taints on the pool's nodes, so only tolerating pods land there (the data pool)."""


@dataclass(frozen=True)
class Quota:
    cpu: str
    """CPU quota, Kubernetes quantity (`8`, `500m`)."""
    memory: str
    """Memory quota, Kubernetes quantity (`32Gi`)."""


@dataclass(frozen=True)
class CodeLocationConfig:
    repository: str
    """Repository (in the platform's registry) of the team's code location image. Default `team-<name>`."""
    tag: str
    """Image tag of the code location. Default the stack's `helm.imageTag`."""
    module: str = "definitions"
    """Python module holding the team's Dagster `Definitions` (`dagster api grpc -m`). Default `definitions`."""
    port: int = 4000
    """gRPC port of the code location server. Default 4000."""
    runs_reach_database: bool = True
    """Whether the team's run pods may reach the platform's PostgreSQL. Default true: Dagster's run workers write
    their event log to the instance's database (every process shares one dagster.yaml), so without it no run of
    the team starts. False only for a code location that never launches a run: no egress to the database and no
    `dagster-database` Secret in the team's namespace."""


@dataclass(frozen=True)
class TeamConfig:
    name: str
    """Team name; namespace `team-<name>`, S3 prefix `teams/<name>/`."""
    quota: Quota
    """The team namespace's ResourceQuota."""
    code_location: CodeLocationConfig
    """The team's Dagster code location (`teams.<name>.codeLocation`), every key defaulted."""


@dataclass(frozen=True)
class RbacGroups:
    platform_admin: str
    """Identity-provider group bound to the `platform-admin` Role."""
    data_engineer: str
    """Group bound to the `data-engineer` Role."""
    data_analyst: str
    """Group bound to the `data-analyst` Role."""

    @property
    def by_role(self) -> dict[str, str]:
        """Kubernetes Role name -> the group bound to it."""
        return {"platform-admin": self.platform_admin, "data-engineer": self.data_engineer,
                "data-analyst": self.data_analyst}


@dataclass(frozen=True)
class ClusterPolicyConfig:
    node_types: tuple[str, ...]
    """Databricks node types a cluster may use."""
    max_workers: int
    """Upper bound on autoscaling workers."""
    autotermination_minutes: int
    """Idle minutes before a cluster terminates (fixed by the policy)."""


@dataclass(frozen=True)
class DatabricksConfig:
    host: str
    """Workspace URL (`https://...`)."""
    workspace_id: str
    """Numeric workspace id the catalog is bound to."""
    account_id: str
    """Databricks account id (the external id in Unity Catalog's storage-credential trust)."""
    client_id: str | None
    """OAuth M2M client id; with `databricksClientSecret`. Default: ambient CLI profile/env."""
    client_secret: pulumi.Output[str] | None
    """Secret from `pulumi config set --secret databricksClientSecret`."""
    egress_allowed_domains: tuple[str, ...]
    """Domains serverless compute may reach in prod, beyond the environment's own storage."""
    cluster_policy: ClusterPolicyConfig
    """Bounds of the environment's cluster policy."""
    user_email_domain: str | None = None
    """Domain of workspace user names: sandbox user `alice` is the Databricks user `alice@<domain>`.
    Required when sandboxUsers is not empty (Unity Catalog grants name users by their email)."""
    metastore_id: str = ""
    """The region's Unity Catalog metastore (UUID) the workspace is attached to (`databricks.metastoreId`)."""
    metastore_pre_assigned: bool = False
    """True: an account admin (or automatic enablement) already attached the workspace, only the id's shape is
    checked. False: the stack makes the MetastoreAssignment (needs account-admin credentials)."""
    pipeline_secret_rotation: str | None = None
    """`databricks.pipelineSecretRotation`, a date (YYYY-MM-DD): changing it replaces `ml-pipelines-<env>`'s OAuth
    secret on the next `pulumi up` (rotate before its 90-day lifetime ends). Default none."""


@dataclass(frozen=True)
class Protection:
    protect: bool
    """`protect=True` on stateful resources (forced in prod)."""
    retain_on_delete: bool
    """Keep buckets and catalogs when the stack is destroyed (forced in prod)."""
    force_destroy_buckets: bool
    """Allow deleting non-empty buckets (refused in prod)."""


@dataclass(frozen=True)
class HelmConfig:
    image_tag: str
    """Tag of the platform images deployed by the release."""
    values_overrides: Mapping[str, Any] = field(default_factory=dict)
    """Extra chart values merged over the generated ones (never secrets)."""


@dataclass(frozen=True)
class DatabaseConfig:
    """`ml-platform:database`: the environment's RDS for PostgreSQL (Design Appendix 1.2)."""

    instance_class: str
    """DB instance class (`db.t4g.medium`)."""
    backup_retention_days: int
    """Automated backups kept, 1..35 (dev 1, staging 7, prod 30)."""
    allocated_storage_gib: int = 20
    """Initial storage, >= 20 GiB."""
    max_allocated_storage_gib: int = 100
    """Storage autoscaling ceiling."""
    engine_version: str = "17"
    """PostgreSQL major version (16 or 17)."""
    multi_az: bool = False
    """A synchronous standby in a second zone (required in prod)."""
    read_replicas: int = 0
    """Readable replicas (prod: at least 1; with the standby, three copies)."""
    final_snapshot: bool = True
    """Snapshot on deletion (required in prod)."""
    deletion_protection: bool = True
    """RDS deletion protection (required in prod)."""


@dataclass(frozen=True)
class RegistriesConfig:
    """`ml-platform:registries`: the ECR repositories of the platform images."""

    organization_id: str
    """AWS Organizations id: only its accounts may pull."""
    keep_images: int = 30
    """Images kept per repository."""


@dataclass(frozen=True)
class CiConfig:
    """`ml-platform:ci`: the state backend, the in-VPC runner and the Databricks principals CI uses."""

    state_bucket: str
    """S3 bucket of the Pulumi state (in the management account): preview reads it, deploy writes it."""
    state_secrets_key_arn: str
    """KMS key of the stacks' `awskms://` secrets provider: preview decrypts, deploy encrypts and decrypts."""
    runner_connection_arn: str | None = None
    """CodeConnections connection (GitHub App, in the member account) the in-VPC CodeBuild runner uses.
    Default None: no runner yet (bootstrap, see the README); set it once the connection is AVAILABLE."""
    databricks_deployer_client_id: str | None = None
    """OAuth client id of the Databricks deployer service principal; its secret is read from Secrets Manager."""
    databricks_previewer_client_id: str | None = None
    """OAuth client id of the read-only Databricks principal a preview uses."""


@dataclass(frozen=True)
class AccessConfig:
    """Which identities this run uses: `deploy` (an up, or a person bootstrapping) or `preview` (read only)."""

    mode: str
    """`deploy` or `preview`, from the environment variable ML_PLATFORM_ACCESS (default `deploy`)."""
    access_role_name: str
    """The member account's access role (OrganizationAccountAccessRole), assumed when deploying."""
    previewer_role_name: str
    """The member account's read-only role (`<project>-<env>-previewer`), assumed when previewing."""
    configured_management_role_arn: str | None
    """`account.managementRoleArn` as configured."""

    @property
    def is_preview(self) -> bool:
        return self.mode == "preview"

    @property
    def member_role_name(self) -> str:
        """The role the member provider and the Kubernetes exec credential assume."""
        return self.previewer_role_name if self.is_preview else self.access_role_name

    @property
    def management_role_arn(self) -> str | None:
        """Chained first when deploying; a preview goes straight from its CI role to the previewer (read only
        end to end)."""
        return None if self.is_preview else self.configured_management_role_arn


@dataclass(frozen=True)
class IngressConfig:
    """`ml-platform:ingress`: the environment's domain and its certificate (Design Appendix 1.2)."""

    base_domain: str
    """Domain the environment's hosts derive from (Design Appendix 1.2): dev `dev.internal.<base>`, staging
    `staging.<base>`, prod `app.<base>`; the UIs are `dagster.`, `mlflow.` and `grafana.` of that."""
    hosted_zone_id: str | None = None
    """Route 53 zone of the environment's domain, in the member account: the ACM certificate is validated by
    DNS records the stack writes there. Exactly one of this and `certificate_arn`."""
    certificate_arn: str | None = None
    """An existing ACM certificate covering `*.<environment domain>` (validated elsewhere) instead."""


@dataclass(frozen=True)
class StackConfig:
    stack: str
    environment: Environment
    project: str
    owner: str
    region: str
    github_repository: str
    account: AccountConfig
    network: NetworkConfig
    cluster: ClusterConfig
    node_pools: Mapping[str, NodePoolConfig]
    environment_quota: Quota
    monitoring_quota: Quota
    mlops_quota: Quota
    teams: tuple[TeamConfig, ...]
    egress_allowed_cidrs: tuple[str, ...]
    database_port: int
    rbac_groups: RbacGroups
    databricks: DatabricksConfig
    sandbox_users: tuple[str, ...]
    sandbox_force_destroy: tuple[str, ...]
    protection: Protection
    helm: HelmConfig
    database: DatabaseConfig
    registries: RegistriesConfig
    ci: CiConfig
    """CI's state backend, in-VPC runner and Databricks principals (`ci`)."""
    access: AccessConfig
    """The identities of this run (deploy or preview)."""
    rbac_group_members: Mapping[str, tuple[str, ...]]
    """RBAC group -> IAM role ARNs that carry it on the cluster (`rbacGroupMembers`); every group is listed,
    possibly empty."""
    workers_max_replicas: int = 2
    """The workers HPA's ceiling: what the compute pool and the environment quota hold (issue 15)."""
    ingress: IngressConfig | None = None
    """The internal ALB serving the UIs (`ingress`). Default none: no ALB, no certificate."""

    @property
    def domain(self) -> str | None:
        """Design Appendix 1.2, environment matrix: the environment's domain under the configured base."""
        if self.ingress is None:
            return None
        return {"dev": "dev.internal.", "staging": "staging.", "prod": "app."}[self.environment] + \
            self.ingress.base_domain

    @property
    def is_prod(self) -> bool:
        return self.environment == "prod"

    @property
    def databricks_secret_names(self) -> dict[str, str]:
        """`deploy`/`preview` -> the Secrets Manager secret (management account) holding that run's Databricks
        OAuth secret; empty when CI's Databricks principals are not configured."""
        if self.ci.databricks_deployer_client_id is None:
            return {}
        base = f"{self.project}-{self.environment}/ci/databricks"
        return {"deploy": f"{base}-deployer", "preview": f"{base}-previewer"}

    @property
    def databricks_ci_client_id(self) -> str | None:
        """The Databricks client id of this run's CI principal (deployer or read-only previewer), if configured
        and no personal `databricks.clientId` (with `databricksClientSecret`) takes precedence."""
        if self.databricks.client_id is not None:
            return None
        return self.ci.databricks_previewer_client_id if self.access.is_preview else \
            self.ci.databricks_deployer_client_id

    @property
    def databricks_deploying_principal(self) -> str | None:
        """Who deploys the Databricks layer, whatever this run is (a preview too): the personal
        `databricks.clientId`, else CI's deployer; None when neither is configured (the provider's own identity)."""
        return self.databricks.client_id or self.ci.databricks_deployer_client_id

    @property
    def pipelines_paused(self) -> bool:
        """ADR-001: pipelines are paused everywhere except prod."""
        return self.environment != "prod"

    @property
    def serverless_egress_restricted(self) -> bool:
        """Issue 5: prod's egress limits reach Databricks serverless compute; dev and staging keep the default."""
        return self.is_prod

    @property
    def backup_retention_days(self) -> int:
        """Design Appendix matrix: none / 7 / 30 days for dev / staging / prod."""
        return {"dev": 0, "staging": 7, "prod": 30}[self.environment]

    @property
    def egress_profile(self) -> Literal["restricted", "internet", "unrestricted"]:
        """Design Appendix namespace table: prod restricted egress, staging internet, dev full access."""
        return {"dev": "unrestricted", "staging": "internet", "prod": "restricted"}[self.environment]  # type: ignore[return-value]

    @property
    def log_retention_days(self) -> int:
        """Days the EKS control-plane logs are kept: a year in prod for audits, 30 days elsewhere."""
        return 365 if self.is_prod else 30

    @property
    def cluster_deletion_protection(self) -> bool:
        """Issue 15: EKS deletion protection on the prod cluster (the API refuses DeleteCluster until lifted)."""
        return self.is_prod

    @property
    def kms_deletion_window_days(self) -> int:
        return 30 if self.is_prod else 7

    @property
    def tags(self) -> dict[str, str]:
        """Default tags on every AWS resource of the stack."""
        return {
            "environment": self.environment,
            "project": self.project,
            "managed-by": "pulumi",
            "owner": self.owner,
        }


# ---------------------------------------------------------------------------------------------
# Reading and validation
# ---------------------------------------------------------------------------------------------

T = TypeVar("T")
_MISSING = object()


class _Reader:
    """Walks raw config values, converting them and collecting every problem with its key path."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.raw = raw
        self.problems: list[str] = []

    def problem(self, key: str, message: str) -> None:
        self.problems.append(f"{key} {message}")

    def get(self, mapping: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> Any:
        if key in mapping and mapping[key] is not None:
            return mapping[key]
        if default is _MISSING:
            self.problem(path, "is required")
            return None
        return default

    def typed(self, value: Any, kind: type[T] | tuple[type, ...], path: str, what: str) -> T | None:
        # bool is an int in Python; config booleans and integers must not stand in for each other.
        if value is None:
            return None
        if isinstance(value, bool) and kind is not bool:
            self.problem(path, f"must be {what}, got {value!r}")
            return None
        if not isinstance(value, kind):
            self.problem(path, f"must be {what}, got {value!r}")
            return None
        return value  # type: ignore[return-value]

    def string(self, mapping: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str] | None = None,
               allowed: str = "", default: Any = _MISSING) -> str | None:
        value = self.typed(self.get(mapping, key, path, default), str, path, "a string")
        if value is not None and not value.strip():
            # An empty value is never meant: `if value` checks downstream would silently skip it.
            self.problem(path, f"must not be empty{f' (expected {allowed})' if allowed else ''}, got {value!r}")
            return None
        if value is not None and pattern is not None and not pattern.fullmatch(value):
            self.problem(path, f"must be {allowed}, got {value!r}")
            return None
        return value

    def integer(self, mapping: Mapping[str, Any], key: str, path: str, low: int, high: int,
                default: Any = _MISSING) -> int | None:
        value = self.typed(self.get(mapping, key, path, default), int, path, "an integer")
        if value is not None and not low <= value <= high:
            self.problem(path, f"must be between {low} and {high}, got {value}")
            return None
        return value

    def boolean(self, mapping: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> bool | None:
        return self.typed(self.get(mapping, key, path, default), bool, path, "true or false")

    def mapping(self, mapping: Mapping[str, Any], key: str, path: str, default: Any = _MISSING) -> dict[str, Any]:
        value = self.typed(self.get(mapping, key, path, default), dict, path, "an object")
        return value if value is not None else {}

    def strings(self, mapping: Mapping[str, Any], key: str, path: str, pattern: re.Pattern[str] | None = None,
                allowed: str = "", default: Any = _MISSING, unique: bool = True,
                check: Callable[[str, str], str | None] | None = None, non_empty: bool = False) -> tuple[str, ...]:
        value = self.typed(self.get(mapping, key, path, default), list, path, "a list")
        if value is None:
            return ()
        if non_empty and not value:
            self.problem(path, f"must list at least one, each {allowed}, got []")
        out: list[str] = []
        for i, item in enumerate(value):
            item_path = f"{path}[{i}]"
            if not isinstance(item, str):
                self.problem(item_path, f"must be a string, got {item!r}")
                continue
            if pattern is not None and not pattern.fullmatch(item):
                self.problem(item_path, f"must be {allowed}, got {item!r}")
                continue
            if check is not None and (error := check(item, item_path)) is not None:
                self.problem(item_path, error)
                continue
            if unique and item in out:
                self.problem(item_path, f"duplicates {item!r}")
                continue
            out.append(item)
        return tuple(out)

    def unknown_keys(self, mapping: Mapping[str, Any], known: set[str] | frozenset[str], path: str) -> None:
        for key in mapping:
            if key not in known:
                where = f"{path}.{key}" if path else key
                self.problem(where, f"is not a known key{nearest_hint(str(key), known)} "
                                    f"(known: {', '.join(sorted(known))})")


def _cidr_problem(value: str, _path: str) -> str | None:
    try:
        if "/" not in value:
            raise ValueError("no prefix length")
        ipaddress.ip_network(value, strict=True)
    except ValueError as exc:
        return f"must be a CIDR block like 10.0.0.0/16, got {value!r} ({exc})"
    return None


_NETWORK_LITERALS = ("vpcId", "vpcCidr", "privateSubnetIds", "databaseSubnetIds")
_PRIVATE_RANGES = tuple(ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))
NAT_GATEWAY_CHOICES = {"single": "single", "perAz": "per_az"}


def _vpc_cidr(r: _Reader, value: str, path: str, low: int, high: int) -> str:
    if (error := _cidr_problem(value, path)) is not None:
        r.problem(path, error)
        return ""
    network = ipaddress.ip_network(value)
    if network.version != 4 or not low <= network.prefixlen <= high:
        r.problem(path, f"must be an IPv4 block from /{low} to /{high} (/{low} is AWS's largest VPC), got {value!r}")
        return ""
    if not any(network.subnet_of(private) for private in _PRIVATE_RANGES):  # type: ignore[arg-type]
        r.problem(path, f"must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918), got {value!r}")
        return ""
    return value


def _subnet_zones(r: _Reader, net: Mapping[str, Any], key: str, region: str) -> dict[str, str]:
    """`network.<key>`: subnet id -> zone name, at least two distinct zones of the stack's region."""
    path = f"network.{key}"
    value = r.typed(r.get(net, key, path), dict, path, "a mapping of subnet id to availability zone "
                    "(subnet-0123abcd: eu-west-1a)")
    if value is None:
        return {}
    subnets: dict[str, str] = {}
    for subnet, zone in value.items():
        if not _SUBNET_RE.fullmatch(subnet):
            r.problem(f"{path}.{subnet}", f"must be a subnet id like 'subnet-0123abcd', got {subnet!r}")
        elif not isinstance(zone, str) or not _ZONE_RE.fullmatch(zone) or not zone.startswith(region):
            r.problem(f"{path}.{subnet}", f"must name a zone of {region} like '{region}a', got {zone!r}")
        else:
            subnets[subnet] = zone
    if len(value) < 2 or len(set(value.values())) < 2:
        r.problem(path, f"must list at least 2 subnets in distinct zones (EKS and RDS need two), got {dict(value)}")
    return subnets


def _network(r: _Reader, net: Mapping[str, Any], environment: str, region: str,
             account: AccountConfig) -> NetworkConfig:
    """The created network (`cidr`, `natGateways`), or an adopted account's existing one (`vpcId`, ...)."""
    r.unknown_keys(net, {"cidr", "natGateways", *_NETWORK_LITERALS}, "network")
    literals = [key for key in _NETWORK_LITERALS if key in net]
    if literals and account.existing_account_id is None:
        for key in literals:
            r.problem(f"network.{key}", "must not be set when the stack creates its account (the account has no "
                      "network yet: network.cidr creates it); remove it, or adopt an account with account.id")
        return NetworkConfig(cidr=None)
    if literals:
        for key in ("cidr", "natGateways"):
            if key in net:
                r.problem(f"network.{key}", f"must not be set with network.{literals[0]} (the network is "
                          "adopted, not created)")
        vpc_cidr = r.string(net, "vpcCidr", "network.vpcCidr")
        existing = ExistingNetworkConfig(
            vpc_id=r.string(net, "vpcId", "network.vpcId", _VPC_RE, "a VPC id like 'vpc-0123abcd'") or "",
            vpc_cidr=_vpc_cidr(r, vpc_cidr, "network.vpcCidr", 16, 28) if vpc_cidr is not None else "",
            private_subnets=_subnet_zones(r, net, "privateSubnetIds", region),
            database_subnets=_subnet_zones(r, net, "databaseSubnetIds", region))
        for subnet in set(existing.private_subnets) & set(existing.database_subnets):
            r.problem(f"network.databaseSubnetIds.{subnet}", "must not also be a private (node) subnet")
        return NetworkConfig(cidr=None, existing=existing)
    cidr = r.string(net, "cidr", "network.cidr")
    default_nat = "single" if environment == "dev" else "perAz"
    nat = r.string(net, "natGateways", "network.natGateways", re.compile(r"^(single|perAz)$"), "single or perAz",
                   default=default_nat) or default_nat
    if environment == "prod" and nat == "single":
        r.problem("network.natGateways", "must be perAz in prod (one zone's outage must not cut every zone's "
                  "egress), got 'single'")
    return NetworkConfig(cidr=_vpc_cidr(r, cidr, "network.cidr", 16, 20) if cidr is not None else None,
                         nat_gateways=NAT_GATEWAY_CHOICES[nat])  # type: ignore[arg-type]


def overlapping_networks(configs: Mapping[str, StackConfig]) -> list[str]:
    """One line per pair of stacks whose VPC CIDRs overlap: peering, Transit Gateway and a shared CI runner
    network cannot route to two VPCs with the same addresses, so the environments' ranges stay disjoint."""
    problems: list[str] = []
    stacks = sorted(configs)
    for i, stack in enumerate(stacks):
        for other in stacks[i + 1:]:
            a, b = configs[stack].network.vpc_cidr, configs[other].network.vpc_cidr
            if a and b and ipaddress.ip_network(a).overlaps(ipaddress.ip_network(b)):
                problems.append(f"{other}: network.cidr {b!r} overlaps {stack}'s network.cidr {a!r}; "
                                "every stack needs its own range")
    return problems


def _quota(r: _Reader, raw: Any, path: str) -> Quota:
    value = r.typed(raw, dict, path, "an object with cpu and memory") or {}
    r.unknown_keys(value, {"cpu", "memory"}, path)
    cpu = _quantity_field(r, value, "cpu", f"{path}.cpu") or "0"
    memory = _quantity_field(r, value, "memory", f"{path}.memory") or "0"
    return Quota(cpu=cpu, memory=memory)


def _quantity_field(r: _Reader, value: Mapping[str, Any], key: str, path: str) -> str | None:
    raw = r.get(value, key, path)
    if raw is None:
        return None
    normalised, error = kubernetes_quantity(raw, key)  # type: ignore[arg-type]
    if error is not None:
        r.problem(path, error)
    return normalised
def _ingress(r: _Reader, raw: Mapping[str, Any]) -> IngressConfig | None:
    """`ingress`: the base domain and how its certificate is validated (a zone, or an existing certificate)."""
    if "ingress" not in raw:
        return None
    value = r.mapping(raw, "ingress", "ingress")
    r.unknown_keys(value, {"baseDomain", "hostedZoneId", "certificateArn"}, "ingress")
    zone = r.string(value, "hostedZoneId", "ingress.hostedZoneId", _HOSTED_ZONE_RE,
                    "a Route 53 zone id like 'Z0123ABC'", default=None)
    certificate = r.string(value, "certificateArn", "ingress.certificateArn", _CERTIFICATE_RE,
                           "an ACM certificate ARN", default=None)
    if (zone is None) == (certificate is None) and not any(p.startswith("ingress.") for p in r.problems):
        r.problem("ingress", "must set exactly one of hostedZoneId (the stack validates a new certificate by DNS) "
                  f"and certificateArn (an existing one), got {sorted(k for k in value if k != 'baseDomain')}")
    return IngressConfig(
        base_domain=r.string(value, "baseDomain", "ingress.baseDomain", _DOMAIN_RE, "a domain like 'example.com'")
        or "", hosted_zone_id=zone, certificate_arn=certificate)


def _code_location(r: _Reader, team: Mapping[str, Any], name: str, raw: Mapping[str, Any]) -> CodeLocationConfig:
    """`teams.<name>.codeLocation`: the team's Dagster gRPC server; every key has a default."""
    path = f"teams.{name}.codeLocation"
    value = r.mapping(team, "codeLocation", path, default={})
    r.unknown_keys(value, {"repository", "tag", "module", "port", "runsReachDatabase"}, path)
    helm = raw.get("helm") if isinstance(raw.get("helm"), dict) else {}
    default_tag = helm.get("imageTag") if isinstance(helm.get("imageTag"), str) else ""  # type: ignore[union-attr]
    # Without a valid helm.imageTag there is no default; that key's own problem is reported, not this one.
    tag = r.string(value, "tag", f"{path}.tag", _IMAGE_TAG_RE, "an image tag", default=default_tag or None) or ""
    if tag == "latest":
        r.problem(f"{path}.tag", "must pin a version, got 'latest'")
    return CodeLocationConfig(
        repository=r.string(value, "repository", f"{path}.repository", _REPOSITORY_RE,
                            "a repository name like 'team-fraud' (lowercase, '/', '-', '_', '.')",
                            default=f"team-{name}") or f"team-{name}",
        tag=tag,
        module=r.string(value, "module", f"{path}.module", _MODULE_RE, "a Python module path like 'fraud.definitions'",
                        default="definitions") or "definitions",
        # Below 1024 needs root (the pods run as uid 10001); 3000 is the Dagster webserver's.
        port=r.integer(value, "port", f"{path}.port", 1024, 65535, default=4000) or 4000,
        runs_reach_database=bool(r.boolean(value, "runsReachDatabase", f"{path}.runsReachDatabase", default=True)),
    )


def _node_pool(r: _Reader, raw: Any, path: str, environment: str) -> NodePoolConfig:
    value = r.typed(raw, dict, path, "an object") or {}
    r.unknown_keys(value, {"instanceTypes", "minSize", "desiredSize", "maxSize", "capacityType", "diskSizeGib"}, path)
    instance_types = r.strings(value, "instanceTypes", f"{path}.instanceTypes", _INSTANCE_RE,
                               "an EC2 instance type like 'm6i.xlarge'")
    if "instanceTypes" in value and isinstance(value["instanceTypes"], list) and not value["instanceTypes"]:
        r.problem(f"{path}.instanceTypes", "must name at least one instance type")
    min_size = r.integer(value, "minSize", f"{path}.minSize", 0, 1000)
    desired = r.integer(value, "desiredSize", f"{path}.desiredSize", 0, 1000)
    max_size = r.integer(value, "maxSize", f"{path}.maxSize", 1, 1000)
    capacity = r.string(value, "capacityType", f"{path}.capacityType", re.compile(r"^(ON_DEMAND|SPOT)$"),
                        "ON_DEMAND or SPOT", default="ON_DEMAND")
    disk = r.integer(value, "diskSizeGib", f"{path}.diskSizeGib", 20, 16384, default=50)
    if min_size is not None and desired is not None and desired < min_size:
        r.problem(f"{path}.desiredSize", f"must be >= minSize ({min_size}), got {desired}")
    if max_size is not None and desired is not None and max_size < desired:
        r.problem(f"{path}.maxSize", f"must be >= desiredSize ({desired}), got {max_size}")
    if environment == "prod" and capacity == "SPOT":
        r.problem(f"{path}.capacityType", "must be ON_DEMAND in prod, got 'SPOT'")
    pool = path.rsplit(".", 1)[-1]
    return NodePoolConfig(instance_types=instance_types, min_size=min_size or 0, desired_size=desired or 0,
                          max_size=max_size or 1, capacity_type=capacity or "ON_DEMAND", disk_size_gib=disk or 50,
                          labels={"pool": pool},
                          taints=tuple(NodeTaint(k, v, e) for k, v, e in _POOL_TAINTS.get(pool, ())))


def environment_of(stack: str) -> Environment:
    """The environment a stack deploys. Only `dev`, `staging` and `prod` are stacks; sandboxes live in dev."""
    if stack in ENVIRONMENTS:
        return stack  # type: ignore[return-value]
    if stack.startswith("sandbox"):
        raise ConfigError(stack, [
            "stack is not a stack of this project: sandboxes are provisioned by the dev stack; "
            "add the user to ml-platform:sandboxUsers in Pulumi.dev.yaml"])
    raise ConfigError(stack, [f"stack is not a stack of this project (known: {', '.join(ENVIRONMENTS)})"])


def parse(stack: str, raw: Mapping[str, Any], secrets: Mapping[str, pulumi.Output[str]] | None = None,
          access_mode: str = "deploy", today: date | None = None) -> StackConfig:
    """Validate raw config values (key -> decoded JSON value, without the project prefix) for `stack`.

    Pure: no Pulumi runtime needed, so tests and the preflight can call it directly. `today` (default: the UTC
    date) judges the Kubernetes version against the EKS calendar.
    Raises ConfigError naming the first problem (and how many more) on any bad value.
    """
    environment = environment_of(stack)
    secrets = secrets or {}
    r = _Reader(raw)
    r.unknown_keys(raw, set(KNOWN_KEYS) - set(SECRET_KEYS), "")

    owner = r.string(raw, "owner", "owner", _EMAIL_RE, "an email address") or ""
    region = r.string(raw, "region", "region", _REGION_RE, "an AWS region like 'eu-west-1'") or ""
    repo = r.string(raw, "githubRepository", "githubRepository", _REPO_RE, "'owner/name'") or ""
    k8s_version = r.string(raw, "kubernetesVersion", "kubernetesVersion", _K8S_VERSION_RE, "a version like '1.35'")
    access_role = r.string(raw, "accessRoleName", "accessRoleName", _ROLE_NAME_RE, "an IAM role name") or ""

    acc = r.mapping(raw, "account", "account")
    r.unknown_keys(acc, {"name", "email", "parentOuId", "id", "closeOnDeletion", "managementRoleArn"}, "account")
    account = AccountConfig(
        name=r.string(acc, "name", "account.name", re.compile(r"^[\w .+=@,-]{1,50}$"), "an account name") or "",
        email=r.string(acc, "email", "account.email", _EMAIL_RE, "an email address") or "",
        parent_ou_id=r.string(acc, "parentOuId", "account.parentOuId", _OU_RE, "an OU id like 'ou-ab12-cd34ef56'")
        or "",
        access_role_name=access_role,
        existing_account_id=r.string(acc, "id", "account.id", _ACCOUNT_ID_RE, "a 12-digit account id", default=None),
        close_on_deletion=bool(r.boolean(acc, "closeOnDeletion", "account.closeOnDeletion", default=False)),
        management_role_arn=r.string(acc, "managementRoleArn", "account.managementRoleArn",
                                     re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$"), "an IAM role ARN",
                                     default=None),
    )
    if environment == "prod" and account.close_on_deletion:
        r.problem("account.closeOnDeletion", "must be false in prod, got true")

    network = _network(r, r.mapping(raw, "network", "network"), environment, region, account)

    cl = r.mapping(raw, "cluster", "cluster", default={})
    r.unknown_keys(cl, {"publicAccessCidrs"}, "cluster")
    public_cidrs = r.strings(cl, "publicAccessCidrs", "cluster.publicAccessCidrs", default=[], check=_cidr_problem)
    for i, cidr in enumerate(public_cidrs):
        if cidr in ("0.0.0.0/0", "::/0"):
            r.problem(f"cluster.publicAccessCidrs[{i}]", f"must not open the API to the internet, got {cidr!r}")
    if environment == "prod" and public_cidrs:
        r.problem("cluster.publicAccessCidrs", "must be empty in prod (public endpoint off)")
    if k8s_version and (version_problem := support_problem(k8s_version, today or utc_today())):
        r.problem("kubernetesVersion", version_problem)
    cluster = ClusterConfig(version=k8s_version or "", public_access_cidrs=public_cidrs)

    pools_raw = r.mapping(raw, "nodePools", "nodePools")
    r.unknown_keys(pools_raw, set(NODE_POOL_NAMES), "nodePools")
    node_pools: dict[str, NodePoolConfig] = {}
    for name in NODE_POOL_NAMES:
        if name not in pools_raw:
            r.problem(f"nodePools.{name}", "is required")
            continue
        node_pools[name] = _node_pool(r, pools_raw[name], f"nodePools.{name}", environment)

    quotas = r.mapping(raw, "namespaceQuotas", "namespaceQuotas")
    r.unknown_keys(quotas, {"environment", "monitoring", "mlops"}, "namespaceQuotas")
    env_quota = _quota(r, r.get(quotas, "environment", "namespaceQuotas.environment"), "namespaceQuotas.environment")
    mon_quota = _quota(r, r.get(quotas, "monitoring", "namespaceQuotas.monitoring"), "namespaceQuotas.monitoring")
    mlops_quota = _quota(r, r.get(quotas, "mlops", "namespaceQuotas.mlops"), "namespaceQuotas.mlops")

    teams_raw = r.mapping(raw, "teams", "teams", default={})
    teams: list[TeamConfig] = []
    for name, value in teams_raw.items():
        if not _TEAM_RE.fullmatch(name):
            r.problem(f"teams.{name}", "must be named with lowercase letters, digits and hyphens (a DNS label)")
            continue
        team = r.typed(value, dict, f"teams.{name}", "an object") or {}
        r.unknown_keys(team, {"quota", "codeLocation"}, f"teams.{name}")
        teams.append(TeamConfig(name=name, quota=_quota(r, r.get(team, "quota", f"teams.{name}.quota"),
                                                          f"teams.{name}.quota"),
                                code_location=_code_location(r, team, name, raw)))

    egress = r.mapping(raw, "egress", "egress", default={})
    r.unknown_keys(egress, {"allowedCidrs", "databasePort"}, "egress")
    allowed_cidrs = r.strings(egress, "allowedCidrs", "egress.allowedCidrs", default=[], check=_cidr_problem)
    for i, cidr in enumerate(allowed_cidrs):
        if cidr in ("0.0.0.0/0", "::/0"):
            r.problem(f"egress.allowedCidrs[{i}]", f"must not allow the whole internet, got {cidr!r}")
    database_port = r.integer(egress, "databasePort", "egress.databasePort", 1, 65535, default=5432) or 5432

    rb = r.mapping(raw, "rbacGroups", "rbacGroups")
    r.unknown_keys(rb, {"platformAdmin", "dataEngineer", "dataAnalyst"}, "rbacGroups")
    rbac = RbacGroups(
        platform_admin=r.string(rb, "platformAdmin", "rbacGroups.platformAdmin", _GROUP_RE, "a group name") or "",
        data_engineer=r.string(rb, "dataEngineer", "rbacGroups.dataEngineer", _GROUP_RE, "a group name") or "",
        data_analyst=r.string(rb, "dataAnalyst", "rbacGroups.dataAnalyst", _GROUP_RE, "a group name") or "",
    )

    db = r.mapping(raw, "databricks", "databricks")
    r.unknown_keys(db, {"host", "workspaceId", "accountId", "clientId", "egressAllowedDomains", "clusterPolicy",
                        "userEmailDomain", "metastoreId", "metastorePreAssigned", "pipelineSecretRotation"},
                   "databricks")
    cp = r.mapping(db, "clusterPolicy", "databricks.clusterPolicy")
    r.unknown_keys(cp, {"nodeTypes", "maxWorkers", "autoterminationMinutes"}, "databricks.clusterPolicy")
    client_id = r.string(db, "clientId", "databricks.clientId", re.compile(r"^[0-9a-f-]{8,64}$"),
                         "an OAuth client id (application id)", default=None)
    client_secret = secrets.get("databricksClientSecret")
    if client_id is not None and client_secret is None:
        r.problem("databricksClientSecret", "is required when databricks.clientId is set "
                  "(pulumi config set --secret databricksClientSecret ...)")
    rotated = r.string(db, "pipelineSecretRotation", "databricks.pipelineSecretRotation",
                       re.compile(r"^20\d\d-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$"),
                       "the date of the last rotation, YYYY-MM-DD", default=None)
    if rotated and _calendar_date(rotated) is None:
        r.problem("databricks.pipelineSecretRotation", f"must be a calendar date, got {rotated!r}")
    elif (rotated and (rotated_on := _calendar_date(rotated))
          and rotated_on > (today or utc_today()) + timedelta(days=1)):  # a day of slack: UTC's tomorrow
        r.problem("databricks.pipelineSecretRotation",
                  f"must be the date of the last rotation, not after today ({(today or utc_today()).isoformat()}), "
                  f"got {rotated!r}")
    databricks = DatabricksConfig(
        host=r.string(db, "host", "databricks.host", re.compile(r"^https://[a-z0-9.-]+$"),
                      "an https:// workspace URL") or "",
        workspace_id=r.string(db, "workspaceId", "databricks.workspaceId", re.compile(r"^\d{1,20}$"),
                              "a numeric workspace id") or "",
        account_id=r.string(db, "accountId", "databricks.accountId", _UUID_RE, "a Databricks account id (UUID)")
        or "",
        client_id=client_id,
        client_secret=client_secret,
        egress_allowed_domains=r.strings(db, "egressAllowedDomains", "databricks.egressAllowedDomains", _DOMAIN_RE,
                                         "a domain name like 'pypi-mirror.example.com'", default=[]),
        cluster_policy=ClusterPolicyConfig(
            node_types=r.strings(cp, "nodeTypes", "databricks.clusterPolicy.nodeTypes", _INSTANCE_RE,
                                 "a node type like 'm6i.xlarge'", non_empty=True),
            max_workers=r.integer(cp, "maxWorkers", "databricks.clusterPolicy.maxWorkers", 1, 500) or 1,
            autotermination_minutes=r.integer(cp, "autoterminationMinutes",
                                              "databricks.clusterPolicy.autoterminationMinutes", 10, 240) or 10,
        ),
        user_email_domain=r.string(db, "userEmailDomain", "databricks.userEmailDomain", _DOMAIN_RE,
                                   "a domain name like 'example.com'", default=None),
        metastore_id=r.string(db, "metastoreId", "databricks.metastoreId", _UUID_RE,
                              "the region's Unity Catalog metastore id (UUID)") or "",
        metastore_pre_assigned=bool(r.boolean(db, "metastorePreAssigned", "databricks.metastorePreAssigned",
                                              default=False)),
        pipeline_secret_rotation=rotated,
    )

    users = r.strings(raw, "sandboxUsers", "sandboxUsers", _USER_RE,
                      "a user name valid as a catalog name (lowercase letters, digits, underscore)", default=[])
    force_destroy = r.strings(raw, "sandboxForceDestroy", "sandboxForceDestroy", _USER_RE, "a sandbox user name",
                              default=[])
    if environment != "dev" and users:
        r.problem("sandboxUsers", f"must be empty outside dev (sandboxes share the dev workspace), got {list(users)}")
    if users and databricks.user_email_domain is None and "databricks" in raw:
        r.problem("databricks.userEmailDomain", "is required when sandboxUsers is set (grants name a user by "
                  "email: <user>@<userEmailDomain>)")
    for i, user in enumerate(force_destroy):
        if user not in users:
            r.problem(f"sandboxForceDestroy[{i}]", f"must name a user in sandboxUsers, got {user!r}")

    pr = r.mapping(raw, "protection", "protection")
    r.unknown_keys(pr, {"protect", "retainOnDelete", "forceDestroyBuckets"}, "protection")
    protection = Protection(
        protect=bool(r.boolean(pr, "protect", "protection.protect")),
        retain_on_delete=bool(r.boolean(pr, "retainOnDelete", "protection.retainOnDelete")),
        force_destroy_buckets=bool(r.boolean(pr, "forceDestroyBuckets", "protection.forceDestroyBuckets",
                                             default=False)),
    )
    if environment == "prod":
        if "protect" in pr and not protection.protect:
            r.problem("protection.protect", "must be true in prod, got false")
        if "retainOnDelete" in pr and not protection.retain_on_delete:
            r.problem("protection.retainOnDelete", "must be true in prod, got false")
        if protection.force_destroy_buckets:
            r.problem("protection.forceDestroyBuckets", "must be false in prod, got true")

    hl = r.mapping(raw, "helm", "helm")
    r.unknown_keys(hl, {"imageTag", "valuesOverrides"}, "helm")
    helm = HelmConfig(
        image_tag=r.string(hl, "imageTag", "helm.imageTag", _IMAGE_TAG_RE, "an image tag") or "",
        values_overrides=r.mapping(hl, "valuesOverrides", "helm.valuesOverrides", default={}),
    )
    r.problems += chart_override_problems(helm.values_overrides, "helm.valuesOverrides")

    database, registries = _database_and_registries(r, raw, environment)
    if "mlflowDbPassword" in secrets:
        # Issue 16: the database logins live in Secrets Manager, set by the bootstrap Job; a password in config
        # would be unused, so say so instead of ignoring it.
        r.problem("mlflowDbPassword", "is no longer used (the MLflow login is generated in Secrets Manager by the "
                  "database bootstrap Job); remove it: pulumi config rm mlflowDbPassword")
    ci, members = _ci(r, raw, rbac)
    if access_mode not in ACCESS_MODES:
        r.problem(ACCESS_MODE_VARIABLE, f"(environment variable) must be one of {', '.join(ACCESS_MODES)}, "
                  f"got {access_mode!r}")
    access = AccessConfig(mode=access_mode, access_role_name=access_role,
                          previewer_role_name=f"{PROJECT}-{environment}-previewer",
                          configured_management_role_arn=account.management_role_arn)

    workers_max = _workers_ceiling(r, node_pools.get("compute"), env_quota, helm)

    ingress = _ingress(r, raw)

    if r.problems:
        raise ConfigError(stack, r.problems)
    return StackConfig(
        stack=stack, environment=environment, project=PROJECT, owner=owner, region=region,
        github_repository=repo, account=account, network=network, cluster=cluster, node_pools=node_pools,
        environment_quota=env_quota, monitoring_quota=mon_quota, mlops_quota=mlops_quota, teams=tuple(teams),
        egress_allowed_cidrs=allowed_cidrs, database_port=database_port, rbac_groups=rbac, databricks=databricks,
        sandbox_users=users, sandbox_force_destroy=force_destroy, protection=protection, helm=helm,
        database=database, registries=registries, ci=ci, access=access, rbac_group_members=members,
        workers_max_replicas=workers_max, ingress=ingress,
    )


_DB_INSTANCE_RE = re.compile(r"^db\.[a-z0-9]+\.[a-z0-9]+$")
_ORG_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")


def _database_and_registries(r: _Reader, raw: Mapping[str, Any], environment: str
                             ) -> tuple[DatabaseConfig, RegistriesConfig]:
    db = r.mapping(raw, "database", "database")
    r.unknown_keys(db, {"instanceClass", "backupRetentionDays", "allocatedStorageGib", "maxAllocatedStorageGib",
                        "engineVersion", "multiAz", "readReplicas", "finalSnapshot", "deletionProtection"},
                   "database")
    allocated = r.integer(db, "allocatedStorageGib", "database.allocatedStorageGib", 20, 65536, default=20) or 20
    database = DatabaseConfig(
        instance_class=r.string(db, "instanceClass", "database.instanceClass", _DB_INSTANCE_RE,
                                "a DB instance class like 'db.t4g.medium'") or "db.t4g.medium",
        backup_retention_days=r.integer(db, "backupRetentionDays", "database.backupRetentionDays", 1, 35) or 1,
        allocated_storage_gib=allocated,
        max_allocated_storage_gib=r.integer(db, "maxAllocatedStorageGib", "database.maxAllocatedStorageGib",
                                            allocated, 65536, default=max(100, allocated)) or allocated,
        engine_version=r.string(db, "engineVersion", "database.engineVersion", re.compile(r"^1[67]$"),
                                "a supported PostgreSQL major version (16 or 17)", default="17") or "17",
        multi_az=bool(r.boolean(db, "multiAz", "database.multiAz", default=False)),
        read_replicas=r.integer(db, "readReplicas", "database.readReplicas", 0, 5, default=0) or 0,
        final_snapshot=bool(r.boolean(db, "finalSnapshot", "database.finalSnapshot", default=True)),
        deletion_protection=bool(r.boolean(db, "deletionProtection", "database.deletionProtection", default=True)),
    )
    if environment == "prod":
        # Design Appendix 1.2: prod is an HA cluster of three copies with backups kept 30 days.
        if not database.multi_az:
            r.problem("database.multiAz", "must be true in prod, got false")
        if database.read_replicas < 1:
            r.problem("database.readReplicas", f"must be >= 1 in prod (three copies), got {database.read_replicas}")
        if database.backup_retention_days < 30:
            r.problem("database.backupRetentionDays", f"must be >= 30 in prod, got {database.backup_retention_days}")
        if not database.final_snapshot:
            r.problem("database.finalSnapshot", "must be true in prod, got false")
        if not database.deletion_protection:
            r.problem("database.deletionProtection", "must be true in prod, got false")
    rg = r.mapping(raw, "registries", "registries")
    r.unknown_keys(rg, {"organizationId", "keepImages"}, "registries")
    registries = RegistriesConfig(
        organization_id=r.string(rg, "organizationId", "registries.organizationId", _ORG_ID_RE,
                                 "an AWS Organizations id like 'o-a1b2c3d4e5'") or "",
        keep_images=r.integer(rg, "keepImages", "registries.keepImages", 1, 1000, default=30) or 30,
    )
    return database, registries


def _ci(r: _Reader, raw: Mapping[str, Any], rbac: RbacGroups) -> tuple[CiConfig, dict[str, tuple[str, ...]]]:
    """`ci` and `rbacGroupMembers`: ARNs checked for shape, every RBAC group mapped (or explicitly empty)."""
    c = r.mapping(raw, "ci", "ci")
    r.unknown_keys(c, {"stateBucket", "stateSecretsKeyArn", "runnerConnectionArn", "databricksDeployerClientId",
                       "databricksPreviewerClientId"}, "ci")
    ci = CiConfig(
        state_bucket=r.string(c, "stateBucket", "ci.stateBucket", _BUCKET_RE, "an S3 bucket name") or "",
        state_secrets_key_arn=r.string(c, "stateSecretsKeyArn", "ci.stateSecretsKeyArn", _KMS_KEY_ARN_RE,
                                       "a KMS key ARN (arn:aws:kms:<region>:<account>:key/<uuid>)") or "",
        runner_connection_arn=r.string(c, "runnerConnectionArn", "ci.runnerConnectionArn", _CONNECTION_ARN_RE,
                                       "a CodeConnections connection ARN", default=None),
        databricks_deployer_client_id=r.string(c, "databricksDeployerClientId", "ci.databricksDeployerClientId",
                                               _CLIENT_ID_RE, "an OAuth client id", default=None),
        databricks_previewer_client_id=r.string(c, "databricksPreviewerClientId",
                                                "ci.databricksPreviewerClientId", _CLIENT_ID_RE,
                                                "an OAuth client id", default=None))
    if (ci.databricks_deployer_client_id is None) != (ci.databricks_previewer_client_id is None):
        r.problem("ci.databricksPreviewerClientId", "must be set together with ci.databricksDeployerClientId "
                  "(a preview needs its read-only counterpart)")
    members: dict[str, tuple[str, ...]] = {}
    m = r.mapping(raw, "rbacGroupMembers", "rbacGroupMembers")
    groups = set(rbac.by_role.values())
    r.unknown_keys(m, groups, "rbacGroupMembers")
    for group in sorted(g for g in groups if g.startswith("system:")):
        r.problem("rbacGroups", f"must not name a group starting with 'system:' (EKS access entries refuse them), "
                  f"got {group!r}")
    for group in sorted(groups):
        if group not in m:
            r.problem(f"rbacGroupMembers.{group}", "is required (list the IAM role ARNs that carry the group, "
                      "or [] to declare it empty)")
            continue
        members[group] = r.strings(m, group, f"rbacGroupMembers.{group}", _ROLE_ARN_RE,
                                   "an IAM role ARN (arn:aws:iam::<account>:role/<name>)")
    return ci, members


# ---------------------------------------------------------------------------------------------
# Key names, namespaces and Kubernetes quantities (issue 19)
# ---------------------------------------------------------------------------------------------

PROVIDER_NAMESPACES: tuple[str, ...] = ("aws", "databricks", "kubernetes", "pulumi")
"""Config namespaces other than the project's that a stack file may hold: the providers' own settings."""


def nearest_hint(key: str, known: Iterable[str]) -> str:
    """`"; did you mean 'teams'?"` for the closest known name (difflib), or "" when nothing is close."""
    match = difflib.get_close_matches(key, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {match[0]!r}?" if match else ""


def unknown_namespaces(keys: Iterable[str], project: str = PROJECT) -> list[str]:
    """One problem per config key whose namespace is neither the project's nor a known provider's.

    Pulumi keeps any namespace it is given, so `ml-platfrom:teams` would be read by nobody and both teams
    would silently leave the plan (their namespaces deleted on the next `up`)."""
    allowed = (project, *PROVIDER_NAMESPACES)
    candidates = [f"{project}:{k}" for k in KNOWN_KEYS]
    problems: list[str] = []
    for key in sorted(keys):
        namespace, _, rest = key.partition(":")
        if namespace in allowed:
            continue
        near = [f"{ns}:{rest}" for ns in PROVIDER_NAMESPACES] + candidates
        hint = nearest_hint(key, near) or nearest_hint(namespace, allowed)
        problems.append(f"{key} is in no known config namespace ({', '.join(allowed)}){hint}")
    return problems


# A Kubernetes quantity (k8s.io/apimachinery resource.Quantity): a decimal number with a binary-SI
# (Ki..Ei), decimal-SI (n, u, m, k, M, G, T, P, E) or exponent (e3) suffix. YAML hands numbers over as
# numbers (`cpu: 2`, `cpu: 0.5`), which Kubernetes accepts as well.
_QUANTITY_RE = re.compile(r"^(?P<number>\d+(\.\d*)?|\.\d+)(?P<suffix>Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$")
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}
_DECIMAL = {"n": Decimal("1e-9"), "u": Decimal("1e-6"), "m": Decimal("1e-3"), "": Decimal(1), "k": Decimal(10**3),
            "M": Decimal(10**6), "G": Decimal(10**9), "T": Decimal(10**12), "P": Decimal(10**15),
            "E": Decimal(10**18)}


def _quantity_value(value: Any) -> Decimal | None:
    """The quantity's value in base units (cores, bytes), or None when it is no non-negative quantity."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        text = repr(value)
        if value < 0 or text in ("inf", "nan"):
            return None
        return Decimal(text)
    if not isinstance(value, str) or not (match := _QUANTITY_RE.fullmatch(value.strip())):
        return None
    try:
        number = Decimal(match["number"])
    except InvalidOperation:
        return None
    suffix = match["suffix"] or ""
    if suffix in _BINARY:
        return number * _BINARY[suffix]
    if suffix in _DECIMAL:
        return number * _DECIMAL[suffix]
    return number.scaleb(int(suffix[1:]))


def kubernetes_quantity(value: Any, kind: Literal["cpu", "memory"]) -> tuple[str | None, str | None]:
    """(normalised quantity, None) or (None, problem). Accepts what Kubernetes accepts: numbers and strings.

    Normal form: CPU in whole cores (`"2"`) or millicores (`"500m"`; finer than 1m is refused, as the API
    server cannot represent it); memory unchanged when it is a whole number with a suffix (`"8Gi"`),
    else whole bytes in the largest binary suffix that divides them (`1073741824` -> `"1Gi"`)."""
    examples = "a CPU quantity like 2, 0.5, '8' or '500m'" if kind == "cpu" else \
        "a memory quantity like '32Gi', '512Mi' or a number of bytes"
    amount = _quantity_value(value)
    if amount is None:
        return None, f"must be {examples}, got {value!r}"
    if kind == "cpu":
        millis = amount * 1000
        if millis != millis.to_integral_value():
            return None, f"must be a whole number of millicores (1m = 0.001), got {value!r}"
        return (str(int(amount)) if amount == amount.to_integral_value() else f"{int(millis)}m"), None
    if amount != amount.to_integral_value():
        return None, f"must be a whole number of bytes, got {value!r}"
    if isinstance(value, str) and (match := _QUANTITY_RE.fullmatch(value.strip())) and match["suffix"] \
            and match["number"].isdigit() and match["suffix"][0] not in "eE":
        return f"{int(match['number'])}{match['suffix']}", None
    size = int(amount)
    for suffix, factor in sorted(_BINARY.items(), key=lambda kv: -kv[1]):
        if size and size % factor == 0:
            return f"{size // factor}{suffix}", None
    return str(size), None


CHART_VALUES_SCHEMA = Path(__file__).resolve().parent / "charts" / "ml-platform" / "values.schema.json"


def _partial(schema: Any) -> Any:
    """The chart's schema for a partial document: overrides are merged over generated values, so nothing in
    them is required, but every key they hold must exist and every value they set must be valid."""
    if isinstance(schema, dict):
        return {k: _partial(v) for k, v in schema.items() if k != "required"}
    if isinstance(schema, list):
        return [_partial(v) for v in schema]
    return schema


def chart_override_problems(overrides: Mapping[str, Any], path: str,
                            schema_file: Path = CHART_VALUES_SCHEMA) -> list[str]:
    """One problem per value of `helm.valuesOverrides` the chart's values.schema.json refuses (Helm would
    refuse it at install time, after everything before the release was created)."""
    if not overrides:
        return []
    from jsonschema import Draft7Validator

    # The file names draft-07 by an https URL that jsonschema does not know (a deprecation warning): say it.
    schema = {k: v for k, v in _partial(json.loads(schema_file.read_text())).items() if k != "$schema"}
    validator = Draft7Validator(schema)
    problems: list[str] = []
    for error in sorted(validator.iter_errors(dict(overrides)), key=lambda e: [str(p) for p in e.absolute_path]):
        where = path + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
        shown = schema_file.relative_to(CHART_VALUES_SCHEMA.parents[2]) if schema_file.is_relative_to(
            CHART_VALUES_SCHEMA.parents[2]) else schema_file
        problems.append(f"{where} is refused by {shown}: "
                        f"{' '.join(error.message.split())}")
    return problems


def _calendar_date(text: str) -> date | None:
    """`YYYY-MM-DD` as a date, None when no such day exists (2026-02-30)."""
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def utc_today() -> date:
    """The clock the version calendar is judged by (tests replace it)."""
    return datetime.now(UTC).date()


_CHART_VALUES = Path(__file__).resolve().parent / "charts" / "ml-platform" / "values.yaml"


def _workers_ceiling(r: _Reader, pool: NodePoolConfig | None, quota: Quota, helm: HelmConfig) -> int:
    """The HPA ceiling of the pipeline workers: what the compute pool's max nodes and the environment
    namespace's quota both hold (requests and limits from the chart's values, with the stack's overrides)."""
    from components.kubernetes.platform_release import deep_merge  # the merge the release applies

    values = deep_merge(yaml.safe_load(_CHART_VALUES.read_text()), helm.values_overrides)
    try:
        worker = capacity.shape(values["workers"]["resources"])
        others = [capacity.shape(values["mlflow"]["resources"], int(values["mlflow"]["replicas"])),
                  capacity.shape(values["dbt"]["resources"])]
    except (KeyError, TypeError, ValueError) as exc:
        r.problem("helm.valuesOverrides", f"must keep the chart's workers/mlflow/dbt resources readable, got {exc}")
        return 2
    min_replicas = int(values["workers"]["autoscaling"]["minReplicas"])
    if pool is None or not pool.instance_types or quota.cpu == "0" or quota.memory == "0":
        return min_replicas
    unknown = [t for t in pool.instance_types if t not in capacity.INSTANCE_CAPACITY]
    if unknown:
        r.problem("nodePools.compute.instanceTypes", f"must be instance types of the capacity table (known: "
                  f"{', '.join(capacity.INSTANCE_CAPACITY)}), got {unknown}")
        return min_replicas
    by_pool = capacity.pool_ceiling(pool.instance_types, pool.max_size, worker)
    by_quota = capacity.quota_ceiling(quota.cpu, quota.memory, worker, others)
    ceiling = min(by_pool, by_quota)
    if ceiling < min_replicas:
        r.problem("namespaceQuotas.environment", f"(cpu {quota.cpu}, memory {quota.memory}) holds {by_quota} "
                  f"pipeline worker(s) beside MLflow and dbt and nodePools.compute.maxSize ({pool.max_size}) "
                  f"holds {by_pool}: both must hold the HPA's minReplicas ({min_replicas})")
    override = helm.values_overrides.get("workers", {}).get("autoscaling", {}).get("maxReplicas") \
        if isinstance(helm.values_overrides.get("workers"), dict) else None
    if isinstance(override, int) and override > ceiling:
        r.problem("helm.valuesOverrides.workers.autoscaling.maxReplicas",
                  f"must be <= {ceiling}, what namespaceQuotas.environment and nodePools.compute.maxSize "
                  f"hold, got {override}")
    return max(ceiling, min_replicas)


def load() -> StackConfig:
    """Read the running stack's configuration through the Pulumi runtime, once, and validate it."""
    stack = pulumi.get_stack()
    environment_of(stack)
    if problems := unknown_namespaces(_all_config_keys()):
        raise ConfigError(stack, problems)
    config = pulumi.Config(PROJECT)
    raw: dict[str, Any] = {}
    for key in _STRING_KEYS:
        if (value := config.get(key)) is not None:
            raw[key] = value
    for key in _STRUCTURED_KEYS:
        text = config.get(key)
        if text is None:
            continue
        try:
            raw[key] = json.loads(text)
        except ValueError:
            raw[key] = text  # reported by parse() as the wrong type, with the key's name
    for key in _unknown_project_keys():
        raw[key] = None
    secrets = {key: value for key in SECRET_KEYS if (value := config.get_secret(key)) is not None}
    today = utc_today()
    cfg = parse(stack, raw, secrets, access_mode=os.environ.get(ACCESS_MODE_VARIABLE, "deploy"), today=today)
    if (warning := support_warning(cfg.cluster.version, today)) is not None:
        pulumi.log.warn(f"{stack}: kubernetesVersion {warning}")
    rotated = cfg.databricks.pipeline_secret_rotation
    if (warning := rotation_warning(_calendar_date(rotated) if rotated else None, today)) is not None:
        pulumi.log.warn(f"{stack}: databricks.pipelineSecretRotation: {warning}")
    return cfg


def _unknown_project_keys() -> list[str]:
    """Keys under the project's namespace that this module does not know, so typos are reported, not ignored."""
    from pulumi.runtime.config import CONFIG, get_config_env  # the runtime's own view of all config

    prefix = f"{PROJECT}:"
    keys = set(CONFIG.get()) | set(get_config_env())
    return sorted(key[len(prefix):] for key in keys if key.startswith(prefix) and key[len(prefix):] not in KNOWN_KEYS)


def _all_config_keys() -> list[str]:
    """Every config key the runtime was given, whatever its namespace."""
    from pulumi.runtime.config import CONFIG, get_config_env

    return sorted(set(CONFIG.get()) | set(get_config_env()))
