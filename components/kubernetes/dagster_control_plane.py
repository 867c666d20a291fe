"""The Dagster control plane (Data Platform Architecture): webserver and daemon in `platform-<env>`, their
metadata (runs, events, schedules) in the platform's PostgreSQL, compute logs in S3 under one prefix, and
`dagster.yaml`/`workspace.yaml` as ConfigMaps generated from the stack's teams. It never runs business logic:
runs are launched as Jobs in the owning team's namespace (see `code_location.py`).

`workspace.yaml` is the one object every team shares: one entry per team, sorted, so onboarding a team
changes it by exactly that entry and nothing else of the control plane.

What the mocks cannot tell (REALITY.md), answered: (1) first: the RDS instance and the `dagster` login secret
(database layer), the database and role (the platform release's pre-install bootstrap hook; the control plane
depends on that release), the External Secrets CRDs (secret sync), the image in ECR (README, bootstrap step 3b).
(2) pods authenticate as the `dagster` IRSA account; its role reads the one login and the compute-log prefix.
(3) egress: the database subnets on its port, the API server (VPC, 443), the namespace's baseline for STS/S3.
(4) NetworkPolicies: the VPC CNI enforces them (cluster add-ons). (5) `teams` changes only workspace.yaml (no
restart; a test holds it); a new `dagster.yaml` rolls both Deployments (checksum). (8) the password: Secrets
Manager -> ExternalSecret -> env, never values or state. (9) sorted workspace entries: no diff on a rerun.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import yaml
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs, DeploymentStrategyArgs
from pulumi_kubernetes.core.v1 import (
    ConfigMap,
    ConfigMapVolumeSourceArgs,
    ContainerArgs,
    ContainerPortArgs,
    EmptyDirVolumeSourceArgs,
    EnvVarArgs,
    EnvVarSourceArgs,
    ExecActionArgs,
    HTTPGetActionArgs,
    KeyToPathArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ProbeArgs,
    ResourceRequirementsArgs,
    SecretKeySelectorArgs,
    Service,
    ServiceAccount,
    ServicePortArgs,
    ServiceSpecArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    IPBlockArgs,
    NetworkPolicy,
    NetworkPolicyEgressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
)
from pulumi_kubernetes.policy.v1 import PodDisruptionBudget, PodDisruptionBudgetSpecArgs

from components.kubernetes.code_location import (
    CONTROL_PLANE_LABEL,
    DATABASE_SECRET,
    INSTANCE_CONFIG_MAP,
    container_security_context,
    database_secret_objects,
    login_read_statements,
    pod_security_context,
)

DAGSTER_IMAGE = "dagster"
"""ECR repository (`<project>/dagster`) of the control plane image."""
DAGSTER_VERSION = "1.9.11"
"""Dagster release of the control plane image (`<project>/dagster` in the stack's ECR: dagster-webserver,
dagster-daemon, dagster-postgres, dagster-k8s and dagster-aws at this version, pushed before the first `up` that
creates the Deployments, which wait for their pods); pinned, bumped on purpose."""
WORKSPACE_CONFIG_MAP = "dagster-workspace"
SERVICE_ACCOUNT = "dagster"
WEBSERVER = "dagster-webserver"
DAEMON = "dagster-daemon"
WEBSERVER_PORT = 3000
DAGSTER_HOME = "/opt/dagster/dagster_home"
WORKSPACE_DIR = "/opt/dagster/workspace"
PASSWORD_ENV = "DAGSTER_PG_PASSWORD"
@dataclass(frozen=True)
class CodeLocationEntry:
    host: str
    """In-cluster DNS name of the team's gRPC server."""
    port: int
    """Its port."""


def workspace_yaml(locations: Mapping[str, CodeLocationEntry]) -> str:
    """`workspace.yaml`: one `grpc_server` entry per team, in name order (stable text, one entry per team)."""
    return yaml.safe_dump({"load_from": [
        {"grpc_server": {"host": entry.host, "port": entry.port, "location_name": team}}
        for team, entry in sorted(locations.items())]}, sort_keys=False)


