"""`kubernetes-namespace-egress-reaches-aws-endpoints`: in prod, every namespace that restricts egress still
lets its pods reach the VPC's AWS endpoints.

Under a default-deny egress a pod reaches STS (IRSA), ECR, S3, CloudWatch Logs and Secrets Manager only if
some policy allows TCP 443 to the interface endpoints' addresses (EKS best practices, "Network security":
with network policies, allow egress to the VPC endpoints). Otherwise every AWS SDK call in the namespace
times out while the plan stays compliant. The endpoints' addresses are the CIDRs of the subnets the plan's
`Interface` VPC endpoints sit in; with no interface endpoint in the plan, 443 to the internet (through NAT) is
what reaches AWS. A NetworkPolicy without a namespace lives in `default`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any

from ._kubernetes import NAMESPACE, NETWORK_POLICY, object_name, selects_all_pods
from ._support import Resource, StackView, Verdict, as_list, contains_unknown, dig, join_by_reference, stack_policy

NAME = "kubernetes-namespace-egress-reaches-aws-endpoints"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET = "aws:ec2/subnet:Subnet"
INTERNET = "0.0.0.0/0"


def _network(cidr: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(cidr), strict=False)
    except ValueError:
        return None


def _peer_covers(peer: Any, target: str) -> bool:
    block = dig(peer, "ipBlock")
    if block is None:
        return False  # pod and namespace selectors stay inside the cluster
    outer, inner = _network(dig(block, "cidr")), _network(target)
    if outer is None or inner is None or outer.version != inner.version:
        return False
    if target == INTERNET:
        return outer.prefixlen == 0
    if not inner.subnet_of(outer):  # type: ignore[arg-type]
        return False
    return not any((ex := _network(e)) is not None and ex.version == inner.version and ex.overlaps(inner)
                   for e in as_list(dig(block, "except")))


def _ports_allow_443(ports: Any) -> bool:
    if not ports:
        return True
    for port in as_list(ports):
        if (dig(port, "protocol") or "TCP") != "TCP":
            continue
        number, end = dig(port, "port"), dig(port, "endPort")
        if number is None or number == 443 or (isinstance(number, (int, float)) and isinstance(end, (int, float))
                                               and number <= 443 <= end):
            return True
    return False


def allows(policy: Resource, target: str) -> bool:
    spec = dig(policy.props, "spec")
    if not selects_all_pods(dig(spec, "podSelector")):
        return False
    for rule in as_list(dig(spec, "egress")):
        if _ports_allow_443(dig(rule, "ports")) and (not dig(rule, "to") or
                                                     any(_peer_covers(p, target) for p in as_list(dig(rule, "to")))):
            return True
    return False


def restricts_egress(policy: Resource) -> bool:
    spec = dig(policy.props, "spec")
    return "Egress" in as_list(dig(spec, "policyTypes")) or bool(dig(spec, "egress"))


def endpoint_cidrs(stack: StackView) -> list[str] | None:
    subnets = {s.urn: s for s in stack.of(SUBNET)}
    cidrs: list[str] = []
    for endpoint in stack.of(VPC_ENDPOINT):
        if dig(endpoint.props, "vpcEndpointType") != "Interface":
            continue
        for urn in endpoint.dependencies:
            if urn in subnets:
                cidr = dig(subnets[urn].props, "cidrBlock")
                if contains_unknown(cidr):
                    return None
                if cidr not in cidrs:
                    cidrs.append(str(cidr))
    return cidrs


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    targets = endpoint_cidrs(stack)
    if targets is None:
        verdict.cannot_judge("subnet.cidrBlock")
        return verdict
    targets = targets or [INTERNET]
    policies = stack.of(NETWORK_POLICY)
    namespaces = stack.of(NAMESPACE)
    attached, _ = join_by_reference(namespaces, object_name, policies,
                                    lambda p: dig(p.props, "metadata", "namespace") or "default")
    for ns in namespaces:
        own = attached[ns.urn]
        if any(contains_unknown(dig(p.props, "spec")) for p in own):
            verdict.cannot_judge(f"{ns.name}.networkPolicies.spec")
            continue
        if not any(restricts_egress(p) for p in own):
            continue
        missing = [t for t in targets if not any(allows(p, t) for p in own if restricts_egress(p))]
        if missing:
            where = ("the internet (no interface VPC endpoint in the plan)" if missing == [INTERNET]
                     else f"the VPC endpoints' subnets {', '.join(missing)}")
            verdict.violation(f"namespace {object_name(ns)} restricts egress but no policy selecting all its "
                              f"pods allows TCP 443 to {where}: STS, ECR, S3 and Logs calls would time out.", ns.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="In prod every namespace that restricts egress allows TCP 443 to the VPC's AWS interface endpoints.",
    resource_types=[NAMESPACE, NETWORK_POLICY, VPC_ENDPOINT, SUBNET],
    check=check,
    stacks=["prod"],
)
