"""aws-ec2-security-group-no-open-egress, each variant the README claims: no egress to `0.0.0.0/0` or `::/0`
(IPv4 and IPv6 alike) from a SecurityGroup, the DefaultSecurityGroup, an egress SecurityGroupRule or a
vpc.SecurityGroupEgressRule; public CIDRs only from `allowedEgressCidrs`; private space (RFC 1918, and
fc00::/7 for IPv6, RFC 4193) is not egress to the internet."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN, Resource, StackView, Verdict
from policies.rules.aws_ec2_security_group_no_open_egress import check as check_stack
from tests.policies.helpers import resource

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"


def check(one: Resource, config: dict[str, Any]) -> Verdict:
    """The rule is a stack policy (prefix lists are joined to their entries): one resource as a whole stack."""
    return check_stack(StackView({one.type: [one]}), config)


def message(path: str, cidr: str) -> str:
    return (f"{path} allows egress to {cidr}; use VPC endpoints or add the destination's range to "
            "allowedEgressCidrs in the pack config.")


@pytest.mark.parametrize("kind", [SG, DEFAULT_SG])
@pytest.mark.parametrize(("key", "cidr"), [("cidrBlocks", "0.0.0.0/0"), ("ipv6CidrBlocks", "::/0"),
                                           ("cidrBlocks", "8.8.8.0/24"), ("ipv6CidrBlocks", "2001:4860::/32")])
def test_a_group_egress_block_to_public_space_is_flagged_with_its_path(kind: str, key: str, cidr: str) -> None:
    private = {"cidrBlocks": ["10.30.0.0/16"], "ipv6CidrBlocks": ["fd00:1::/64"]}
    props = {"egress": [private, {key: [cidr]}]}
    assert check(resource(kind, props), {}).messages == [message(f"egress[1].{key}", cidr)]


@pytest.mark.parametrize("kind", [SG, DEFAULT_SG])
def test_a_group_with_only_private_egress_or_none_passes(kind: str) -> None:
    for props in ({"egress": [{"cidrBlocks": ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"],
                               "ipv6CidrBlocks": ["fc00::/7"]}]}, {}, {"egress": []}):
        assert check(resource(kind, props), {}).messages == []


@pytest.mark.parametrize(("key", "cidr"), [("cidrBlocks", "0.0.0.0/0"), ("ipv6CidrBlocks", "::/0")])
def test_an_egress_rule_resource_is_flagged_an_ingress_rule_is_not(key: str, cidr: str) -> None:
    assert check(resource(RULE, {"type": "egress", key: [cidr]}), {}).messages == [message(key, cidr)]
    assert check(resource(RULE, {"type": "ingress", key: [cidr]}), {}).messages == []


@pytest.mark.parametrize(("key", "cidr"), [("cidrIpv4", "0.0.0.0/0"), ("cidrIpv6", "::/0")])
def test_a_vpc_egress_rule_is_flagged_for_either_family(key: str, cidr: str) -> None:
    assert check(resource(EGRESS_RULE, {key: cidr}), {}).messages == [message(key, cidr)]
    assert check(resource(EGRESS_RULE, {key: "10.30.0.0/16" if key == "cidrIpv4" else "fd00::/8"}), {}).messages == []


def test_a_vpc_egress_rule_to_a_security_group_names_no_cidr() -> None:
    assert check(resource(EGRESS_RULE, {"referencedSecurityGroupId": "sg-1"}), {}).messages == []


@pytest.mark.parametrize(("kind", "props"), [
    (SG, {"egress": [{"cidrBlocks": ["198.51.100.0/24"]}]}),
    (RULE, {"type": "egress", "cidrBlocks": ["198.51.100.0/24"]}),
    (EGRESS_RULE, {"cidrIpv4": "198.51.100.0/25"}),
])
def test_allowed_public_ranges_pass_and_only_they(kind: str, props: dict[str, Any]) -> None:
    """A range inside an allow-listed one passes; the allow-list does not open anything else."""
    config = {"allowedEgressCidrs": ["198.51.100.0/24"]}
    assert check(resource(kind, props), config).messages == []
    assert check(resource(kind, props), {"allowedEgressCidrs": ["203.0.113.0/24"]}).messages != []
    assert check(resource(SG, {"egress": [{"cidrBlocks": ["0.0.0.0/0"]}]}), config).messages != []


def test_unknown_values_are_named_not_judged() -> None:
    # A stack policy names the resource with the path: the helper's resource is called `r`.
    assert check(resource(SG, {"egress": UNKNOWN}), {}).unknown == ["r.egress"]
    assert check(resource(SG, {"egress": [{"cidrBlocks": [UNKNOWN]}]}), {}).unknown == ["r.egress[0].cidrBlocks"]
    assert check(resource(RULE, {"type": UNKNOWN, "cidrBlocks": ["0.0.0.0/0"]}), {}).unknown == ["r.type"]
    assert check(resource(RULE, {"type": "egress", "ipv6CidrBlocks": [UNKNOWN]}), {}).unknown == ["r.ipv6CidrBlocks"]
    assert check(resource(EGRESS_RULE, {"cidrIpv6": UNKNOWN}), {}).unknown == ["r.cidrIpv6"]
    for props in ({"egress": UNKNOWN}, {"egress": [{"cidrBlocks": [UNKNOWN]}]}):
        verdict = check(resource(SG, props), {})
        assert verdict.messages == []


def test_a_value_that_is_not_a_cidr_cannot_be_proved_closed() -> None:
    assert check(resource(EGRESS_RULE, {"cidrIpv4": "everywhere"}), {}).messages == [message("cidrIpv4", "everywhere")]
