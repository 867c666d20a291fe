"""The network's config (`ml-platform:network`): a created VPC's range, NAT choice, and an adopted account's
existing network; each bad value one line naming stack and key. Beside test_stack_config.py, which it reuses."""

from __future__ import annotations

import copy
import ipaddress
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

import stack_config
from tests.support import STACKS
from tests.test_stack_config import parse_error, raw_config

ADOPTED_ACCOUNT = "123456789012"
PRIVATE = {"subnet-0a0000000000000a1": "eu-west-1a", "subnet-0a0000000000000b2": "eu-west-1b"}
DATABASE = {"subnet-0a0000000000000c3": "eu-west-1a", "subnet-0a0000000000000d4": "eu-west-1b"}


def _network(network: dict[str, Any], adopt: bool = False) -> Any:
    def mutate(raw: dict[str, Any]) -> None:
        raw["network"] = network
        if adopt:
            raw["account"]["id"] = ADOPTED_ACCOUNT
    return mutate


def _adopted(**changes: Any) -> dict[str, Any]:
    network = {"vpcId": "vpc-0a0000000000000e5", "vpcCidr": "10.20.0.0/16", "privateSubnetIds": dict(PRIVATE),
               "databaseSubnetIds": dict(DATABASE)}
    network.update(changes)
    return {k: v for k, v in network.items() if v is not None}


def _assert_one_line(message: str, stack: str, key: str, words: str) -> None:
    assert "\n" not in message
    assert message.startswith(f"{stack}: {key} "), message
    assert words in message, message


BAD_NETWORKS = [
    # (stack, mutation, key named, words)
    ("staging", _network({"cidr": "10.20.0.0/21"}), "network.cidr", "from /16 to /20"),
    ("staging", _network({"cidr": "10.0.0.0/15"}), "network.cidr", "from /16 to /20"),
    ("staging", _network({"cidr": "100.64.0.0/16"}), "network.cidr", "RFC 1918"),
    ("staging", _network({"cidr": "10.20.0.1/16"}), "network.cidr", "must be a CIDR block"),
    ("staging", _network({}), "network.cidr", "is required"),
    ("prod", _network({"cidr": "10.30.0.0/16", "natGateways": "single"}), "network.natGateways", "perAz in prod"),
    ("dev", _network({"cidr": "10.10.0.0/16", "natGateways": "two"}), "network.natGateways", "single or perAz"),
    # Literal ids while the stack creates its account: that account has no such VPC or subnets.
    ("prod", _network({"cidr": "10.30.0.0/16", "privateSubnetIds": dict(PRIVATE)}), "network.privateSubnetIds",
     "must not be set when the stack creates its account"),
    ("dev", _network({"vpcId": "vpc-0a0000000000000e5"}), "network.vpcId",
     "must not be set when the stack creates its account"),
    ("staging", _network({"databaseSubnetIds": dict(DATABASE)}), "network.databaseSubnetIds",
     "must not be set when the stack creates its account"),
    # Adopted networks.
    ("staging", _network(_adopted(privateSubnetIds={"subnet-0a0000000000000a1": "eu-west-1a"}), adopt=True),
     "network.privateSubnetIds", "at least 2 subnets in distinct zones"),
    ("staging", _network(_adopted(privateSubnetIds={"subnet-0a0000000000000a1": "eu-west-1a",
                                                    "subnet-0a0000000000000b2": "eu-west-1a"}), adopt=True),
     "network.privateSubnetIds", "at least 2 subnets in distinct zones"),
    ("staging", _network(_adopted(databaseSubnetIds={"subnet-0a0000000000000c3": "eu-west-1a"}), adopt=True),
     "network.databaseSubnetIds", "at least 2 subnets in distinct zones"),
    ("staging", _network(_adopted(privateSubnetIds=["subnet-0a0000000000000a1", "subnet-0a0000000000000b2"]),
                         adopt=True), "network.privateSubnetIds", "a mapping of subnet id to availability zone"),
    ("staging", _network(_adopted(privateSubnetIds={"subnet-0a0000000000000a1": "us-east-1a",
                                                    "subnet-0a0000000000000b2": "eu-west-1b"}), adopt=True),
     "network.privateSubnetIds.subnet-0a0000000000000a1", "must name a zone of eu-west-1"),
    ("staging", _network(_adopted(privateSubnetIds={"sub-1": "eu-west-1a", "subnet-0a0000000000000b2": "eu-west-1b"}),
                         adopt=True), "network.privateSubnetIds.sub-1", "must be a subnet id"),
    ("staging", _network(_adopted(databaseSubnetIds=None), adopt=True), "network.databaseSubnetIds", "is required"),
    ("staging", _network(_adopted(vpcId="vpc-x"), adopt=True), "network.vpcId", "a VPC id"),
    ("staging", _network(_adopted(cidr="10.20.0.0/16"), adopt=True), "network.cidr", "must not be set with"),
]


