"""The platform, composed: read the stack's config, build each layer in dependency order, export.

No business logic here: what differs per environment is already in the typed config object.
Order matters where outputs flow: the account's provider carries every AWS resource; the cluster's OIDC
provider is what the pipeline roles trust; buckets and roles feed the namespaces, the Helm release and
Unity Catalog's storage.
"""

from dataclasses import replace

import pulumi
import pulumi_aws as aws

import stack_config
from components.aws.account_baseline import AccountBaseline, AccountBaselineArgs
from components.aws.certificate import EnvironmentCertificate, EnvironmentCertificateArgs
from components.aws.ci_identities import CiIdentities, CiIdentitiesArgs
from components.aws.ci_runners import CiRunners, CiRunnersArgs
from components.aws.data_stores import DataStores, DataStoresArgs
from components.aws.database import PlatformDatabase, PlatformDatabaseArgs
from components.aws.member_account import MemberAccount, MemberAccountArgs
from components.aws.network import ExistingNetworkArgs, Network, NetworkArgs
from components.aws.pipeline_role import BucketGrant
from components.aws.previewer import PreviewerRole, PreviewerRoleArgs
from components.aws.registries import PLATFORM_IMAGES, ImageRegistries, ImageRegistriesArgs
from components.databricks.platform import DatabricksPlatform, DatabricksPlatformArgs
from components.databricks.workspace import DatabricksWorkspaceArgs
from components.deferred import deferred_output
from components.kubernetes.access_entries import ClusterAccess, ClusterAccessArgs
from components.kubernetes.cluster_addons import ClusterAddons, ClusterAddonsArgs
from components.kubernetes.cluster_autoscaler import ClusterAutoscaler, ClusterAutoscalerArgs
from components.kubernetes.code_location import CodeLocation, CodeLocationArgs, code_location_host
from components.kubernetes.dagster_control_plane import (
    DAGSTER_IMAGE,
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
from components.kubernetes.secret_sync import SecretSync, SecretSyncArgs
from components.kubernetes.storage_classes import StorageClasses, StorageClassesArgs
from components.kubernetes.team_namespace import TeamNamespace, TeamNamespaceArgs

cfg = stack_config.load()

# --- AWS account: member account and the provider into it, baseline, CI identities (issues 3, 14) ------
# The member provider and the cluster's exec credential assume the role of this run (cfg.access): the access
# role when deploying, the read-only previewer when previewing (ML_PLATFORM_ACCESS=preview, set by the workflow).
access = cfg.access
account = MemberAccount(cfg.environment, MemberAccountArgs(
    account_name=cfg.account.name, email=cfg.account.email, parent_ou_id=cfg.account.parent_ou_id,
    access_role_name=cfg.account.access_role_name, region=cfg.region, tags=cfg.tags,
    existing_account_id=cfg.account.existing_account_id, close_on_deletion=cfg.account.close_on_deletion,
    management_role_arn=access.management_role_arn, provider_role_name=access.member_role_name))
aws_provider = account.provider
in_account = pulumi.ResourceOptions(provider=aws_provider)
in_management = pulumi.ResourceOptions(provider=account.management_provider)
prefix = f"{cfg.project}-{cfg.environment}"
AccountBaseline(cfg.environment, AccountBaselineArgs(account_id=account.account_id), opts=in_account)
ci = CiIdentities(cfg.environment, CiIdentitiesArgs(
    repository=cfg.github_repository, github_environment=cfg.environment, role_name_prefix=prefix,
    account_id=account.account_id, access_role_name=cfg.account.access_role_name,
    previewer_role_name=access.previewer_role_name, region=cfg.region, state_bucket=cfg.ci.state_bucket,
    state_secrets_key_arn=cfg.ci.state_secrets_key_arn, creates_account=account.account is not None,
    required_tags=cfg.tags, management_role_arn=cfg.account.management_role_arn,
    secret_names=cfg.databricks_secret_names), opts=in_management)
previewer = PreviewerRole(cfg.environment, PreviewerRoleArgs(
    role_name=access.previewer_role_name, trusted_role_arn=ci.preview_role.arn, data_name_prefix=f"{prefix}-"),
    opts=in_account)


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


# --- EKS: cluster, node-level add-ons, the three node pools, pod add-ons (issues 4, 15) -------------------
cluster = EksCluster(cluster_name, EksClusterArgs(
    account_id=account.account_id, version=cfg.cluster.version, region=cfg.region,
    subnet_ids=network.private_subnet_ids, public_access_cidrs=cfg.cluster.public_access_cidrs,
    log_retention_days=cfg.log_retention_days, kms_deletion_window_days=cfg.kms_deletion_window_days,
    protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete,
    deletion_protection=cfg.cluster_deletion_protection), opts=in_account)
addons = ClusterAddons(f"{cfg.environment}-eks-addons", ClusterAddonsArgs(
    cluster_name=cluster.name, kubernetes_version=cfg.cluster.version, account_id=account.account_id,
    oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
    kms_deletion_window_days=cfg.kms_deletion_window_days, protect=cfg.protection.protect,
    retain_on_delete=cfg.protection.retain_on_delete), opts=in_account)
node_pools = {pool: NodePool(f"{cfg.environment}-{pool}", NodePoolArgs(
    cluster_name=cluster.name, kubernetes_version=cluster.version, subnet_ids=network.private_subnet_ids,
    instance_types=pool_cfg.instance_types, min_size=pool_cfg.min_size, desired_size=pool_cfg.desired_size,
    max_size=pool_cfg.max_size, capacity_type=pool_cfg.capacity_type, allow_spot=not cfg.is_prod,
    disk_size_gib=pool_cfg.disk_size_gib, labels=pool_cfg.labels,
    taints=[Taint(t.key, t.value, t.effect) for t in pool_cfg.taints],
    autoscaled=pool_cfg.max_size > pool_cfg.min_size,
    # The provider's default tags do not reach a launch template's tag specifications: the instances and volumes
    # get the stack's tags only from here (terraform-provider-aws issue 19387).
    tags=cfg.tags),
    opts=pulumi.ResourceOptions(provider=aws_provider, depends_on=addons.before_nodes))
    for pool, pool_cfg in cfg.node_pools.items()}
node_groups = [pool.node_group for pool in node_pools.values()]
addons.add_pod_addons(node_groups)


# --- Platform services in AWS: PostgreSQL (RDS), image repositories (ECR) (issue 16) ------------------------
database = PlatformDatabase(f"{cfg.environment}-database", PlatformDatabaseArgs(
    identifier=prefix, account_id=account.account_id, subnet_ids=network.database_subnet_ids,
    vpc_id=network.vpc_id, client_security_group_ids=[cluster.security_group_id],
    instance_class=cfg.database.instance_class, allocated_storage_gib=cfg.database.allocated_storage_gib,
    max_allocated_storage_gib=cfg.database.max_allocated_storage_gib,
    engine_major_version=cfg.database.engine_version, port=cfg.database_port,
    backup_retention_days=cfg.database.backup_retention_days, multi_az=cfg.database.multi_az,
    read_replicas=cfg.database.read_replicas, deletion_protection=cfg.database.deletion_protection,
    final_snapshot=cfg.database.final_snapshot, protect=cfg.protection.protect,
    key_deletion_window_days=cfg.kms_deletion_window_days, retain_on_delete=cfg.protection.retain_on_delete,
    secret_recovery_window_days=cfg.kms_deletion_window_days), opts=in_account)
registries = ImageRegistries(f"{cfg.environment}-registries", ImageRegistriesArgs(
    name_prefix=cfg.project, organization_id=cfg.registries.organization_id, account_id=account.account_id,
    # The platform chart's images, the Dagster control plane's, and one per team's code location.
    images=(*PLATFORM_IMAGES, DAGSTER_IMAGE, *(team.code_location.repository for team in cfg.teams)),
    keep_images=cfg.registries.keep_images, key_deletion_window_days=cfg.kms_deletion_window_days,
    protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete), opts=in_account)
databricks_secret = f"{prefix}/databricks/ml-pipelines"  # stored by the Databricks layer (contract name)
grafana_admin_secret = f"{prefix}/grafana/admin"  # created by the Grafana component, filled by the bootstrap Job


def secret_arn(name: str) -> pulumi.Output[str]:
    """The member account's secret `name` (Secrets Manager appends `-` and six characters to every secret's ARN)."""
    return account.account_id.apply(lambda acct: f"arn:aws:secretsmanager:{cfg.region}:{acct}:secret:{name}-??????")


# --- AWS data: KMS-encrypted buckets, pipeline roles (IRSA), Unity Catalog storage role (issue 3) -------
# The storage trust loop (issue 17): the Databricks layer creates the storage credential with the role's ARN as a
# string and reports its external id, which the role's trust (created here, before the keys that name the role)
# requires. A deferred output carries the id back, resolved by the Databricks layer, so the two are one block:
# if anything in it raises, the id fails instead of leaving `pulumi up` waiting for it forever.
with deferred_output("the storage credential's external id") as (storage_external_id, close_storage_trust_loop):
    data = DataStores(cfg.environment, DataStoresArgs(
        environment=cfg.environment, name_prefix=prefix, account_id=account.account_id,
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        service_account_namespace=f"platform-{cfg.environment}", unity_catalog_external_id=storage_external_id,
        service_account_namespaces={"mlflow": "platform-mlops"},
        secret_arns={"database/master": database.master_secret_arn,
                     **{f"database/{user}": arn for user, arn in database.user_secret_arns.items()},
                     # Both made later (by the Databricks layer, with Grafana), so named here.
                     "databricks": secret_arn(databricks_secret), "grafana/admin": secret_arn(grafana_admin_secret)},
        backup_retention_days=cfg.backup_retention_days, key_deletion_window_days=cfg.kms_deletion_window_days,
        protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete,
        force_destroy=cfg.protection.force_destroy_buckets), opts=in_account)
    buckets, pipeline_roles, unity_catalog_role = data.buckets, data.pipeline_roles, data.unity_catalog_role

    # --- Databricks: workspace provider, catalogs and schemas, service principal, grants, sandboxes (issue 5)
    # CI's Databricks principal (deployer, or its read-only counterpart in a preview): the client id from config,
    # the OAuth secret read now from Secrets Manager in the management account, readable only by that CI role.
    databricks_client_id, databricks_client_secret = cfg.databricks.client_id, cfg.databricks.client_secret
    if cfg.databricks_ci_client_id:
        databricks_client_id = cfg.databricks_ci_client_id
        databricks_client_secret = pulumi.Output.secret(aws.secretsmanager.get_secret_version_output(
            secret_id=cfg.databricks_secret_names["preview" if access.is_preview else "deploy"],
            opts=pulumi.InvokeOutputOptions(provider=account.management_provider)).secret_string)
    processed = buckets["processed"]
    databricks_platform = DatabricksPlatform(f"{cfg.environment}-databricks", DatabricksPlatformArgs(
        environment=cfg.environment,
        workspace=DatabricksWorkspaceArgs(host=cfg.databricks.host, workspace_id=cfg.databricks.workspace_id,
                                          client_id=databricks_client_id, client_secret=databricks_client_secret),
        account_id=cfg.databricks.account_id, region=cfg.region,
        processed_bucket=processed.bucket_name, processed_key_arn=processed.key_arn,
        storage_role_arn=unity_catalog_role.expected_arn,
        storage_role_ready=[unity_catalog_role.role, data.unity_catalog_access],
        storage_buckets=[bucket.bucket_name for bucket in buckets.values()],
        node_types=cfg.databricks.cluster_policy.node_types, max_workers=cfg.databricks.cluster_policy.max_workers,
        autotermination_minutes=cfg.databricks.cluster_policy.autotermination_minutes,
        metastore_id=cfg.databricks.metastore_id, metastore_pre_assigned=cfg.databricks.metastore_pre_assigned,
        deploying_principal=cfg.databricks_deploying_principal,
        # The pipeline principal's OAuth secret goes to Secrets Manager in the member account; dbt's role reads it.
        aws_provider=aws_provider, aws_account_id=account.account_id,
        aws_administrator_role_arn=account.account_id.apply(
            lambda account: f"arn:aws:iam::{account}:role/{cfg.account.access_role_name}"),
        secret_reader_role_arns=[pipeline_roles["dbt"].role_arn],
        pipeline_secret_rotation=cfg.databricks.pipeline_secret_rotation,
        key_deletion_window_days=cfg.kms_deletion_window_days,
        sandbox_users=cfg.sandbox_users, user_email_domain=cfg.databricks.user_email_domain,
        sandbox_force_destroy=cfg.sandbox_force_destroy,
        restrict_serverless_egress=cfg.serverless_egress_restricted,
        egress_allowed_domains=cfg.databricks.egress_allowed_domains,
        protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete))
    close_storage_trust_loop(databricks_platform.storage_external_id)


# --- Kubernetes: provider, namespaces, team roles, the Helm release (issue 4) ---------------------------
kubernetes = KubernetesProvider(f"{cfg.environment}-kubernetes", KubernetesProviderArgs(
    cluster_name=cluster.name, endpoint=cluster.endpoint, certificate_authority_data=cluster.certificate_authority_data,
    region=cfg.region,
    # The member provider's role: the cluster's creator (admin) when deploying, the previewer (view) otherwise.
    role_arn=account.role_arn, server_side_apply=not access.is_preview))
ClusterAccess(f"{cfg.environment}-eks", ClusterAccessArgs(
    cluster_name=cluster.name, previewer_role_arn=previewer.arn, group_members=cfg.rbac_group_members),
    opts=in_account)
if cfg.ci.runner_connection_arn:
    # In the network's private subnets (NAT to GitHub), beside the nodes.
    CiRunners(cfg.environment, CiRunnersArgs(
        project_name=f"{prefix}-runner", repository=cfg.github_repository,
        connection_arn=cfg.ci.runner_connection_arn, vpc_id=network.vpc_id,
        subnet_ids=network.private_subnet_ids, cluster_security_group_id=cluster.security_group_id,
        account_id=account.account_id, region=cfg.region, log_retention_days=cfg.log_retention_days),
        opts=in_account)
in_cluster = pulumi.ResourceOptions(provider=kubernetes.provider)
StorageClasses(f"{cfg.environment}-storage", StorageClassesArgs(volume_key_arn=addons.volume_key_arn), opts=(
    pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[addons.addons["aws-ebs-csi-driver"]])))
