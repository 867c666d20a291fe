"""How secrets reach pods without passing through Pulumi state: External Secrets Operator (upstream chart, pinned)
syncs AWS Secrets Manager secrets into Kubernetes Secrets, and Stakater Reloader (upstream chart, pinned) rolls
a Deployment whose synced Secret changed (a rotation). Both run in their own namespace.

Neither chart is copied here. The values this program sets are checked against a schema of our own
(VALUES_SCHEMAS): only the keys we set, so a typo or a wrong type fails the preview instead of being ignored
by Helm. The operator itself holds no AWS permission: each SecretStore of the platform chart authenticates as
a workload's IRSA service account (`auth.jwt.serviceAccountRef`), whose role reads only that workload's secrets.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import jsonschema
import pulumi
from pulumi_kubernetes.core.v1 import (
    LimitRange,
    LimitRangeItemArgs,
    LimitRangeSpecArgs,
    Namespace,
    ResourceQuota,
    ResourceQuotaSpecArgs,
)
from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    IPBlockArgs,
    NetworkPolicy,
    NetworkPolicyEgressRuleArgs,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
)

# Pinned chart versions; bump deliberately (their CRDs and API versions come with them). ESO serves the
# `external-secrets.io/v1` API the platform chart uses.
EXTERNAL_SECRETS_CHART = ("external-secrets", "0.19.2", "https://charts.external-secrets.io")
RELOADER_CHART = ("reloader", "2.1.3", "https://stakater.github.io/stakater-charts")

_RESOURCES = {"type": "object", "additionalProperties": False, "properties": {
    "requests": {"type": "object", "additionalProperties": False, "required": ["cpu", "memory"],
                 "properties": {"cpu": {"type": "string"}, "memory": {"type": "string"}}},
    "limits": {"type": "object", "additionalProperties": False, "required": ["cpu", "memory"],
               "properties": {"cpu": {"type": "string"}, "memory": {"type": "string"}}}}}
VALUES_SCHEMAS: Mapping[str, dict[str, Any]] = {
    "external-secrets": {
        "type": "object", "additionalProperties": False, "required": ["installCRDs"],
        "properties": {
            "installCRDs": {"const": True},
            "replicaCount": {"type": "integer", "minimum": 1},
            "resources": _RESOURCES,
            "webhook": {"type": "object", "additionalProperties": False,
                        "properties": {"replicaCount": {"type": "integer", "minimum": 1}, "resources": _RESOURCES}},
            "certController": {"type": "object", "additionalProperties": False,
                               "properties": {"resources": _RESOURCES}},
        },
    },
    "reloader": {
        "type": "object", "additionalProperties": False, "required": ["reloader"],
        "properties": {"reloader": {
            "type": "object", "additionalProperties": False,
            "properties": {
                "watchGlobally": {"type": "boolean"},
                "deployment": {"type": "object", "additionalProperties": False,
                               "properties": {"resources": _RESOURCES}},
            }}},
    },
}


def _small(cpu: str, memory: str) -> dict[str, Any]:
    return {"requests": {"cpu": cpu, "memory": memory}, "limits": {"cpu": cpu, "memory": memory}}


METADATA_CIDR = "169.254.169.254/32"
WEBHOOK_PORT = 10250
"""The ESO webhook's container port (the API server calls it)."""


@dataclass(frozen=True)
class SecretSyncArgs:
    vpc_cidr: str
    """The cluster's VPC: the API server's endpoints call the webhook from it, and (restricted egress) the
    interface endpoints of STS and Secrets Manager live in it."""
    internet_egress: bool = False
    """HTTPS to anywhere but the metadata address; off: HTTPS only into the VPC (the API server and the VPC
    endpoints, prod). Default off."""
    namespace: str = "platform-operators"
    """Namespace of the operator and the reloader."""
    replicas: int = 1
    """Operator and webhook replicas (2 in prod). Default 1."""
    cpu_quota: str = "2"
    """ResourceQuota on the namespace's CPU requests and limits. Default 2."""
    memory_quota: str = "2Gi"
    """ResourceQuota on its memory. Default 2Gi."""
    protect: bool = False
    """`protect` on the releases: removing the operator would delete its CRDs and so every synced Secret."""
    extra_values: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    """Chart -> values merged over ours (checked against VALUES_SCHEMAS too)."""


def operator_values(args: SecretSyncArgs) -> dict[str, dict[str, Any]]:
    """The values of each chart, as this program sets them."""
    values: dict[str, dict[str, Any]] = {
        "external-secrets": {
            "installCRDs": True, "replicaCount": args.replicas, "resources": _small("100m", "128Mi"),
            "webhook": {"replicaCount": args.replicas, "resources": _small("50m", "64Mi")},
            "certController": {"resources": _small("50m", "64Mi")},
        },
        "reloader": {"reloader": {"watchGlobally": True, "deployment": {"resources": _small("50m", "128Mi")}}},
    }
    for chart, extra in args.extra_values.items():
        values[chart] = {**values.get(chart, {}), **extra}
    return values


