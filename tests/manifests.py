"""The Kubernetes objects of a plan as the manifests the API server would receive, for offline validators.

Objects Pulumi registers (namespaces, quotas, policies, RBAC, service accounts, secrets) come from their
recorded inputs; the Helm release contributes its chart rendered by helm-python-sdk with exactly the values
the plan passes to the Release. Secret data is redacted: validators see its shape, never its value.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from preflight.harness import Plan, RecordedResource, Secret, Unknown, reveal
from tests.support import PROJECT_DIR

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
REDACTED = "cmVkYWN0ZWQ="  # base64 of "redacted": valid wherever Kubernetes expects secret bytes


def _wire_to_manifest(value: Any) -> Any:
    """Plain inputs to manifest values: secrets redacted, protobuf's float numbers back to integers."""
    if isinstance(value, Secret):
        inner = value.value
        return {k: REDACTED for k in inner} if isinstance(inner, dict) else REDACTED
    if isinstance(value, Unknown):
        raise AssertionError("a Kubernetes object input is unknown; validate plans made with known values")
    if isinstance(value, dict):
        return {k: _wire_to_manifest(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_wire_to_manifest(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def is_kubernetes_object(resource: RecordedResource) -> bool:
    return (resource.custom and resource.type.startswith("kubernetes:") and resource.type != HELM_RELEASE
            and not resource.type.startswith("pulumi:providers:"))


def registered_manifests(plan: Plan, within: str | None = None) -> list[dict[str, Any]]:
    """Every Kubernetes object the plan registers directly, as a manifest; with `within` (a component type
    token), only those some component of that type holds."""
    return [_wire_to_manifest(r.inputs) for r in plan.registered if is_kubernetes_object(r)
            and (within is None or f"::{within}$" in r.urn or f"${within}$" in r.urn)]


def local_release(plan: Plan) -> RecordedResource:
    """The plan's one release of a chart of this repository (`charts/...`); upstream charts are other releases,
    pinned, and cannot render offline (their values are checked against our schemas instead)."""
    (release,) = [r for r in plan.of_type(HELM_RELEASE) if str(r.inputs["chart"]).startswith("charts/")]
    return release


PLATFORM_CHART = "charts/ml-platform"


def platform_release(plan: Plan) -> RecordedResource:
    """The release of the local platform chart (the others are pinned upstream charts: the secret operators)."""
    (release,) = [r for r in plan.of_type(HELM_RELEASE) if r.inputs.get("chart") == PLATFORM_CHART]
    return release


def release_values(plan: Plan) -> dict[str, Any]:
    """The values the plan's platform release passes to its chart (secrets revealed: there must be none)."""
    return _wire_to_manifest(reveal(platform_release(plan).inputs["values"]))


def chart_dir(plan: Plan) -> Path:
    return PROJECT_DIR / platform_release(plan).inputs["chart"]


@functools.cache
def _render(chart: str, values_json: str, name: str, namespace: str) -> tuple[dict[str, Any], ...]:
    import helm_python as helm

    rendered = helm.Chart.load(chart).render(json.loads(values_json), name=name, namespace=namespace)
    documents: list[dict[str, Any]] = []
    for text in rendered.values():
        if not text.strip():
            continue  # whitespace-only templates render to nothing
        documents.extend(d for d in yaml.safe_load_all(text) if d)
    return tuple(documents)


def rendered_chart(plan: Plan) -> list[dict[str, Any]]:
    """The release's chart rendered offline with the plan's exact values, name and namespace."""
    release = platform_release(plan).inputs
    return list(_render(str(chart_dir(plan)), json.dumps(release_values(plan), sort_keys=True), release["name"],
                        release["namespace"]))


def all_manifests(plan: Plan) -> list[dict[str, Any]]:
    return registered_manifests(plan) + rendered_chart(plan)


@functools.cache
def _kubernetes_validator(version: str, api_version: str, kind: str) -> Any:
    """kubernetes-validate's strict schema for one kind, its definitions loaded once (its own `validate` reads
    the 5 MB definitions file on every call: 30 ms an object). The same files, lookup and validator class as
    `kubernetes_validate.validate`; tests/kubernetes/test_manifests.py checks that both give the same verdicts."""
    import jsonschema
    from kubernetes_validate import utils
    from referencing import Registry, Resource

    # As `validate` does: the newest schemas not newer than the version asked for.
    older = [v for v in utils.all_versions() if utils.major_minor(v) <= utils.major_minor(version)]
    if not older or utils.major_minor(version) > utils.latest_version():
        raise utils.VersionNotSupportedError(version=version)
    folder = f"kubernetes-json-schema/v{older[-1]}-local-strict"
    group = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = utils.schema_contents(f"{folder}/{kind.lower()}-{group}.json", version)
    definitions = utils.schema_contents(f"{folder}/_definitions.json", version)
    registry: Registry[Any] = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.validators.Draft202012Validator(schema, registry=registry)


# Values the API server's validation refuses outside these sets ("Unsupported value"), which the OpenAPI schemas
# leave as plain strings: a field of this name anywhere in an object (Kubernetes API reference, core/v1, batch/v1,
# networking.k8s.io/v1).
API_SERVER_ENUMS: dict[str, set[str]] = {
    "protocol": {"TCP", "UDP", "SCTP"},
    "imagePullPolicy": {"Always", "IfNotPresent", "Never"},
    "restartPolicy": {"Always", "OnFailure", "Never"},
    "concurrencyPolicy": {"Allow", "Forbid", "Replace"},
    "policyTypes": {"Ingress", "Egress"},
    "dnsPolicy": {"ClusterFirst", "ClusterFirstWithHostNet", "Default", "None"},
    "pathType": {"Exact", "Prefix", "ImplementationSpecific"},  # networking/v1 HTTPIngressPath
}


# core/v1 ServiceSpec.type (the API server's "Unsupported value" outside these, case-sensitively).
SERVICE_TYPES = {"ClusterIP", "NodePort", "LoadBalancer", "ExternalName"}

# core/v1 LimitRangeItem.type: validateLimitRangeTypeName (pkg/apis/core/validation) refuses a name without a "/"
# outside these, case-sensitively ("must be a standard limit type or fully qualified").
LIMIT_TYPES = {"Pod", "Container", "PersistentVolumeClaim"}


def keyed_problems(value: Any, where: str, judge: Callable[[str, Any, str], list[str] | None]) -> list[str]:
    """Walk maps and lists however deep: at each key, `judge(key, inner, path)` gives that entry's problems, or
    None to walk into it."""
    problems: list[str] = []
    if isinstance(value, dict):
        for key, inner in value.items():
            judged = judge(key, inner, f"{where}.{key}")
            problems += keyed_problems(inner, f"{where}.{key}", judge) if judged is None else judged
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            problems += keyed_problems(inner, f"{where}[{i}]", judge)
    return problems


def _enum_judge(key: str, inner: Any, where: str) -> list[str] | None:
    if key not in API_SERVER_ENUMS:
        return None
    allowed = API_SERVER_ENUMS[key]
    return [f"{where}: unsupported value {v!r} (one of {sorted(allowed)})"
            for v in (inner if isinstance(inner, list) else [inner]) if v not in allowed]


def _enum_problems(value: Any, where: str) -> list[str]:
    return keyed_problems(value, where, _enum_judge)


# Values the API server parses that the OpenAPI schemas type as plain strings (apimachinery's validation):
# a container's name is a DNS-1123 label, its ports' names IANA service names, and every resource figure a
# quantity (`resource.ParseQuantity`: a decimal number, then a binary or decimal SI suffix or an exponent).
_DNS1123_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_IANA_SERVICE_NAME = re.compile(r"(?=.*[a-z])(?!.*--)[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?")
_QUANTITY = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?")
_QUANTITY_MAPS = {"requests", "limits", "hard", "default", "defaultRequest", "max", "min", "maxLimitRequestRatio"}


def quantity_problems(figures: Any, where: str) -> list[str]:
    return [f"{where}.{name}: quantities must match {_QUANTITY.pattern}, got {value!r}"
            for name, value in (figures.items() if isinstance(figures, dict) else ())
            if not isinstance(value, int) and not (isinstance(value, str) and _QUANTITY.fullmatch(value))]


def _container_problems(container: dict[str, Any], where: str) -> list[str]:
    problems = [] if _DNS1123_LABEL.fullmatch(str(container.get("name"))) else [
        f"{where}.name: a container's name must be a DNS-1123 label, got {container.get('name')!r}"]
    problems += [f"{where}.ports[{i}].name: a port's name must be an IANA service name, got {port['name']!r}"
                 for i, port in enumerate(container.get("ports", [])) if "name" in port
                 and not _IANA_SERVICE_NAME.fullmatch(str(port["name"]))]
    # core's validateHandler: a probe names exactly one handler; validateExecAction: an exec handler has a command.
    for probe_key in ("livenessProbe", "readinessProbe", "startupProbe"):
        probe = container.get(probe_key)
        if not isinstance(probe, dict):
            continue
        handlers = [h for h in ("exec", "httpGet", "tcpSocket", "grpc") if h in probe]
        if len(handlers) != 1:
            problems.append(f"{where}.{probe_key}: a probe names exactly one handler, got {handlers}")
        if "exec" in probe and not (probe["exec"] or {}).get("command"):
            problems.append(f"{where}.{probe_key}.exec.command: required")
    resources = container.get("resources", {})
    for kind in ("requests", "limits"):
        problems += quantity_problems(resources.get(kind), f"{where}.resources.{kind}")
    return problems


# Object names (apimachinery's ValidateObjectMeta with each kind's name rule, pkg/apis/core/validation and
# rbac/validation): a Namespace's is a DNS-1123 label, a Service's a DNS-1035 label (a letter first), RBAC objects'
# a path segment (`system:...` is fine; no "/" or "%", not "." or ".."), every other kind's, custom resources'
# included, a DNS-1123 subdomain. An object without a name is named by Pulumi (auto-naming), which is not judged.
_DNS1123_SUBDOMAIN = re.compile(r"(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
_DNS1035_LABEL = re.compile(r"[a-z]([-a-z0-9]{0,61}[a-z0-9])?")
_RBAC_KINDS = {"Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"}
# Labels and selectors (apimachinery's validation.IsQualifiedName, IsValidLabelValue): a key is a name of at most
# 63 characters, alphanumeric at both ends with `-`, `_`, `.` inside, after an optional DNS-1123 subdomain and "/";
# a value is empty or such a name.
_LABEL_NAME = re.compile(r"(?=.{1,63}$)[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?")
_WORKLOAD_KINDS = {"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"}


def name_problems(doc: dict[str, Any]) -> list[str]:
    name, kind = doc["metadata"].get("name"), doc["kind"]
    if name is None:
        return []
    rule, pattern = (("a DNS-1123 label", _DNS1123_LABEL) if kind == "Namespace"
                     else ("a DNS-1035 label", _DNS1035_LABEL) if kind == "Service"
                     else ("a path segment", re.compile(r"(?!\.{1,2}$)[^/%]+")) if kind in _RBAC_KINDS
                     else ("a DNS-1123 subdomain", _DNS1123_SUBDOMAIN))
    return [] if isinstance(name, str) and pattern.fullmatch(name) else [
        f"metadata.name: a {kind}'s name must be {rule}, got {name!r}"]


def _label_problems(labels: Any, where: str) -> list[str]:
    problems: list[str] = []
    for key, value in (labels.items() if isinstance(labels, dict) else ()):
        prefix, _, label = str(key).rpartition("/")
        if not _LABEL_NAME.fullmatch(label) or (prefix and not _DNS1123_SUBDOMAIN.fullmatch(prefix)):
            problems.append(f"{where}: {key!r} is no label key ([prefix/]name)")
        if not (value == "" or (isinstance(value, str) and _LABEL_NAME.fullmatch(value))):
            problems.append(f"{where}.{key}: {value!r} is no label value")
    return problems


def _selector_problems(doc: dict[str, Any]) -> list[str]:
    """apps/v1 (and batch/v1) validation: a workload's `selector` must select its own pod template's labels."""
    spec = doc.get("spec") or {}
    if doc["kind"] not in _WORKLOAD_KINDS or "selector" not in spec:
        return []
    wanted = (spec.get("selector") or {}).get("matchLabels") or {}
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    return [] if all(labels.get(k) == v for k, v in wanted.items()) else [
        f"spec.selector: {wanted} does not match the template's labels {labels}"]


def _parsed_value_problems(doc: dict[str, Any]) -> list[str]:
    """What of _DNS1123_LABEL, _IANA_SERVICE_NAME, _QUANTITY, LIMIT_TYPES and SERVICE_TYPES an object's containers,
    quota, limit range or Service break; an object's name, its labels and selectors, a workload's selector that
    misses its own pods."""
    problems = name_problems(doc) + _selector_problems(doc)
    spec = doc.get("spec") or {}
    if doc["kind"] == "Service" and spec.get("type", "ClusterIP") not in SERVICE_TYPES:
        problems.append(f"spec.type: unsupported value {spec['type']!r} (one of {sorted(SERVICE_TYPES)})")
    if doc["kind"] == "ResourceQuota":
        problems += quantity_problems(spec.get("hard"), "spec.hard")
    if doc["kind"] == "LimitRange":
        for i, limit in enumerate(spec.get("limits", [])):
            if limit.get("type") not in LIMIT_TYPES:
                problems.append(f"spec.limits[{i}].type: {limit.get('type')!r} is no standard limit type (one of "
                                f"{sorted(LIMIT_TYPES)}): the API server refuses it unless it is a qualified name, "
                                "and the LimitRanger applies only these")
            for key in sorted(_QUANTITY_MAPS & set(limit)):
                problems += quantity_problems(limit[key], f"spec.limits[{i}].{key}")

    def walk(value: Any, where: str) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("containers", "initContainers") and isinstance(inner, list):
                    for i, container in enumerate(inner):
                        problems.extend(_container_problems(container, f"{where}.{key}[{i}]"))
                elif key in ("labels", "matchLabels"):
                    problems.extend(_label_problems(inner, f"{where}.{key}"))
                else:
                    walk(inner, f"{where}.{key}")
        elif isinstance(value, list):
            for i, inner in enumerate(value):
                walk(inner, f"{where}[{i}]")

    walk(spec, "spec")
    problems += _label_problems(doc["metadata"].get("labels"), "metadata.labels")
    return problems


def kubernetes_problems(documents: list[dict[str, Any]], version: str) -> list[str]:
    """Each object that the Kubernetes version's OpenAPI schemas (strict: no unknown field) or, for the
    operators' kinds, our schemas of their CRDs refuse, or that holds a value the API server refuses (an enum's,
    a name's, a quantity's), with why."""
    import jsonschema

    from tests.kubernetes.crd_schemas import CRD_SCHEMAS

    problems: list[str] = []
    for doc in documents:
        where = f"{doc['kind']} {doc['metadata'].get('namespace')}/{doc['metadata'].get('name')}"
        crd = CRD_SCHEMAS.get((doc["apiVersion"], doc["kind"]))
        validator = jsonschema.Draft7Validator(crd) if crd else _kubernetes_validator(version, doc["apiVersion"],
                                                                                      doc["kind"])
        problems += [f"{where}: {e.message}" for e in validator.iter_errors(doc)]
        problems += [f"{where}: {p}" for p in _enum_problems(doc.get("spec"), "spec")]
        problems += [f"{where}: {p}" for p in _parsed_value_problems(doc)]
    return problems


def write_manifests(documents: list[dict[str, Any]], directory: Path) -> list[Path]:
    """One YAML file per object (what checkov and kubectl read)."""
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, doc in enumerate(documents):
        meta = doc.get("metadata", {})
        path = directory / f"{i:03d}-{doc['kind'].lower()}-{meta.get('namespace', 'cluster')}-{meta['name']}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False))
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    """`python -m tests.manifests --stack prod --out manifests/`: write the stack's objects for a human or a tool."""
    import argparse

    from tests.support import preflight_plan

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--stack", required=True, choices=("dev", "staging", "prod"))
    parser.add_argument("--out", required=True, type=Path)
    args = parser.parse_args(argv)
    paths = write_manifests(all_manifests(preflight_plan(args.stack)), args.out)
    print(f"{len(paths)} manifests in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