ClusterAutoscaler(f"{cfg.environment}-cluster-autoscaler", ClusterAutoscalerArgs(
    cluster_name=cluster.name, kubernetes_version=cfg.cluster.version, region=cfg.region,
    account_id=account.account_id, oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
    protect=cfg.protection.protect),
    opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider], depends_on=node_groups))
tenancy = PlatformNamespaceArgs(namespace="", cpu_quota="", memory_quota="", group_bindings=cfg.rbac_groups.by_role,
                                egress=cfg.egress_profile, allowed_egress_cidrs=cfg.egress_allowed_cidrs,
                                database_port=cfg.database_port,
                                database_cidrs=network.database_cidrs, aws_endpoints_cidr=network.endpoints_cidr)
environment_namespace = PlatformNamespace(f"platform-{cfg.environment}", replace(
    tenancy, namespace=f"platform-{cfg.environment}", cpu_quota=cfg.environment_quota.cpu,
    memory_quota=cfg.environment_quota.memory,
    service_accounts={pipeline: role.role_arn for pipeline, role in pipeline_roles.items() if pipeline != "mlflow"}),
    opts=in_cluster)
monitoring_namespace = PlatformNamespace("platform-monitoring", replace(
    tenancy, namespace="platform-monitoring", cpu_quota=cfg.monitoring_quota.cpu,
    memory_quota=cfg.monitoring_quota.memory, scrapes_all_namespaces=True), opts=in_cluster)
