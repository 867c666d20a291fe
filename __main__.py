"""The platform, composed: read the stack's config, build each layer in dependency order, export.

No business logic here: what differs per environment is already in the typed config object.
Order matters where outputs flow: the account's provider carries every AWS resource; the cluster's OIDC
provider is what the pipeline roles trust; buckets and roles feed the namespaces, the Helm release and
Unity Catalog's storage.
"""

from dataclasses import replace

import pulumi

import stack_config
from components.aws.account_baseline import AccountBaseline, AccountBaselineArgs
from components.aws.certificate import EnvironmentCertificate, EnvironmentCertificateArgs
from components.aws.ci_identities import CiIdentities, CiIdentitiesArgs
from components.aws.data_stores import DataStores, DataStoresArgs
from components.aws.member_account import MemberAccount, MemberAccountArgs
from components.aws.network import ExistingNetworkArgs, Network, NetworkArgs
from components.databricks.platform import DatabricksPlatform, DatabricksPlatformArgs
from components.databricks.workspace import DatabricksWorkspaceArgs
from components.kubernetes.code_location import CodeLocation, CodeLocationArgs, code_location_host
from components.kubernetes.dagster_control_plane import (
    SERVICE_ACCOUNT,
    CodeLocationEntry,
    DagsterControlPlane,
    DagsterControlPlaneArgs,
)
from components.kubernetes.eks_cluster import EksCluster, EksClusterArgs
from components.kubernetes.grafana import CONTAINER_PORT as GRAFANA_PORT
from components.kubernetes.grafana import POD_LABELS as GRAFANA_PODS
from components.kubernetes.grafana import Grafana, GrafanaArgs
from components.kubernetes.load_balancer_controller import LoadBalancerController, LoadBalancerControllerArgs
from components.kubernetes.node_pool import NodePool, NodePoolArgs, Taint
from components.kubernetes.platform_ingress import PlatformIngress, PlatformIngressArgs, Route
from components.kubernetes.platform_namespace import PlatformNamespace, PlatformNamespaceArgs
from components.kubernetes.platform_release import PlatformRelease, PlatformReleaseArgs
from components.kubernetes.provider import KubernetesProvider, KubernetesProviderArgs
from components.kubernetes.team_namespace import TeamNamespace, TeamNamespaceArgs

cfg = stack_config.load()

# --- AWS account: member account and the provider into it, baseline, CI identities (issue 3) ----------
account = MemberAccount(cfg.environment, MemberAccountArgs(
    account_name=cfg.account.name, email=cfg.account.email, parent_ou_id=cfg.account.parent_ou_id,
    access_role_name=cfg.account.access_role_name, region=cfg.region, tags=cfg.tags,
    existing_account_id=cfg.account.existing_account_id, close_on_deletion=cfg.account.close_on_deletion,
    management_role_arn=cfg.account.management_role_arn))
aws_provider = account.provider
in_account = pulumi.ResourceOptions(provider=aws_provider)
prefix = f"{cfg.project}-{cfg.environment}"
AccountBaseline(cfg.environment, AccountBaselineArgs(account_id=account.account_id), opts=in_account)
ci = CiIdentities(cfg.environment, CiIdentitiesArgs(
    repository=cfg.github_repository, github_environment=cfg.environment, role_name_prefix=prefix,
    data_name_prefix=f"{prefix}-"), opts=in_account)


# --- Network: the VPC the cluster, pods and databases live in, NAT, VPC endpoints, flow logs (issue 13) ---
cluster_name = f"{cfg.environment}-eks"  # the EksCluster below is named so; its subnets carry this name
adopted = cfg.network.existing
network = Network(f"{cfg.environment}-network", NetworkArgs(
    cluster_name=cluster_name, region=cfg.region, account_id=account.account_id, cidr=cfg.network.cidr,
    nat_gateways=cfg.network.nat_gateways, log_retention_days=cfg.log_retention_days,
    kms_deletion_window_days=cfg.kms_deletion_window_days, protect=cfg.protection.protect,
    retain_on_delete=cfg.protection.retain_on_delete,
    existing=ExistingNetworkArgs(vpc_id=adopted.vpc_id, vpc_cidr=adopted.vpc_cidr,
                                 private_subnets=adopted.private_subnets, database_subnets=adopted.database_subnets)
    if adopted else None), opts=in_account)


