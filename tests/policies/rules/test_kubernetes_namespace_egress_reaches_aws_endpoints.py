"""kubernetes-namespace-egress-reaches-aws-endpoints: in prod, restricted egress still reaches the interface
endpoints on 443 (EKS best practices, "Network security": allow egress to the VPC endpoints the pods use)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from policies.rules._support import Resource, StackView
from policies.rules.kubernetes_namespace_egress_reaches_aws_endpoints import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_namespaces_that_cannot_reach_the_endpoints(mode: str, integrity_plan: Plan,
                                                          integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == {"egress-elsewhere-bad", "egress-none-bad"}


NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
SUBNET = "aws:ec2/subnet:Subnet"


HTTPS = ({"protocol": "TCP", "port": 443},)


def _judge(peer: dict[str, Any], endpoint_subnet: str | None = None,
           ports: tuple[dict[str, Any], ...] = HTTPS) -> list[str]:
    """The rule's messages for namespace `ml` whose only policy (all pods, Egress) allows `ports` (TCP 443) to
    `peer`; with `endpoint_subnet`, the plan has an Interface VPC endpoint in a subnet of that CIDR."""
    namespace = resource(NAMESPACE, {"metadata": {"name": "ml"}}, name="ml")
    policy = resource(NETWORK_POLICY, {"metadata": {"name": "egress", "namespace": "ml"}, "spec": {
        "podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [peer], "ports": list(ports)}]}}, name="egress")
    by_type: dict[str, list[Resource]] = {NAMESPACE: [namespace], NETWORK_POLICY: [policy]}
    if endpoint_subnet is not None:
        subnet = resource(SUBNET, {"cidrBlock": endpoint_subnet}, name="endpoints-a")
        endpoint = replace(resource(VPC_ENDPOINT, {"vpcEndpointType": "Interface", "serviceName":
                                                   "com.amazonaws.eu-west-1.sts"}, name="sts"),
                           dependencies=(subnet.urn,))
        by_type |= {SUBNET: [subnet], VPC_ENDPOINT: [endpoint]}
    return check(StackView(by_type), {}).messages


def _blocked(where: str) -> list[str]:
    return [f"namespace ml restricts egress but no policy selecting all its pods allows TCP 443 to {where}: STS, ECR, "
            "S3 and Logs calls would time out."]


def test_without_interface_endpoints_only_a_peer_of_the_whole_internet_reaches_aws() -> None:
    """With no interface endpoint in the plan, AWS is reached through NAT on public addresses: `0.0.0.0/0` covers
    them, `0.0.0.0/1` (half the address space) does not."""
    assert _judge({"ipBlock": {"cidr": "0.0.0.0/0"}}) == []
    assert _judge({"ipBlock": {"cidr": "0.0.0.0/1"}}) == _blocked(
        "the internet (no interface VPC endpoint in the plan)")


@pytest.mark.parametrize(("peer", "messages"), [
    ({"ipBlock": {"cidr": "10.0.7.9/16"}}, []),
    ({"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.7/24"]}},
     _blocked("the VPC endpoints' subnets 10.0.1.0/24")),
], ids=["cidr", "except"])
def test_an_ip_block_written_with_host_bits_is_read_as_its_network(peer: dict[str, Any], messages: list[str]) -> None:
    """Kubernetes parses `ipBlock.cidr` and `except` like Go's net.ParseCIDR, which masks host bits: `10.0.7.9/16`
    is 10.0.0.0/16 and covers the endpoints' subnet 10.0.1.0/24; an `except` of `10.0.1.7/24` removes that subnet."""
    assert _judge(peer, endpoint_subnet="10.0.1.0/24") == messages


@pytest.mark.parametrize(("ports", "reaches"), [
    (({"port": 443},), True),
    (({"protocol": "TCP", "port": 400, "endPort": 500},), True),
    (({"protocol": "TCP", "port": 443, "endPort": 443},), True),
    (({"protocol": "TCP", "port": 80},), False),
    (({"protocol": "TCP", "port": 444, "endPort": 500},), False),
    (({"protocol": "TCP", "port": 400, "endPort": 442},), False),
    (({"protocol": "UDP", "port": 443},), False),
    (({"protocol": "TCP", "port": "https"},), False),
    (({"protocol": "TCP", "port": 80}, {"protocol": "TCP", "port": 443}), True),
], ids=["443-default-tcp", "range-over-443", "range-of-443", "80", "range-above", "range-below", "udp", "named",
        "80-then-443"])
def test_the_rules_ports_must_include_tcp_443(ports: tuple[dict[str, Any], ...], reaches: bool) -> None:
    """Kubernetes docs, "Network Policies": a port entry's protocol defaults to TCP, `endPort` makes `port` the
    start of a range (inclusive); a named port is a container port's name on the destination pods, which an
    `ipBlock` peer (the endpoints' subnets) has none of."""
    messages = _judge({"ipBlock": {"cidr": "10.0.0.0/16"}}, endpoint_subnet="10.0.1.0/24", ports=ports)
    assert messages == ([] if reaches else _blocked("the VPC endpoints' subnets 10.0.1.0/24"))


def test_only_a_policy_selecting_every_pod_opens_443_for_the_namespace() -> None:
    """A policy whose podSelector picks some pods opens 443 for those only: the other pods of the restricted
    namespace still time out, so it does not count (the default-deny beside it selects everyone)."""
    namespace = resource(NAMESPACE, {"metadata": {"name": "ml"}}, name="ml")

    def judge(selector: dict[str, Any]) -> list[str]:
        deny = resource(NETWORK_POLICY, {"metadata": {"name": "deny", "namespace": "ml"},
                                         "spec": {"podSelector": {}, "policyTypes": ["Egress"]}}, name="deny")
        https = resource(NETWORK_POLICY, {"metadata": {"name": "https", "namespace": "ml"}, "spec": {
            "podSelector": selector, "policyTypes": ["Egress"], "egress": [{"ports": list(HTTPS)}]}}, name="https")
        return check(StackView({NAMESPACE: [namespace], NETWORK_POLICY: [deny, https]}), {}).messages

    assert judge({}) == []
    assert judge({"matchLabels": {"app": "web"}}) == _blocked("the internet (no interface VPC endpoint in the plan)")


def test_every_endpoint_subnet_not_reached_is_listed() -> None:
    """Endpoints in two subnets, a policy reaching neither: both are named."""
    namespace = resource(NAMESPACE, {"metadata": {"name": "ml"}}, name="ml")
    policy = resource(NETWORK_POLICY, {"metadata": {"name": "egress", "namespace": "ml"}, "spec": {
        "podSelector": {}, "policyTypes": ["Egress"],
        "egress": [{"to": [{"ipBlock": {"cidr": "192.168.0.0/16"}}], "ports": list(HTTPS)}]}}, name="egress")
    subnets = [resource(SUBNET, {"cidrBlock": cidr}, name=f"endpoints-{zone}")
               for zone, cidr in (("a", "10.0.1.0/24"), ("b", "10.0.2.0/24"))]
    endpoint = replace(resource(VPC_ENDPOINT, {"vpcEndpointType": "Interface",
                                               "serviceName": "com.amazonaws.eu-west-1.sts"}, name="sts"),
                       dependencies=tuple(s.urn for s in subnets))
    stack = StackView({NAMESPACE: [namespace], NETWORK_POLICY: [policy], SUBNET: subnets, VPC_ENDPOINT: [endpoint]})
    assert check(stack, {}).messages == _blocked("the VPC endpoints' subnets 10.0.1.0/24, 10.0.2.0/24")
