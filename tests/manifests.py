"""The Kubernetes objects of a plan as the manifests the API server would receive, for offline validators.

Objects Pulumi registers (namespaces, quotas, policies, RBAC, service accounts, secrets) come from their
recorded inputs; the Helm release contributes its chart rendered by helm-python-sdk with exactly the values
the plan passes to the Release. Secret data is redacted: validators see its shape, never its value.
"""

from __future__ import annotations

import functools
import json
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
