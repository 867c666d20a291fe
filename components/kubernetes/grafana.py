"""Grafana in `platform-monitoring` (Design Appendix 1.1 values: persistence, an ingress with TLS): the upstream
chart at a pinned version, its dashboards' database on a volume of the `ssd-retain` StorageClass (kept when
the claim goes), the admin credentials read from a Kubernetes Secret the platform's secret sync fills from
Secrets Manager, never from values. The UI is reached through the internal ALB (platform_ingress.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs

from components.kubernetes.upstream_chart import checked_values

CHART = "grafana"
CHART_VERSION = "8.8.2"
"""Upstream chart release; pinned, bumped on purpose."""
CHART_REPOSITORY = "https://grafana.github.io/helm-charts"
SERVICE_PORT = 80
CONTAINER_PORT = 3000
POD_LABELS = {"app.kubernetes.io/name": "grafana"}


@dataclass(frozen=True)
class GrafanaArgs:
    namespace: str
    """The monitoring namespace (`platform-monitoring`)."""
    admin_secret: str
    """Kubernetes Secret with keys `admin-user` and `admin-password` (synced from Secrets Manager)."""
    storage_class: str = "ssd-retain"
    """StorageClass of the persistent volume. Default `ssd-retain` (reclaim policy Retain)."""
    storage_size: str = "10Gi"
    """Size of the volume. Default 10Gi (Design Appendix)."""
    chart_version: str = CHART_VERSION
    """Upstream chart version. Default `CHART_VERSION`."""
    protect: bool = False
    """`protect` on the release (its volume holds the dashboards). Default off; on in prod."""


def validate_grafana_args(args: GrafanaArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems = [f"{key} must not be empty" for key, value in (
        ("namespace", args.namespace), ("admin_secret", args.admin_secret),
        ("storage_class", args.storage_class)) if not value]
    if not args.chart_version[:1].isdigit():
        problems.append(f"chart_version must pin a release like '8.8.2', got {args.chart_version!r}")
    if problems:
        raise ValueError("; ".join(problems))


def grafana_values(args: GrafanaArgs) -> dict[str, object]:
    """The keys we set, checked against our schema (schemas/grafana.json)."""
    return checked_values(CHART, {
        "admin": {"existingSecret": args.admin_secret, "userKey": "admin-user", "passwordKey": "admin-password"},
        "persistence": {"enabled": True, "storageClassName": args.storage_class, "size": args.storage_size},
        # The chown init container runs as root: refused by the namespace's restricted Pod Security Standard;
        # the pod's fsGroup makes the volume writable instead.
        "initChownData": {"enabled": False},
        "testFramework": {"enabled": False},
        # No ClusterRole: without the dashboard sidecars Grafana reads nothing from the API.
        "rbac": {"create": False},
        "service": {"type": "ClusterIP", "port": SERVICE_PORT},
        "nodeSelector": {"pool": "system"},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
    })


class Grafana(pulumi.ComponentResource):
    """The pinned Grafana release."""

    def __init__(self, name: str, args: GrafanaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_grafana_args(args)
        super().__init__("platform:kubernetes:Grafana", name, None, opts)
        waits_for = opts.depends_on if opts is not None else None
        self.release = Release(
            f"{name}-release", name=CHART, chart=CHART, version=args.chart_version,
            repository_opts=RepositoryOptsArgs(repo=CHART_REPOSITORY), namespace=args.namespace,
            create_namespace=False, values=grafana_values(args), atomic=True, cleanup_on_fail=True, timeout=600,
            opts=pulumi.ResourceOptions(parent=self, depends_on=waits_for, protect=args.protect))
        self.service_name = CHART
        self.register_outputs({})
