"""Code locations (Data Platform Architecture, execution plane and invariants): every team's gRPC server is in
its own namespace, listed in workspace.yaml, reachable by the control plane and by no other team; the run Jobs'
RBAC is namespaced; run pods reach the database only when the team's config says so; a team's quota, budget
and failure stay in its namespace; everything a team owns carries its label."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
import yaml

from components.kubernetes.code_location import (
    CODE_LOCATION_LABEL,
    CONTROL_PLANE_LABEL,
    SERVICE_NAME,
    CodeLocationArgs,
    validate_code_location_args,
)
from components.kubernetes.dagster_control_plane import SERVICE_ACCOUNT, WORKSPACE_CONFIG_MAP
from stack_config import parse
from tests.kubernetes.reachability import Network, Pod
from tests.manifests import all_manifests, kubernetes_problems, registered_manifests
from tests.support import STACKS, plan_with, preflight_plan
from tests.test_stack_config import raw_config

# The README's `dagster-runs` Role: "run Jobs, their pods and logs". What dagster-k8s's K8sRunLauncher and
# K8sJobExecutor call (dagster docs, "Deploying Dagster to Kubernetes", run launcher RBAC): create, follow and
# delete the run's Job, read its status, its pods and their logs. Written out here, rule by rule.
RUN_JOB_RULES = [
    {"apiGroups": ["batch"], "resources": ["jobs"], "verbs": ["create", "get", "list", "watch", "delete"]},
    {"apiGroups": ["batch"], "resources": ["jobs/status"], "verbs": ["get"]},
    {"apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]},
    {"apiGroups": [""], "resources": ["pods/log"], "verbs": ["get"]},
]


def _cfg(stack: str) -> Any:
    return parse(stack, raw_config(stack))


def _workspace(manifests: list[dict[str, Any]], stack: str) -> list[dict[str, Any]]:
    config_map = next(m for m in manifests if m["kind"] == "ConfigMap" and m["metadata"]["name"] == WORKSPACE_CONFIG_MAP
                      and m["metadata"]["namespace"] == f"platform-{stack}")
    return [entry["grpc_server"] for entry in yaml.safe_load(config_map["data"]["workspace.yaml"])["load_from"]]


def _pod_templates(manifests: list[dict[str, Any]]) -> list[Pod]:
    """Every pod the plan's Deployments (registered or from the chart) would create, plus per namespace a bare pod
    and one wearing the control plane's labels (anyone who may create pods may set labels)."""
    pods = [Pod(d["metadata"]["namespace"], d["spec"]["template"]["metadata"].get("labels") or {})
            for d in manifests if d["kind"] == "Deployment"]
    namespaces = [m["metadata"]["name"] for m in manifests if m["kind"] == "Namespace"]
    return pods + [Pod(ns) for ns in namespaces] + [Pod(ns, CONTROL_PLANE_LABEL) for ns in namespaces]


def _one(manifests: list[dict[str, Any]], kind: str, namespace: str, name: str) -> dict[str, Any]:
    (found,) = [m for m in manifests if m["kind"] == kind and m["metadata"].get("namespace") == namespace
                and m["metadata"]["name"] == name]
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_team_has_a_code_location_listed_in_the_workspace(stack: str) -> None:
    manifests = registered_manifests(preflight_plan(stack))
    teams = _cfg(stack).teams
    assert _workspace(manifests, stack) == [
        {"host": f"{SERVICE_NAME}.team-{t.name}.svc.cluster.local", "port": t.code_location.port,
         "location_name": t.name} for t in sorted(teams, key=lambda t: t.name)]
    for team in teams:
        service = _one(manifests, "Service", f"team-{team.name}", SERVICE_NAME)
        assert service["spec"]["ports"] == [{"name": "grpc", "port": team.code_location.port, "targetPort": "grpc",
                                             "protocol": "TCP"}]
        deployment = _one(manifests, "Deployment", f"team-{team.name}", SERVICE_NAME)
        assert selects_all(service["spec"]["selector"], deployment["spec"]["template"]["metadata"]["labels"])
        (container,) = deployment["spec"]["template"]["spec"]["containers"]
        assert container["ports"] == [{"name": "grpc", "containerPort": team.code_location.port}]
        assert container["image"].endswith(f"/{team.code_location.repository}:{team.code_location.tag}")
        # `dagster api grpc` serves the module's definitions on every interface of the pod (Dagster docs,
        # "Workspace files": running your own gRPC server).
        assert container["args"] == ["dagster", "api", "grpc", "--host", "0.0.0.0", "--port",
                                     str(team.code_location.port), "--module-name", team.code_location.module]