mlops_namespace = PlatformNamespace("platform-mlops", replace(
    tenancy, namespace="platform-mlops", cpu_quota=cfg.mlops_quota.cpu, memory_quota=cfg.mlops_quota.memory,
    service_accounts={"mlflow": pipeline_roles["mlflow"].role_arn}), opts=in_cluster)
secret_sync = SecretSync(f"{cfg.environment}-secret-sync", SecretSyncArgs(
    vpc_cidr=cfg.network.vpc_cidr, internet_egress=cfg.egress_profile != "restricted",
    replicas=2 if cfg.is_prod else 1, protect=cfg.protection.protect),
    opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=list(node_pools.values())))
# Dagster's run pods write compute logs under this prefix of the artifacts store (put only: the control plane
# reads them); a team whose runs reach the database reads the `dagster` login to sync it (runsReachDatabase).
compute_logs_prefix = "dagster/compute-logs/"
dagster_login_arn = database.user_secret_arns["dagster"]
team_namespaces: dict[str, TeamNamespace] = {}
for team in cfg.teams:
    team_namespaces[team.name] = TeamNamespace(f"team-{team.name}", TeamNamespaceArgs(
        # No namespace-wide path to the database: only the team's run pods get one, if its config says so.
        team=team.name, namespace=replace(tenancy, namespace=f"team-{team.name}", cpu_quota=team.quota.cpu,
                                          memory_quota=team.quota.memory, labels={"team": team.name},
                                          database_cidrs=()),
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        bucket_arn=data.grants["processed"].bucket_arn, key_arn=data.grants["processed"].key_arn,
        compute_logs=BucketGrant(data.grants["artifacts"].bucket_arn, data.grants["artifacts"].key_arn),
        compute_logs_prefix=compute_logs_prefix,
        database_login_arn=dagster_login_arn if team.code_location.runs_reach_database else None,
        database_key_arn=database.key_arn if team.code_location.runs_reach_database else None),
        opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider]))