def validate_secret_sync_args(args: SecretSyncArgs) -> None:
    """Collect every problem with `args` (values against our schema) and raise one ValueError."""
    problems: list[str] = []
    if args.replicas < 1:
        problems.append(f"replicas must be >= 1, got {args.replicas}")
    unknown = sorted(set(args.extra_values) - set(VALUES_SCHEMAS))
    if unknown:
        problems.append(f"extra_values names unknown charts {unknown}")
    for chart, values in operator_values(args).items():
        if chart not in VALUES_SCHEMAS:
            continue  # named above; no schema to check its values against
        for error in jsonschema.Draft7Validator(VALUES_SCHEMAS[chart]).iter_errors(values):
            where = ".".join(str(p) for p in error.absolute_path) or "(root)"
            problems.append(f"{chart} values {where}: {error.message}")
    if problems:
        raise ValueError("SecretSync: " + "; ".join(problems))


class SecretSync(pulumi.ComponentResource):
    """The operators' namespace and the two pinned releases; `external_secrets` is what the platform chart waits
    for (its CRDs)."""

    def __init__(self, name: str, args: SecretSyncArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_secret_sync_args(args)
        super().__init__("platform:kubernetes:SecretSync", name, None, opts)
        # Children do not inherit the component's depends_on: the releases wait for the node pools (passed down).
        waits_for = opts.depends_on if opts is not None else None
        namespace = Namespace(f"{name}-namespace", metadata=ObjectMetaArgs(name=args.namespace, labels={
            "name": args.namespace, "pod-security.kubernetes.io/enforce": "baseline",
            "pod-security.kubernetes.io/warn": "restricted"}), opts=pulumi.ResourceOptions(parent=self))
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[namespace])
        meta = ObjectMetaArgs(name="quota", namespace=args.namespace)
        ResourceQuota(f"{name}-quota", metadata=meta, spec=ResourceQuotaSpecArgs(hard={
            "requests.cpu": args.cpu_quota, "limits.cpu": args.cpu_quota,
            "requests.memory": args.memory_quota, "limits.memory": args.memory_quota}), opts=in_ns)
        LimitRange(f"{name}-limits", metadata=ObjectMetaArgs(name="default-limits", namespace=args.namespace),
                   spec=LimitRangeSpecArgs(limits=[LimitRangeItemArgs(
                       type="Container", default_request={"cpu": "50m", "memory": "64Mi"},
                       default={"cpu": "200m", "memory": "256Mi"})]), opts=in_ns)
        # Default deny, then only what the operators need: DNS, HTTPS out (the API server, STS and Secrets
        # Manager, directly or through VPC endpoints; never the instance metadata address), the webhook in.
        every_pod = LabelSelectorArgs()
        policies = {
            "default-deny": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Ingress", "Egress"]),
            "allow-dns": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Egress"], egress=[
                NetworkPolicyEgressRuleArgs(to=[NetworkPolicyPeerArgs(namespace_selector=LabelSelectorArgs(
                    match_labels={"kubernetes.io/metadata.name": "kube-system"}))], ports=[
                    NetworkPolicyPortArgs(protocol="UDP", port=53), NetworkPolicyPortArgs(protocol="TCP", port=53)])]),
            "allow-https-out": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Egress"], egress=[
                NetworkPolicyEgressRuleArgs(
                    to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr="0.0.0.0/0", except_=[METADATA_CIDR])
                                              if args.internet_egress else IPBlockArgs(cidr=args.vpc_cidr))],
                    ports=[NetworkPolicyPortArgs(protocol="TCP", port=443)])]),
            "allow-webhook-from-vpc": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Ingress"], ingress=[
                NetworkPolicyIngressRuleArgs(
                    from_=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=args.vpc_cidr))],
                    ports=[NetworkPolicyPortArgs(protocol="TCP", port=WEBHOOK_PORT)])]),
        }
        for policy_name, spec in policies.items():
            NetworkPolicy(f"{name}-{policy_name}", metadata=ObjectMetaArgs(name=policy_name, namespace=args.namespace),
                          spec=spec, opts=in_ns)
        values = operator_values(args)
        releases = {}
        for chart, version, repo in (EXTERNAL_SECRETS_CHART, RELOADER_CHART):
            releases[chart] = Release(
                f"{name}-{chart}", name=chart, chart=chart, version=version,
                repository_opts=RepositoryOptsArgs(repo=repo), namespace=args.namespace, create_namespace=False,
                values=values[chart], atomic=True, cleanup_on_fail=True, timeout=600,
                opts=pulumi.ResourceOptions.merge(in_ns, pulumi.ResourceOptions(
                    depends_on=[*(waits_for or [])], protect=args.protect)))  # type: ignore[list-item]
        self.external_secrets = releases["external-secrets"]
        self.reloader = releases["reloader"]
        self.register_outputs({"externalSecretsStatus": self.external_secrets.status})
