"""Plans of the Kubernetes layer (issue 4) for its tests.

Until the AWS layer (issue 3) is on main, sections 2 and 4 of `__main__.py` run here as a snippet program
with the real stack files and stand-ins for `aws_provider`, `buckets` and `pipeline_roles`; once it lands,
the sections move into `__main__.py` and `layer_plan` becomes `preflight_plan`.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path

from preflight.harness import Plan
from tests.support import PROJECT_DIR, run_snippet

PROGRAM = """\
import pulumi
import pulumi_aws as aws
from dataclasses import replace
from types import SimpleNamespace
from pulumi import ResourceOptions

import stack_config
from components.eks_cluster import EksCluster, EksClusterArgs
from components.kubernetes_provider import KubernetesProvider, KubernetesProviderArgs
from components.node_pool import NodePool, NodePoolArgs, Taint
from components.platform_namespace import PlatformNamespace, PlatformNamespaceArgs
from components.platform_release import PlatformRelease, PlatformReleaseArgs
from components.team_namespace import TeamNamespace, TeamNamespaceArgs

cfg = stack_config.load()
# Stand-ins for the AWS layer (issue 3) until it is on main: same names and attributes as the contract.
aws_provider = aws.Provider("member", region=cfg.region)

# --- EKS: cluster with its OIDC provider, the three node pools (issue 4) --------------------------------
cluster = EksCluster(f"{cfg.stack}-eks", EksClusterArgs(
    version=cfg.cluster.version, subnet_ids=cfg.network.private_subnet_ids,
    public_access_cidrs=cfg.cluster.public_access_cidrs, log_retention_days=cfg.log_retention_days,
    kms_deletion_window_days=cfg.kms_deletion_window_days, protect=cfg.protection.protect,
    retain_on_delete=cfg.protection.retain_on_delete), opts=ResourceOptions(provider=aws_provider))
node_pools = {pool: NodePool(f"{cfg.stack}-{pool}", NodePoolArgs(
    cluster_name=cluster.name, subnet_ids=cfg.network.private_subnet_ids, instance_types=pool_cfg.instance_types,
    min_size=pool_cfg.min_size, desired_size=pool_cfg.desired_size, max_size=pool_cfg.max_size,
    capacity_type=pool_cfg.capacity_type, allow_spot=not cfg.is_prod, disk_size_gib=pool_cfg.disk_size_gib,
    labels=pool_cfg.labels, taints=[Taint(t.key, t.value, t.effect) for t in pool_cfg.taints],
    autoscaled=pool_cfg.max_size > pool_cfg.min_size, protect=cfg.protection.protect),
    opts=ResourceOptions(provider=aws_provider)) for pool, pool_cfg in cfg.node_pools.items()}

buckets = {name: SimpleNamespace(bucket_name=f"{cfg.stack}-{name}-bucket",
                                 bucket_arn=f"arn:aws:s3:::{cfg.stack}-{name}-bucket",
                                 key_arn=f"arn:aws:kms:{cfg.region}:111111111111:key/{name}")
           for name in ("raw", "processed", "artifacts", "enriched", "logs")}
pipeline_roles = {p: SimpleNamespace(role_arn=f"arn:aws:iam::111111111111:role/{cfg.stack}-{p}")
                  for p in stack_config.PIPELINES}

# --- Kubernetes: provider, namespaces, team roles, the Helm release (issue 4) ---------------------------
kubernetes = KubernetesProvider(f"{cfg.stack}-kubernetes", KubernetesProviderArgs(
    cluster_name=cluster.name, endpoint=cluster.endpoint, certificate_authority_data=cluster.certificate_authority_data,
    region=cfg.region))
k8s_opts = ResourceOptions(provider=kubernetes.provider)
tenancy = PlatformNamespaceArgs(namespace="", cpu_quota="", memory_quota="", group_bindings=cfg.rbac_groups.by_role,
                                egress=cfg.egress_profile, allowed_egress_cidrs=cfg.egress_allowed_cidrs,
                                database_port=cfg.database_port)
environment_namespace = PlatformNamespace(f"platform-{cfg.environment}", replace(
    tenancy, namespace=f"platform-{cfg.environment}", cpu_quota=cfg.environment_quota.cpu,
    memory_quota=cfg.environment_quota.memory,
    service_accounts={pipeline: role.role_arn for pipeline, role in pipeline_roles.items()}), opts=k8s_opts)
PlatformNamespace("platform-monitoring", replace(
    tenancy, namespace="platform-monitoring", cpu_quota=cfg.monitoring_quota.cpu,
    memory_quota=cfg.monitoring_quota.memory, scrapes_all_namespaces=True), opts=k8s_opts)
PlatformNamespace("platform-mlops", replace(
    tenancy, namespace="platform-mlops", cpu_quota=cfg.mlops_quota.cpu, memory_quota=cfg.mlops_quota.memory),
    opts=k8s_opts)
for team in cfg.teams:
    TeamNamespace(f"team-{team.name}", TeamNamespaceArgs(
        team=team.name, namespace=replace(tenancy, namespace=f"team-{team.name}", cpu_quota=team.quota.cpu,
                                          memory_quota=team.quota.memory, labels={"team": team.name}),
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        bucket_arn=buckets["processed"].bucket_arn, key_arn=buckets["processed"].key_arn),
        opts=ResourceOptions(providers=[aws_provider, kubernetes.provider]))
PlatformRelease(f"{cfg.stack}-platform", PlatformReleaseArgs(
    namespace=f"platform-{cfg.environment}", chart_path="charts/ml-platform", environment=cfg.environment,
    image_tag=cfg.helm.image_tag, pipelines_paused=cfg.pipelines_paused,
    artifacts_bucket=buckets["artifacts"].bucket_name,
    service_accounts={"workers": "ingestion", "mlflow": "training", "dbt": "backend"},
    workers_max_replicas=cfg.node_pools["compute"].max_size, database_port=cfg.database_port,
    database_password=cfg.mlflow_db_password, values_overrides=cfg.helm.values_overrides,
    protect=cfg.protection.protect),
    opts=ResourceOptions(provider=kubernetes.provider, depends_on=[environment_namespace]))
"""


@functools.cache
def layer_plan(stack: str) -> Plan:
    """The Kubernetes layer's plan for a shipped stack (cached per process: read it, never change it)."""
    files = {"Pulumi.yaml": (PROJECT_DIR / "Pulumi.yaml").read_text(),
             f"Pulumi.{stack}.yaml": (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()}
    return run_snippet(Path(tempfile.mkdtemp(prefix=f"k8s-layer-{stack}-")), PROGRAM, stack=stack, extra_files=files)