# --- EKS: cluster with its OIDC provider, the three node pools (issue 4) --------------------------------
cluster = EksCluster(cluster_name, EksClusterArgs(
    account_id=account.account_id, version=cfg.cluster.version, subnet_ids=network.private_subnet_ids,
    public_access_cidrs=cfg.cluster.public_access_cidrs, log_retention_days=cfg.log_retention_days,
    kms_deletion_window_days=cfg.kms_deletion_window_days, protect=cfg.protection.protect,
    retain_on_delete=cfg.protection.retain_on_delete), opts=pulumi.ResourceOptions(provider=aws_provider))
node_pools = {pool: NodePool(f"{cfg.environment}-{pool}", NodePoolArgs(
    cluster_name=cluster.name, subnet_ids=network.private_subnet_ids, instance_types=pool_cfg.instance_types,
    min_size=pool_cfg.min_size, desired_size=pool_cfg.desired_size, max_size=pool_cfg.max_size,
    capacity_type=pool_cfg.capacity_type, allow_spot=not cfg.is_prod, disk_size_gib=pool_cfg.disk_size_gib,
    labels=pool_cfg.labels, taints=[Taint(t.key, t.value, t.effect) for t in pool_cfg.taints],
    autoscaled=pool_cfg.max_size > pool_cfg.min_size, protect=cfg.protection.protect),
    opts=pulumi.ResourceOptions(provider=aws_provider)) for pool, pool_cfg in cfg.node_pools.items()}


# --- AWS data: KMS-encrypted buckets, pipeline roles (IRSA), Unity Catalog storage role (issue 3) -------
# The storage trust loop (issue 17): the Databricks layer creates the storage credential with the role's ARN as a
# string and reports its external id, which the role's trust (created here, before the keys that name the role)
# requires. A deferred output carries the id back; it is resolved right after the Databricks layer below.
storage_external_id, close_storage_trust_loop = pulumi.deferred_output()
data = DataStores(cfg.environment, DataStoresArgs(
    environment=cfg.environment, name_prefix=prefix, account_id=account.account_id,
    oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
    service_account_namespace=f"platform-{cfg.environment}", unity_catalog_external_id=storage_external_id,
    backup_retention_days=cfg.backup_retention_days, key_deletion_window_days=cfg.kms_deletion_window_days,
    protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete,
    force_destroy=cfg.protection.force_destroy_buckets), opts=in_account)
buckets, pipeline_roles, unity_catalog_role = data.buckets, data.pipeline_roles, data.unity_catalog_role


# --- Kubernetes: provider, namespaces, team roles, the Helm release (issue 4) ---------------------------
kubernetes = KubernetesProvider(f"{cfg.environment}-kubernetes", KubernetesProviderArgs(
    cluster_name=cluster.name, endpoint=cluster.endpoint, certificate_authority_data=cluster.certificate_authority_data,
    region=cfg.region,
    # The identity that created the cluster (the provider's role in the member account) administers it.
    role_arn=account.account_id.apply(lambda account: f"arn:aws:iam::{account}:role/{cfg.account.access_role_name}")))
in_cluster = pulumi.ResourceOptions(provider=kubernetes.provider)
tenancy = PlatformNamespaceArgs(namespace="", cpu_quota="", memory_quota="", group_bindings=cfg.rbac_groups.by_role,
                                egress=cfg.egress_profile, allowed_egress_cidrs=cfg.egress_allowed_cidrs,
                                database_port=cfg.database_port,
                                database_cidrs=network.database_cidrs, aws_endpoints_cidr=network.endpoints_cidr)
environment_namespace = PlatformNamespace(f"platform-{cfg.environment}", replace(
    tenancy, namespace=f"platform-{cfg.environment}", cpu_quota=cfg.environment_quota.cpu,
    memory_quota=cfg.environment_quota.memory,
    service_accounts={pipeline: role.role_arn for pipeline, role in pipeline_roles.items()}), opts=in_cluster)
monitoring_namespace = PlatformNamespace("platform-monitoring", replace(
    tenancy, namespace="platform-monitoring", cpu_quota=cfg.monitoring_quota.cpu,
    memory_quota=cfg.monitoring_quota.memory, scrapes_all_namespaces=True), opts=in_cluster)
PlatformNamespace("platform-mlops", replace(
    tenancy, namespace="platform-mlops", cpu_quota=cfg.mlops_quota.cpu, memory_quota=cfg.mlops_quota.memory),
    opts=in_cluster)
