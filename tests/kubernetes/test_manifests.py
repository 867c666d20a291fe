"""Every Kubernetes object of each stack's plan (the registered objects and the Helm chart rendered with the
stack's exact values), checked offline by third-party validators: kubernetes-validate against the OpenAPI
schemas of the cluster's version, and checkov's Kubernetes checks.

Offline limits: neither talks to an API server, so admission (Pod Security, quotas), CRDs and webhooks are
not exercised; checkov has no checks for quotas or NetworkPolicies (tests/components cover those).
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest

from stack_config import parse
from tests.kubernetes.crd_schemas import CRD_SCHEMAS
from tests.manifests import all_manifests, kubernetes_problems, write_manifests
from tests.support import PROJECT_DIR, STACKS, preflight_plan
from tests.test_stack_config import raw_config

# checkov findings we accept, each for named objects only and with the reason. Anything else fails.
ACCEPTED_FINDINGS: dict[tuple[str, str], str] = {
    # Design Appendix 3.3: platform-admin is full access, but only inside its own namespace (a Role, never a
    # ClusterRole), bound to the platform admins' group.
    ("CKV_K8S_49", "Role.*.platform-admin"): "namespace-scoped admin by design (wildcard verbs/resources)",
    ("CKV_K8S_157", "Role.*.platform-admin"): "namespace-scoped admin may bind roles inside its namespace",
    ("CKV_K8S_158", "Role.*.platform-admin"): "namespace-scoped admin may escalate inside its namespace",
    # Images are deployed by tag (helm.imageTag, set by CI's build); digests are not known to the stack.
    ("CKV_K8S_43", "Deployment.*.pipeline-workers"): "image pinned by release tag from CI, not by digest",
    ("CKV_K8S_43", "Deployment.*.mlflow"): "image pinned by release tag from CI, not by digest",
    ("CKV_K8S_43", "CronJob.*.dbt"): "image pinned by release tag from CI, not by digest",
    ("CKV_K8S_43", "Job.*.db-bootstrap"): "image pinned by release tag from CI, not by digest",
    ("CKV_K8S_43", "CronJob.*.db-rotate-logins"): "image pinned by release tag from CI, not by digest",
    # The tools read these credentials from the environment only (`mlflow server`'s MLFLOW_BACKEND_STORE_URI,
    # the Databricks SDK's DATABRICKS_CLIENT_ID/SECRET); they come from Secrets ESO syncs, never from args, and
    # a rotation rolls MLflow (Reloader) and reaches dbt's next Job.
    ("CKV_K8S_35", "Deployment.*.mlflow"): "MLflow reads its backend store URL from the environment only",
    ("CKV_K8S_35", "CronJob.*.dbt"): "the Databricks SDK reads its OAuth credentials from the environment",
    ("CKV_K8S_43", "Deployment.*.dagster-webserver"): "image pinned by the Dagster version, not by digest",
    ("CKV_K8S_43", "Deployment.*.dagster-daemon"): "image pinned by the Dagster version, not by digest",
    ("CKV_K8S_43", "Deployment.*.dagster-code-location"): "image pinned by the team's tag, not by digest",
    # The control plane calls the API server: the daemon launches and monitors run Jobs, the webserver
    # terminates them (RBAC: a Role per team namespace, code_location.py). The account itself mounts nothing.
    ("CKV_K8S_38", "Deployment.*.dagster-webserver"): "launches and terminates run Jobs through the API",
    ("CKV_K8S_38", "Deployment.*.dagster-daemon"): "launches and monitors run Jobs through the API",
    # dagster-postgres reads the password from an environment variable (`password: {env: ...}` in dagster.yaml).
    ("CKV_K8S_35", "Deployment.*.dagster-webserver"): "dagster.yaml takes the database password from the environment",
    ("CKV_K8S_35", "Deployment.*.dagster-daemon"): "dagster.yaml takes the database password from the environment",
}


def _checkov() -> str:
    for candidate in (os.environ.get("CHECKOV", ""), str(PROJECT_DIR / ".venv-checkov" / "bin" / "checkov")):
        if candidate and Path(candidate).exists():
            return candidate
    found = shutil.which("checkov")
    if found is None:
        pytest.fail("checkov not installed: python3 -m venv .venv-checkov && "
                    ".venv-checkov/bin/pip install --require-hashes -r requirements-checkov.txt")
    return found


def _accepted(check_id: str, resource: str) -> bool:
    kind, _, name = resource.split(".", 2)
    return any(check_id == accepted_id and pattern.split(".")[0] == kind and name == pattern.split(".", 2)[2]
               for accepted_id, pattern in ACCEPTED_FINDINGS)


@pytest.mark.parametrize("stack", STACKS)
def test_every_object_is_valid_for_the_clusters_kubernetes_version(stack: str) -> None:
    version = parse(stack, raw_config(stack)).cluster.version
    documents = all_manifests(preflight_plan(stack))
    kinds = {d["kind"] for d in documents}
    assert kinds >= {"Namespace", "ResourceQuota", "LimitRange", "NetworkPolicy", "Role", "RoleBinding",
                     "ServiceAccount", "ExternalSecret", "SecretStore", "Deployment", "Service", "CronJob", "Job",
                     "PodDisruptionBudget", "ConfigMap", "StorageClass"}
    assert kubernetes_problems(documents, version) == []


def test_the_custom_resource_schemas_refuse_a_misspelt_field() -> None:
    external = next(d for d in all_manifests(preflight_plan("prod")) if d["kind"] == "ExternalSecret")
    broken = {**external, "spec": {**external["spec"], "secretStoreRefs": {}}}
    schema = CRD_SCHEMAS[(external["apiVersion"], "ExternalSecret")]
    assert list(jsonschema.Draft7Validator(schema).iter_errors(external)) == []
    assert list(jsonschema.Draft7Validator(schema).iter_errors(broken)) != []


def test_the_validator_ships_the_clusters_version() -> None:
    """kubernetes-validate carries schemas per Kubernetes version; an unknown one raises instead of validating."""
    for stack in STACKS:
        version = parse(stack, raw_config(stack)).cluster.version
        assert (Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema"
                / f"v{version}.0-local-strict").is_dir(), version


def test_the_validator_refuses_a_malformed_object() -> None:
    """The check above can fail: a NetworkPolicy with a misspelt field is refused in strict mode, by
    kubernetes-validate's own `validate` and by the cached validators `kubernetes_problems` uses, which give
    the same verdict on every object of the plan."""
    version = parse("prod", raw_config("prod")).cluster.version
    documents = [d for d in all_manifests(preflight_plan("prod")) if (d["apiVersion"], d["kind"]) not in CRD_SCHEMAS]
    policy = next(d for d in documents if d["kind"] == "NetworkPolicy")
    broken: dict[str, Any] = {**policy, "spec": {**policy["spec"], "podSelectors": {}}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(broken, version, strict=True)
    assert len(kubernetes_problems([broken], version)) == 1
    for doc in documents:
        kubernetes_validate.validate(doc, version, strict=True)  # raises on what kubernetes_problems passed
    assert kubernetes_problems(documents, version) == []
    wrong_port = {**policy, "spec": {**policy["spec"], "ingress": [{"ports": [{"port": 80, "protocol": "TCPX"}]}]}}
    assert kubernetes_problems([wrong_port], version) != []


def _first(documents: list[dict[str, Any]], kind: str, has: str) -> dict[str, Any]:
    return copy.deepcopy(next(d for d in documents if d["kind"] == kind and has in json.dumps(d)))


@pytest.mark.parametrize(("kind", "has", "breaks", "expected"), [
    ("Deployment", '"containers"', lambda pod: pod["spec"]["template"]["spec"]["containers"][0].update(
        name="Code-Location"), "spec.template.spec.containers[0].name: a container's name must be a DNS-1123 label"),
    ("Deployment", '"ports"', lambda pod: next(c for c in pod["spec"]["template"]["spec"]["containers"]
                                               if c.get("ports"))["ports"][0].update(name="metrics-endpoint-1"),
     "ports[0].name: a port's name must be an IANA service name"),
    ("Deployment", '"requests"', lambda pod: next(c for c in pod["spec"]["template"]["spec"]["containers"]
                                                  if c.get("resources"))["resources"]["requests"].update(
        memory="512 Mi"), "resources.requests.memory: quantities must match"),
    ("ResourceQuota", '"hard"', lambda quota: quota["spec"]["hard"].update({"requests.cpu": "eight"}),
     "spec.hard.requests.cpu: quantities must match"),
    ("LimitRange", '"default"', lambda ranges: ranges["spec"]["limits"][0]["default"].update(memory="XX512MiXX"),
     "spec.limits[0].default.memory: quantities must match"),
    ("LimitRange", '"default"', lambda ranges: ranges["spec"]["limits"][0].update(type="CONTAINER"),
     "spec.limits[0].type: 'CONTAINER' is no standard limit type"),
    ("Service", '"ClusterIP"', lambda service: service["spec"].update(type="clusterip"),
     "spec.type: unsupported value 'clusterip'"),
    ("LimitRange", '"default"', lambda ranges: ranges["metadata"].update(name="XXdefault-limitsXX"),
     "metadata.name: a LimitRange's name must be a DNS-1123 subdomain, got 'XXdefault-limitsXX'"),
    ("Namespace", '"name"', lambda namespace: namespace["metadata"].update(name="team.a"),
     "metadata.name: a Namespace's name must be a DNS-1123 label"),
    ("Service", '"ports"', lambda service: service["metadata"].update(name="1-web"),
     "metadata.name: a Service's name must be a DNS-1035 label"),
    ("Role", '"rules"', lambda role: role["metadata"].update(name="team/reader"),
     "metadata.name: a Role's name must be a path segment"),
    ("Deployment", '"matchLabels"', lambda pod: pod["spec"]["selector"]["matchLabels"].update(
        {k: "other" for k in pod["spec"]["selector"]["matchLabels"]}),
     "does not match the template's labels"),
    ("Deployment", '"matchLabels"', lambda pod: pod["metadata"].setdefault("labels", {}).update(
        {"XXapp.kubernetes.io/nameXX": "web"}), "'XXapp.kubernetes.io/nameXX' is no label key"),
    ("Deployment", '"matchLabels"', lambda pod: pod["metadata"].setdefault("labels", {}).update(team="a b"),
     "metadata.labels.team: 'a b' is no label value"),
    ("Ingress", '"pathType"', lambda ingress: ingress["spec"]["rules"][0]["http"]["paths"][0].update(
        pathType="prefix"), "pathType: unsupported value 'prefix'"),
    ("Deployment", '"livenessProbe"', lambda pod: next(
        c for c in pod["spec"]["template"]["spec"]["containers"] if "exec" in c.get("livenessProbe", {})
    )["livenessProbe"].update(exec={}), "livenessProbe.exec.command: required"),
], ids=["container-name", "port-name", "container-quantity", "quota-quantity", "limit-range-quantity",
        "limit-range-type", "service-type", "object-name", "namespace-name", "service-name", "rbac-name",
        "selector-misses-its-pods", "label-key", "label-value", "ingress-path-type", "probe-without-command"])
def test_a_name_or_quantity_the_api_server_cannot_parse_is_refused(kind: str, has: str, breaks: Any,
                                                                   expected: str) -> None:
    """The OpenAPI schemas type names and quantities as strings; the API server parses them (apimachinery's
    validation: `ValidateDNS1123Label`, `ValidatePortName`, `resource.ParseQuantity`, core's
    `validateLimitRangeTypeName`) and refuses the object.
    Each field is taken from an object the plan holds, so the check runs on what the stacks ship."""
    version = parse("prod", raw_config("prod")).cluster.version
    doc = _first(all_manifests(preflight_plan("prod")), kind, has)
    assert kubernetes_problems([doc], version) == []
    breaks(doc)
    [problem] = kubernetes_problems([doc], version)
    assert expected in problem, problem


@pytest.mark.parametrize(("kind", "name"), [
    ("ClusterRole", "system:aggregate-to-view"), ("RoleBinding", "Team_Readers"), ("Namespace", "team-a"),
    ("Service", "web-1"), ("LimitRange", "default.limits-1"), ("ExternalSecret", "a" * 253)])
def test_a_name_each_kind_allows_is_accepted(kind: str, name: str) -> None:
    from tests.manifests import name_problems

    assert name_problems({"kind": kind, "metadata": {"name": name}}) == []
    assert name_problems({"kind": kind, "metadata": {}}) == []  # auto-named by Pulumi


@pytest.mark.parametrize("figure", ["500m", "2", "0.5", "1.5Gi", "512Mi", "1e3", "100k", "20", ".5"])
def test_every_quantity_form_kubernetes_parses_is_accepted(figure: str) -> None:
    version = parse("prod", raw_config("prod")).cluster.version
    quota = _first(all_manifests(preflight_plan("prod")), "ResourceQuota", '"hard"')
    quota["spec"]["hard"]["requests.cpu"] = figure
    assert kubernetes_problems([quota], version) == []


@pytest.mark.parametrize("stack", STACKS)
def test_checkov_finds_nothing_beyond_the_accepted_list(stack: str, tmp_path: Path) -> None:
    documents = all_manifests(preflight_plan(stack))
    write_manifests(documents, tmp_path)
    # --framework helm passes silently without a helm binary, so the rendered chart is scanned as manifests.
    done = subprocess.run(
        [_checkov(), "-d", str(tmp_path), "--framework", "kubernetes", "--skip-download", "--quiet", "--compact",
         "-o", "json"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    report = json.loads(done.stdout)
    assert report["summary"]["parsing_errors"] == 0
    assert report["summary"]["resource_count"] >= len(documents)
    unexpected = sorted(f"{c['check_id']} {c['resource']}: {c['check_name']}"
                        for c in report["results"]["failed_checks"] if not _accepted(c["check_id"], c["resource"]))
    assert unexpected == []
    assert report["summary"]["passed"] > 0


def test_a_preview_plans_the_same_cluster_and_kubernetes_objects() -> None:
    """During `pulumi preview` the cluster's endpoint, CA and ARNs are unknown; the layer must still plan all of it."""
    def layer(preview: bool) -> set[str]:
        return {r.urn for r in preflight_plan("prod", preview).registered
                if r.type.startswith(("kubernetes:", "aws:eks/", "platform:kubernetes:"))}
    assert layer(True) == layer(False)
    assert len(layer(True)) > 100
