"""A team's Dagster code location (Data Platform Architecture, execution plane): the team's gRPC server in its
own namespace, running as the team's IRSA service account, and everything that lets the control plane use it
and nothing else: the Service, the NetworkPolicies on both ends, the namespaced RBAC for run Jobs, the
instance ConfigMap run pods read, and a PodDisruptionBudget. Every object is named for the team, so onboarding
a team adds these and changes none of another team's.

REALITY.md, answered: (1) the team's namespace and account (TeamNamespace), the secret operator's CRDs, the
image `<project>/<repository>` in ECR; (2) the server and its runs run as the team's IRSA account, whose role
holds its prefix, compute-log uploads and (opted in) the `dagster` login; the control plane launches Jobs only
through the namespaced Role; (3) only the control plane reaches the gRPC port; run pods reach the API server
and, opted in, the database subnets; (5) a port or module change updates the Deployment and Service in place,
a `repository` rename creates a new ECR repository and deletes the old (protected in prod: that update stops).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.apps.v1 import Deployment, DeploymentSpecArgs
from pulumi_kubernetes.core.v1 import (
    CapabilitiesArgs,
    ConfigMap,
    ContainerArgs,
    ContainerPortArgs,
    EmptyDirVolumeSourceArgs,
    EnvVarArgs,
    ExecActionArgs,
    PodSecurityContextArgs,
    PodSpecArgs,
    PodTemplateSpecArgs,
    ProbeArgs,
    ResourceRequirementsArgs,
    SeccompProfileArgs,
    SecurityContextArgs,
    Service,
    ServicePortArgs,
    ServiceSpecArgs,
    VolumeArgs,
    VolumeMountArgs,
)
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, LabelSelectorRequirementArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    IPBlockArgs,
    NetworkPolicy,
    NetworkPolicyEgressRuleArgs,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
)
from pulumi_kubernetes.policy.v1 import PodDisruptionBudget, PodDisruptionBudgetSpecArgs
from pulumi_kubernetes.rbac.v1 import PolicyRuleArgs, Role, RoleBinding, RoleRefArgs, SubjectArgs

from components.kubernetes.platform_namespace import NAME_LABEL

SERVICE_NAME = "dagster-code-location"
"""The code location's Deployment and Service in every team namespace."""
INSTANCE_CONFIG_MAP = "dagster-instance"
"""The instance ConfigMap (`dagster.yaml`): in the control plane's namespace and, for run pods, in each team's."""
CONTROL_PLANE_LABEL = {"app.kubernetes.io/part-of": "dagster-control-plane"}
"""Carried by the webserver's and the daemon's pods, and selected by every team's ingress policy."""
CODE_LOCATION_LABEL = {"app.kubernetes.io/name": SERVICE_NAME}
"""Carried by a code location's pods only."""
RUN_POD_COMPONENTS = ("run_worker", "step_worker")
"""Values of `app.kubernetes.io/component` dagster-k8s puts on the run and step pods it launches."""
RUN_JOB_RULES: tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...] = (
    # K8sRunLauncher / K8sJobExecutor: create the run (or step) Job, follow it, delete it on termination...
    (("batch",), ("jobs",), ("create", "get", "list", "watch", "delete")),
    (("batch",), ("jobs/status",), ("get",)),
    # ...and read its pods and their logs (run monitoring, the UI's failure messages).
    (("",), ("pods",), ("get", "list", "watch")),
    (("",), ("pods/log",), ("get",)),
)
UID = 10001
"""Non-root uid of every Dagster container (the restricted Pod Security Standard)."""

DATABASE_SECRET = "dagster-database"
"""The Kubernetes Secret External Secrets Operator syncs the `dagster` login into: key `password` (what the
webserver and daemon read) and `postgresql-password` (the key dagster-k8s's run launcher injects into run pods
from `postgres_password_secret`, `dagster_k8s.job.DAGSTER_PG_PASSWORD_SECRET_KEY`)."""
DATABASE_SECRET_KEYS = ("password", "postgresql-password")
SECRET_STORE_API = "external-secrets.io/v1"


