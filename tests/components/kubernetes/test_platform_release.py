"""The Helm release in each stack's plan: the local chart at its pinned version, values generated from config
and outputs (pipelines paused outside prod), no secret in the values, and the chart rendered and linted
offline by helm-python-sdk with exactly those values."""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest
import yaml

from preflight.harness import Secret, reveal
from stack_config import parse
from tests.manifests import chart_dir, platform_release, registered_manifests, release_values, rendered_chart
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

RELEASE = "kubernetes:helm.sh/v3:Release"


def _kinds(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in documents if d["kind"] == kind]


def _pods(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    specs = [d["spec"]["template"]["spec"] for d in _kinds(documents, "Deployment") + _kinds(documents, "Job")]
    return specs + [d["spec"]["jobTemplate"]["spec"]["template"]["spec"] for d in _kinds(documents, "CronJob")]


def _leaves(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [leaf for v in value.values() for leaf in _leaves(v)]
    if isinstance(value, list):
        return [leaf for v in value for leaf in _leaves(v)]
    return [value]


@pytest.mark.parametrize("stack", STACKS)
def test_release_deploys_the_pinned_local_chart_after_what_its_pods_need(stack: str) -> None:
    """The release is atomic and waits for its pods: everything they need must exist first (REALITY.md 1): the
    service accounts they run as, the node pools they land on, the database MLflow and the bootstrap Job
    connect to, and the secret operator whose CRDs (ExternalSecret, SecretStore) the chart holds."""
    plan = preflight_plan(stack)
    release = platform_release(plan)
    chart = yaml.safe_load((chart_dir(plan) / "Chart.yaml").read_text())
    assert release.inputs["chart"] == "charts/ml-platform"
    assert release.inputs["version"] == chart["version"]
    assert release.inputs["namespace"] == f"platform-{stack}"
    waits = set(release.options["dependsOn"])
    accounts = [r.urn for r in plan.of_type("kubernetes:core/v1:ServiceAccount")
                if r.inputs["metadata"]["namespace"] in (f"platform-{stack}", "platform-mlops")
                and "platform:kubernetes:PlatformNamespace$" in r.urn]  # the chart's, not Dagster's own
    assert len(accounts) == 9  # six IRSA accounts + deployer in platform-<env>, mlflow + deployer in mlops
    assert set(accounts) <= waits
    assert {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")} <= waits
    assert plan.one("aws:rds/instance:Instance", name=f"{stack}-database-instance").urn in waits
    operator = next(r for r in plan.of_type(RELEASE) if r.inputs["chart"] == "external-secrets")
    assert operator.urn in waits


@pytest.mark.parametrize("stack", STACKS)
def test_release_waits_for_every_secret_its_hooks_and_pods_read_or_fill(stack: str) -> None:
    """The README's Secrets section: the chart's ExternalSecrets sync `ml-platform-<env>/database/{mlflow,dagster}`
    and the bootstrap hook fills them and Grafana's `ml-platform-<env>/grafana/admin`; Secrets Manager refuses
    PutSecretValue on a secret that does not exist (ResourceNotFoundException), and the atomic release rolls back
    when its hook fails. So each of these Secrets is an edge of the release itself (children do not inherit a
    component's dependsOn): the release's dependsOn holds its URN, and the values name it."""
    plan = preflight_plan(stack)
    release = platform_release(plan)
    values = release_values(plan)
    expected = {f"ml-platform-{stack}/database/mlflow", f"ml-platform-{stack}/database/dagster",
                f"ml-platform-{stack}/grafana/admin"}
    named = {f"{values['database']['loginSecretPrefix']}/{user}" for user in values["database"]["users"]}
    named |= {login["secretId"] for login in values["bootstrap"]["generatedLogins"]}
    assert named == expected
    secrets = {s.inputs["name"]: s.urn for s in plan.of_type("aws:secretsmanager/secret:Secret")}
    assert expected <= set(secrets)
    assert {secrets[name] for name in expected} <= set(release.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_values_come_from_config_and_outputs(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    plan = preflight_plan(stack)
    values = release_values(plan)
    assert values["pipelinesPaused"] is (stack != "prod")
    assert values["environment"] == stack
    assert values["imageTag"] == cfg.helm.image_tag
    artifacts = plan.one("platform:storage:EncryptedBucket", name=f"{stack}-artifacts")
    assert values["mlflow"]["artifactRoot"] == f"s3://{artifacts.component_outputs['bucket_name']}/mlflow"
    assert values["workers"]["autoscaling"]["maxReplicas"] == cfg.workers_max_replicas
    database = plan.one("aws:rds/instance:Instance", name=f"{stack}-database-instance")
    assert values["database"]["host"] == database.outputs["address"]
    assert values["database"]["masterSecretArn"] == database.outputs["masterUserSecrets"][0]["secretArn"]


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_in_the_values_and_no_password_anywhere_in_the_plan(stack: str) -> None:
    """The master password is RDS-managed (`manage_master_user_password`: generated and rotated by RDS in
    Secrets Manager, Amazon RDS User Guide, "Password management with Secrets Manager"); the application
    logins are written by the bootstrap Job. So no resource of the plan takes a password input, none is
    generated (RandomPassword) and no Kubernetes Secret is registered by the program."""
    plan = preflight_plan(stack)
    values = platform_release(plan).inputs["values"]
    assert not any(isinstance(v, Secret) for v in _leaves(values))
    assert not any("postgresql://" in str(v) for v in _leaves(values))
    assert plan.of_type("random:index/randomPassword:RandomPassword") == []
    assert plan.of_type("kubernetes:core/v1:Secret") == []
    assert [  # only the Databricks OAuth secret, which Databricks generates, passes through state (a Pulumi secret)
        v for v in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        if "platform:secrets:PrincipalSecret" not in v.urn] == []
    for instance in plan.of_type("aws:rds/instance:Instance"):
        assert "password" not in instance.inputs and "passwordWo" not in instance.inputs
    primary = plan.one("aws:rds/instance:Instance", name=f"{stack}-database-instance")
    assert primary.inputs["manageMasterUserPassword"] is True
    password_keys = [f"{r.name}.{key}" for r in plan.registered for key in reveal(r.inputs)
                     if "password" in key.lower() and key != "manageMasterUserPassword"]
    assert password_keys == []


@pytest.mark.parametrize("stack", STACKS)
def test_chart_lints_strictly_with_the_stacks_values(stack: str) -> None:
    plan = preflight_plan(stack)
    version = parse(stack, raw_config(stack)).cluster.version
    report = helm.lint(str(chart_dir(plan)), release_values(plan), strict=True, kube_version=f"v{version}.0",
                       namespace=f"platform-{stack}")
    assert report["errors"] == []
    assert [m for m in report["messages"] if m["severity"] >= 2] == []


def test_the_values_schema_refuses_a_bad_value() -> None:
    """Lint can fail: a values file the schema refuses (a `latest` image tag) is reported."""
    plan = preflight_plan("prod")
    report = helm.lint(str(chart_dir(plan)), {**release_values(plan), "imageTag": "latest"}, strict=True)
    assert report["errors"] or [m for m in report["messages"] if m["severity"] >= 2]


@pytest.mark.parametrize("stack", STACKS)
def test_paused_pipelines_run_no_workers_and_suspend_dbt(stack: str) -> None:
    documents = rendered_chart(preflight_plan(stack))
    workers = next(d for d in _kinds(documents, "Deployment") if d["metadata"]["name"] == "pipeline-workers")
    (cronjob,) = [d for d in _kinds(documents, "CronJob") if d["metadata"]["name"] == "dbt"]
    assert cronjob["spec"]["schedule"] == "0 */6 * * *"
    if stack == "prod":
        (hpa,) = _kinds(documents, "HorizontalPodAutoscaler")
        ceiling = parse(stack, raw_config(stack)).workers_max_replicas
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, ceiling)
        assert hpa["spec"]["metrics"][0]["resource"]["target"]["averageUtilization"] == 70
        assert "replicas" not in workers["spec"]  # the autoscaler owns it
        assert cronjob["spec"]["suspend"] is False
    else:
        assert _kinds(documents, "HorizontalPodAutoscaler") == []
        assert workers["spec"]["replicas"] == 0
        assert cronjob["spec"]["suspend"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_every_pod_is_non_root_read_only_bounded_and_runs_as_an_irsa_account(stack: str) -> None:
    plan = preflight_plan(stack)
    documents = rendered_chart(plan)
    accounts = {a["metadata"]["name"]: a for a in registered_manifests(plan)
                if a["kind"] == "ServiceAccount"
                and a["metadata"]["namespace"] in (f"platform-{stack}", "platform-mlops")}
    pods = _pods(documents)
    assert len(pods) == 5  # workers, MLflow, the bootstrap Job, dbt, the login rotation
    for pod in pods:
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] >= 10000
        assert "eks.amazonaws.com/role-arn" in accounts[pod["serviceAccountName"]]["metadata"]["annotations"]
        for container in pod["containers"]:
            assert container["securityContext"]["readOnlyRootFilesystem"] is True
            assert container["securityContext"]["allowPrivilegeEscalation"] is False
            assert set(container["resources"]) == {"requests", "limits"}
            assert container["image"].endswith(f":{release_values(plan)['imageTag']}")


@pytest.mark.parametrize("stack", STACKS)
def test_every_pod_lands_on_an_untainted_pool_of_the_plan(stack: str) -> None:
    """The chart's pods select nodes by the `pool` label; that pool must exist and not repel them."""
    plan = preflight_plan(stack)
    pools = {group.inputs["labels"]["pool"]: group.inputs.get("taints", [])
             for group in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    for pod in _pods(rendered_chart(plan)):
        pool = pod["nodeSelector"]["pool"]
        assert pool in pools
        assert pools[pool] == [] or pod.get("tolerations"), pool


@pytest.mark.parametrize("stack", STACKS)
def test_mlflow_runs_in_platform_mlops_two_zones_with_a_budget_and_a_startup_probe(stack: str) -> None:
    """Design Appendix namespace table: MLflow in platform-mlops. Two replicas survive a node drain (a
    PodDisruptionBudget, Kubernetes "Specifying a Disruption Budget") and a zone outage (a zone spread
    constraint); the startup probe lets the first start migrate the schema before liveness kills it."""
    documents = rendered_chart(preflight_plan(stack))
    cfg = parse(stack, raw_config(stack))
    (mlflow,) = [d for d in _kinds(documents, "Deployment") if d["metadata"]["name"] == "mlflow"]
    assert mlflow["metadata"]["namespace"] == "platform-mlops"
    assert mlflow["spec"]["replicas"] == 2
    pod = mlflow["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == "mlflow"
    (spread,) = pod["topologySpreadConstraints"]
    assert spread["topologyKey"] == "topology.kubernetes.io/zone" and spread["maxSkew"] == 1
    assert spread["whenUnsatisfiable"] == (
        "DoNotSchedule" if cfg.node_pools["compute"].min_size >= 2 else "ScheduleAnyway")
    (anti,) = pod["affinity"]["podAntiAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
    assert anti["topologyKey"] == "kubernetes.io/hostname"
    assert anti["labelSelector"]["matchLabels"] == mlflow["spec"]["selector"]["matchLabels"]
    (container,) = pod["containers"]
    assert container["startupProbe"]["failureThreshold"] * container["startupProbe"]["periodSeconds"] >= 120
    (budget,) = [d for d in _kinds(documents, "PodDisruptionBudget") if d["metadata"]["name"] == "mlflow"]
    assert budget["metadata"]["namespace"] == "platform-mlops"
    assert budget["spec"]["selector"]["matchLabels"] == mlflow["spec"]["selector"]["matchLabels"]
    assert 1 <= budget["spec"]["minAvailable"] < mlflow["spec"]["replicas"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_image_comes_from_this_accounts_ecr(stack: str) -> None:
    """Every container image of the rendered chart is a repository of the plan's ImageRegistries, in the
    stack's own account and region (ECR: `<account>.dkr.ecr.<region>.amazonaws.com/<name>`)."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    account = plan.one("aws:organizations/account:Account").id
    repositories = {r.inputs["name"] for r in plan.of_type("aws:ecr/repository:Repository")}
    images = [c["image"] for pod in _pods(rendered_chart(plan)) for c in pod["containers"]]
    assert len(images) >= 5
    for image in images:
        repository, _, tag = image.rpartition(":")
        host, _, name = repository.partition("/")
        assert host == f"{account}.dkr.ecr.{cfg.region}.amazonaws.com", image
        assert name in repositories, image
        assert tag == cfg.helm.image_tag


@pytest.mark.parametrize("stack", STACKS)
def test_every_secret_a_pod_reads_is_synced_from_secrets_manager(stack: str) -> None:
    """Pods read credentials only from Secrets that an ExternalSecret of the same namespace owns (External
    Secrets Operator, "ExternalSecret": `target.name` is the Secret it creates), through a SecretStore that
    authenticates as an IRSA service account of that namespace; never from a literal env value or `args`."""
    plan = preflight_plan(stack)
    documents = rendered_chart(plan)
    synced = {(d["metadata"]["namespace"], d["spec"]["target"]["name"]): d for d in _kinds(documents, "ExternalSecret")}
    stores = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in _kinds(documents, "SecretStore")}
    accounts = {(a["metadata"]["namespace"], a["metadata"]["name"]): a for a in registered_manifests(plan)
                if a["kind"] == "ServiceAccount"}
    workloads = _kinds(documents, "Deployment") + _kinds(documents, "Job") + _kinds(documents, "CronJob")
    read: list[tuple[str, str]] = []
    for workload in workloads:
        namespace = workload["metadata"]["namespace"]
        spec = workload["spec"].get("jobTemplate", workload)["spec"]["template"]["spec"]
        for container in spec["containers"]:
            for env in container.get("env", []):
                if "valueFrom" in env and "secretKeyRef" in env["valueFrom"]:
                    read.append((namespace, env["valueFrom"]["secretKeyRef"]["name"]))
                else:
                    assert not any(word in env["name"].upper() for word in ("PASSWORD", "SECRET", "TOKEN")) or \
                        env["name"] in ("MASTER_SECRET_ARN", "LOGIN_SECRET_PREFIX"), env
            read += [(namespace, e["secretRef"]["name"]) for e in container.get("envFrom", []) if "secretRef" in e]
            assert not any("$(" in arg or "postgresql://" in arg for arg in container.get("args", []))
        read += [(namespace, v["secret"]["secretName"]) for v in spec.get("volumes", []) if "secret" in v]
    assert {("platform-mlops", "mlflow-database"), (f"platform-{stack}", "dbt-databricks")} <= set(read)
    for key in read:
        assert key in synced, f"{key} is read by a pod but no ExternalSecret syncs it"
        store_ref = synced[key]["spec"]["secretStoreRef"]
        store = stores[(key[0], store_ref["name"])]
        account = store["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"]["name"]
        assert "eks.amazonaws.com/role-arn" in accounts[(key[0], account)]["metadata"]["annotations"]
    assert not any(isinstance(v, Secret) for v in _leaves(platform_release(plan).inputs["values"]))


@pytest.mark.parametrize("stack", STACKS)
def test_each_secret_store_reads_exactly_what_its_role_may(stack: str) -> None:
    """An ExternalSecret's remote keys are Secrets Manager names its store's IRSA role may read (the role's
    ReadOwnSecrets statement), so a sync never fails for want of a grant, and the grant is no wider."""
    import fnmatch
    import json

    from tests.components.iam_plan import role_documents

    plan = preflight_plan(stack)
    documents = rendered_chart(plan)
    stores = {(d["metadata"]["namespace"], d["metadata"]["name"]): d for d in _kinds(documents, "SecretStore")}
    for external in _kinds(documents, "ExternalSecret"):
        namespace = external["metadata"]["namespace"]
        store = stores[(namespace, external["spec"]["secretStoreRef"]["name"])]
        account = store["spec"]["provider"]["aws"]["auth"]["jwt"]["serviceAccountRef"]["name"]
        _, inline = role_documents(plan, f"ml-platform-{stack}-{account}")
        allowed = [arn for doc in inline for st in json.loads(doc)["Statement"] if st.get("Sid") == "ReadOwnSecrets"
                   for arn in st["Resource"]]
        for item in external["spec"]["data"]:
            name = item["remoteRef"]["key"]
            assert any(fnmatch.fnmatchcase(arn.split(":secret:", 1)[1], f"{name}-??????") for arn in allowed), name


def _cpu(quantity: str | int) -> float:
    text = str(quantity)
    return float(text[:-1]) / 1000 if text.endswith("m") else float(text)


def _memory(quantity: str | int) -> float:
    units = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
    text = str(quantity)
    return float(text[:-2]) * units[text[-2:]] if text[-2:] in units else float(text)


@pytest.mark.parametrize("stack", STACKS)
def test_every_workload_fits_its_namespaces_quota_during_a_rollout(stack: str) -> None:
    """A ResourceQuota refuses pods beyond it (Kubernetes "Resource Quotas"), and an atomic release then
    rolls back. Per namespace, from the rendered chart: each Deployment at its starting replicas (an
    autoscaled one at its HPA minimum) plus one surge pod (RollingUpdate's default maxSurge 25%, rounded up),
    each CronJob one pod (Forbid), each hook Job one pod; containers without resources get the namespace's
    LimitRange defaults. Requests and limits must both fit. (The HPA's ceiling against the quota is the
    cluster layer's check.)"""
    plan = preflight_plan(stack)
    documents = rendered_chart(plan)
    registered = registered_manifests(plan)
    quotas = {d["metadata"]["namespace"]: d["spec"]["hard"] for d in registered if d["kind"] == "ResourceQuota"}
    defaults = {d["metadata"]["namespace"]: d["spec"]["limits"][0] for d in registered if d["kind"] == "LimitRange"}
    autoscaled = {d["spec"]["scaleTargetRef"]["name"]: d["spec"]["minReplicas"]
                  for d in _kinds(documents, "HorizontalPodAutoscaler")}
    used: dict[str, dict[str, float]] = {}
    for workload in _kinds(documents, "Deployment") + _kinds(documents, "Job") + _kinds(documents, "CronJob"):
        namespace, name = workload["metadata"]["namespace"], workload["metadata"]["name"]
        if workload["kind"] == "Deployment":
            replicas = autoscaled.get(name, workload["spec"].get("replicas", 1))
            pods = replicas + (-(-replicas // 4) if replicas else 0)
        else:
            pods = 1
        spec = workload["spec"].get("jobTemplate", workload)["spec"]["template"]["spec"]
        for container in spec["containers"]:
            resources = container.get("resources", {})
            requests = resources.get("requests", defaults[namespace]["defaultRequest"])
            limits = resources.get("limits", defaults[namespace]["default"])
            total = used.setdefault(namespace, {"requests.cpu": 0.0, "limits.cpu": 0.0,
                                                "requests.memory": 0.0, "limits.memory": 0.0})
            total["requests.cpu"] += pods * _cpu(requests["cpu"])
            total["limits.cpu"] += pods * _cpu(limits["cpu"])
            total["requests.memory"] += pods * _memory(requests["memory"])
            total["limits.memory"] += pods * _memory(limits["memory"])
    assert set(used) == {f"platform-{stack}", "platform-mlops"}
    for namespace, total in used.items():
        hard = quotas[namespace]
        for key, amount in total.items():
            limit = _cpu(hard[key]) if key.endswith("cpu") else _memory(hard[key])
            assert amount <= limit, f"{namespace}: {key} {amount} over the quota {hard[key]}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_bootstrap_job_generates_the_ui_logins_the_stack_names_and_never_rotates_them(stack: str) -> None:
    """Grafana's admin login (REALITY.md 8): the rendered bootstrap Job receives `secret=username` pairs of the
    release's `bootstrap.generatedLogins` (the Grafana component's secret), its script fills such a secret only
    when it holds no password, and the quarterly rotation CronJob receives the same pairs but rotates only the
    database logins (the loop over GENERATED_LOGINS never looks at ROTATE: Grafana keeps its own copy)."""
    plan = preflight_plan(stack)
    login = plan.one("aws:secretsmanager/secret:Secret", name="platform-monitoring-grafana-admin-login")
    documents = rendered_chart(plan)
    bootstrap = [w for w in _kinds(documents, "Job") + _kinds(documents, "CronJob")
                 if w["metadata"]["name"] in ("db-bootstrap", "db-rotate-logins")]
    assert len(bootstrap) == 2
    for workload in bootstrap:
        spec = workload["spec"].get("jobTemplate", workload)["spec"]["template"]["spec"]
        (container,) = spec["containers"]
        env = {e["name"]: e.get("value") for e in container["env"]}
        assert env["GENERATED_LOGINS"] == f"{login.inputs['name']}=admin"
    (script,) = [d["data"]["bootstrap"] for d in _kinds(documents, "ConfigMap")
                 if d["metadata"]["name"] == "db-bootstrap"]
    loop = script[script.index("for pair in $GENERATED_LOGINS"):]
    assert "ROTATE" not in loop and 'if [ -z "$existing" ]' in loop
    assert "file:///tmp/login.json" in loop  # the password never in a process's arguments


# The stack files' `protection.protect`: dev disposable, staging and prod protected.
PROTECTED = {"dev": False, "staging": True, "prod": True}


@pytest.mark.parametrize("stack", STACKS)
def test_the_release_is_protected_where_the_stack_protects(stack: str) -> None:
    """Pulumi resource option `protect`: the engine refuses to delete a protected resource, so a refactor that
    drops the release (and with it every workload of the environment) fails instead of uninstalling it."""
    assert platform_release(preflight_plan(stack)).options["protect"] is PROTECTED[stack]


def test_every_problem_of_the_args_is_named_in_one_refusal() -> None:
    from components.kubernetes.platform_release import PlatformReleaseArgs, validate_platform_release_args

    args = PlatformReleaseArgs(
        namespace="platform-dev", chart_path="no-such-chart", environment="dev", image_tag="1.0",
        pipelines_paused=True, artifacts_bucket="b", service_accounts={}, images={}, region="eu-west-1",
        database_host="h", master_secret_arn="m", login_secret_prefix="p/", databricks_secret_name="d",
        workers_max_replicas=1)
    with pytest.raises(ValueError) as info:
        validate_platform_release_args(args)
    components = "['workers', 'mlflow', 'dbt', 'bootstrap']"
    assert str(info.value) == (f"service_accounts must name one for each of {components}, got []; images must name "
                               f"one for each of {components}, got []; workers_max_replicas must be >= 2, got 1; "
                               "chart_path must be a chart directory, got 'no-such-chart'")