def selects_all(selector: dict[str, str], labels: dict[str, str]) -> bool:
    return all(labels.get(k) == v for k, v in selector.items())


@pytest.mark.parametrize("stack", STACKS)
def test_code_locations_run_as_the_teams_irsa_account_and_launch_runs_there(stack: str) -> None:
    """dagster-k8s launches a location's runs with the container context its server reports
    (DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT): the team's namespace and account, restricted-PSS pod settings."""
    manifests = registered_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        namespace = f"team-{team.name}"
        pod = _one(manifests, "Deployment", namespace, SERVICE_NAME)["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == team.name
        account = _one(manifests, "ServiceAccount", namespace, team.name)
        assert "eks.amazonaws.com/role-arn" in account["metadata"]["annotations"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        context = json.loads(env["DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT"])["k8s"]
        assert context["namespace"] == namespace
        assert context["service_account_name"] == team.name
        assert context["labels"] == {"team": team.name}
        security = context["run_k8s_config"]["pod_spec_config"]["security_context"]
        assert security["runAsNonRoot"] is True and security["seccompProfile"] == {"type": "RuntimeDefault"}
        assert context["run_k8s_config"]["container_config"]["security_context"]["capabilities"] == {"drop": ["ALL"]}
        assert env["DAGSTER_CLI_API_GRPC_CONTAINER_IMAGE"] == pod["containers"][0]["image"]


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _run_pod(context: dict[str, Any]) -> dict[str, Any]:
    """The Pod dagster-k8s makes of a container context's `run_k8s_config`: `pod_spec_config` is a V1PodSpec's,
    `container_config` a V1Container's, each key in the Python client's snake case or the API's camel case
    (dagster_k8s `k8s_model_from_dict`, which refuses a key the model lacks)."""
    config = context["run_k8s_config"]
    container = {"name": "dagster", "image": "example.com/run:1",
                 **{_camel(k): v for k, v in config["container_config"].items()}}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "run", "namespace": context["namespace"]},
            "spec": {**{_camel(k): v for k, v in config["pod_spec_config"].items()}, "containers": [container]}}


@pytest.mark.parametrize("stack", STACKS)
def test_each_locations_runs_are_valid_pods_that_the_restricted_standard_admits(stack: str) -> None:
    """A run pod is made from the container context, so its fields must be the Kubernetes API's (a misspelt one
    fails the launch) and satisfy the restricted Pod Security Standard the team namespace enforces (kubernetes.io,
    "Pod Security Standards": non-root with a non-zero UID, RuntimeDefault seccomp, no privilege escalation,
    every capability dropped)."""
    version = _cfg(stack).cluster.version
    manifests = registered_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        pod = _one(manifests, "Deployment", f"team-{team.name}", SERVICE_NAME)["spec"]["template"]["spec"]
        env = {e["name"]: e.get("value") for e in pod["containers"][0]["env"]}
        run = _run_pod(json.loads(env["DAGSTER_CLI_API_GRPC_CONTAINER_CONTEXT"])["k8s"])
        assert kubernetes_problems([run], version) == []
        security, container = run["spec"]["securityContext"], run["spec"]["containers"][0]["securityContext"]
        assert security["runAsNonRoot"] is True and security["runAsUser"] > 0 and security["runAsGroup"] > 0
        assert security["seccompProfile"] == container["seccompProfile"] == {"type": "RuntimeDefault"}
        assert container["allowPrivilegeEscalation"] is False and container["capabilities"] == {"drop": ["ALL"]}