def database_secret_objects(name: str, namespace: str, service_account: str, region: str, login_secret: str,
                            refresh_interval: str, opts: pulumi.ResourceOptions,
                            labels: Mapping[str, str] | None = None) -> tuple[CustomResource, CustomResource]:
    """A SecretStore authenticating as `service_account` (IRSA: its role reads the `dagster` login) and the
    ExternalSecret writing `DATABASE_SECRET` from it, as the platform chart does for MLflow's login."""
    store_name = f"aws-{service_account}"
    store = CustomResource(f"{name}-secret-store", api_version=SECRET_STORE_API, kind="SecretStore",
                           metadata=ObjectMetaArgs(name=store_name, namespace=namespace, labels=dict(labels or {})),
                           spec={"provider": {"aws": {"service": "SecretsManager", "region": region, "auth": {
                               "jwt": {"serviceAccountRef": {"name": service_account}}}}}}, opts=opts)
    secret = CustomResource(
        f"{name}-database-secret", api_version=SECRET_STORE_API, kind="ExternalSecret",
        metadata=ObjectMetaArgs(name=DATABASE_SECRET, namespace=namespace, labels=dict(labels or {})),
        spec={"refreshInterval": refresh_interval,
              "secretStoreRef": {"kind": "SecretStore", "name": store_name},
              "target": {"name": DATABASE_SECRET, "creationPolicy": "Owner"},
              "data": [{"secretKey": key, "remoteRef": {"key": login_secret, "property": "password"}}
                       for key in DATABASE_SECRET_KEYS]},
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(depends_on=[store])))
    return store, secret


def login_read_statements(login_arn: str, key_arn: str) -> list[dict[str, object]]:
    """Read one database login from Secrets Manager, and decrypt it with the database's key only through it."""
    return [
        {"Sid": "ReadDagsterLogin", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": login_arn},
        {"Sid": "DecryptDagsterLogin", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
         "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"},
                       "StringEquals": {"kms:EncryptionContext:SecretARN": login_arn}}},
    ]


def code_location_host(team: str) -> str:
    """The code location's in-cluster DNS name, as `workspace.yaml` names it."""
    return f"{SERVICE_NAME}.team-{team}.svc.cluster.local"


