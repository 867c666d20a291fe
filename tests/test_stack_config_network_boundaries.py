"""The network's config rules at their boundaries: each value the README or an error message refuses, beside
the nearest value that is accepted (so a loosened or tightened bound fails one of the two). README, "The network":
a created VPC is /16 (AWS's largest VPC) to /20 inside RFC 1918; an adopted one's primary CIDR /16 to /28 (AWS's
VPC size limits); subnets in at least two zones of the region; NAT one per zone in prod."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import stack_config
from tests.test_stack_config import raw_config

ADOPTED_ACCOUNT = "123456789012"
PRIVATE = {"subnet-0a0000000000000a1": "eu-west-1a", "subnet-0a0000000000000b2": "eu-west-1b"}
DATABASE = {"subnet-0a0000000000000c3": "eu-west-1a", "subnet-0a0000000000000d4": "eu-west-1b"}


def problems(stack: str, network: dict[str, Any], adopt: bool = False) -> list[str]:
    """Every problem of the network (the parse collects them all), or [] when it parses."""
    raw = copy.deepcopy(raw_config(stack))
    raw["network"] = network
    if adopt:
        raw["account"]["id"] = ADOPTED_ACCOUNT
    try:
        stack_config.parse(stack, raw)
    except stack_config.ConfigError as error:
        return [p for p in error.problems if p.startswith("network")]
    return []


def adopted(**changes: Any) -> dict[str, Any]:
    network = {"vpcId": "vpc-0a0000000000000e5", "vpcCidr": "10.20.0.0/16", "privateSubnetIds": dict(PRIVATE),
               "databaseSubnetIds": dict(DATABASE)}
    network.update(changes)
    return {k: v for k, v in network.items() if v is not None}


def size_problem(key: str, cidr: str, smallest: int) -> list[str]:
    return [f"{key} must be an IPv4 block from /16 to /{smallest} (/16 is AWS's largest VPC), got {cidr!r}"]


@pytest.mark.parametrize(("cidr", "ok"), [("10.20.0.0/16", True), ("10.20.0.0/20", True), ("10.20.0.0/15", False),
                                          ("10.20.0.0/21", False)])
def test_a_created_vpc_is_16_to_20(cidr: str, ok: bool) -> None:
    assert problems("staging", {"cidr": cidr}) == ([] if ok else size_problem("network.cidr", cidr, 20))


@pytest.mark.parametrize(("cidr", "ok"), [("10.20.0.0/16", True), ("10.20.0.0/28", True), ("10.0.0.0/15", False),
                                          ("10.20.0.0/29", False)])
def test_an_adopted_vpc_is_16_to_28(cidr: str, ok: bool) -> None:
    found = problems("staging", adopted(vpcCidr=cidr), adopt=True)
    assert found == ([] if ok else size_problem("network.vpcCidr", cidr, 28))


@pytest.mark.parametrize("key", ["cidr", "vpcCidr"])
def test_an_ipv6_block_is_refused_where_an_ipv4_vpc_is_meant(key: str) -> None:
    network = {"cidr": "fd00:10::/56"} if key == "cidr" else adopted(vpcCidr="fd00:10::/56")
    assert problems("staging", network, adopt=key == "vpcCidr") == size_problem(
        f"network.{key}", "fd00:10::/56", 20 if key == "cidr" else 28)


@pytest.mark.parametrize(("cidr", "ok"), [("10.255.0.0/16", True), ("11.0.0.0/16", False),
                                          ("172.16.0.0/16", True), ("172.31.0.0/16", True), ("172.32.0.0/16", False),
                                          ("172.15.0.0/16", False), ("192.168.0.0/16", True),
                                          ("192.169.0.0/16", False), ("100.64.0.0/16", False)])
@pytest.mark.parametrize("key", ["cidr", "vpcCidr"])
def test_a_vpc_is_inside_rfc_1918(key: str, cidr: str, ok: bool) -> None:
    network = {"cidr": cidr} if key == "cidr" else adopted(vpcCidr=cidr)
    expected = [f"network.{key} must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 (RFC 1918), got {cidr!r}"]
    assert problems("staging", network, adopt=key == "vpcCidr") == ([] if ok else expected)


@pytest.mark.parametrize(("cidr", "why"), [("10.20.0.0", "no prefix length"),
                                           ("10.20.0.1/16", "10.20.0.1/16 has host bits set")])
def test_a_value_that_is_not_a_network_is_named_with_why(cidr: str, why: str) -> None:
    assert problems("staging", {"cidr": cidr}) == [
        f"network.cidr must be a CIDR block like 10.0.0.0/16, got {cidr!r} ({why})"]


def test_single_nat_is_refused_in_prod_only() -> None:
    assert problems("prod", {"cidr": "10.30.0.0/16", "natGateways": "single"}) == [
        "network.natGateways must be perAz in prod (one zone's outage must not cut every zone's egress), got 'single'"]
    assert problems("staging", {"cidr": "10.20.0.0/16", "natGateways": "single"}) == []
    assert problems("prod", {"cidr": "10.30.0.0/16", "natGateways": "perAz"}) == []


def test_each_literal_of_a_created_account_is_named() -> None:
    network = {"vpcId": "vpc-0a0000000000000e5", "vpcCidr": "10.20.0.0/16", "privateSubnetIds": dict(PRIVATE),
               "databaseSubnetIds": dict(DATABASE)}
    advice = ("must not be set when the stack creates its account (the account has no network yet: network.cidr "
              "creates it); remove it, or adopt an account with account.id")
    assert problems("staging", network) == [f"network.{key} {advice}" for key in network]


def test_an_adopted_network_takes_neither_cidr_nor_nat() -> None:
    found = problems("staging", adopted(cidr="10.20.0.0/16", natGateways="perAz"), adopt=True)
    assert found == ["network.cidr must not be set with network.vpcId (the network is adopted, not created)",
                     "network.natGateways must not be set with network.vpcId (the network is adopted, not created)"]


def test_two_subnets_in_two_zones_are_enough_one_zone_is_not() -> None:
    assert problems("staging", adopted(), adopt=True) == []
    three = {**PRIVATE, "subnet-0a0000000000000f6": "eu-west-1a"}
    assert problems("staging", adopted(privateSubnetIds=three), adopt=True) == []
    one_zone = {"subnet-0a0000000000000c3": "eu-west-1a", "subnet-0a0000000000000d4": "eu-west-1a"}
    assert problems("staging", adopted(databaseSubnetIds=one_zone), adopt=True) == [
        "network.databaseSubnetIds must list at least 2 subnets in distinct zones (EKS and RDS need two), got "
        f"{one_zone}"]


def test_a_subnet_cannot_be_both_a_node_and_a_database_subnet() -> None:
    shared = {"subnet-0a0000000000000a1": "eu-west-1a", "subnet-0a0000000000000d4": "eu-west-1b"}
    assert problems("staging", adopted(databaseSubnetIds=shared), adopt=True) == [
        "network.databaseSubnetIds.subnet-0a0000000000000a1 must not also be a private (node) subnet"]


def test_adjacent_ranges_do_not_overlap_nested_ones_do() -> None:
    def configs(**cidrs: str) -> dict[str, stack_config.StackConfig]:
        out = {}
        for stack, cidr in cidrs.items():
            raw = copy.deepcopy(raw_config(stack))
            raw["network"]["cidr"] = cidr
            out[stack] = stack_config.parse(stack, raw)
        return out

    assert stack_config.overlapping_networks(configs(dev="10.10.0.0/16", staging="10.11.0.0/16",
                                                     prod="10.12.0.0/16")) == []
    assert stack_config.overlapping_networks(configs(dev="10.10.0.0/16", staging="10.10.16.0/20",
                                                     prod="10.10.32.0/20")) == [
        # Pairs in stack-name order: (dev, prod), (dev, staging); prod and staging are apart.
        "prod: network.cidr '10.10.32.0/20' overlaps dev's network.cidr '10.10.0.0/16'; every stack needs its own "
        "range",
        "staging: network.cidr '10.10.16.0/20' overlaps dev's network.cidr '10.10.0.0/16'; every stack needs its own "
        "range"]


def test_each_bad_value_is_named_with_what_is_allowed() -> None:
    """The messages the README's "one line naming stack, key, value and what is allowed" promises, in full."""
    assert problems("staging", {"cidr": "10.20.0.0/16", "natGateway": "single"}) == [
        "network.natGateway is not a known key; did you mean 'natGateways'? (known: cidr, databaseSubnetIds, "
        "natGateways, privateSubnetIds, vpcCidr, vpcId)"]
    assert problems("dev", {"cidr": "10.10.0.0/16", "natGateways": "two"}) == [
        "network.natGateways must be single or perAz, got 'two'"]
    assert problems("staging", adopted(vpcId="vpc-x"), adopt=True) == [
        "network.vpcId must be a VPC id like 'vpc-0123abcd', got 'vpc-x'"]
    assert problems("staging", adopted(vpcCidr=None), adopt=True) == ["network.vpcCidr is required"]
    assert problems("staging", adopted(privateSubnetIds=["subnet-0a0000000000000a1"]), adopt=True) == [
        "network.privateSubnetIds must be a mapping of subnet id to availability zone (subnet-0123abcd: eu-west-1a), "
        "got ['subnet-0a0000000000000a1']"]


@pytest.mark.parametrize("zone", ["eu-west-1", "eu-west-1ab", "eu-west-2a", "EU-WEST-1A", 1])
def test_a_subnet_zone_is_one_zone_of_the_region(zone: Any) -> None:
    private = {"subnet-0a0000000000000a1": zone, "subnet-0a0000000000000b2": "eu-west-1b"}
    assert problems("staging", adopted(privateSubnetIds=private), adopt=True) == [
        f"network.privateSubnetIds.subnet-0a0000000000000a1 must name a zone of eu-west-1 like 'eu-west-1a', "
        f"got {zone!r}"]


def test_an_adopted_network_keeps_its_ids() -> None:
    raw = copy.deepcopy(raw_config("staging"))
    raw["network"] = adopted()
    raw["account"]["id"] = ADOPTED_ACCOUNT
    existing = stack_config.parse("staging", raw).network.existing
    assert existing is not None
    assert (existing.vpc_id, existing.vpc_cidr) == ("vpc-0a0000000000000e5", "10.20.0.0/16")
    assert (existing.private_subnets, existing.database_subnets) == (PRIVATE, DATABASE)