# Grafana's admin login exists before the platform release, whose bootstrap hook fills it; Grafana's own release
# comes after that release (install below).
grafana = Grafana("platform-monitoring-grafana", GrafanaArgs(
    namespace="platform-monitoring", admin_login_secret=grafana_admin_secret, account_id=account.account_id,
    region=cfg.region, oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
    writer_role_arn=pipeline_roles["db-bootstrap"].role_arn, key_deletion_window_days=cfg.kms_deletion_window_days,
    protect=cfg.protection.protect, retain_on_delete=cfg.protection.retain_on_delete),
    opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider],
                                depends_on=[monitoring_namespace, secret_sync]))
release = PlatformRelease(f"{cfg.environment}-platform", PlatformReleaseArgs(
    namespace=f"platform-{cfg.environment}", chart_path="charts/ml-platform", environment=cfg.environment,
    image_tag=cfg.helm.image_tag, pipelines_paused=cfg.pipelines_paused,
    artifacts_bucket=buckets["artifacts"].bucket_name,
    service_accounts={"workers": "ingestion", "mlflow": "mlflow", "dbt": "dbt", "bootstrap": "db-bootstrap"},
    images={component: registries.repository_urls[image] for component, image in (
        ("workers", "pipeline"), ("mlflow", "mlflow"), ("dbt", "dbt"), ("bootstrap", "db-bootstrap"))},
    region=cfg.region, database_host=database.endpoint, master_secret_arn=database.master_secret_arn,
    login_secret_prefix=f"{prefix}/database", databricks_secret_name=databricks_secret,
    generated_logins={grafana_admin_secret: "admin"},
    mlflow_zone_spread_required=cfg.node_pools["compute"].min_size >= 2,
    workers_max_replicas=cfg.workers_max_replicas, database_port=cfg.database_port,
    values_overrides=cfg.helm.values_overrides,
    protect=cfg.protection.protect),
    opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[
        environment_namespace, mlops_namespace, secret_sync, database, grafana.login, *node_pools.values()]))


