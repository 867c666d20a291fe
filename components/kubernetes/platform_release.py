"""The stack's one Helm release of the local chart `charts/ml-platform` (pipeline workers, MLflow, dbt), with
values generated from the stack's config and the other layers' outputs. The MLflow database password never
enters the values: it goes into a Kubernetes Secret the chart references by name.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_random as random
import yaml
from pulumi_kubernetes.core.v1 import Secret
from pulumi_kubernetes.helm.v3 import Release
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

BACKEND_STORE_SECRET = "mlflow-backend-store"
BACKEND_STORE_KEY = "uri"


@dataclass(frozen=True)
class PlatformReleaseArgs:
    namespace: str
    """Namespace the release (and the backend-store Secret) go into: `platform-<env>`."""
    chart_path: str
    """Path of the local chart, relative to the project (`charts/ml-platform`); its Chart.yaml pins the version."""
    environment: str
    """dev, staging or prod (the chart's `environment` value)."""
    image_tag: str
    """Tag of every platform image."""
    pipelines_paused: bool
    """ADR-001: true outside prod; no workers run and the dbt schedule is suspended."""
    artifacts_bucket: pulumi.Input[str]
    """Name of the bucket MLflow stores artifacts in."""
    service_accounts: Mapping[str, str]
    """Chart component (`workers`, `mlflow`, `dbt`) -> the IRSA ServiceAccount (a pipeline name) it runs as."""
    workers_max_replicas: int = 20
    """HorizontalPodAutoscaler ceiling of the pipeline workers. Default 20 (prod)."""
    database_host: str = "postgresql"
    """In-cluster host of MLflow's PostgreSQL."""
    database_port: int = 5432
    """Its port."""
    database_password: pulumi.Input[str] | None = None
    """MLflow's database password (a config secret). Default: a generated RandomPassword."""
    values_overrides: Mapping[str, Any] = field(default_factory=dict)
    """Chart values merged over the generated ones (never secrets)."""
    protect: bool = False
    """`protect` on the release. Default off."""


COMPONENTS = ("workers", "mlflow", "dbt")


def validate_platform_release_args(args: PlatformReleaseArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if set(args.service_accounts) != set(COMPONENTS):
        problems.append(f"service_accounts must name one for each of {list(COMPONENTS)}, "
                        f"got {sorted(args.service_accounts)}")
    if args.workers_max_replicas < 2:
        problems.append(f"workers_max_replicas must be >= 2, got {args.workers_max_replicas}")
    if not (Path(args.chart_path) / "Chart.yaml").is_file() and not (
            Path(__file__).resolve().parents[1] / args.chart_path / "Chart.yaml").is_file():
        problems.append(f"chart_path must be a chart directory, got {args.chart_path!r}")
    if problems:
        raise ValueError("; ".join(problems))


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """`override` over `base`, recursing into mappings (as Helm merges values files)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def chart_version(chart_path: str) -> str:
    """The version pinned in the chart's Chart.yaml (relative to the project when not found from here)."""
    path = Path(chart_path) / "Chart.yaml"
    if not path.is_file():
        path = Path(__file__).resolve().parents[1] / chart_path / "Chart.yaml"
    return str(yaml.safe_load(path.read_text())["version"])


class PlatformRelease(pulumi.ComponentResource):
    """The Helm release and the Secret holding MLflow's backend store URL."""

    def __init__(self, name: str, args: PlatformReleaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_platform_release_args(args)
        super().__init__("platform:kubernetes:PlatformRelease", name, None, opts)
        # Children do not inherit the component's depends_on; the release must wait for the namespace's service
        # accounts (its pods run as them), so pass it down.
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)

        password: pulumi.Input[str]
        if args.database_password is not None:
            password = args.database_password
        else:
            password = random.RandomPassword(f"{name}-mlflow-db-password", length=32, special=False,
                                             opts=child).result
        uri = pulumi.Output.secret(pulumi.Output.concat(
            "postgresql://mlflow:", password, f"@{args.database_host}:{args.database_port}/mlflow"))
        secret = Secret(
            f"{name}-mlflow-backend-store",
            metadata=ObjectMetaArgs(name=BACKEND_STORE_SECRET, namespace=args.namespace),
            type="Opaque", string_data={BACKEND_STORE_KEY: uri}, opts=child)

        values = pulumi.Output.from_input(args.artifacts_bucket).apply(lambda bucket: deep_merge({
            "environment": args.environment,
            "imageTag": args.image_tag,
            "pipelinesPaused": args.pipelines_paused,
            "workers": {
                "serviceAccountName": args.service_accounts["workers"],
                "autoscaling": {"minReplicas": 2, "maxReplicas": args.workers_max_replicas,
                                "targetCPUUtilizationPercentage": 70},
            },
            "mlflow": {
                "serviceAccountName": args.service_accounts["mlflow"],
                "artifactRoot": f"s3://{bucket}/mlflow",
                "backendStoreSecret": {"name": BACKEND_STORE_SECRET, "key": BACKEND_STORE_KEY},
            },
            "dbt": {"serviceAccountName": args.service_accounts["dbt"], "schedule": "0 */6 * * *"},
        }, args.values_overrides))
        self.release = Release(
            f"{name}-release", name="ml-platform", chart=args.chart_path, version=chart_version(args.chart_path),
            namespace=args.namespace, create_namespace=False, values=values, atomic=True, cleanup_on_fail=True,
            timeout=600,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.protect, depends_on=[secret])))
        self.status = self.release.status
        self.register_outputs({"status": self.status})
