"""The stack's way into its cluster: a `pulumi_kubernetes.Provider` built from the cluster's endpoint and CA,
authenticating with `aws eks get-token` at each call. No kubeconfig file is written and no token is stored:
the kubeconfig is an in-memory document whose only credential is the exec command.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s


@dataclass(frozen=True)
class KubernetesProviderArgs:
    cluster_name: pulumi.Input[str]
    """EKS cluster name (what `aws eks get-token --cluster-name` takes)."""
    endpoint: pulumi.Input[str]
    """The cluster's API server URL (`https://...`)."""
    certificate_authority_data: pulumi.Input[str]
    """Base64 CA bundle of the API server."""
    region: str
    """AWS region of the cluster."""
    role_arn: pulumi.Input[str] | None = None
    """Role `aws eks get-token` assumes first (the member provider's role: deploy or previewer). Default: the
    ambient credentials."""
    server_side_apply: bool = True
    """Server-side apply. Default on. A read-only identity turns it off: a server-side dry run is authorized
    as the write it simulates, so a view-only preview could not compute its diff."""


def validate_kubernetes_provider_args(args: KubernetesProviderArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not args.region:
        problems.append(f"region must be an AWS region, got {args.region!r}")
    if problems:
        raise ValueError("; ".join(problems))


def kubeconfig(cluster_name: str, endpoint: str, ca_data: str, region: str, role_arn: str | None) -> str:
    """A kubeconfig document whose user runs `aws eks get-token` (short-lived token, nothing stored)."""
    command = ["eks", "get-token", "--cluster-name", cluster_name, "--region", region, "--output", "json"]
    if role_arn:
        command += ["--role-arn", role_arn]
    return json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": cluster_name,
        "clusters": [{"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": ca_data}}],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": cluster_name}}],
        "users": [{"name": cluster_name, "user": {"exec": {
            "apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws", "args": command,
            "interactiveMode": "Never"}}}],
    })


class KubernetesProvider(pulumi.ComponentResource):
    """Holds `.provider`, the Kubernetes provider every namespace and the Helm release use."""

    provider: k8s.Provider

    def __init__(self, name: str, args: KubernetesProviderArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_kubernetes_provider_args(args)
        super().__init__("platform:kubernetes:KubernetesProvider", name, None, opts)
        config = pulumi.Output.all(args.cluster_name, args.endpoint, args.certificate_authority_data,
                                   args.role_arn).apply(
            lambda v: kubeconfig(str(v[0]), str(v[1]), str(v[2]), args.region, v[3]))
        self.provider = k8s.Provider(
            f"{name}-provider", kubeconfig=config, enable_server_side_apply=args.server_side_apply,
            opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({})