def pod_security_context() -> PodSecurityContextArgs:
    return PodSecurityContextArgs(run_as_non_root=True, run_as_user=UID, run_as_group=UID, fs_group=UID,
                                  seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"))


def container_security_context() -> SecurityContextArgs:
    return SecurityContextArgs(run_as_non_root=True, run_as_user=UID, read_only_root_filesystem=True,
                               allow_privilege_escalation=False, capabilities=CapabilitiesArgs(drop=["ALL"]),
                               seccomp_profile=SeccompProfileArgs(type="RuntimeDefault"))


def container_context(namespace: str, service_account: str, team: str) -> str:
    """What dagster-k8s launches this location's runs with (`DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT`): in the
    team's namespace as the team's service account, labelled for the team, and compliant with the restricted
    Pod Security Standard the namespace enforces (the launcher's defaults are not)."""
    k8s: dict[str, object] = {
        "namespace": namespace, "service_account_name": service_account, "labels": {"team": team},
        "run_k8s_config": {
            "pod_spec_config": {"automount_service_account_token": True, "security_context": {
                "runAsNonRoot": True, "runAsUser": UID, "runAsGroup": UID, "fsGroup": UID,
                "seccompProfile": {"type": "RuntimeDefault"}}},
            "container_config": {"security_context": {
                "runAsNonRoot": True, "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
                "seccompProfile": {"type": "RuntimeDefault"}}},
        },
    }
    return json.dumps({"k8s": k8s}, sort_keys=True)


@dataclass(frozen=True)
class CodeLocationArgs:
    team: str
    """Team name: namespace `team-<team>`, location name `<team>` in `workspace.yaml`."""
    service_account: str
    """The team's IRSA ServiceAccount (TeamNamespace creates it, named after the team): the server and its runs
    run as it."""
    image: pulumi.Input[str]
    """Repository URL of the team's code location image (in the platform's ECR registry)."""
    tag: str
    """Image tag, pinned (never `latest`)."""
    port: int
    """gRPC port of the server. 1024-65535 (the pods are non-root)."""
    control_plane_namespace: str
    """Namespace of the Dagster webserver and daemon (`platform-<env>`): the only source of ingress to the port."""
    control_plane_service_account: str
    """The control plane's ServiceAccount there, bound to the run-Job Role in this namespace."""
    instance_yaml: pulumi.Input[str]
    """`dagster.yaml` of the control plane: run pods launched here read it from this namespace."""
    module: str = "definitions"
    """Python module holding the team's `Definitions`. Default `definitions`."""
    runs_reach_database: bool = False
    """Run pods may reach the database (`database_cidrs`:`database_port`). Default off. The run launcher gives
    run pods the password from the instance's `postgres_password_secret`, which must be synced here too."""
    database_cidrs: Sequence[str] = ()
    """CIDRs of the platform's PostgreSQL (its subnets). Required when `runs_reach_database`."""
    database_port: int = 5432
    """Its port."""
    database_login_secret: str = ""
    """Secrets Manager name of the `dagster` login: with `runs_reach_database`, synced into this namespace as
    `dagster-database` through a SecretStore that authenticates as the team's account (whose role may read it).
    Required when `runs_reach_database`."""
    region: str = ""
    """AWS region of Secrets Manager. Required when `runs_reach_database`."""
    kubernetes_api_cidrs: Sequence[str] = ()
    """CIDRs of the cluster's API endpoint (TCP 443): run pods launch step Jobs (K8sJobExecutor)."""
    labels: Mapping[str, str] | None = None
    """Labels on every object. Default `{"team": <team>}` (the ownership invariant)."""


def validate_code_location_args(args: CodeLocationArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not 1024 <= args.port <= 65535:
        problems.append(f"port must be between 1024 and 65535, got {args.port}")
    if args.tag in ("", "latest"):
        problems.append(f"tag must pin a version, got {args.tag!r}")
    if args.runs_reach_database and not args.database_cidrs:
        problems.append("database_cidrs must name the database when runs_reach_database is set, got []")
    if args.runs_reach_database and not (args.database_login_secret and args.region):
        problems.append("database_login_secret and region are required when runs_reach_database is set, got "
                        f"{args.database_login_secret!r} and {args.region!r}")
    if args.control_plane_namespace == f"team-{args.team}":
        problems.append(f"control_plane_namespace must not be the team's own, got {args.control_plane_namespace!r}")
    if args.labels is not None and args.labels.get("team") != args.team:
        problems.append(f"labels.team must be {args.team!r}, got {args.labels.get('team')!r}")
    if problems:
        raise ValueError("; ".join(problems))


class CodeLocation(pulumi.ComponentResource):
    """The team's gRPC server, its Service, policies, RBAC and disruption budget."""

    def __init__(self, name: str, args: CodeLocationArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_code_location_args(args)
        super().__init__("platform:kubernetes:CodeLocation", name, None, opts)
        # Children do not inherit the component's depends_on: they wait for the team's namespace and account.
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)
        namespace = f"team-{args.team}"
        labels = dict(args.labels or {"team": args.team})

        def meta(object_name: str, ns: str = namespace, extra: Mapping[str, str] | None = None) -> ObjectMetaArgs:
            return ObjectMetaArgs(name=object_name, namespace=ns, labels={**labels, **(extra or {})})

        ConfigMap(f"{name}-instance", metadata=meta(INSTANCE_CONFIG_MAP),
                  data={"dagster.yaml": args.instance_yaml}, opts=child)
        if args.runs_reach_database:
            # The run launcher hands run pods the password from `dagster-database` of their namespace; it exists
            # only where the team's runs may reach the database.
            database_secret_objects(name, namespace, args.service_account, args.region, args.database_login_secret,
                                    "15m", child, labels)

        pod_labels = {**labels, **CODE_LOCATION_LABEL}
        image = pulumi.Output.concat(args.image, ":", args.tag)
        env = [
            EnvVarArgs(name="DAGSTER_CLI_API_GRPC_CONTAINER_IMAGE", value=image),
            EnvVarArgs(name="DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT", value=container_context(
                namespace, args.service_account, args.team)),
            EnvVarArgs(name="DAGSTER_CURRENT_IMAGE", value=image),
        ]
        health = ProbeArgs(exec_=ExecActionArgs(command=[
            "dagster", "api", "grpc-health-check", "--port", str(args.port)]),
            period_seconds=20, timeout_seconds=10, failure_threshold=3)
        self.deployment = Deployment(f"{name}-deployment", metadata=meta(SERVICE_NAME, extra=CODE_LOCATION_LABEL),
            spec=DeploymentSpecArgs(
                # One server per team: the webserver keys a location on the server's id, which differs per replica.
                replicas=1,
                selector=LabelSelectorArgs(match_labels=CODE_LOCATION_LABEL),
                template=PodTemplateSpecArgs(metadata=ObjectMetaArgs(labels=pod_labels), spec=PodSpecArgs(
                    service_account_name=args.service_account,
                    # The server answers gRPC; it never calls the Kubernetes API (the run pods do).
                    automount_service_account_token=False,
                    node_selector={"pool": "compute"},
                    security_context=pod_security_context(),
                    containers=[ContainerArgs(
                        name="code-location", image=image, image_pull_policy="Always",
                        args=["dagster", "api", "grpc", "--host", "0.0.0.0", "--port", str(args.port),
                              "--module-name", args.module],
                        env=env, ports=[ContainerPortArgs(name="grpc", container_port=args.port)],
                        liveness_probe=health, readiness_probe=health,
                        resources=ResourceRequirementsArgs(requests={"cpu": "250m", "memory": "512Mi"},
                                                           limits={"cpu": "1", "memory": "2Gi"}),
                        security_context=container_security_context(),
                        volume_mounts=[VolumeMountArgs(name="tmp", mount_path="/tmp")])],
                    volumes=[VolumeArgs(name="tmp", empty_dir=EmptyDirVolumeSourceArgs())]))),
            opts=child)
        self.service = Service(f"{name}-service", metadata=meta(SERVICE_NAME), spec=ServiceSpecArgs(
            type="ClusterIP", selector=CODE_LOCATION_LABEL,
            ports=[ServicePortArgs(name="grpc", port=args.port, target_port="grpc", protocol="TCP")]), opts=child)
        # The team's failure stays in its namespace: a node drain may take the one server down (maxUnavailable 1),
        # and the budget selects this team's server only.
        PodDisruptionBudget(f"{name}-disruption-budget", metadata=meta(SERVICE_NAME), spec=PodDisruptionBudgetSpecArgs(
            max_unavailable=1, selector=LabelSelectorArgs(match_labels=CODE_LOCATION_LABEL)), opts=child)

        grpc_port = [NetworkPolicyPortArgs(protocol="TCP", port=args.port)]
        control_plane = NetworkPolicyPeerArgs(
            namespace_selector=LabelSelectorArgs(match_labels={NAME_LABEL: args.control_plane_namespace}),
            pod_selector=LabelSelectorArgs(match_labels=CONTROL_PLANE_LABEL))
        # Both ends: the team's namespace admits the control plane's pods on the gRPC port...
        NetworkPolicy(f"{name}-from-control-plane", metadata=meta("allow-dagster-control-plane"),
                      spec=NetworkPolicySpecArgs(
                          pod_selector=LabelSelectorArgs(match_labels=CODE_LOCATION_LABEL), policy_types=["Ingress"],
                          ingress=[NetworkPolicyIngressRuleArgs(from_=[control_plane], ports=grpc_port)]),
                      opts=child)
        # ...and the control plane's namespace lets them out to exactly this server and port.
        NetworkPolicy(f"{name}-to-code-location", metadata=meta(
            f"dagster-to-team-{args.team}", ns=args.control_plane_namespace), spec=NetworkPolicySpecArgs(
                pod_selector=LabelSelectorArgs(match_labels=CONTROL_PLANE_LABEL), policy_types=["Egress"],
                egress=[NetworkPolicyEgressRuleArgs(to=[NetworkPolicyPeerArgs(
                    namespace_selector=LabelSelectorArgs(match_labels={NAME_LABEL: namespace}),
                    pod_selector=LabelSelectorArgs(match_labels=CODE_LOCATION_LABEL))], ports=grpc_port)]),
            opts=child)
        run_pods = LabelSelectorArgs(match_expressions=[LabelSelectorRequirementArgs(
            key="app.kubernetes.io/component", operator="In", values=list(RUN_POD_COMPONENTS))])
        run_egress = [NetworkPolicyEgressRuleArgs(
            to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in args.kubernetes_api_cidrs],
            ports=[NetworkPolicyPortArgs(protocol="TCP", port=443)])] if args.kubernetes_api_cidrs else []
        if args.runs_reach_database:
            run_egress.append(NetworkPolicyEgressRuleArgs(
                to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in args.database_cidrs],
                ports=[NetworkPolicyPortArgs(protocol="TCP", port=args.database_port)]))
        if run_egress:
            NetworkPolicy(f"{name}-run-egress", metadata=meta("dagster-run-egress"), spec=NetworkPolicySpecArgs(
                pod_selector=run_pods, policy_types=["Egress"], egress=run_egress), opts=child)

        # Run Jobs: the control plane launches them here, the run pods (as the team) launch step Jobs here.
        # A Role and RoleBinding in this namespace only: nothing cluster-wide.
        role = Role(f"{name}-runs-role", metadata=meta("dagster-runs"), rules=[
            PolicyRuleArgs(api_groups=list(groups), resources=list(resources), verbs=list(verbs))
            for groups, resources, verbs in RUN_JOB_RULES], opts=child)
        RoleBinding(f"{name}-runs-binding", metadata=meta("dagster-runs"), subjects=[
            SubjectArgs(kind="ServiceAccount", name=args.control_plane_service_account,
                        namespace=args.control_plane_namespace),
            SubjectArgs(kind="ServiceAccount", name=args.service_account, namespace=namespace),
        ], role_ref=RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name="dagster-runs"),
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[role])))

        self.host = code_location_host(args.team)
        self.register_outputs({"host": self.host, "port": args.port})
