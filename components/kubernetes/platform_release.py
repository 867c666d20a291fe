"""The stack's one Helm release of the local chart `charts/ml-platform` (pipeline workers, MLflow, dbt, the
database bootstrap Job), with values generated from the stack's config and the other layers' outputs. No
secret enters the values: the chart's ExternalSecrets sync the logins from Secrets Manager (see secret_sync.py).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi_kubernetes.helm.v3 import Release


@dataclass(frozen=True)
class PlatformReleaseArgs:
    namespace: str
    """Namespace the release goes into: `platform-<env>` (workers, dbt, the bootstrap Job)."""
    chart_path: str
    """Path of the local chart, relative to the project (`charts/ml-platform`); its Chart.yaml pins the version."""
    environment: str
    """dev, staging or prod (the chart's `environment` value)."""
    image_tag: str
    """Tag of every platform image."""
    pipelines_paused: bool
    """ADR-001: true outside prod; no workers run and the dbt schedule is suspended."""
    artifacts_bucket: pulumi.Input[str]
    """Name of the bucket MLflow stores artifacts in (under `mlflow/`)."""
    service_accounts: Mapping[str, str]
    """Chart component (`workers`, `mlflow`, `dbt`, `bootstrap`) -> the IRSA ServiceAccount it runs as."""
    images: Mapping[str, pulumi.Input[str]]
    """Chart component -> its image repository URL (the account's ECR), without a tag."""
    region: str
    """AWS region (Secrets Manager, S3)."""
    database_host: pulumi.Input[str]
    """The RDS endpoint's address."""
    master_secret_arn: pulumi.Input[str]
    """ARN of the RDS-managed master secret (read by the bootstrap Job only)."""
    login_secret_prefix: str
    """Secrets Manager name prefix of the applications' logins (`ml-platform-<env>/database`)."""
    databricks_secret_name: str
    """Secrets Manager name of the Databricks pipeline principal's OAuth secret (dbt reads it)."""
    mlflow_namespace: str = "platform-mlops"
    """Namespace of MLflow (Design Appendix namespace table). Default platform-mlops."""
    database_users: Sequence[str] = ("mlflow", "dagster")
    """Logins and databases the bootstrap Job ensures."""
    generated_logins: Mapping[str, str] = field(default_factory=dict)
    """Secrets Manager name -> username: UI logins (not databases) the bootstrap Job fills once, e.g. Grafana's
    admin. The bootstrap role must be allowed to write them (PIPELINE_ACCESS)."""
    mlflow_zone_spread_required: bool = True
    """Refuse to schedule both MLflow replicas in one zone. Default on; off where the pool may be one node."""
    workers_max_replicas: int = 20
    """HorizontalPodAutoscaler ceiling of the pipeline workers. Default 20 (prod)."""
    database_port: int = 5432
    """The database's port."""
    values_overrides: Mapping[str, Any] = field(default_factory=dict)
    """Chart values merged over the generated ones (never secrets)."""
    protect: bool = False
    """`protect` on the release. Default off."""


COMPONENTS = ("workers", "mlflow", "dbt", "bootstrap")


def validate_platform_release_args(args: PlatformReleaseArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if set(args.service_accounts) != set(COMPONENTS):
        problems.append(f"service_accounts must name one for each of {list(COMPONENTS)}, "
                        f"got {sorted(args.service_accounts)}")
    if set(args.images) != set(COMPONENTS):
        problems.append(f"images must name one for each of {list(COMPONENTS)}, got {sorted(args.images)}")
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
    """The Helm release of the platform chart."""

    def __init__(self, name: str, args: PlatformReleaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_platform_release_args(args)
        super().__init__("platform:kubernetes:PlatformRelease", name, None, opts)
        # Children do not inherit the component's depends_on; the release must wait for what its pods need (the
        # service accounts, the node pools, the database, the secret operator's CRDs), so pass it down.
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)
        images = [args.images[c] for c in COMPONENTS]

        def values(resolved: list[str]) -> dict[str, Any]:
            bucket, host, master, *urls = resolved
            image = dict(zip(COMPONENTS, urls, strict=True))
            return deep_merge({
                "environment": args.environment,
                "imageTag": args.image_tag,
                "pipelinesPaused": args.pipelines_paused,
                "region": args.region,
                "database": {"host": host, "port": args.database_port, "masterSecretArn": master,
                             "loginSecretPrefix": args.login_secret_prefix, "users": list(args.database_users)},
                "workers": {
                    "image": image["workers"],
                    "serviceAccountName": args.service_accounts["workers"],
                    "autoscaling": {"minReplicas": 2, "maxReplicas": args.workers_max_replicas,
                                    "targetCPUUtilizationPercentage": 70},
                },
                "mlflow": {
                    "image": image["mlflow"],
                    "namespace": args.mlflow_namespace,
                    "serviceAccountName": args.service_accounts["mlflow"],
                    "artifactRoot": f"s3://{bucket}/mlflow",
                    "zoneSpread": "DoNotSchedule" if args.mlflow_zone_spread_required else "ScheduleAnyway",
                },
                "dbt": {"image": image["dbt"], "serviceAccountName": args.service_accounts["dbt"],
                        "schedule": "0 */6 * * *", "databricksSecretName": args.databricks_secret_name},
                "bootstrap": {"image": image["bootstrap"], "serviceAccountName": args.service_accounts["bootstrap"],
                              "generatedLogins": [{"secretId": secret, "username": user}
                                                  for secret, user in sorted(args.generated_logins.items())]},
            }, args.values_overrides)

        self.release = Release(
            f"{name}-release", name="ml-platform", chart=args.chart_path, version=chart_version(args.chart_path),
            namespace=args.namespace, create_namespace=False,
            values=pulumi.Output.all(args.artifacts_bucket, args.database_host, args.master_secret_arn,
                                     *images).apply(values),
            atomic=True, cleanup_on_fail=True, timeout=900,
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.protect)))
        self.status = self.release.status
        self.register_outputs({"status": self.status})
