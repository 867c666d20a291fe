"""The Dagster control plane: webserver and daemon in the environment namespace with pinned images, their
metadata in the platform's PostgreSQL (own database and user, password from a synced Secret, never in a
ConfigMap), compute logs under one prefix that the control plane's IRSA role is allowed and nothing more, and
no business logic: it runs no team's code."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from components.kubernetes.dagster_control_plane import (
    DAGSTER_VERSION,
    SERVICE_ACCOUNT,
    CodeLocationEntry,
    DagsterControlPlaneArgs,
    validate_dagster_control_plane_args,
)
from tests.manifests import registered_manifests
from tests.support import STACKS, preflight_plan


def _control_plane(stack: str) -> list[dict[str, Any]]:
    return [m for m in registered_manifests(preflight_plan(stack))
            if m["metadata"].get("labels", {}).get("app.kubernetes.io/part-of") == "dagster-control-plane"
            and m["metadata"].get("namespace") == f"platform-{stack}"]


def _instance(stack: str) -> dict[str, Any]:
    (config_map,) = [m for m in _control_plane(stack) if m["kind"] == "ConfigMap"
                     and m["metadata"]["name"] == "dagster-instance"]
    return yaml.safe_load(config_map["data"]["dagster.yaml"])


@pytest.mark.parametrize("stack", STACKS)
def test_metadata_lives_in_its_own_postgres_database_with_the_password_from_a_secret(stack: str) -> None:
    instance = _instance(stack)
    database = instance["storage"]["postgres"]["postgres_db"]
    assert (database["db_name"], database["username"]) == ("dagster", "dagster")
    assert database["password"] == {"env": "DAGSTER_PG_PASSWORD"}
    assert instance["run_launcher"]["class"] == "K8sRunLauncher"
    assert instance["run_launcher"]["config"]["postgres_password_secret"] == "dagster-database"
    for deployment in (m for m in _control_plane(stack) if m["kind"] == "Deployment"):
        env = {e["name"]: e for e in deployment["spec"]["template"]["spec"]["containers"][0]["env"]}
        assert env["DAGSTER_PG_PASSWORD"]["valueFrom"] == {"secretKeyRef": {"name": "dagster-database",
                                                                            "key": "password"}}


@pytest.mark.parametrize("stack", STACKS)
def test_compute_logs_go_to_the_artifacts_bucket_under_the_prefix_the_role_is_allowed(stack: str) -> None:
    plan = preflight_plan(stack)
    artifacts = plan.one("platform:storage:EncryptedBucket", name=f"{stack}-artifacts").component_outputs
    logs = _instance(stack)["compute_logs"]
    assert logs["class"] == "S3ComputeLogManager"
    assert (logs["config"]["bucket"], logs["config"]["prefix"]) == (artifacts["bucket_name"], "dagster/compute-logs")
    policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-dagster-compute-logs")
                        .inputs["policy"])
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["ReadWriteComputeLogs"]["Resource"] == f"{artifacts['bucket_arn']}/dagster/compute-logs/*"
    assert by_sid["ListComputeLogs"]["Condition"] == {"StringLike": {"s3:prefix": ["dagster/compute-logs/*"]}}
    database = plan.one("platform:database:PlatformDatabase").component_outputs
    login = plan.one("aws:secretsmanager/secret:Secret", name=f"{stack}-database-dagster-secret").outputs["arn"]
    assert {s["Resource"] for s in policy["Statement"]} == {
        artifacts["bucket_arn"], f"{artifacts['bucket_arn']}/dagster/compute-logs/*", artifacts["key_arn"],
        login, database["keyArn"]}
    # The database key only through Secrets Manager: the login's decryption, not the database's volumes.
    assert by_sid["DecryptDagsterLogin"]["Condition"] == {
        "StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"},
        "StringEquals": {"kms:EncryptionContext:SecretARN": login}}
    role = plan.one("aws:iam/role:Role", name=f"{stack}-dagster-role")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    issuer = plan.one("platform:kubernetes:EksCluster").component_outputs["oidc_issuer"]
    assert statement["Condition"]["StringEquals"][f"{issuer}:sub"] == \
        f"system:serviceaccount:platform-{stack}:{SERVICE_ACCOUNT}"
    (account,) = [m for m in _control_plane(stack) if m["kind"] == "ServiceAccount"]
    assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role.outputs["arn"]}


@pytest.mark.parametrize("stack", STACKS)
def test_webserver_and_daemon_run_the_pinned_dagster_image_and_no_team_code(stack: str) -> None:
    deployments = {m["metadata"]["name"]: m for m in _control_plane(stack) if m["kind"] == "Deployment"}
    assert set(deployments) == {"dagster-webserver", "dagster-daemon"}
    # The image is the one of the ECR repository the registries layer creates for the control plane.
    repository = preflight_plan(stack).one("aws:ecr/repository:Repository", name=f"{stack}-registries-dagster")
    for deployment in deployments.values():
        pod = deployment["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["image"] == f"{repository.outputs['repositoryUrl']}:{DAGSTER_VERSION}"
        assert pod["serviceAccountName"] == SERVICE_ACCOUNT
        assert container["args"][-2:] == ["--workspace", "/opt/dagster/workspace/workspace.yaml"]
    # The daemon is a singleton per instance: one replica, never two during a rollout.
    assert deployments["dagster-daemon"]["spec"]["replicas"] == 1
    assert deployments["dagster-daemon"]["spec"]["strategy"] == {"type": "Recreate"}
    assert DAGSTER_VERSION.count(".") == 2 and DAGSTER_VERSION != "latest"


@pytest.mark.parametrize("stack", STACKS)
def test_the_metadata_store_is_the_platforms_rds_reached_on_its_database_subnets(stack: str) -> None:
    """REALITY.md 1 and 3: the host is the RDS instance's address, the port its listener, and the control plane's
    egress opens exactly the network's database subnets on that port (where RDS places the instance); the
    control plane waits for the platform release, whose pre-install hook creates the `dagster` database and
    login (charts/ml-platform/templates/bootstrap.yaml)."""
    plan = preflight_plan(stack)
    instance = plan.one("aws:rds/instance:Instance", name=f"{stack}-database-instance")
    database = _instance(stack)["storage"]["postgres"]["postgres_db"]
    assert (database["hostname"], database["port"]) == (instance.outputs["address"], instance.inputs["port"])
    assert database["params"] == {"sslmode": "require"}  # the parameter group sets rds.force_ssl
    (egress,) = [m for m in _control_plane(stack) if m["kind"] == "NetworkPolicy"
                 and m["metadata"]["name"] == "dagster-control-plane-egress"]
    to_database = [rule for rule in egress["spec"]["egress"] if rule["ports"] == [
        {"protocol": "TCP", "port": instance.inputs["port"]}]]
    blocks = plan.one("platform:network:Network").component_outputs["database_cidrs"]
    assert [peer["ipBlock"]["cidr"] for rule in to_database for peer in rule["to"]] == list(blocks)
    release = plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-platform-release")
    assert "dagster" in release.inputs["values"]["database"]["users"]
    webserver = plan.one("kubernetes:apps/v1:Deployment", name=f"{stack}-dagster-webserver")
    assert release.urn in webserver.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_database_password_is_synced_from_secrets_manager_by_the_control_planes_own_account(stack: str) -> None:
    """REALITY.md 8: the password lives in Secrets Manager (written by the bootstrap Job), reaches the namespace
    through External Secrets Operator, authenticated as the control plane's IRSA account (whose role reads that
    login only), with the key the webserver reads and the key dagster-k8s hands to run pods
    (`postgresql-password`, dagster_k8s.job.DAGSTER_PG_PASSWORD_SECRET_KEY)."""
    plan = preflight_plan(stack)
    namespace = f"platform-{stack}"
    secret = plan.one("kubernetes:external-secrets.io/v1:ExternalSecret", name=f"{stack}-dagster-database-secret")
    assert secret.inputs["metadata"]["namespace"] == namespace
    spec = secret.inputs["spec"]
    assert spec["target"] == {"name": "dagster-database", "creationPolicy": "Owner"}
    assert spec["data"] == [{"secretKey": key, "remoteRef": {"key": f"ml-platform-{stack}/database/dagster",
                                                             "property": "password"}}
                            for key in ("password", "postgresql-password")]
    store = plan.one("kubernetes:external-secrets.io/v1:SecretStore", name=f"{stack}-dagster-secret-store")
    assert store.inputs["metadata"] == {"name": spec["secretStoreRef"]["name"], "namespace": namespace,
                                        "labels": {"app.kubernetes.io/part-of": "dagster-control-plane"}}
    assert store.inputs["spec"]["provider"]["aws"]["auth"] == {"jwt": {"serviceAccountRef": {"name": SERVICE_ACCOUNT}}}
    login = plan.one("aws:secretsmanager/secret:Secret", name=f"{stack}-database-dagster-secret")
    assert login.inputs["name"] == f"ml-platform-{stack}/database/dagster"
    # The secret operator's CRDs exist before the ExternalSecret.
    operator = plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-secret-sync-external-secrets")
    assert operator.urn in plan.one("platform:kubernetes:DagsterControlPlane").options["dependsOn"]


def test_bad_args_are_refused_naming_each_property() -> None:
    login = {"database_login_secret": "s", "database_login_arn": "arn", "database_key_arn": "k", "region": "r"}
    args = DagsterControlPlaneArgs(
        namespace="platform-prod", image="r", code_locations={}, database_host="h", database_cidrs=[],
        **login, compute_logs_bucket="b", compute_logs_bucket_arn="a", compute_logs_key_arn="k",
        oidc_provider_arn="o", oidc_issuer="i", kubernetes_api_cidrs=[], compute_logs_prefix="/logs",
        image_tag="latest", webserver_replicas=0)
    with pytest.raises(ValueError) as info:
        validate_dagster_control_plane_args(args)
    for words in ("code_locations must name", "compute_logs_prefix must be", "image_tag must pin",
                  "webserver_replicas must be", "database_cidrs must name"):
        assert words in str(info.value)
    validate_dagster_control_plane_args(DagsterControlPlaneArgs(
        namespace="platform-prod", image="r", code_locations={"fraud": CodeLocationEntry("h", 4000)},
        database_host="h", database_cidrs=["10.0.0.0/16"], **login, compute_logs_bucket="b",
        compute_logs_bucket_arn="a", compute_logs_key_arn="k", oidc_provider_arn="o", oidc_issuer="i",
        kubernetes_api_cidrs=["10.0.0.0/16"]))


@pytest.mark.parametrize(("prefix", "refused"), [
    ("dagster/logs/", False), ("a/", False), ("/dagster/logs/", True), ("dagster/logs", True), ("dagster/*/", True),
    ("*/", True)])
def test_a_compute_logs_prefix_is_relative_ends_in_a_slash_and_holds_no_wildcard(prefix: str, refused: bool) -> None:
    """The roles are scoped to `<prefix>*` (S3 key patterns): a `*` inside the prefix would widen them to keys of
    other prefixes, a leading `/` matches no key dagster-aws writes."""
    login = {"database_login_secret": "s", "database_login_arn": "arn", "database_key_arn": "k", "region": "r"}
    args = DagsterControlPlaneArgs(
        namespace="platform-prod", image="r", code_locations={"fraud": CodeLocationEntry("h", 4000)},
        database_host="h", database_cidrs=["10.0.0.0/16"], **login, compute_logs_bucket="b",
        compute_logs_bucket_arn="a", compute_logs_key_arn="k", oidc_provider_arn="o", oidc_issuer="i",
        kubernetes_api_cidrs=["10.0.0.0/16"], compute_logs_prefix=prefix)
    if not refused:
        validate_dagster_control_plane_args(args)
        return
    with pytest.raises(ValueError, match=f"compute_logs_prefix must be a relative prefix ending in '/', got "
                                         f"{re.escape(repr(prefix))}"):
        validate_dagster_control_plane_args(args)


@pytest.mark.parametrize("stack", STACKS)
def test_the_webserver_and_the_daemon_run_on_the_system_pool(stack: str) -> None:
    """The scheduler and the run queue live in the daemon: on the compute pool (spot in dev) a reclaimed node would
    stop every team's schedules until the pod is rescheduled. Both pods select the system pool's `pool` label."""
    deployments = [m for m in _control_plane(stack) if m["kind"] == "Deployment"]
    assert len(deployments) == 2
    assert [d["spec"]["template"]["spec"].get("nodeSelector") for d in deployments] == [{"pool": "system"}] * 2


@pytest.mark.parametrize("stack", STACKS)
def test_the_control_planes_objects_wait_for_the_namespace_the_operator_and_what_their_pods_mount(stack: str) -> None:
    """Kubernetes refuses objects in a missing namespace and ExternalSecrets before the operator's CRDs; a pod whose
    ServiceAccount, ConfigMap or Secret (`dagster-database`) is missing does not start (CreateContainerConfigError),
    and the Deployments' rollout is what the update waits on. The SecretStore authenticates as the account, so it
    comes after it. Children do not inherit a component's dependsOn: each carries the edges itself."""
    plan = preflight_plan(stack)
    namespace = next(r for r in plan.of_type("kubernetes:core/v1:Namespace")
                     if r.inputs["metadata"]["name"] == f"platform-{stack}")
    operator = plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-secret-sync-external-secrets")
    release = plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-platform-release")
    for child in plan.children(plan.one("platform:kubernetes:DagsterControlPlane")):
        assert {namespace.urn, operator.urn, release.urn} <= set(child.options["dependsOn"]), child.name
    account = plan.one("kubernetes:core/v1:ServiceAccount", name=f"{stack}-dagster-sa")
    store = plan.one("kubernetes:external-secrets.io/v1:SecretStore", name=f"{stack}-dagster-secret-store")
    secret = plan.one("kubernetes:external-secrets.io/v1:ExternalSecret", name=f"{stack}-dagster-database-secret")
    assert account.urn in store.options["dependsOn"]
    assert {account.urn, store.urn} <= set(secret.options["dependsOn"])
    mounted = {account.urn, secret.urn, plan.one("kubernetes:core/v1:ConfigMap", name=f"{stack}-dagster-instance").urn,
               plan.one("kubernetes:core/v1:ConfigMap", name=f"{stack}-dagster-workspace").urn}
    for deployment in ("webserver", "daemon"):
        pods = plan.one("kubernetes:apps/v1:Deployment", name=f"{stack}-dagster-{deployment}")
        assert mounted <= set(pods.options["dependsOn"]), deployment


