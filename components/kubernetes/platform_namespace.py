"""One namespace with everything that makes it a safe tenant (Design Appendix, namespace strategy and 3.3):
a ResourceQuota and LimitRange, default-deny NetworkPolicies with named exceptions, the egress profile of the
environment, the RBAC Roles bound to identity-provider groups, the CI deployer, and IRSA service accounts.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
from pulumi_kubernetes.core.v1 import (
    LimitRange,
    LimitRangeItemArgs,
    LimitRangeSpecArgs,
    Namespace,
    ResourceQuota,
    ResourceQuotaSpecArgs,
    ServiceAccount,
)
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
from pulumi_kubernetes.rbac.v1 import PolicyRuleArgs, Role, RoleBinding, RoleRefArgs, SubjectArgs

EgressProfile = Literal["restricted", "internet", "unrestricted"]
EGRESS_PROFILES: tuple[EgressProfile, ...] = ("restricted", "internet", "unrestricted")
METADATA_CIDR = "169.254.169.254/32"
"""The instance metadata service: never reachable from pods outside dev (node credentials live there)."""
NAME_LABEL = "kubernetes.io/metadata.name"
"""Set by the API server on every namespace (immutable), so selectors on it cannot be spoofed by a label edit."""

# Design Appendix 3.3, verbatim in meaning: (apiGroups, resources, verbs) per Role.
ROLE_RULES: Mapping[str, tuple[tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]], ...]] = {
    "platform-admin": ((("*",), ("*",), ("*",)),),
    "data-engineer": (
        (("apps", "batch"), ("deployments", "jobs", "cronjobs"), ("get", "list", "create", "update", "patch")),
        (("",), ("pods", "pods/log"), ("get", "list", "watch")),
        (("",), ("pods/exec",), ("create",)),
    ),
    "data-analyst": (
        (("",), ("pods", "pods/log", "services"), ("get", "list", "watch")),
        (("apps",), ("deployments", "statefulsets"), ("get", "list")),
    ),
    "deployer": (
        (("apps",), ("deployments",), ("get", "list", "update", "patch")),
        (("",), ("configmaps", "secrets"), ("get", "list")),
    ),
}
GROUP_ROLES = ("platform-admin", "data-engineer", "data-analyst")
DEPLOYER = "deployer"


@dataclass(frozen=True)
class PlatformNamespaceArgs:
    namespace: str
    """Namespace name (a DNS label), e.g. `platform-prod`, `team-fraud`."""
    cpu_quota: str
    """ResourceQuota on CPU requests and limits (`32`, `500m`)."""
    memory_quota: str
    """ResourceQuota on memory requests and limits (`128Gi`)."""
    group_bindings: Mapping[str, str]
    """Role -> identity-provider group, for each of `platform-admin`, `data-engineer`, `data-analyst`."""
    egress: EgressProfile = "restricted"
    """`restricted`: DNS, the namespace, the in-cluster database port, the AWS endpoints on 443 and
    `allowed_egress_cidrs` only;
    `internet`: anywhere but the instance metadata address; `unrestricted`: anywhere. Default restricted."""
    allowed_egress_cidrs: Sequence[str] = ()
    """With `restricted`: CIDRs pods may reach outside the cluster. Must not cover the metadata address."""
    database_port: int = 5432
    """With `restricted`: the TCP port pods may reach on any in-cluster pod (the database)."""
    database_cidrs: Sequence[str] = ()
    """With `restricted`: the database subnets (the network's `database_cidrs`), reachable on `database_port`
    (RDS lives outside the cluster). Default none."""
    aws_endpoints_cidr: pulumi.Input[str] | None = None
    """With `restricted`: the block of the VPC's interface endpoints (the network's `endpoints_cidr`), reachable
    on TCP 443, so IRSA (STS), S3, ECR, Logs and Secrets Manager work with the internet closed. Default none."""
    scrapes_all_namespaces: bool = False
    """The monitoring namespace: egress to every pod in the cluster (metrics scraping). Default off."""
    monitoring_namespace: str = "platform-monitoring"
    """Namespace whose pods may reach every pod of this one (scraping)."""
    ingress_namespace: str = "ingress-nginx"
    """The ingress controller's namespace: the only other source of ingress."""
    service_accounts: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """ServiceAccount name -> IAM role ARN it assumes through IRSA (`eks.amazonaws.com/role-arn`)."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Extra labels on the namespace and every object in it (e.g. `team`)."""
    pod_security: str = "restricted"
    """Pod Security Standard enforced on the namespace: restricted, baseline or privileged. Default restricted."""
    default_request_cpu: str = "100m"
    """LimitRange: CPU request of a container that sets none."""
    default_request_memory: str = "128Mi"
    """LimitRange: memory request of a container that sets none."""
    default_limit_cpu: str = "1"
    """LimitRange: CPU limit of a container that sets none."""
    default_limit_memory: str = "1Gi"
    """LimitRange: memory limit of a container that sets none."""