team_namespaces: dict[str, TeamNamespace] = {}
for team in cfg.teams:
    team_namespaces[team.name] = TeamNamespace(f"team-{team.name}", TeamNamespaceArgs(
        team=team.name, namespace=replace(tenancy, namespace=f"team-{team.name}", cpu_quota=team.quota.cpu,
                                          memory_quota=team.quota.memory, labels={"team": team.name}),
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        bucket_arn=data.grants["processed"].bucket_arn, key_arn=data.grants["processed"].key_arn),
        opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider]))
release = PlatformRelease(f"{cfg.environment}-platform", PlatformReleaseArgs(
    namespace=f"platform-{cfg.environment}", chart_path="charts/ml-platform", environment=cfg.environment,
    image_tag=cfg.helm.image_tag, pipelines_paused=cfg.pipelines_paused,
    artifacts_bucket=buckets["artifacts"].bucket_name,
    service_accounts={"workers": "ingestion", "mlflow": "training", "dbt": "backend"},
    workers_max_replicas=cfg.node_pools["compute"].max_size, database_port=cfg.database_port,
    database_password=cfg.mlflow_db_password, values_overrides=cfg.helm.values_overrides,
    protect=cfg.protection.protect),
    opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[environment_namespace]))


# --- Dagster: the control plane in the environment namespace, one code location per team (issue 20) ------
# Placeholders until the platform-services layer lands: the registry is the account's ECR (the
# `registries.repository_urls` of that layer replace it), the database is the in-cluster name MLflow uses
# today and its CIDRs the VPC's (`database.endpoint`, `database.port` and the database subnets replace them);
# `dagster-database` is the Secret its secret sync creates. The API server's private endpoint is in the VPC.
registry = account.account_id.apply(lambda account: f"{account}.dkr.ecr.{cfg.region}.amazonaws.com/{prefix}")
vpc_cidr = cfg.network.cidr or (cfg.network.existing.vpc_cidr if cfg.network.existing else "")
database_cidrs, api_cidrs = [vpc_cidr], [vpc_cidr]
dagster = DagsterControlPlane(f"{cfg.environment}-dagster", DagsterControlPlaneArgs(
    namespace=f"platform-{cfg.environment}", image=registry.apply(lambda url: f"{url}/dagster"),
    code_locations={t.name: CodeLocationEntry(code_location_host(t.name), t.code_location.port) for t in cfg.teams},
    database_host="postgresql", database_port=cfg.database_port, database_cidrs=database_cidrs,
    database_secret="dagster-database", compute_logs_bucket=buckets["artifacts"].bucket_name,
    compute_logs_bucket_arn=data.grants["artifacts"].bucket_arn, compute_logs_key_arn=data.grants["artifacts"].key_arn,
    oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer, kubernetes_api_cidrs=api_cidrs),
    opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider], depends_on=[environment_namespace]))
for team in cfg.teams:
    location = team.code_location
    CodeLocation(f"team-{team.name}-code-location", CodeLocationArgs(
        team=team.name, service_account=team.name, tag=location.tag,
        image=registry.apply(lambda url, repository=location.repository: f"{url}/{repository}"),
        port=location.port, module=location.module,
        control_plane_namespace=f"platform-{cfg.environment}", control_plane_service_account=SERVICE_ACCOUNT,
        instance_yaml=dagster.instance_yaml, runs_reach_database=location.runs_reach_database,
        database_cidrs=database_cidrs, database_port=cfg.database_port, kubernetes_api_cidrs=api_cidrs),
        opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[team_namespaces[team.name]]))


# --- Access for people: ingress controller, one internal ALB with the environment's certificate, Grafana ---
# The Grafana admin Secret `grafana-admin` and the `ssd-retain` StorageClass come from the secret-sync and
# cluster layers; MLflow is served where the platform release runs it today.
grafana = Grafana("platform-monitoring-grafana", GrafanaArgs(
    namespace="platform-monitoring", admin_secret="grafana-admin", protect=cfg.protection.protect),
                  opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[monitoring_namespace]))
