"""The Helm release in each stack's plan: the local chart at its pinned version, values generated from config
and outputs (pipelines paused outside prod), no secret in the values, and the chart rendered and linted
offline by helm-python-sdk with exactly those values."""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest
import yaml

from components.kubernetes.platform_release import BACKEND_STORE_SECRET
from preflight.harness import Secret
from stack_config import parse
from tests.manifests import chart_dir, registered_manifests, release_values, rendered_chart
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

RELEASE = "kubernetes:helm.sh/v3:Release"


def _kinds(documents: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [d for d in documents if d["kind"] == kind]


def _pods(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    specs = [d["spec"]["template"]["spec"] for d in _kinds(documents, "Deployment")]
    return specs + [d["spec"]["jobTemplate"]["spec"]["template"]["spec"] for d in _kinds(documents, "CronJob")]


@pytest.mark.parametrize("stack", STACKS)
def test_release_deploys_the_pinned_local_chart_into_the_environment_namespace(stack: str) -> None:
    release = preflight_plan(stack).one(RELEASE, name=f"{stack}-platform-release")
    chart = yaml.safe_load((chart_dir(preflight_plan(stack)) / "Chart.yaml").read_text())
    assert release.inputs["chart"] == "charts/ml-platform"
    assert release.inputs["version"] == chart["version"]
    assert release.inputs["namespace"] == f"platform-{stack}"
    # It waits for the environment namespace's service accounts: its pods run as them.
    accounts = [r.urn for r in preflight_plan(stack).of_type("kubernetes:core/v1:ServiceAccount")
                if r.inputs["metadata"]["namespace"] == f"platform-{stack}"
                and "::platform:kubernetes:PlatformNamespace$" in r.urn]
    assert len(accounts) == 5
    assert set(accounts) <= set(release.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_values_come_from_config_and_outputs(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    values = release_values(preflight_plan(stack))
    assert values["pipelinesPaused"] is (stack != "prod")
    assert values["environment"] == stack
    assert values["imageTag"] == cfg.helm.image_tag
    artifacts = preflight_plan(stack).one("platform:storage:EncryptedBucket", name=f"{stack}-artifacts")
    assert values["mlflow"]["artifactRoot"] == f"s3://{artifacts.component_outputs['bucket_name']}/mlflow"
    assert values["workers"]["autoscaling"]["maxReplicas"] == cfg.node_pools["compute"].max_size


@pytest.mark.parametrize("stack", STACKS)
def test_no_secret_in_the_values_and_the_password_reaches_only_a_secret(stack: str) -> None:
    plan = preflight_plan(stack)
    release = plan.one(RELEASE, name=f"{stack}-platform-release")

    def leaves(value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [leaf for v in value.values() for leaf in leaves(v)]
        if isinstance(value, list):
            return [leaf for v in value for leaf in leaves(v)]
        return [value]

    assert not any(isinstance(v, Secret) for v in leaves(release.inputs["values"]))
    assert not any("postgresql://" in str(v) for v in leaves(release.inputs["values"]))
    secret = plan.one("kubernetes:core/v1:Secret")
    assert secret.inputs["metadata"] == {"name": BACKEND_STORE_SECRET, "namespace": f"platform-{stack}"}
    assert isinstance(secret.inputs["stringData"], Secret)


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
    (cronjob,) = _kinds(documents, "CronJob")
    assert cronjob["spec"]["schedule"] == "0 */6 * * *"
    if stack == "prod":
        (hpa,) = _kinds(documents, "HorizontalPodAutoscaler")
        assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (2, 20)
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
                if a["kind"] == "ServiceAccount" and a["metadata"]["namespace"] == f"platform-{stack}"}
    pods = _pods(documents)
    assert len(pods) == 3
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