def validate_platform_namespace_args(args: PlatformNamespaceArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if args.egress not in EGRESS_PROFILES:
        problems.append(f"egress must be one of {EGRESS_PROFILES}, got {args.egress!r}")
    if set(args.group_bindings) != set(GROUP_ROLES):
        problems.append(f"group_bindings must bind exactly {list(GROUP_ROLES)}, got {sorted(args.group_bindings)}")
    metadata = ipaddress.ip_network(METADATA_CIDR)
    for cidr in args.allowed_egress_cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.append(f"allowed_egress_cidrs has an invalid CIDR {cidr!r}")
            continue
        if network.prefixlen == 0 or (network.version == 4 and metadata.subnet_of(network)):  # type: ignore[arg-type]
            problems.append(f"allowed_egress_cidrs must not cover the metadata address or the internet, got {cidr!r}")
    if args.allowed_egress_cidrs and args.egress != "restricted":
        problems.append(f"allowed_egress_cidrs only applies to egress 'restricted', got egress {args.egress!r}")
    for cidr in args.database_cidrs:
        if _cidr_problem(cidr) or not ipaddress.ip_network(cidr).is_private:
            problems.append(f"database_cidrs must hold private CIDR blocks, got {cidr!r}")
    if isinstance(args.aws_endpoints_cidr, str):
        try:
            endpoints = ipaddress.ip_network(args.aws_endpoints_cidr, strict=True)
        except ValueError:
            problems.append(f"aws_endpoints_cidr must be a CIDR block, got {args.aws_endpoints_cidr!r}")
        else:
            if not endpoints.is_private or endpoints.prefixlen < 8:
                problems.append(f"aws_endpoints_cidr must be a private block inside the VPC, got "
                                f"{args.aws_endpoints_cidr!r}")
    if not 1 <= args.database_port <= 65535:
        problems.append(f"database_port must be a TCP port, got {args.database_port}")
    if args.pod_security not in ("restricted", "baseline", "privileged"):
        problems.append(f"pod_security must be restricted, baseline or privileged, got {args.pod_security!r}")
    if DEPLOYER in args.service_accounts:
        problems.append(f"service_accounts must not redefine {DEPLOYER!r}")
    if problems:
        raise ValueError("; ".join(problems))


def _cidr_problem(cidr: str) -> bool:
    try:
        ipaddress.ip_network(cidr, strict=True)
    except ValueError:
        return True
    return False


def _namespace_peer(namespace: str | None) -> NetworkPolicyPeerArgs:
    """Every pod of one namespace, or (None) of every namespace."""
    labels = {NAME_LABEL: namespace} if namespace else None
    return NetworkPolicyPeerArgs(namespace_selector=LabelSelectorArgs(match_labels=labels))


def egress_rules(args: PlatformNamespaceArgs) -> list[NetworkPolicyEgressRuleArgs]:
    """The egress exceptions of the namespace's profile (beyond DNS and the namespace itself)."""
    if args.egress == "unrestricted":
        return [NetworkPolicyEgressRuleArgs()]  # an empty rule: every destination, every port
    if args.egress == "internet":
        return [NetworkPolicyEgressRuleArgs(to=[NetworkPolicyPeerArgs(
            ip_block=IPBlockArgs(cidr="0.0.0.0/0", except_=[METADATA_CIDR]))])]
    rules = [NetworkPolicyEgressRuleArgs(
        to=[_namespace_peer(None)], ports=[NetworkPolicyPortArgs(protocol="TCP", port=args.database_port)])]
    if args.database_cidrs:
        rules.append(NetworkPolicyEgressRuleArgs(
            to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in args.database_cidrs],
            ports=[NetworkPolicyPortArgs(protocol="TCP", port=args.database_port)]))
    if args.aws_endpoints_cidr is not None:
        rules.append(NetworkPolicyEgressRuleArgs(
            to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=args.aws_endpoints_cidr))],
            ports=[NetworkPolicyPortArgs(protocol="TCP", port=443)]))
    if args.allowed_egress_cidrs:
        rules.append(NetworkPolicyEgressRuleArgs(
            to=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in args.allowed_egress_cidrs]))
    return rules