# --- Dagster: the control plane in the environment namespace, one code location per team (issue 20) ------
# Its metadata store is the platform's PostgreSQL (the `dagster` database and login the bootstrap Job of the
# release creates), reached on the network's database subnets; the API server's endpoint is in the VPC.
dagster_login = f"{prefix}/database/dagster"
dagster = DagsterControlPlane(f"{cfg.environment}-dagster", DagsterControlPlaneArgs(
    namespace=f"platform-{cfg.environment}", image=registries.repository_urls[DAGSTER_IMAGE],
    code_locations={t.name: CodeLocationEntry(code_location_host(t.name), t.code_location.port) for t in cfg.teams},
    database_host=database.endpoint, database_port=database.port, database_cidrs=network.database_cidrs,
    database_login_secret=dagster_login, database_login_arn=dagster_login_arn, database_key_arn=database.key_arn,
    region=cfg.region, compute_logs_bucket=buckets["artifacts"].bucket_name,
    compute_logs_bucket_arn=data.grants["artifacts"].bucket_arn, compute_logs_key_arn=data.grants["artifacts"].key_arn,
    compute_logs_prefix=compute_logs_prefix, oidc_provider_arn=cluster.oidc_provider_arn,
    oidc_issuer=cluster.oidc_issuer, kubernetes_api_cidrs=[cfg.network.vpc_cidr]),
    # The release's bootstrap hook creates the database and login before the control plane starts.
    opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider],
                                depends_on=[environment_namespace, secret_sync, release]))