def instance_yaml(database_host: str, database_port: int, database_name: str, database_user: str,
                  database_secret: str, compute_logs_bucket: str, compute_logs_prefix: str) -> str:
    """`dagster.yaml`: Postgres storage (password from the environment, never in the file), queued runs launched
    as Kubernetes Jobs (in each location's namespace, from its container context), compute logs to S3."""
    return yaml.safe_dump({
        "storage": {"postgres": {"postgres_db": {
            "hostname": database_host, "port": database_port, "db_name": database_name,
            "username": database_user, "password": {"env": PASSWORD_ENV}, "params": {"sslmode": "require"}}}},
        "run_coordinator": {"module": "dagster.core.run_coordinator", "class": "QueuedRunCoordinator"},
        "run_launcher": {"module": "dagster_k8s", "class": "K8sRunLauncher", "config": {
            "instance_config_map": INSTANCE_CONFIG_MAP, "dagster_home": DAGSTER_HOME,
            "postgres_password_secret": database_secret, "load_incluster_config": True}},
        "compute_logs": {"module": "dagster_aws.s3.compute_log_manager", "class": "S3ComputeLogManager", "config": {
            "bucket": compute_logs_bucket, "prefix": compute_logs_prefix.rstrip("/"), "show_url_only": False}},
        "scheduler": {"module": "dagster.core.scheduler", "class": "DagsterDaemonScheduler"},
        "run_monitoring": {"enabled": True},
        "telemetry": {"enabled": False},
    }, sort_keys=False)


def compute_logs_policy(bucket_arn: str, key_arn: str, prefix: str, login_arn: str, login_key_arn: str) -> str:
    """Read and write compute logs under `prefix` of one bucket only, the bucket's key only through S3; read the
    `dagster` database login (the SecretStore authenticates as this role)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        *login_read_statements(login_arn, login_key_arn),
        {"Sid": "ListComputeLogs", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn,
         "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}}},
        {"Sid": "ReadWriteComputeLogs", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"],
         "Resource": f"{bucket_arn}/{prefix}*"},
        {"Sid": "UseBucketKeyViaS3", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": key_arn, "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
    ]})


def trust_policy(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """Only the control plane's service account may assume the role, with the STS audience."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                                       f"{issuer}:aud": "sts.amazonaws.com"}}}]})


@dataclass(frozen=True)
class DagsterControlPlaneArgs:
    namespace: str
    """The environment namespace (`platform-<env>`) the webserver and daemon run in."""
    image: pulumi.Input[str]
    """Repository URL of the control plane image (ECR copy of `dagster/dagster-k8s`)."""
    code_locations: Mapping[str, CodeLocationEntry]
    """Team -> its code location's host and port: the entries of `workspace.yaml`."""
    database_host: pulumi.Input[str]
    """Host of the platform's PostgreSQL."""
    database_cidrs: Sequence[str]
    """CIDRs the database lives in: the network's database subnets (egress on `database_port`)."""
    database_login_secret: str
    """Secrets Manager name of the `dagster` login (`<prefix>/database/dagster`, written by the bootstrap Job)."""
    database_login_arn: pulumi.Input[str]
    """Its ARN: the only secret the control plane's role reads."""
    database_key_arn: pulumi.Input[str]
    """The database's KMS key, which encrypts the login."""
    region: str
    """AWS region of Secrets Manager (the SecretStore's)."""
    compute_logs_bucket: pulumi.Input[str]
    """Bucket name compute logs go to."""
    compute_logs_bucket_arn: pulumi.Input[str]
    """Its ARN (the IRSA policy's resource)."""
    compute_logs_key_arn: pulumi.Input[str]
    """ARN of the KMS key encrypting that bucket."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider, trusted by the control plane's role."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer without `https://`."""
    kubernetes_api_cidrs: Sequence[str]
    """CIDRs of the cluster's API endpoint (TCP 443): the daemon creates run Jobs."""
    database_port: int = 5432
    """The database's port."""
    database_name: str = "dagster"
    """The control plane's own database (run, event and schedule storage)."""
    database_user: str = "dagster"
    """Its own user."""
    compute_logs_prefix: str = "dagster/compute-logs/"
    """Prefix (ending in `/`) of the bucket the role may read and write, nothing else."""
    image_tag: str = DAGSTER_VERSION
    """Pinned Dagster version. Default `DAGSTER_VERSION`."""
    webserver_replicas: int = 2
    """Webserver pods (stateless). Default 2, with a disruption budget keeping one."""
    secret_refresh_interval: str = "15m"
    """How often the login is re-read from Secrets Manager (a rotation reaches the pods within this)."""