if cfg.ingress is not None and cfg.domain is not None:
    controller = LoadBalancerController(f"{cfg.environment}-load-balancer-controller", LoadBalancerControllerArgs(
        cluster_name=cluster.name, region=cfg.region, account_id=account.account_id, vpc_id=network.vpc_id,
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        protect=cfg.protection.protect), opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider]))
    certificate = EnvironmentCertificate(f"{cfg.environment}-certificate", EnvironmentCertificateArgs(
        domain=cfg.domain, hosted_zone_id=cfg.ingress.hosted_zone_id, certificate_arn=cfg.ingress.certificate_arn,
        tags=cfg.tags), opts=in_account)
    PlatformIngress(f"{cfg.environment}-ingress", PlatformIngressArgs(
        domain=cfg.domain, group_name=f"{prefix}-internal", certificate_arn=certificate.arn,
        subnet_ids=network.private_subnet_ids, client_cidrs=[vpc_cidr], alb_cidrs=[vpc_cidr], routes={
            "dagster": Route(f"platform-{cfg.environment}", dagster.service_name, dagster.service_port, 3000,
                             {"app.kubernetes.io/name": dagster.service_name}, "/server_info"),
            "mlflow": Route(f"platform-{cfg.environment}", "mlflow", 5000, 5000, {"app.kubernetes.io/name": "mlflow"},
                            "/health"),
            "grafana": Route("platform-monitoring", grafana.service_name, 80, GRAFANA_PORT, GRAFANA_PODS,
                             "/api/health")}),
        opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[controller, release, grafana]))


# --- Databricks: workspace provider, catalogs and schemas, service principal, grants, sandboxes (issue 5)
processed = buckets["processed"]
databricks_platform = DatabricksPlatform(f"{cfg.environment}-databricks", DatabricksPlatformArgs(
    environment=cfg.environment,
    workspace=DatabricksWorkspaceArgs(host=cfg.databricks.host, workspace_id=cfg.databricks.workspace_id,
                                      client_id=cfg.databricks.client_id, client_secret=cfg.databricks.client_secret),
    account_id=cfg.databricks.account_id, region=cfg.region,
    processed_bucket=processed.bucket_name, processed_key_arn=processed.key_arn,
    storage_role_arn=unity_catalog_role.expected_arn,
    storage_role_ready=[unity_catalog_role.role, data.unity_catalog_access],
    storage_buckets=[bucket.bucket_name for bucket in buckets.values()],
    node_types=cfg.databricks.cluster_policy.node_types, max_workers=cfg.databricks.cluster_policy.max_workers,
    autotermination_minutes=cfg.databricks.cluster_policy.autotermination_minutes,
    metastore_id=cfg.databricks.metastore_id, metastore_pre_assigned=cfg.databricks.metastore_pre_assigned,
    # The pipeline principal's OAuth secret goes to Secrets Manager in the member account. Its reader is the role
    # the dbt CronJob runs as today (service account `backend`); the services branch's dbt role replaces it.
    aws_provider=aws_provider, aws_account_id=account.account_id,
    aws_administrator_role_arn=account.account_id.apply(
        lambda account: f"arn:aws:iam::{account}:role/{cfg.account.access_role_name}"),
    secret_reader_role_arns=[pipeline_roles["backend"].role_arn],
    pipeline_secret_rotation=cfg.databricks.pipeline_secret_rotation,
    key_deletion_window_days=cfg.kms_deletion_window_days,
    sandbox_users=cfg.sandbox_users, user_email_domain=cfg.databricks.user_email_domain,
    sandbox_force_destroy=cfg.sandbox_force_destroy,
    restrict_serverless_egress=cfg.serverless_egress_restricted,
    egress_allowed_domains=cfg.databricks.egress_allowed_domains,
    protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete))
close_storage_trust_loop(databricks_platform.storage_external_id)


# --- Exports -------------------------------------------------------------------------------------------
pulumi.export("environment", cfg.environment)
pulumi.export("pipelines_paused", cfg.pipelines_paused)
pulumi.export("catalog_name", databricks_platform.catalog_name)
pulumi.export("sandbox_catalog_names", databricks_platform.sandbox_catalog_names)
pulumi.export("service_principal_application_id", databricks_platform.service_principal_application_id)
pulumi.export("service_principal_secret_arn", databricks_platform.service_principal_secret_arn)
pulumi.export("cluster_name", cluster.name)
pulumi.export("bucket_names", {store: bucket.bucket_name for store, bucket in buckets.items()})
pulumi.export("account_id", account.account_id)
pulumi.export("vpc_id", network.vpc_id)
pulumi.export("nat_public_ips", network.nat_public_ips)  # partners allow-list the addresses prod leaves from
pulumi.export("helm_release_status", release.status)