class PlatformNamespace(pulumi.ComponentResource):
    """A namespace and its quota, limits, network policies, RBAC and service accounts."""

    namespace: pulumi.Output[str]

    def __init__(self, name: str, args: PlatformNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_platform_namespace_args(args)
        super().__init__("platform:kubernetes:PlatformNamespace", name, None, opts)
        ns_name = args.namespace
        labels = dict(args.labels)
        child = pulumi.ResourceOptions(parent=self)

        namespace = Namespace(f"{name}-namespace", metadata=ObjectMetaArgs(name=ns_name, labels={
            **labels, "name": ns_name,
            "pod-security.kubernetes.io/enforce": args.pod_security,
            "pod-security.kubernetes.io/warn": "restricted",
        }), opts=child)
        self.namespace = namespace.metadata.apply(lambda m: m.name or ns_name)
        in_ns = pulumi.ResourceOptions(parent=self, depends_on=[namespace])

        def meta(object_name: str, annotations: Mapping[str, pulumi.Input[str]] | None = None) -> ObjectMetaArgs:
            return ObjectMetaArgs(name=object_name, namespace=ns_name, labels=labels or None,
                                  annotations=dict(annotations) if annotations else None)

        ResourceQuota(f"{name}-quota", metadata=meta("quota"), spec=ResourceQuotaSpecArgs(hard={
            "requests.cpu": args.cpu_quota, "limits.cpu": args.cpu_quota,
            "requests.memory": args.memory_quota, "limits.memory": args.memory_quota,
        }), opts=in_ns)
        # With a quota on limits, a pod without limits is refused; the LimitRange fills sane defaults in.
        LimitRange(f"{name}-limits", metadata=meta("default-limits"), spec=LimitRangeSpecArgs(limits=[
            LimitRangeItemArgs(
                type="Container",
                default_request={"cpu": args.default_request_cpu, "memory": args.default_request_memory},
                default={"cpu": args.default_limit_cpu, "memory": args.default_limit_memory}),
        ]), opts=in_ns)

        every_pod = LabelSelectorArgs()
        policies: dict[str, NetworkPolicySpecArgs] = {
            # Selecting every pod with both types and no rules: nothing in or out unless allowed below.
            "default-deny": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Ingress", "Egress"]),
            "allow-dns": NetworkPolicySpecArgs(pod_selector=every_pod, policy_types=["Egress"], egress=[
                NetworkPolicyEgressRuleArgs(to=[_namespace_peer("kube-system")], ports=[
                    NetworkPolicyPortArgs(protocol="UDP", port=53), NetworkPolicyPortArgs(protocol="TCP", port=53)]),
            ]),
            "allow-same-namespace": NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Ingress", "Egress"],
                ingress=[NetworkPolicyIngressRuleArgs(from_=[NetworkPolicyPeerArgs(pod_selector=every_pod)])],
                egress=[NetworkPolicyEgressRuleArgs(to=[NetworkPolicyPeerArgs(pod_selector=every_pod)])]),
            "allow-from-ingress-controller": NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Ingress"],
                ingress=[NetworkPolicyIngressRuleArgs(from_=[_namespace_peer(args.ingress_namespace)])]),
            "allow-from-monitoring": NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Ingress"],
                ingress=[NetworkPolicyIngressRuleArgs(from_=[_namespace_peer(args.monitoring_namespace)])]),
            f"egress-{args.egress}": NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Egress"], egress=egress_rules(args)),
        }
        if args.scrapes_all_namespaces:
            policies["allow-scrape-all-namespaces"] = NetworkPolicySpecArgs(
                pod_selector=every_pod, policy_types=["Egress"],
                egress=[NetworkPolicyEgressRuleArgs(to=[_namespace_peer(None)])])
        for policy_name, spec in policies.items():
            NetworkPolicy(f"{name}-{policy_name}", metadata=meta(policy_name), spec=spec, opts=in_ns)

        for role_name, rules in ROLE_RULES.items():
            role = Role(f"{name}-{role_name}-role", metadata=meta(role_name), rules=[
                PolicyRuleArgs(api_groups=list(groups), resources=list(resources), verbs=list(verbs))
                for groups, resources, verbs in rules], opts=in_ns)
            subject = (SubjectArgs(kind="ServiceAccount", name=DEPLOYER, namespace=ns_name) if role_name == DEPLOYER
                       else SubjectArgs(kind="Group", name=args.group_bindings[role_name],
                                        api_group="rbac.authorization.k8s.io"))
            RoleBinding(f"{name}-{role_name}-binding", metadata=meta(role_name), subjects=[subject],
                        role_ref=RoleRefArgs(api_group="rbac.authorization.k8s.io", kind="Role", name=role_name),
                        opts=pulumi.ResourceOptions.merge(in_ns, pulumi.ResourceOptions(depends_on=[role])))

        # CI's identity: no API token is mounted into pods; CI requests a short-lived token for it.
        ServiceAccount(f"{name}-{DEPLOYER}", metadata=meta(DEPLOYER), automount_service_account_token=False,
                       opts=in_ns)
        self.service_accounts: dict[str, ServiceAccount] = {}
        for account, role_arn in args.service_accounts.items():
            self.service_accounts[account] = ServiceAccount(
                f"{name}-{account}-sa", metadata=meta(account, {"eks.amazonaws.com/role-arn": role_arn}),
                automount_service_account_token=False, opts=in_ns)

        self.register_outputs({"namespace": self.namespace})