@pytest.mark.parametrize("stack", STACKS)
def test_each_code_location_is_reachable_by_the_control_plane_and_by_no_other_team(stack: str) -> None:
    """NetworkPolicy semantics (kubernetes.io, Network Policies): a connection needs the source's egress and the
    destination's ingress; the policies are enforced by the VPC CNI's network policy agent (cluster add-on)."""
    manifests = all_manifests(preflight_plan(stack))
    network = Network(manifests)
    pods = _pod_templates(manifests)
    control_plane = [p for p in pods if p.namespace == f"platform-{stack}" and selects_all(CONTROL_PLANE_LABEL,
                                                                                           dict(p.labels))]
    assert len(control_plane) == 3  # webserver, daemon, and the label alone
    for team in _cfg(stack).teams:
        namespace = f"team-{team.name}"
        location = Pod(namespace, _one(manifests, "Deployment", namespace, SERVICE_NAME)["spec"]["template"]
                       ["metadata"]["labels"])
        port = team.code_location.port
        assert all(network.connects(source, location, port) for source in control_plane)
        # On the gRPC port only (README): no other port of the server is open, to the control plane either.
        assert not any(network.ingress_allows(source, location, other) for source in control_plane
                       for other in (port - 1, port + 1, 8080))
        others = {p.namespace: network.ingress_allows(p, location, port) for p in pods if p.namespace != namespace
                  and p not in control_plane}
        # Another team's pods never; of the platform, only the control plane. The monitoring namespace's scrape
        # exception (every pod of every namespace, platform_namespace.py) predates Dagster and is not a team.
        assert {ns for ns, allowed in others.items() if allowed} <= {"platform-monitoring"}
        assert not any(allowed for ns, allowed in others.items() if ns.startswith("team-"))


@pytest.mark.parametrize("stack", STACKS)
def test_a_team_reaches_nothing_of_another_team(stack: str) -> None:
    manifests = all_manifests(preflight_plan(stack))
    network = Network(manifests)
    pods = [p for p in _pod_templates(manifests) if p.namespace.startswith("team-")]
    teams = {p.namespace for p in pods}
    assert len(teams) == len(_cfg(stack).teams) >= 2
    ports = {t.code_location.port for t in _cfg(stack).teams} | {80, 443, 5432}
    for source in pods:
        for destination in pods:
            if source.namespace != destination.namespace:
                assert not any(network.connects(source, destination, port) for port in ports), (source, destination)


@pytest.mark.parametrize("stack", STACKS)
def test_run_jobs_rbac_is_namespaced_to_the_team_namespaces(stack: str) -> None:
    """Kubernetes RBAC: a RoleBinding grants a Role's permissions in its own namespace only; nothing here is a
    ClusterRole or ClusterRoleBinding."""
    manifests = all_manifests(preflight_plan(stack))
    assert [m for m in manifests if m["kind"] in ("ClusterRole", "ClusterRoleBinding")] == []
    control_plane = {"kind": "ServiceAccount", "name": SERVICE_ACCOUNT, "namespace": f"platform-{stack}"}
    bound_in = {m["metadata"]["namespace"] for m in manifests if m["kind"] == "RoleBinding"
                and control_plane in m["subjects"]}
    teams = _cfg(stack).teams
    assert bound_in == {f"team-{t.name}" for t in teams}
    for team in teams:
        namespace = f"team-{team.name}"
        role = _one(manifests, "Role", namespace, "dagster-runs")
        assert role["rules"] == RUN_JOB_RULES
        binding = _one(manifests, "RoleBinding", namespace, "dagster-runs")
        assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "dagster-runs"}
        assert binding["subjects"] == [control_plane,
                                       {"kind": "ServiceAccount", "name": team.name, "namespace": namespace}]


@pytest.mark.parametrize("stack", STACKS)
def test_the_run_jobs_role_writes_only_jobs_and_never_touches_secrets(stack: str) -> None:
    """Kubernetes RBAC ("Using RBAC Authorization"): the Role grants exactly its verbs on its resources. The run
    launcher writes Jobs only; pods and logs are read (get/list/watch); `secrets` and `*` appear nowhere (a team
    account that could read Secrets would read every synced login of its namespace)."""
    manifests = all_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        role = _one(manifests, "Role", f"team-{team.name}", "dagster-runs")
        for rule in role["rules"]:
            named = set(rule["apiGroups"]) | set(rule["resources"]) | set(rule["verbs"])
            assert "*" not in named and "secrets" not in rule["resources"], rule
            if set(rule["verbs"]) - {"get", "list", "watch"}:
                assert (rule["apiGroups"], rule["resources"]) == (["batch"], ["jobs"]), rule