@pytest.mark.parametrize(("stack", "mutate", "key", "words"), BAD_NETWORKS,
                         ids=[f"{s}-{k}-{i}" for i, (s, _, k, _) in enumerate(BAD_NETWORKS)])
def test_bad_network_config_is_one_line_naming_stack_and_key(stack: str, mutate: Any, key: str, words: str) -> None:
    _assert_one_line(parse_error(stack, mutate), stack, key, words)


def test_nat_defaults_one_gateway_in_dev_one_per_zone_elsewhere() -> None:
    for stack, expected in (("dev", "single"), ("staging", "per_az"), ("prod", "per_az")):
        raw = copy.deepcopy(raw_config(stack))
        raw["network"].pop("natGateways", None)
        assert stack_config.parse(stack, raw).network.nat_gateways == expected
    raw = copy.deepcopy(raw_config("dev"))
    raw["network"]["natGateways"] = "perAz"
    assert stack_config.parse("dev", raw).network.nat_gateways == "per_az"


def test_an_adopted_account_may_name_its_existing_network() -> None:
    raw = copy.deepcopy(raw_config("staging"))
    _network(_adopted(), adopt=True)(raw)
    network = stack_config.parse("staging", raw).network
    assert network.cidr is None and network.existing is not None
    assert network.existing.private_subnets == PRIVATE and network.vpc_cidr == "10.20.0.0/16"


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_create_their_network_from_a_cidr(stack: str) -> None:
    network = stack_config.parse(stack, raw_config(stack)).network
    assert network.existing is None and network.cidr


def test_the_stacks_vpc_ranges_are_disjoint() -> None:
    """Peering, a Transit Gateway or a shared CI runner network cannot route to two VPCs with the same addresses;
    the ranges are chosen once (a CIDR change replaces the VPC), so they are kept apart from the start."""
    configs = {s: stack_config.parse(s, raw_config(s)) for s in STACKS}
    assert stack_config.overlapping_networks(configs) == []
    blocks = [ipaddress.ip_network(c.network.vpc_cidr) for c in configs.values()]
    assert len(blocks) == 3


def test_an_overlapping_range_is_one_line_naming_the_stack_and_key() -> None:
    configs = {s: stack_config.parse(s, raw_config(s)) for s in STACKS}
    raw = copy.deepcopy(raw_config("prod"))
    raw["network"]["cidr"] = "10.10.128.0/20"  # inside dev's 10.10.0.0/16
    configs["prod"] = stack_config.parse("prod", raw)
    (problem,) = stack_config.overlapping_networks(configs)
    _assert_one_line(problem, "prod", "network.cidr", "overlaps dev's network.cidr '10.10.0.0/16'")


@given(prefix=st.integers(min_value=8, max_value=28))
def test_a_created_vpc_is_refused_exactly_when_smaller_than_a_20_or_larger_than_a_16(prefix: int) -> None:
    raw = copy.deepcopy(raw_config("staging"))
    raw["network"] = {"cidr": f"10.0.0.0/{prefix}"}
    if 16 <= prefix <= 20:
        assert stack_config.parse("staging", raw).network.cidr == f"10.0.0.0/{prefix}"
    else:
        with pytest.raises(stack_config.ConfigError) as info:
            stack_config.parse("staging", raw)
        _assert_one_line(str(info.value), "staging", "network.cidr", "from /16 to /20")
