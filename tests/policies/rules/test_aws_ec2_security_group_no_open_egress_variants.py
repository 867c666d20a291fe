"""aws-ec2-security-group-no-open-egress, each variant the README claims: no egress to `0.0.0.0/0` or `::/0`
(IPv4 and IPv6 alike) from a SecurityGroup, the DefaultSecurityGroup, an egress SecurityGroupRule or a
vpc.SecurityGroupEgressRule; public CIDRs only from `allowedEgressCidrs`; private space (RFC 1918, and
fc00::/7 for IPv6, RFC 4193) is not egress to the internet."""

from __future__ import annotations

import dataclasses
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


PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"


def _with_lists(group: Resource, *lists: Resource) -> Verdict:
    by_type: dict[str, list[Resource]] = {group.type: [group]}
    for pl in lists:
        by_type.setdefault(pl.type, []).append(pl)
    return check_stack(StackView(by_type), {})


@pytest.mark.parametrize("known", [{"id": "pl-0123456789abcdef0"},
                                   {"arn": "arn:aws:ec2:eu-west-1:111122223333:prefix-list/pl-0123456789abcdef0"}],
                         ids=["by-id", "by-arn"])
def test_a_prefix_list_is_joined_by_its_id_or_the_last_part_of_its_arn(known: dict[str, str]) -> None:
    """A group's `prefixListIds` entry names the list's id (`pl-...`); the plan's list is found by its `id`, or by
    its `arn` when only that is known, and judged by its entries."""
    group = resource(SG, {"egress": [{"prefixListIds": ["pl-0123456789abcdef0"]}]}, name="sg")
    private = resource(PREFIX_LIST, {**known, "entries": [{"cidr": "10.30.0.0/16"}]}, name="internal")
    assert _with_lists(group, private).messages == []
    open_ = resource(PREFIX_LIST, {**known, "entries": [{"cidr": "0.0.0.0/0"}]}, name="everywhere")
    assert _with_lists(group, open_).messages == [
        message("egress[0].prefixListIds", "0.0.0.0/0 through prefix list everywhere (everywhere.entries[0].cidr)")]


def test_a_prefix_list_the_plan_does_not_define_is_refused_with_the_reason() -> None:
    """An AWS-managed list (S3's `com.amazonaws.<region>.s3`) holds the service's public ranges (AWS VPC user guide,
    "AWS-managed prefix lists"); its entries are not in the plan."""
    group = resource(SG, {"egress": [{"prefixListIds": ["pl-6da54004"]}]}, name="sg")
    assert _with_lists(group).messages == [
        "egress[0].prefixListIds allows egress to prefix list pl-6da54004, which this plan does not define: its "
        "entries cannot be judged (an AWS-managed list such as S3's holds the service's public ranges); define the "
        "prefix list in the plan with allowed CIDRs, or use VPC endpoints."]


def test_a_prefix_list_not_known_yet_does_not_stop_the_groups_other_prefix_lists_being_judged() -> None:
    """A group with a computed prefix list reference (a gateway endpoint's, during a preview) and S3's AWS-managed
    list by id: the first is named as not judged, the second is still refused."""
    group = resource(SG, {"egress": [{"prefixListIds": [UNKNOWN]}, {"prefixListIds": ["pl-6da54004"]}]}, name="sg")
    verdict = _with_lists(group)
    assert verdict.unknown == ["sg.egress[0].prefixListIds"]
    assert [m.split(",")[0] for m in verdict.messages] == [
        "egress[1].prefixListIds allows egress to prefix list pl-6da54004"]
    only_unknown = _with_lists(resource(SG, {"egress": [{"prefixListIds": [UNKNOWN]}]}, name="sg"))
    assert only_unknown.messages == [] and only_unknown.unknown == ["sg.egress[0].prefixListIds"]


def test_a_reference_not_known_yet_is_joined_through_the_dependency_even_beside_lists_known_by_id() -> None:
    """During a preview a new list's id is computed, while another list of the plan (adopted, or created earlier)
    has one: the group's computed reference is still joined to the one list it depends on, and judged by its
    entries, not refused as a list the plan does not define."""
    known = resource(PREFIX_LIST, {"id": "pl-0123456789abcdef0", "entries": [{"cidr": "10.30.0.0/16"}]}, name="known")
    new = resource(PREFIX_LIST, {"id": UNKNOWN, "entries": [{"cidr": "10.40.0.0/16"}]}, name="new")
    group = dataclasses.replace(resource(SG, {"egress": [{"prefixListIds": [UNKNOWN]}]}, name="sg"),
                                dependencies=(new.urn,))
    verdict = _with_lists(group, known, new)
    assert (verdict.messages, verdict.unknown) == ([], [])
    opened = dataclasses.replace(new, props={"id": UNKNOWN, "entries": [{"cidr": "0.0.0.0/0"}]})
    assert _with_lists(group, known, opened).messages == [
        message("egress[0].prefixListIds", "0.0.0.0/0 through prefix list new (new.entries[0].cidr)")]


def test_a_prefix_list_reference_that_is_no_string_is_refused_not_looked_up() -> None:
    """A malformed reference (a number, an object) names no list of the plan: refused as undefined, naming it."""
    group = resource(SG, {"egress": [{"prefixListIds": [{"id": "pl-1"}]}]}, name="sg")
    listed = resource(PREFIX_LIST, {"id": "pl-0123456789abcdef0", "entries": [{"cidr": "10.30.0.0/16"}]}, name="known")
    assert [m.split(",")[0] for m in _with_lists(group, listed).messages] == [
        "egress[0].prefixListIds allows egress to prefix list {'id': 'pl-1'}"]