@pytest.mark.parametrize("stack", STACKS)
def test_a_code_location_waits_for_its_team_namespace_and_the_operator_and_its_binding_for_its_role(
        stack: str) -> None:
    """Kubernetes refuses objects in a namespace that does not exist, and a SecretStore or ExternalSecret before
    the operator's CRDs; a RoleBinding to a missing Role grants nothing (RBAC docs). Children do not inherit a
    component's dependsOn, so each child must carry it, and the ExternalSecret must wait for its SecretStore."""
    plan = preflight_plan(stack)
    operator = plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-secret-sync-external-secrets")
    for team in _cfg(stack).teams:
        location = plan.one("platform:kubernetes:CodeLocation", name=f"team-{team.name}-code-location")
        namespace = next(r for r in plan.of_type("kubernetes:core/v1:Namespace")
                         if r.inputs["metadata"]["name"] == f"team-{team.name}")
        children = plan.children(location)
        for child in children:
            assert {namespace.urn, operator.urn} <= set(child.options["dependsOn"]), child.name
        (role,) = [c for c in children if c.type.endswith("/v1:Role")]
        (binding,) = [c for c in children if c.type.endswith("/v1:RoleBinding")]
        assert role.urn in binding.options["dependsOn"]
        stores = [c for c in children if c.type == "kubernetes:external-secrets.io/v1:SecretStore"]
        for secret in (c for c in children if c.type == "kubernetes:external-secrets.io/v1:ExternalSecret"):
            assert [s.urn for s in stores if s.urn in secret.options["dependsOn"]] == [s.urn for s in stores] != []


def _database_policies(stack: str, overrides: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Team -> the policies letting its run pods reach the database's address and port."""
    plan = plan_with(stack, overrides) if overrides else preflight_plan(stack)
    raw = {**raw_config(stack), **(overrides or {})}
    cfg = parse(stack, raw)
    network = Network(all_manifests(plan))
    # An address in the database subnets (where RDS places the instance).
    blocks = plan.one("platform:network:Network").component_outputs["database_cidrs"]
    database = str(next(iter(ipaddress.ip_network(sorted(blocks)[0]).hosts())))
    return {t.name: network.egress_allows_ip(Pod(f"team-{t.name}", {"app.kubernetes.io/component": "run_worker"}),
                                             database, cfg.database_port) for t in cfg.teams}


def test_run_pods_reach_the_database_only_when_the_teams_config_says_so() -> None:
    """In prod (restricted egress) the only path from a team's run pods to the database is `dagster-run-egress`,
    present exactly for the teams with runsReachDatabase. (dev and staging egress profiles open the VPC to every
    pod; there the database's security group is the gate.)"""
    teams = raw_config("prod")["teams"]
    assert _database_policies("prod") == {t: ["dagster-run-egress"] for t, v in teams.items()
                                          if v.get("codeLocation", {}).get("runsReachDatabase", True)} | {
        t: [] for t, v in teams.items() if not v.get("codeLocation", {}).get("runsReachDatabase", True)}
    first = sorted(teams)[0]
    closed = {**teams, first: {**teams[first], "codeLocation": {**teams[first].get("codeLocation", {}),
                                                                "runsReachDatabase": False}}}
    assert _database_policies("prod", {"teams": closed})[first] == []


def _database_secrets(plan: Any) -> dict[str, dict[str, Any]]:
    """Namespace -> the ExternalSecret writing `dagster-database` there."""
    return {r.inputs["metadata"]["namespace"]: r.inputs
            for r in plan.of_type("kubernetes:external-secrets.io/v1:ExternalSecret")
            if r.inputs["spec"]["target"]["name"] == "dagster-database"}


def test_the_database_login_is_synced_only_where_runs_reach_the_database() -> None:
    """The run launcher gives run pods the password from `dagster-database` of their namespace (key
    `postgresql-password`, dagster_k8s.job): it is synced into a team's namespace, by a SecretStore that
    authenticates as the team's account, exactly when its config says its runs reach the database; the team's
    role then reads that one login, and a team that does not opt in reads no secret at all."""
    teams = raw_config("prod")["teams"]
    first = sorted(teams)[0]
    for opted_in in (True, False):
        changed = {**teams, first: {**teams[first], "codeLocation": {**teams[first].get("codeLocation", {}),
                                                                     "runsReachDatabase": opted_in}}}
        plan = plan_with("prod", {"teams": changed})
        secrets = _database_secrets(plan)
        expected = {"platform-prod"} | {f"team-{t}" for t, v in changed.items()
                                        if v.get("codeLocation", {}).get("runsReachDatabase", True)}
        assert set(secrets) == expected
        login = plan.one("aws:secretsmanager/secret:Secret", name="prod-database-dagster-secret")
        policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"team-{first}-dagster-runs")
                            .inputs["policy"])
        read = [s for s in policy["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]]
        assert [s["Resource"] for s in read] == ([login.outputs["arn"]] if opted_in else [])
        if opted_in:
            spec = secrets[f"team-{first}"]["spec"]
            assert {d["secretKey"] for d in spec["data"]} == {"password", "postgresql-password"}
            assert {d["remoteRef"]["key"] for d in spec["data"]} == {login.inputs["name"]}
            # The bootstrap Job (charts/ml-platform/templates/bootstrap.yaml) stores the login as JSON
            # `{"password": ...}`; ESO's property names that JSON key, case-sensitively.
            assert {d["remoteRef"]["property"] for d in spec["data"]} == {"password"}
            store = next(r for r in plan.of_type("kubernetes:external-secrets.io/v1:SecretStore")
                         if r.inputs["metadata"] == {"name": spec["secretStoreRef"]["name"],
                                                      "namespace": f"team-{first}", "labels": {"team": first}})
            assert store.inputs["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"] == {"name": first}


@pytest.mark.parametrize("stack", STACKS)
def test_run_pods_may_upload_compute_logs_where_the_instance_sends_them_and_read_none(stack: str) -> None:
    """Run pods run as the team's IRSA account (container context) and upload their steps' logs with the
    instance's S3ComputeLogManager: the team's role may PutObject exactly under the instance's bucket and prefix,
    and may neither read nor list there (the control plane's role reads them for the UI), so no team reads
    another team's logs."""
    plan = preflight_plan(stack)
    (config_map,) = [r for r in plan.of_type("kubernetes:core/v1:ConfigMap")
                     if r.inputs["metadata"]["name"] == "dagster-instance"
                     and r.inputs["metadata"]["namespace"] == f"platform-{stack}"]
    logs = yaml.safe_load(config_map.inputs["data"]["dagster.yaml"])["compute_logs"]["config"]
    artifacts = plan.one("platform:storage:EncryptedBucket", name=f"{stack}-artifacts").component_outputs
    assert logs["bucket"] == artifacts["bucket_name"]
    for team in _cfg(stack).teams:
        policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"team-{team.name}-dagster-runs")
                            .inputs["policy"])
        on_logs = [s for s in policy["Statement"] if str(s["Resource"]).startswith(artifacts["bucket_arn"])]
        assert on_logs == [{"Sid": "UploadComputeLogs", "Effect": "Allow",
                            "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
                            "Resource": f"{artifacts['bucket_arn']}/{logs['prefix']}/*"}]
        (key,) = [s for s in policy["Statement"] if s["Resource"] == artifacts["key_arn"]]
        assert key["Condition"] == {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}
        # The instance run pods read in the team's namespace is the control plane's (same bucket and prefix).
        (team_instance,) = [r for r in plan.of_type("kubernetes:core/v1:ConfigMap")
                            if r.inputs["metadata"]["name"] == "dagster-instance"
                            and r.inputs["metadata"]["namespace"] == f"team-{team.name}"]
        assert team_instance.inputs["data"] == config_map.inputs["data"]