def validate_dagster_control_plane_args(args: DagsterControlPlaneArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not args.code_locations:
        problems.append("code_locations must name at least one team (the control plane runs nothing itself), got {}")
    prefix = args.compute_logs_prefix
    if not prefix.endswith("/") or prefix.startswith("/") or "*" in prefix:
        problems.append(f"compute_logs_prefix must be a relative prefix ending in '/', got {prefix!r}")
    if args.image_tag in ("", "latest"):
        problems.append(f"image_tag must pin a version, got {args.image_tag!r}")
    if args.webserver_replicas < 1:
        problems.append(f"webserver_replicas must be >= 1, got {args.webserver_replicas}")
    if not args.database_cidrs:
        problems.append("database_cidrs must name the database's CIDRs, got []")
    if problems:
        raise ValueError("; ".join(problems))


class DagsterControlPlane(pulumi.ComponentResource):
    """Webserver, daemon, their ServiceAccount and IRSA role, the instance and workspace ConfigMaps."""

    def __init__(self, name: str, args: DagsterControlPlaneArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_dagster_control_plane_args(args)
        super().__init__("platform:kubernetes:DagsterControlPlane", name, None, opts)
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)
        ns = args.namespace
        labels = {"app.kubernetes.io/part-of": "dagster-control-plane"}

        def meta(object_name: str, annotations: Mapping[str, pulumi.Input[str]] | None = None) -> ObjectMetaArgs:
            return ObjectMetaArgs(name=object_name, namespace=ns, labels=labels,
                                  annotations=dict(annotations) if annotations else None)

        role = aws.iam.Role(
            f"{name}-role", name=f"{name}-irsa",
            description="IRSA role of the Dagster control plane: its compute-log prefix only",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: trust_policy(str(v[0]), str(v[1]), ns, SERVICE_ACCOUNT)),
            max_session_duration=3600, opts=child)
        aws.iam.RolePolicy(
            f"{name}-compute-logs", role=role.id,
            policy=pulumi.Output.all(args.compute_logs_bucket_arn, args.compute_logs_key_arn, args.database_login_arn,
                                     args.database_key_arn).apply(
                lambda v: compute_logs_policy(str(v[0]), str(v[1]), args.compute_logs_prefix, str(v[2]), str(v[3]))),
            opts=child)
        self.role_arn = role.arn
        account = ServiceAccount(f"{name}-sa", metadata=meta(SERVICE_ACCOUNT, {"eks.amazonaws.com/role-arn": role.arn}),
                                 automount_service_account_token=False, opts=child)
        _, database_secret = database_secret_objects(
            name, ns, SERVICE_ACCOUNT, args.region, args.database_login_secret, args.secret_refresh_interval,
            pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[account])), labels)

        self.instance_yaml: pulumi.Output[str] = pulumi.Output.all(
            args.database_host, args.compute_logs_bucket).apply(lambda v: instance_yaml(
                str(v[0]), args.database_port, args.database_name, args.database_user, DATABASE_SECRET,
                str(v[1]), args.compute_logs_prefix))
        instance = ConfigMap(f"{name}-instance", metadata=meta(INSTANCE_CONFIG_MAP),
                             data={"dagster.yaml": self.instance_yaml}, opts=child)
        self.workspace_yaml = workspace_yaml(args.code_locations)
        workspace = ConfigMap(f"{name}-workspace", metadata=meta(WORKSPACE_CONFIG_MAP),
                              data={"workspace.yaml": self.workspace_yaml}, opts=child)

        image = pulumi.Output.concat(args.image, ":", args.image_tag)
        env = [EnvVarArgs(name="DAGSTER_HOME", value=DAGSTER_HOME),
               EnvVarArgs(name=PASSWORD_ENV, value_from=EnvVarSourceArgs(secret_key_ref=SecretKeySelectorArgs(
                   name=DATABASE_SECRET, key="password")))]
        mounts = [VolumeMountArgs(name="home", mount_path=DAGSTER_HOME),
                  VolumeMountArgs(name="instance", mount_path=f"{DAGSTER_HOME}/dagster.yaml", sub_path="dagster.yaml"),
                  # A directory mount (not subPath): the kubelet refreshes it when a team is added.
                  VolumeMountArgs(name="workspace", mount_path=WORKSPACE_DIR, read_only=True),
                  VolumeMountArgs(name="tmp", mount_path="/tmp")]
        volumes = [VolumeArgs(name="home", empty_dir=EmptyDirVolumeSourceArgs()),
                   VolumeArgs(name="tmp", empty_dir=EmptyDirVolumeSourceArgs()),
                   VolumeArgs(name="instance", config_map=ConfigMapVolumeSourceArgs(
                       name=INSTANCE_CONFIG_MAP, items=[KeyToPathArgs(key="dagster.yaml", path="dagster.yaml")])),
                   VolumeArgs(name="workspace", config_map=ConfigMapVolumeSourceArgs(name=WORKSPACE_CONFIG_MAP))]
        # A changed dagster.yaml restarts both (subPath mounts are not refreshed); workspace.yaml does not, so
        # onboarding a team leaves the Deployments as they are.
        checksum = self.instance_yaml.apply(lambda text: hashlib.sha256(text.encode()).hexdigest())
        workspace_file = f"{WORKSPACE_DIR}/workspace.yaml"

        def pod(component: str, container: ContainerArgs) -> PodTemplateSpecArgs:
            return PodTemplateSpecArgs(
                metadata=ObjectMetaArgs(labels={**labels, "app.kubernetes.io/name": component},
                                        annotations={"checksum/dagster-yaml": checksum}),
                spec=PodSpecArgs(
                    service_account_name=SERVICE_ACCOUNT,
                    # Both call the Kubernetes API: the daemon launches and monitors run Jobs, the webserver
                    # terminates them. The token reaches only these pods, not every pod of the account.
                    automount_service_account_token=True,
                    node_selector={"pool": "system"},
                    security_context=pod_security_context(),
                    containers=[container], volumes=volumes))

        def resources(cpu: str, memory: str) -> ResourceRequirementsArgs:
            return ResourceRequirementsArgs(requests={"cpu": cpu, "memory": memory},
                                            limits={"cpu": "1", "memory": "2Gi"})

        http = ProbeArgs(http_get=HTTPGetActionArgs(path="/server_info", port="http"), period_seconds=20)
        self.webserver = Deployment(f"{name}-webserver", metadata=meta(WEBSERVER), spec=DeploymentSpecArgs(
            replicas=args.webserver_replicas,
            selector=LabelSelectorArgs(match_labels={**labels, "app.kubernetes.io/name": WEBSERVER}),
            template=pod(WEBSERVER, ContainerArgs(
                name="webserver", image=image, image_pull_policy="Always",
                args=["dagster-webserver", "--host", "0.0.0.0", "--port", str(WEBSERVER_PORT),
                      "--workspace", workspace_file],
                env=env, ports=[ContainerPortArgs(name="http", container_port=WEBSERVER_PORT)],
                liveness_probe=http, readiness_probe=http, resources=resources("250m", "512Mi"),
                security_context=container_security_context(), volume_mounts=mounts))),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[
                account, instance, workspace, database_secret])))
        PodDisruptionBudget(f"{name}-webserver-budget", metadata=meta(WEBSERVER), spec=PodDisruptionBudgetSpecArgs(
            max_unavailable=1, selector=LabelSelectorArgs(match_labels={"app.kubernetes.io/name": WEBSERVER})),
            opts=child)
        self.webserver_service = Service(f"{name}-webserver-service", metadata=meta(WEBSERVER), spec=ServiceSpecArgs(
            type="ClusterIP", selector={"app.kubernetes.io/name": WEBSERVER},
            ports=[ServicePortArgs(name="http", port=80, target_port="http", protocol="TCP")]), opts=child)
        self.service_name = WEBSERVER
        self.service_port = 80
        self.container_port = WEBSERVER_PORT
        self.webserver_labels = {"app.kubernetes.io/name": WEBSERVER}

        liveness = ProbeArgs(exec_=ExecActionArgs(command=["dagster-daemon", "liveness-check"]),
                             period_seconds=60, timeout_seconds=30, failure_threshold=3)
        Deployment(f"{name}-daemon", metadata=meta(DAEMON), spec=DeploymentSpecArgs(
            # One daemon per instance (Dagster requires it); Recreate, so two never overlap.
            replicas=1, strategy=DeploymentStrategyArgs(type="Recreate"),
            selector=LabelSelectorArgs(match_labels={**labels, "app.kubernetes.io/name": DAEMON}),
            template=pod(DAEMON, ContainerArgs(
                name="daemon", image=image, image_pull_policy="Always",
                args=["dagster-daemon", "run", "--workspace", workspace_file],
                env=env, liveness_probe=liveness, readiness_probe=liveness, resources=resources("250m", "512Mi"),
                security_context=container_security_context(), volume_mounts=mounts))),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[
                account, instance, workspace, database_secret])))

        # The environment namespace denies egress by default: the control plane reaches the database and the
        # API server; each code location adds its own egress rule (code_location.py).
        NetworkPolicy(f"{name}-egress", metadata=meta("dagster-control-plane-egress"), spec=NetworkPolicySpecArgs(
            pod_selector=LabelSelectorArgs(match_labels=CONTROL_PLANE_LABEL), policy_types=["Egress"], egress=[
                NetworkPolicyEgressRuleArgs(
                    to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=c)) for c in args.database_cidrs],
                    ports=[NetworkPolicyPortArgs(protocol="TCP", port=args.database_port)]),
                NetworkPolicyEgressRuleArgs(
                    to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=c)) for c in args.kubernetes_api_cidrs],
                    ports=[NetworkPolicyPortArgs(protocol="TCP", port=443)]),
            ]), opts=child)
        self.register_outputs({"role_arn": self.role_arn, "workspace_yaml": self.workspace_yaml})