for team in cfg.teams:
    location = team.code_location
    CodeLocation(f"team-{team.name}-code-location", CodeLocationArgs(
        team=team.name, service_account=team.name, tag=location.tag,
        image=registries.repository_urls[location.repository], port=location.port, module=location.module,
        control_plane_namespace=f"platform-{cfg.environment}", control_plane_service_account=SERVICE_ACCOUNT,
        instance_yaml=dagster.instance_yaml, runs_reach_database=location.runs_reach_database,
        database_cidrs=network.database_cidrs, database_port=cfg.database_port,
        database_login_secret=dagster_login, region=cfg.region, kubernetes_api_cidrs=[cfg.network.vpc_cidr]),
        opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[team_namespaces[team.name], secret_sync]))


# --- Access for people: ingress controller, one internal ALB with the environment's certificate, Grafana ---
grafana.install(after=[release])
if cfg.ingress is not None and cfg.domain is not None:
    alb_name = f"{prefix}-internal"
    certificate = EnvironmentCertificate(f"{cfg.environment}-certificate", EnvironmentCertificateArgs(
        domain=cfg.domain, hosted_zone_id=cfg.ingress.hosted_zone_id, certificate_arn=cfg.ingress.certificate_arn,
        tags=cfg.tags), opts=in_account)
    controller = LoadBalancerController(f"{cfg.environment}-load-balancer-controller", LoadBalancerControllerArgs(
        cluster_name=cluster.name, region=cfg.region, account_id=account.account_id, vpc_id=network.vpc_id,
        oidc_provider_arn=cluster.oidc_provider_arn, oidc_issuer=cluster.oidc_issuer,
        load_balancer_name=alb_name, certificate_arn=certificate.arn, protect=cfg.protection.protect),
        opts=pulumi.ResourceOptions(providers=[aws_provider, kubernetes.provider], depends_on=node_groups))
    PlatformIngress(f"{cfg.environment}-ingress", PlatformIngressArgs(
        domain=cfg.domain, group_name=alb_name, load_balancer_name=alb_name, certificate_arn=certificate.arn,
        subnet_ids=network.private_subnet_ids, client_cidrs=[cfg.network.vpc_cidr], alb_cidrs=[cfg.network.vpc_cidr],
        routes={
            "dagster": Route(f"platform-{cfg.environment}", dagster.service_name, dagster.service_port,
                             dagster.container_port, dagster.webserver_labels, "/server_info"),
            "mlflow": Route("platform-mlops", "mlflow", 5000, 5000, {"app.kubernetes.io/name": "mlflow"}, "/health"),
            "grafana": Route("platform-monitoring", grafana.service_name, 80, GRAFANA_PORT, GRAFANA_PODS,
                             "/api/health")}),
        opts=pulumi.ResourceOptions(provider=kubernetes.provider, depends_on=[controller, release, grafana, dagster]))


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
pulumi.export("database_endpoint", database.endpoint)
pulumi.export("image_repositories", registries.repository_urls)
pulumi.export("dagster_workspace", dagster.workspace_yaml)