@pytest.mark.parametrize("stack", STACKS)
def test_a_teams_quota_budget_and_failure_stay_in_its_namespace(stack: str) -> None:
    """Isolation invariant: the team's server, its disruption budget and its quota are objects of its namespace;
    the budget selects only its server and lets a drain proceed (maxUnavailable 1, never a stuck node)."""
    manifests = registered_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        namespace = f"team-{team.name}"
        budget = _one(manifests, "PodDisruptionBudget", namespace, SERVICE_NAME)
        assert budget["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": CODE_LOCATION_LABEL}}
        quota = _one(manifests, "ResourceQuota", namespace, "quota")
        assert quota["spec"]["hard"]["limits.cpu"] == team.quota.cpu
        container = _one(manifests, "Deployment", namespace, SERVICE_NAME)["spec"]["template"]["spec"]["containers"][0]
        assert set(container["resources"]["limits"]) == {"cpu", "memory"}
        # The server's health is its own probe: a failing team restarts its pod, nothing else.
        assert container["livenessProbe"]["exec"]["command"][:3] == ["dagster", "api", "grpc-health-check"]
        # The check is a new Python process importing dagster, seconds of work: Kubernetes' default probe timeout
        # (1 s) would fail it on every try and restart a healthy server.
        assert container["livenessProbe"]["timeoutSeconds"] >= 5
        assert container["readinessProbe"] == container["livenessProbe"]
    budgets = [m for m in manifests if m["kind"] == "PodDisruptionBudget"
               and m["spec"]["selector"] == {"matchLabels": CODE_LOCATION_LABEL}]
    assert sorted(b["metadata"]["namespace"] for b in budgets) == sorted(f"team-{t.name}" for t in _cfg(stack).teams)