@pytest.mark.parametrize("stack", STACKS)
def test_runs_are_queued_by_dagsters_queued_run_coordinator(stack: str) -> None:
    """Dagster docs, "Run coordinators" (dagster.yaml): a run coordinator is named by `module` and `class`; the
    queued one is `dagster.core.run_coordinator` / `QueuedRunCoordinator` (the daemon dequeues and launches)."""
    assert _instance(stack)["run_coordinator"] == {"module": "dagster.core.run_coordinator",
                                                   "class": "QueuedRunCoordinator"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_control_plane_reaches_the_kubernetes_api_server_on_443_in_the_vpc(stack: str) -> None:
    """The daemon launches run Jobs (K8sRunLauncher) and the webserver terminates them through the API server: the
    EKS private endpoint's network interfaces sit in the VPC and listen on TCP 443 (EKS User Guide, "Cluster API
    server endpoint"). The environment namespace denies egress by default, so a rule must open exactly that."""
    (egress,) = [m for m in _control_plane(stack) if m["kind"] == "NetworkPolicy"
                 and m["metadata"]["name"] == "dagster-control-plane-egress"]
    vpc_cidr = preflight_plan(stack).one("platform:network:Network").component_outputs["vpc_cidr"]
    assert {"to": [{"ipBlock": {"cidr": vpc_cidr}}], "ports": [{"protocol": "TCP", "port": 443}]} \
        in egress["spec"]["egress"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_daemon_monitors_runs_and_restarts_crashed_run_workers(stack: str) -> None:
    """Dagster docs, "Detect and restart crashed workers with run monitoring": run monitoring needs the daemon and
    the instance's opt-in, `run_monitoring: {enabled: true}` in dagster.yaml; without it a run whose Job's pod died
    stays STARTED for ever."""
    assert _instance(stack).get("run_monitoring") == {"enabled": True}


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_webserver_and_daemon_pods_mount_their_accounts_token(stack: str) -> None:
    """Kubernetes docs, "Configure Service Accounts for Pods": a pod mounts its account's API token unless
    `automountServiceAccountToken` is false, and the pod's setting takes precedence over the account's. The
    account turns it off for every pod; the two pods that call the API (the daemon launches and monitors run Jobs,
    the webserver terminates them: K8sRunLauncher with `load_incluster_config`) turn it back on."""
    (account,) = [m for m in _control_plane(stack) if m["kind"] == "ServiceAccount"
                  and m["metadata"]["name"] == SERVICE_ACCOUNT]
    assert account["automountServiceAccountToken"] is False
    pods = {m["metadata"]["name"]: m["spec"]["template"]["spec"] for m in _control_plane(stack)
            if m["kind"] == "Deployment"}
    assert {name: pod.get("automountServiceAccountToken") for name, pod in pods.items()} == {
        "dagster-webserver": True, "dagster-daemon": True}
    assert _instance(stack)["run_launcher"]["config"]["load_incluster_config"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_the_instance_opts_out_of_telemetry(stack: str) -> None:
    """Dagster docs, "Dagster telemetry": the backend sends usage statistics unless dagster.yaml says
    `telemetry: {enabled: false}`; the platform's pods call nothing outside what their egress policies name."""
    assert _instance(stack)["telemetry"] == {"enabled": False}


@pytest.mark.parametrize("stack", STACKS)
def test_each_instance_class_is_the_one_dagster_documents(stack: str) -> None:
    """Dagster imports each `module`/`class` pair of dagster.yaml at start-up (docs, "Dagster instance"); a name
    it cannot import stops the webserver and the daemon. The pairs, as Dagster's and dagster-k8s's docs name them."""
    instance = _instance(stack)
    assert {key: (instance[key]["module"], instance[key]["class"]) for key in
            ("run_coordinator", "run_launcher", "compute_logs", "scheduler")} == {
        "run_coordinator": ("dagster.core.run_coordinator", "QueuedRunCoordinator"),
        "run_launcher": ("dagster_k8s", "K8sRunLauncher"),
        "compute_logs": ("dagster_aws.s3.compute_log_manager", "S3ComputeLogManager"),
        "scheduler": ("dagster.core.scheduler", "DagsterDaemonScheduler")}


@pytest.mark.parametrize("prefix", ["dagster/compute-logs/", "LOGS-X/", "a/b/"])
def test_compute_logs_go_under_the_prefix_without_its_trailing_slash(prefix: str) -> None:
    """dagster-aws `S3ComputeLogManager` joins `prefix` and the log's key with "/": the instance holds the
    prefix the roles are scoped to (`<prefix>*`) without its trailing slash, whatever characters precede it."""
    from components.kubernetes.dagster_control_plane import instance_yaml

    instance = yaml.safe_load(instance_yaml("db.example.com", 5432, "dagster", "dagster", "dagster-database",
                                            "bucket", prefix))
    assert instance["compute_logs"]["config"] == {"bucket": "bucket", "prefix": prefix[:-1], "show_url_only": False}


@pytest.mark.parametrize("stack", STACKS)
def test_both_pods_mount_the_instance_and_the_workspace_and_run_restricted(stack: str) -> None:
    """Dagster reads `$DAGSTER_HOME/dagster.yaml` and the `--workspace` file; the workspace is a directory mount
    (the kubelet refreshes it when a team is added; a subPath mount never is). The pod's own security context holds
    the restricted level for any container it adds (an ephemeral one inherits only the pod's)."""
    for deployment in (m for m in _control_plane(stack) if m["kind"] == "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                          "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
        mounts = {m["mountPath"]: m for m in pod["containers"][0]["volumeMounts"]}
        assert mounts["/opt/dagster/dagster_home/dagster.yaml"]["subPath"] == "dagster.yaml"
        assert mounts["/opt/dagster/workspace"] == {"name": "workspace", "mountPath": "/opt/dagster/workspace",
                                                    "readOnly": True}
        assert {m["name"] for m in mounts.values()} <= {v["name"] for v in pod["volumes"]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_webservers_disruption_budget_selects_its_pods(stack: str) -> None:
    """policy/v1 PodDisruptionBudget: a budget with no selector selects no pod (it guards nothing); this one
    selects the webserver's pods, and no other."""
    objects = _control_plane(stack)
    (budget,) = [m for m in objects if m["kind"] == "PodDisruptionBudget"]
    (webserver,) = [m for m in objects if m["kind"] == "Deployment" and m["metadata"]["name"] == "dagster-webserver"]
    selector = budget["spec"]["selector"]["matchLabels"]
    assert budget["spec"]["maxUnavailable"] == 1 and selector
    pods = {m["metadata"]["name"]: m["spec"]["template"]["metadata"]["labels"] for m in objects
            if m["kind"] == "Deployment"}
    assert [name for name, labels in pods.items() if selector.items() <= labels.items()] == ["dagster-webserver"]
    assert selector.items() <= webserver["spec"]["template"]["metadata"]["labels"].items()