@pytest.mark.parametrize("stack", STACKS)
def test_every_object_of_a_code_location_is_owned_by_its_team(stack: str) -> None:
    """Ownership invariant: one owning team per object, including the egress rule it adds to the control plane."""
    plan = preflight_plan(stack)
    for team in _cfg(stack).teams:
        component = plan.one("platform:kubernetes:CodeLocation", name=f"team-{team.name}-code-location")
        children = plan.descendants(component)
        assert len(children) >= 9
        assert {c.inputs["metadata"]["labels"].get("team") for c in children} == {team.name}
        assert all(c.name.startswith(f"team-{team.name}-") for c in children)


def test_bad_args_are_refused_naming_each_property() -> None:
    args = CodeLocationArgs(team="fraud", service_account="fraud", image="r", tag="latest", port=80,
                            control_plane_namespace="team-fraud", control_plane_service_account="dagster",
                            instance_yaml="", runs_reach_database=True, labels={"team": "other"})
    with pytest.raises(ValueError) as info:
        validate_code_location_args(args)
    for words in ("port must be between 1024", "tag must pin", "database_cidrs must name",
                  "control_plane_namespace must not", "labels.team must be 'fraud'",
                  "database_login_secret and region are required"):
        assert words in str(info.value)


def test_the_team_label_is_refused_only_when_it_names_another_team() -> None:
    args = CodeLocationArgs(team="fraud", service_account="fraud", image="r", tag="latest", port=80,
                            control_plane_namespace="team-fraud", control_plane_service_account="dagster",
                            instance_yaml="", runs_reach_database=True, labels={"team": "fraud"})
    with pytest.raises(ValueError) as info:
        validate_code_location_args(args)  # refused for its other problems
    assert "labels.team" not in str(info.value)


@pytest.mark.parametrize("stack", STACKS)
def test_the_server_tells_dagster_its_image_and_holds_no_api_token(stack: str) -> None:
    """Dagster's run launcher starts runs in `DAGSTER_CURRENT_IMAGE` (dagster-k8s docs: the code location's own
    image, the same as the gRPC server's `DAGSTER_CLI_API_GRPC_CONTAINER_IMAGE`); the server never calls the
    Kubernetes API, so no service account token is mounted (the IRSA token is projected apart)."""
    manifests = registered_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        pod = _one(manifests, "Deployment", f"team-{team.name}", SERVICE_NAME)["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["DAGSTER_CURRENT_IMAGE"] == env["DAGSTER_CLI_API_GRPC_CONTAINER_IMAGE"] == container["image"]
        assert pod["automountServiceAccountToken"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_the_code_location_server_runs_restricted_with_a_writable_tmp(stack: str) -> None:
    """Pod Security Standards, restricted profile (kubernetes.io/docs/concepts/security/pod-security-standards):
    non-root, no privilege escalation, every capability dropped, the RuntimeDefault seccomp profile; the root
    filesystem read-only, so the only writable path is the emptyDir mounted at /tmp (Python and gRPC write there)."""
    manifests = registered_manifests(preflight_plan(stack))
    for team in _cfg(stack).teams:
        pod = _one(manifests, "Deployment", f"team-{team.name}", SERVICE_NAME)["spec"]["template"]["spec"]
        (container,) = pod["containers"]
        assert container["securityContext"] == {
            "runAsNonRoot": True, "runAsUser": 10001, "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]},
            "seccompProfile": {"type": "RuntimeDefault"}}
        # The pod's own context too: an ephemeral container (`kubectl debug`) is held to the namespace's
        # restricted level and inherits only what the pod sets; fsGroup makes mounted volumes writable.
        assert pod["securityContext"] == {"runAsNonRoot": True, "runAsUser": 10001, "runAsGroup": 10001,
                                          "fsGroup": 10001, "seccompProfile": {"type": "RuntimeDefault"}}
        assert pod["volumes"] == [{"name": "tmp", "emptyDir": {}}]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
