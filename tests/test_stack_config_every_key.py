"""Every key `stack_config.parse` validates, one table: a value of the wrong kind and the value just outside each
pattern or range are refused with the whole problem list written out (the key path as the user wrote it, the
expected shape, the bad value), and the nearest valid value is accepted and lands in the parsed config.

Mutation testing found keys reported under another path, with no expected shape or with their pattern dropped
(STYLE.md, Errors: one line naming the key, the bad value and what is allowed); a row per key and kind of mistake
makes that whole class visible, not just the mutants that happened to be sampled."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from typing import Any

import pulumi
import pytest

import stack_config
from components.kubernetes import versions
from components.kubernetes.versions import VersionSupport
from tests.test_stack_config import _DELETE, _set, raw_config
from tests.test_stack_config_messages import _parsed
from tests.test_stack_config_network_boundaries import ADOPTED_ACCOUNT, adopted

TODAY = date(2026, 12, 1)
"""The clock of every parse here: the rotation date's "not after today" rule is judged against it."""
ADOPT = {"account.id": ADOPTED_ACCOUNT, "network": adopted()}
"""An adopted account and its existing network (network.vpcId, ...), instead of a created one."""
KEY_ARN = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-0000-4000-8000-00000000beef"
CERTIFICATE_ARN = "arn:aws:acm:eu-west-1:444455556662:certificate/0a1b2c3d-0000-4000-8000-0000000000a2"
CONNECTION_ARN = "arn:aws:codeconnections:eu-west-1:444455556662:connection/0a1b2c3d-0000-4000-8000-0000000000f2"
ROLE_ARN = "arn:aws:iam::444455556662:role/a"
UUID = "0a1b2c3d-0000-4000-8000-0000000000ff"
CODE_LOCATION = "teams.recommendations.codeLocation"
"""The staging team whose stack-file entry has a codeLocation to change keys in."""


def _code_locations(stack: str = "staging") -> dict[str, dict[str, Any]]:
    """Each team of the stack file -> its `codeLocation` entry as written (empty where it has none)."""
    return {team: dict(entry.get("codeLocation") or {}) for team, entry in raw_config(stack)["teams"].items()}


def _teams_taking_the_image_tag(stack: str = "staging") -> list[str]:
    """The stack file's teams whose code location has no tag of its own, so takes `helm.imageTag`."""
    return [team for team, location in _code_locations(stack).items() if "tag" not in location]


@pytest.fixture(autouse=True)
def _fixed_today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(stack_config, "utc_today", lambda: TODAY)


def _changing(changes: Iterable[tuple[str, Any]]) -> Callable[[dict[str, Any]], None]:
    """A mutation for `_parsed`: each dotted key set in order (`_DELETE` removes it); values are copied, so a
    later key can change inside an earlier one (`network`, then `network.vpcId`) without touching the table."""
    steps = [_set(path, copy.deepcopy(value)) if value is not _DELETE else _remove(path) for path, value in changes]

    def mutate(raw: dict[str, Any]) -> None:
        for step in steps:
            step(raw)
    return mutate


def _remove(path: str) -> Callable[[dict[str, Any]], None]:
    """Remove a dotted key if it is there: a row about a default holds whether or not the stack file sets it."""
    *parents, last = path.split(".")

    def remove(raw: dict[str, Any]) -> None:
        node = raw
        for key in parents:
            node = node[key]
        node.pop(last, None)
    return remove


def _id(stack: str, key: str, value: Any) -> str:
    shown = "<missing>" if value is _DELETE else repr(value)
    return f"{stack}-{key}={shown[:40]}"


def refused(key: str, value: Any, *problems: str, stack: str = "staging",
            given: Mapping[str, Any] | None = None) -> Any:
    """`key` set to `value` (after `given`) makes `parse` raise with exactly `problems`, in order."""
    changes = (*(given or {}).items(), (key, value))
    return pytest.param(stack, changes, problems, id=_id(stack, key, value))


def accepted(key: str, value: Any, read: Callable[[stack_config.StackConfig], Any], parsed: Any = ..., *,
             stack: str = "staging", given: Mapping[str, Any] | None = None) -> Any:
    """`key` set to `value` (after `given`) parses, and `read` of the config gives `parsed` (default: `value`)."""
    changes = (*(given or {}).items(), (key, value))
    return pytest.param(stack, changes, read, value if parsed is ... else parsed, id=_id(stack, key, value))


# --- the stack's scalars -----------------------------------------------------------------------------------------

SCALARS = [
    refused("owner", True, "owner must be a string, got True"),
    refused("owner", "platform-team@example", "owner must be an email address, got 'platform-team@example'"),
    refused("owner", "", "owner must not be empty (expected an email address), got ''"),
    refused("owner", _DELETE, "owner is required"),
    refused("region", 1, "region must be a string, got 1"),
    refused("region", "eu-west-10", "region must be an AWS region like 'eu-west-1', got 'eu-west-10'"),
    refused("githubRepository", True, "githubRepository must be a string, got True"),
    refused("githubRepository", "org/repo/x", "githubRepository must be 'owner/name', got 'org/repo/x'"),
    refused("kubernetesVersion", 1.35, "kubernetesVersion must be a string, got 1.35"),
    refused("kubernetesVersion", "1.3", "kubernetesVersion must be a version like '1.35', got '1.3'"),
    refused("kubernetesVersion", "1.350", "kubernetesVersion must be a version like '1.35', got '1.350'"),
    refused("accessRoleName", True, "accessRoleName must be a string, got True"),
    refused("accessRoleName", "r" * 65, f"accessRoleName must be an IAM role name, got {'r' * 65!r}"),
    refused("accessRoleName", "Org Access", "accessRoleName must be an IAM role name, got 'Org Access'"),
]
SCALARS_ACCEPTED = [
    accepted("owner", "a@example.com", lambda c: c.owner),
    accepted("region", "us-gov-west-1", lambda c: c.region),
    accepted("githubRepository", "org/repo", lambda c: c.github_repository),
    accepted("kubernetesVersion", "1.34", lambda c: c.cluster.version),
    accepted("accessRoleName", "r" * 64, lambda c: (c.account.access_role_name, c.access.access_role_name),
             ("r" * 64, "r" * 64)),
]

# --- account and network -----------------------------------------------------------------------------------------

ACCOUNT = [
    refused("account", "x", "account must be an object, got 'x'", "account.name is required",
            "account.email is required", "account.parentOuId is required"),
    refused("account.name", True, "account.name must be a string, got True"),
    refused("account.name", "a" * 51, f"account.name must be an account name, got {'a' * 51!r}"),
    refused("account.name", "ml/platform", "account.name must be an account name, got 'ml/platform'"),
    refused("account.name", " ", "account.name must not be empty (expected an account name), got ' '"),
    refused("account.email", True, "account.email must be a string, got True"),
    refused("account.email", "aws@example", "account.email must be an email address, got 'aws@example'"),
    refused("account.email", "aws@@example.com", "account.email must be an email address, got 'aws@@example.com'"),
    refused("account.email", _DELETE, "account.email is required"),
    refused("account.parentOuId", 7, "account.parentOuId must be a string, got 7"),
    refused("account.parentOuId", "ou-ab12-stag000",
            "account.parentOuId must be an OU id like 'ou-ab12-cd34ef56', got 'ou-ab12-stag000'"),
    refused("account.parentOuId", "r-ab1", "account.parentOuId must be an OU id like 'ou-ab12-cd34ef56', got 'r-ab1'"),
    refused("account.id", 123456789012, "account.id must be a string, got 123456789012"),
    refused("account.id", "12345678901", "account.id must be a 12-digit account id, got '12345678901'"),
    refused("account.closeOnDeletion", "yes", "account.closeOnDeletion must be true or false, got 'yes'"),
    refused("account.closeOnDeletion", 1, "account.closeOnDeletion must be true or false, got 1"),
    refused("account.closeOnDeletion", True, "account.closeOnDeletion must be false in prod, got true", stack="prod"),
    refused("account.managementRoleArn", True, "account.managementRoleArn must be a string, got True"),
    refused("account.managementRoleArn", "arn:aws:iam::12345678901:role/x",
            "account.managementRoleArn must be an IAM role ARN, got 'arn:aws:iam::12345678901:role/x'"),
    refused("account.managementRoleArn", "arn:aws:iam::123456789012:role/",
            "account.managementRoleArn must be an IAM role ARN, got 'arn:aws:iam::123456789012:role/'"),
]
ACCOUNT_ACCEPTED = [
    accepted("account.name", "a" * 50, lambda c: c.account.name),
    accepted("account.email", "a@example.com", lambda c: c.account.email),
    accepted("account.parentOuId", "r-ab12", lambda c: c.account.parent_ou_id),
    accepted("account.parentOuId", "ou-ab12-stag0001", lambda c: c.account.parent_ou_id),
    accepted("account.id", "123456789012", lambda c: c.account.existing_account_id),
    accepted("account.id", _DELETE, lambda c: c.account.existing_account_id, None),
    accepted("account.closeOnDeletion", True, lambda c: c.account.close_on_deletion),
    accepted("account.closeOnDeletion", _DELETE, lambda c: c.account.close_on_deletion, False),
    accepted("account.managementRoleArn", "arn:aws-us-gov:iam::123456789012:role/x",
             lambda c: (c.account.management_role_arn, c.access.management_role_arn),
             ("arn:aws-us-gov:iam::123456789012:role/x", "arn:aws-us-gov:iam::123456789012:role/x")),
]

NETWORK = [
    refused("network", "x", "network must be an object, got 'x'", "network.cidr is required"),
    refused("network.cidr", True, "network.cidr must be a string, got True"),
    refused("network.cidr", "", "network.cidr must not be empty, got ''"),
    refused("network.cidr", "10.20.0.0/21",
            "network.cidr must be an IPv4 block from /16 to /20 (/16 is AWS's largest VPC), got '10.20.0.0/21'"),
    refused("network.cidr", "10.20.0.0", "network.cidr must be a CIDR block like 10.0.0.0/16, got '10.20.0.0' (no "
            "prefix length)"),
    refused("network.cidr", "11.0.0.0/16", "network.cidr must be inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 "
            "(RFC 1918), got '11.0.0.0/16'"),
    refused("network.cidr", "10.20.0.0/16", "network.cidr must not be set with network.vpcId (the network is adopted, "
            "not created)", given=ADOPT),
    refused("network.vpcId", "vpc-0a0000000000000e5", "network.vpcId must not be set when the stack creates its "
            "account (the account has no network yet: network.cidr creates it); remove it, or adopt an account with "
            "account.id"),
    refused("network.natGateways", True, "network.natGateways must be a string, got True"),
    refused("network.natGateways", "single", "network.natGateways must be perAz in prod (one zone's outage must not "
            "cut every zone's egress), got 'single'", stack="prod"),
    refused("network.natGateways", "perAZ", "network.natGateways must be single or perAz, got 'perAZ'"),
    refused("network.vpcId", 5, "network.vpcId must be a string, got 5", given=ADOPT),
    refused("network.vpcId", "vpc-0123abc", "network.vpcId must be a VPC id like 'vpc-0123abcd', got 'vpc-0123abc'",
            given=ADOPT),
    refused("network.vpcId", _DELETE, "network.vpcId is required", given=ADOPT),
    refused("network.vpcCidr", True, "network.vpcCidr must be a string, got True", given=ADOPT),
    refused("network.vpcCidr", "10.20.0.0/29",
            "network.vpcCidr must be an IPv4 block from /16 to /28 (/16 is AWS's largest VPC), got '10.20.0.0/29'",
            given=ADOPT),
    refused("network.privateSubnetIds", True, "network.privateSubnetIds must be a mapping of subnet id to "
            "availability zone (subnet-0123abcd: eu-west-1a), got True", given=ADOPT),
    refused("network.privateSubnetIds", _DELETE, "network.privateSubnetIds is required", given=ADOPT),
    refused("network.privateSubnetIds", {"subnet-0123abc": "eu-west-1a", "subnet-0a0000000000000b2": "eu-west-1b"},
            "network.privateSubnetIds.subnet-0123abc must be a subnet id like 'subnet-0123abcd', got 'subnet-0123abc'",
            given=ADOPT),
    refused("network.databaseSubnetIds", ["subnet-0a0000000000000c3"], "network.databaseSubnetIds must be a mapping "
            "of subnet id to availability zone (subnet-0123abcd: eu-west-1a), got ['subnet-0a0000000000000c3']",
            given=ADOPT),
    refused("network.databaseSubnetIds", {"subnet-0a0000000000000c3": "eu-west-2a",
                                          "subnet-0a0000000000000d4": "eu-west-1b"},
            "network.databaseSubnetIds.subnet-0a0000000000000c3 must name a zone of eu-west-1 like 'eu-west-1a', got "
            "'eu-west-2a'", given=ADOPT),
    refused("network.databaseSubnetIds", {"subnet-0a0000000000000c3": "eu-west-1a",
                                          "subnet-0a0000000000000d4": "eu-west-1a"},
            "network.databaseSubnetIds must list at least 2 subnets in distinct zones (EKS and RDS need two), got "
            "{'subnet-0a0000000000000c3': 'eu-west-1a', 'subnet-0a0000000000000d4': 'eu-west-1a'}", given=ADOPT),
    refused("network.databaseSubnetIds", {"subnet-0a0000000000000a1": "eu-west-1a",
                                          "subnet-0a0000000000000d4": "eu-west-1b"},
            "network.databaseSubnetIds.subnet-0a0000000000000a1 must not also be a private (node) subnet", given=ADOPT),
]
NETWORK_ACCEPTED = [
    accepted("network.cidr", "10.20.0.0/20", lambda c: c.network.cidr),
    accepted("network.cidr", "172.31.0.0/16", lambda c: c.network.cidr),
    accepted("network.natGateways", "single", lambda c: c.network.nat_gateways),
    accepted("network.natGateways", _DELETE, lambda c: c.network.nat_gateways, "per_az"),
    accepted("network.natGateways", _DELETE, lambda c: c.network.nat_gateways, "single", stack="dev"),
    accepted("network.vpcId", "vpc-0123abcd", lambda c: c.network.existing.vpc_id, given=ADOPT),
    accepted("network.vpcCidr", "10.20.0.0/28", lambda c: c.network.vpc_cidr, given=ADOPT),
    accepted("network.privateSubnetIds", {"subnet-0123abcd": "eu-west-1a", "subnet-0123abce": "eu-west-1c"},
             lambda c: c.network.existing.private_subnets, given=ADOPT),
    accepted("network.databaseSubnetIds", {"subnet-0123abcd": "eu-west-1a", "subnet-0123abce": "eu-west-1c"},
             lambda c: c.network.existing.database_subnets, given=ADOPT),
]

# --- the cluster and its node pools ------------------------------------------------------------------------------

CLUSTER = [
    refused("cluster", "x", "cluster must be an object, got 'x'", stack="dev"),
    refused("cluster.publicAccessCidrs", "203.0.113.0/24",
            "cluster.publicAccessCidrs must be a list, got '203.0.113.0/24'", stack="dev"),
    refused("cluster.publicAccessCidrs", [True], "cluster.publicAccessCidrs[0] must be a string, got True",
            stack="dev"),
    refused("cluster.publicAccessCidrs", ["203.0.113.0/24", "203.0.113.1/24"],
            "cluster.publicAccessCidrs[1] must be a CIDR block like 10.0.0.0/16, got '203.0.113.1/24' "
            "(203.0.113.1/24 has host bits set)", stack="dev"),
    refused("cluster.publicAccessCidrs", ["203.0.113.0/24", "203.0.113.0/24"],
            "cluster.publicAccessCidrs[1] duplicates '203.0.113.0/24'", stack="dev"),
    refused("cluster.publicAccessCidrs", ["::/0"], "cluster.publicAccessCidrs[0] must not open the API to the "
            "internet, got '::/0'", stack="dev"),
    refused("cluster", {"publicAccessCidrs": ["203.0.113.0/24"]}, "cluster.publicAccessCidrs must be empty in prod "
            "(public endpoint off)", stack="prod"),
    refused("nodePools", ["system"], "nodePools must be an object, got ['system']", "nodePools.system is required",
            "nodePools.data is required", "nodePools.compute is required"),
    refused("nodePools.system", _DELETE, "nodePools.system is required"),
    refused("nodePools.data", _DELETE, "nodePools.data is required"),
    refused("nodePools.compute", _DELETE, "nodePools.compute is required"),
    refused("nodePools.data", "big", "nodePools.data must be an object, got 'big'",
            "nodePools.data.instanceTypes is required", "nodePools.data.minSize is required",
            "nodePools.data.desiredSize is required", "nodePools.data.maxSize is required"),
    refused("nodePools.data.instanceTypes", "m6i.xlarge",
            "nodePools.data.instanceTypes must be a list, got 'm6i.xlarge'"),
    refused("nodePools.data.instanceTypes", [5], "nodePools.data.instanceTypes[0] must be a string, got 5"),
    refused("nodePools.data.instanceTypes", ["m6i.xlarge", "mi.xlarge"],
            "nodePools.data.instanceTypes[1] must be an EC2 instance type like 'm6i.xlarge', got 'mi.xlarge'"),
    refused("nodePools.data.instanceTypes", ["m6i"],
            "nodePools.data.instanceTypes[0] must be an EC2 instance type like 'm6i.xlarge', got 'm6i'"),
    refused("nodePools.data.instanceTypes", [], "nodePools.data.instanceTypes must name at least one instance type"),
    refused("nodePools.data.instanceTypes", ["m6i.xlarge", "m6i.xlarge"],
            "nodePools.data.instanceTypes[1] duplicates 'm6i.xlarge'"),
    refused("nodePools.data.minSize", True, "nodePools.data.minSize must be an integer, got True"),
    refused("nodePools.data.minSize", "3", "nodePools.data.minSize must be an integer, got '3'"),
    refused("nodePools.data.minSize", -1, "nodePools.data.minSize must be between 0 and 1000, got -1"),
    refused("nodePools.data.minSize", 1001, "nodePools.data.minSize must be between 0 and 1000, got 1001"),
    refused("nodePools.data.desiredSize", True, "nodePools.data.desiredSize must be an integer, got True"),
    refused("nodePools.data.desiredSize", -1, "nodePools.data.desiredSize must be between 0 and 1000, got -1"),
    refused("nodePools.data.desiredSize", 1001, "nodePools.data.desiredSize must be between 0 and 1000, got 1001"),
    refused("nodePools.data.desiredSize", 2, "nodePools.data.desiredSize must be >= minSize (3), got 2"),
    refused("nodePools.data.desiredSize", 4, "nodePools.data.maxSize must be >= desiredSize (4), got 3"),
    refused("nodePools.data.maxSize", False, "nodePools.data.maxSize must be an integer, got False"),
    refused("nodePools.data.maxSize", 0, "nodePools.data.maxSize must be between 1 and 1000, got 0"),
    refused("nodePools.data.maxSize", 1001, "nodePools.data.maxSize must be between 1 and 1000, got 1001"),
    refused("nodePools.data.capacityType", True, "nodePools.data.capacityType must be a string, got True"),
    refused("nodePools.system.capacityType", "SPOT", "nodePools.system.capacityType must be ON_DEMAND in prod, got "
            "'SPOT'", stack="prod"),
    refused("nodePools.data.capacityType", "spot", "nodePools.data.capacityType must be ON_DEMAND or SPOT, got 'spot'"),
    refused("nodePools.data.capacityType", "ON_DEMAND ",
            "nodePools.data.capacityType must be ON_DEMAND or SPOT, got 'ON_DEMAND '"),
    refused("nodePools.data.diskSizeGib", True, "nodePools.data.diskSizeGib must be an integer, got True"),
    refused("nodePools.data.diskSizeGib", 50.0, "nodePools.data.diskSizeGib must be an integer, got 50.0"),
    refused("nodePools.data.diskSizeGib", 19, "nodePools.data.diskSizeGib must be between 20 and 16384, got 19"),
    refused("nodePools.data.diskSizeGib", 16385,
            "nodePools.data.diskSizeGib must be between 20 and 16384, got 16385"),
]
_SMALL_DATA_POOL = {"nodePools.data.minSize": 0, "nodePools.data.desiredSize": 0}
_LARGE_DATA_POOL = {"nodePools.data.maxSize": 1000, "nodePools.data.desiredSize": 1000}
CLUSTER_ACCEPTED = [
    accepted("cluster", _DELETE, lambda c: c.cluster.public_access_cidrs, (), stack="dev"),
    accepted("cluster.publicAccessCidrs", ["203.0.113.0/24", "2001:db8::/32"], lambda c: c.cluster.public_access_cidrs,
             ("203.0.113.0/24", "2001:db8::/32"), stack="dev"),
    accepted("nodePools.data.instanceTypes", ["m6i.xlarge", "r6i.2xlarge"],
             lambda c: c.node_pools["data"].instance_types, ("m6i.xlarge", "r6i.2xlarge")),
    accepted("nodePools.data.minSize", 0, lambda c: c.node_pools["data"].min_size),
    accepted("nodePools.data.minSize", 1000, lambda c: c.node_pools["data"].min_size, given=_LARGE_DATA_POOL),
    accepted("nodePools.data.desiredSize", 0, lambda c: c.node_pools["data"].desired_size,
             given={"nodePools.data.minSize": 0}),
    accepted("nodePools.data.desiredSize", 1000, lambda c: c.node_pools["data"].desired_size,
             given={"nodePools.data.maxSize": 1000}),
    accepted("nodePools.data.maxSize", 1, lambda c: c.node_pools["data"].max_size, given=_SMALL_DATA_POOL),
    accepted("nodePools.data.maxSize", 1000, lambda c: c.node_pools["data"].max_size),
    accepted("nodePools.data.capacityType", "SPOT", lambda c: c.node_pools["data"].capacity_type),
    accepted("nodePools.compute.capacityType", _DELETE, lambda c: c.node_pools["compute"].capacity_type, "ON_DEMAND",
             stack="dev"),
    accepted("nodePools.data.diskSizeGib", 20, lambda c: c.node_pools["data"].disk_size_gib),
    accepted("nodePools.data.diskSizeGib", 16384, lambda c: c.node_pools["data"].disk_size_gib),
    accepted("nodePools.data.diskSizeGib", _DELETE, lambda c: c.node_pools["data"].disk_size_gib, 50),
]

# --- namespace quotas and teams ----------------------------------------------------------------------------------

QUOTAS = [
    refused("namespaceQuotas", True, "namespaceQuotas must be an object, got True",
            "namespaceQuotas.environment is required", "namespaceQuotas.environment.cpu is required",
            "namespaceQuotas.environment.memory is required", "namespaceQuotas.monitoring is required",
            "namespaceQuotas.monitoring.cpu is required", "namespaceQuotas.monitoring.memory is required",
            "namespaceQuotas.mlops is required", "namespaceQuotas.mlops.cpu is required",
            "namespaceQuotas.mlops.memory is required"),
    *(refused(f"namespaceQuotas.{name}", _DELETE, f"namespaceQuotas.{name} is required",
              f"namespaceQuotas.{name}.cpu is required", f"namespaceQuotas.{name}.memory is required")
      for name in ("environment", "monitoring", "mlops")),
    refused("namespaceQuotas.mlops", "16", "namespaceQuotas.mlops must be an object with cpu and memory, got '16'",
            "namespaceQuotas.mlops.cpu is required", "namespaceQuotas.mlops.memory is required"),
    refused("namespaceQuotas.environment", ["16", "64Gi"],
            "namespaceQuotas.environment must be an object with cpu and memory, got ['16', '64Gi']",
            "namespaceQuotas.environment.cpu is required", "namespaceQuotas.environment.memory is required"),
    refused("namespaceQuotas.environment.cpu", True,
            "namespaceQuotas.environment.cpu must be a CPU quantity like 2, 0.5, '8' or '500m', got True"),
    refused("namespaceQuotas.environment.memory", _DELETE, "namespaceQuotas.environment.memory is required"),
    refused("namespaceQuotas.mlops.cpu", _DELETE, "namespaceQuotas.mlops.cpu is required"),
    refused("namespaceQuotas.mlops.memory", "64 Gi", "namespaceQuotas.mlops.memory must be a memory quantity like "
            "'32Gi', '512Mi' or a number of bytes, got '64 Gi'"),
    refused("namespaceQuotas.monitoring.cpu", _DELETE, "namespaceQuotas.monitoring.cpu is required"),
    refused("namespaceQuotas.monitoring.cpu", True,
            "namespaceQuotas.monitoring.cpu must be a CPU quantity like 2, 0.5, '8' or '500m', got True"),
    refused("namespaceQuotas.monitoring.cpu", "-1",
            "namespaceQuotas.monitoring.cpu must be a CPU quantity like 2, 0.5, '8' or '500m', got '-1'"),
    refused("namespaceQuotas.monitoring.cpu", "0.0005",
            "namespaceQuotas.monitoring.cpu must be a whole number of millicores (1m = 0.001), got '0.0005'"),
    refused("namespaceQuotas.monitoring.memory", _DELETE, "namespaceQuotas.monitoring.memory is required"),
    refused("namespaceQuotas.monitoring.memory", "32Gb", "namespaceQuotas.monitoring.memory must be a memory "
            "quantity like '32Gi', '512Mi' or a number of bytes, got '32Gb'"),
    refused("namespaceQuotas.monitoring.memory", 0.5,
            "namespaceQuotas.monitoring.memory must be a whole number of bytes, got 0.5"),
]
QUOTAS_ACCEPTED = [
    accepted("namespaceQuotas.monitoring.cpu", "0.001", lambda c: c.monitoring_quota.cpu, "1m"),
    accepted("namespaceQuotas.mlops.cpu", 12, lambda c: c.mlops_quota.cpu, "12"),
    accepted("namespaceQuotas.environment.cpu", "24", lambda c: c.environment_quota.cpu),
    accepted("namespaceQuotas.monitoring.memory", 1, lambda c: c.monitoring_quota.memory, "1"),
    accepted("namespaceQuotas.mlops.memory", "48Gi", lambda c: c.mlops_quota.memory),
    accepted("namespaceQuotas.environment.memory", 2**37, lambda c: c.environment_quota.memory, "128Gi"),
]

_QUOTA = {"cpu": "1", "memory": "1Gi"}
TEAMS = [
    refused("teams", ["fraud"], "teams must be an object, got ['fraud']"),
    refused("teams.Search", {"quota": _QUOTA},
            "teams.Search must be named with lowercase letters, digits and hyphens (a DNS label)"),
    refused("teams.search-", {"quota": _QUOTA},
            "teams.search- must be named with lowercase letters, digits and hyphens (a DNS label)"),
    refused("teams.s" + "e" * 42, {"quota": _QUOTA},
            f"teams.s{'e' * 42} must be named with lowercase letters, digits and hyphens (a DNS label)"),
    refused("teams.fraud", "big", "teams.fraud must be an object, got 'big'", "teams.fraud.quota is required",
            "teams.fraud.quota.cpu is required", "teams.fraud.quota.memory is required"),
    refused("teams.fraud.quota", _DELETE, "teams.fraud.quota is required", "teams.fraud.quota.cpu is required",
            "teams.fraud.quota.memory is required"),
    refused("teams.fraud.quota", "4", "teams.fraud.quota must be an object with cpu and memory, got '4'",
            "teams.fraud.quota.cpu is required", "teams.fraud.quota.memory is required"),
    refused("teams.fraud.quota.cpu", "four",
            "teams.fraud.quota.cpu must be a CPU quantity like 2, 0.5, '8' or '500m', got 'four'"),
    refused("teams.fraud.quota.memory", "16GB", "teams.fraud.quota.memory must be a memory quantity like '32Gi', "
            "'512Mi' or a number of bytes, got '16GB'"),
    refused(CODE_LOCATION, "x", f"{CODE_LOCATION} must be an object, got 'x'"),
    refused(f"{CODE_LOCATION}.repository", True, f"{CODE_LOCATION}.repository must be a string, got True"),
    refused(f"{CODE_LOCATION}.repository", "Team_Recommendations",
            f"{CODE_LOCATION}.repository must be a repository name like 'team-fraud' (lowercase, '/', '-', '_', "
            "'.'), got 'Team_Recommendations'"),
    refused(f"{CODE_LOCATION}.repository", "team-recommendations/",
            f"{CODE_LOCATION}.repository must be a repository name like 'team-fraud' (lowercase, '/', '-', '_', "
            "'.'), got 'team-recommendations/'"),
    refused(f"{CODE_LOCATION}.tag", True, f"{CODE_LOCATION}.tag must be a string, got True"),
    refused(f"{CODE_LOCATION}.tag", ".2026", f"{CODE_LOCATION}.tag must be an image tag, got '.2026'"),
    refused(f"{CODE_LOCATION}.tag", "v" * 129, f"{CODE_LOCATION}.tag must be an image tag, got {'v' * 129!r}"),
    refused(f"{CODE_LOCATION}.tag", "latest", f"{CODE_LOCATION}.tag must pin a version, got 'latest'"),
    refused(f"{CODE_LOCATION}.module", 5, f"{CODE_LOCATION}.module must be a string, got 5"),
    refused(f"{CODE_LOCATION}.module", "recommendations.",
            f"{CODE_LOCATION}.module must be a Python module path like 'fraud.definitions', got 'recommendations.'"),
    refused(f"{CODE_LOCATION}.module", "9lives",
            f"{CODE_LOCATION}.module must be a Python module path like 'fraud.definitions', got '9lives'"),
    refused(f"{CODE_LOCATION}.port", True, f"{CODE_LOCATION}.port must be an integer, got True"),
    refused(f"{CODE_LOCATION}.port", "4000", f"{CODE_LOCATION}.port must be an integer, got '4000'"),
    refused(f"{CODE_LOCATION}.port", 1023, f"{CODE_LOCATION}.port must be between 1024 and 65535, got 1023"),
    refused(f"{CODE_LOCATION}.port", 65536, f"{CODE_LOCATION}.port must be between 1024 and 65535, got 65536"),
    refused(f"{CODE_LOCATION}.runsReachDatabase", "yes",
            f"{CODE_LOCATION}.runsReachDatabase must be true or false, got 'yes'"),
    refused(f"{CODE_LOCATION}.runsReachDatabase", 0, f"{CODE_LOCATION}.runsReachDatabase must be true or false, got 0"),
]


def _team(config: stack_config.StackConfig, name: str) -> stack_config.TeamConfig:
    return next(team for team in config.teams if team.name == name)


TEAMS_ACCEPTED = [
    accepted("teams", _DELETE, lambda c: c.teams, ()),
    accepted("teams.s" + "e" * 41, {"quota": _QUOTA}, lambda c: _team(c, "s" + "e" * 41).quota,
             stack_config.Quota("1", "1Gi")),
    accepted("teams.fraud.quota.cpu", 0.5, lambda c: _team(c, "fraud").quota.cpu, "500m"),
    accepted("teams.fraud.quota.memory", "512Mi", lambda c: _team(c, "fraud").quota.memory),
    accepted(f"{CODE_LOCATION}.repository", "platform/team-recommendations",
             lambda c: _team(c, "recommendations").code_location.repository),
    accepted(f"{CODE_LOCATION}.repository", _DELETE, lambda c: _team(c, "recommendations").code_location.repository,
             "team-recommendations"),
    accepted(f"{CODE_LOCATION}.tag", "v" * 128, lambda c: _team(c, "recommendations").code_location.tag),
    accepted(f"{CODE_LOCATION}.tag", _DELETE, lambda c: _team(c, "recommendations").code_location.tag, "2026.11.1"),
    accepted(f"{CODE_LOCATION}.module", "_recommendations.defs2",
             lambda c: _team(c, "recommendations").code_location.module),
    accepted(f"{CODE_LOCATION}.module", _DELETE, lambda c: _team(c, "recommendations").code_location.module,
             "definitions"),
    accepted(f"{CODE_LOCATION}.port", 1024, lambda c: _team(c, "recommendations").code_location.port),
    accepted(f"{CODE_LOCATION}.port", 65535, lambda c: _team(c, "recommendations").code_location.port),
    accepted(f"{CODE_LOCATION}.port", _DELETE, lambda c: _team(c, "recommendations").code_location.port, 4000),
    accepted(f"{CODE_LOCATION}.runsReachDatabase", False,
             lambda c: _team(c, "recommendations").code_location.runs_reach_database),
]

# --- egress and RBAC ---------------------------------------------------------------------------------------------

EGRESS = [
    refused("egress", "x", "egress must be an object, got 'x'"),
    refused("egress.allowedCidrs", "198.51.100.0/24", "egress.allowedCidrs must be a list, got '198.51.100.0/24'",
            stack="prod"),
    refused("egress.allowedCidrs", [24], "egress.allowedCidrs[0] must be a string, got 24", stack="prod"),
    refused("egress.allowedCidrs", ["198.51.101.0/23"], "egress.allowedCidrs[0] must be a CIDR block like "
            "10.0.0.0/16, got '198.51.101.0/23' (198.51.101.0/23 has host bits set)", stack="prod"),
    refused("egress.allowedCidrs", ["198.51.100.0/24", "0.0.0.0/0"], "egress.allowedCidrs[1] must not allow the "
            "whole internet, got '0.0.0.0/0'", stack="prod"),
    refused("egress.databasePort", True, "egress.databasePort must be an integer, got True", stack="prod"),
    refused("egress.databasePort", "5432", "egress.databasePort must be an integer, got '5432'", stack="prod"),
    refused("egress.databasePort", 0, "egress.databasePort must be between 1 and 65535, got 0", stack="prod"),
    refused("egress.databasePort", 65536, "egress.databasePort must be between 1 and 65535, got 65536", stack="prod"),
]
EGRESS_ACCEPTED = [
    accepted("egress.allowedCidrs", ["198.51.100.0/24", "198.51.102.0/23"], lambda c: c.egress_allowed_cidrs,
             ("198.51.100.0/24", "198.51.102.0/23"), stack="prod"),
    accepted("egress.databasePort", 1, lambda c: c.database_port, stack="prod"),
    accepted("egress.databasePort", 65535, lambda c: c.database_port, stack="prod"),
    accepted("egress.databasePort", _DELETE, lambda c: c.database_port, 5432, stack="prod"),
]

# A refused group name leaves an empty group behind, and rbacGroupMembers is then checked against it: the rows
# below spell out that follow-on noise too, so a change to it is a decision, not an accident.
_GROUP_NOISE = ("rbacGroupMembers. is required (list the IAM role ARNs that carry the group, or [] to declare it "
                "empty)")
_MEMBER_ROLE = "an IAM role ARN (arn:aws:iam::<account>:role/<name>)"
RBAC = [
    refused("rbacGroups", "x", "rbacGroups must be an object, got 'x'", "rbacGroups.platformAdmin is required",
            "rbacGroups.dataEngineer is required", "rbacGroups.dataAnalyst is required",
            *(f"rbacGroupMembers.{g} is not a known key (known: )"
              for g in ("platform-admins", "data-engineers", "data-analysts")), _GROUP_NOISE),
    refused("rbacGroups.platformAdmin", True, "rbacGroups.platformAdmin must be a string, got True",
            "rbacGroupMembers.platform-admins is not a known key (known: , "
            "data-analysts, data-engineers)", _GROUP_NOISE),
    refused("rbacGroups.platformAdmin", "", "rbacGroups.platformAdmin must not be empty (expected a group name), "
            "got ''", "rbacGroupMembers.platform-admins is not a known key (known: , data-analysts, data-engineers)",
            _GROUP_NOISE),
    refused("rbacGroups.platformAdmin", "platform admins", "rbacGroups.platformAdmin must be a group name, got "
            "'platform admins'", "rbacGroupMembers.platform-admins is not a known key (known: , data-analysts, "
            "data-engineers)", _GROUP_NOISE),
    refused("rbacGroups.dataEngineer", "data engineers",
            "rbacGroups.dataEngineer must be a group name, got 'data engineers'",
            "rbacGroupMembers.data-engineers is not a known key (known: , "
            "data-analysts, platform-admins)", _GROUP_NOISE),
    refused("rbacGroups.dataAnalyst", "a" * 129, f"rbacGroups.dataAnalyst must be a group name, got {'a' * 129!r}",
            "rbacGroupMembers.data-analysts is not a known key (known: , "
            "data-engineers, platform-admins)", _GROUP_NOISE),
    refused("rbacGroups.dataAnalyst", "data/analysts", "rbacGroups.dataAnalyst must be a group name, got "
            "'data/analysts'", "rbacGroupMembers.data-analysts is not a known key (known: , "
            "data-engineers, platform-admins)", _GROUP_NOISE),
    refused("rbacGroups.dataAnalyst", "system:analysts", "rbacGroups must not name a group starting with 'system:' "
            "(EKS access entries refuse them), got 'system:analysts'",
            given={"rbacGroupMembers.system:analysts": [], "rbacGroupMembers.data-analysts": _DELETE}),
    refused("rbacGroupMembers", "x", "rbacGroupMembers must be an object, got 'x'",
            *(f"rbacGroupMembers.{g} is required (list the IAM role ARNs that carry the group, or [] to declare it "
              "empty)" for g in ("data-analysts", "data-engineers", "platform-admins"))),
    refused("rbacGroupMembers.data-analysts", "x", "rbacGroupMembers.data-analysts must be a list, got 'x'"),
    refused("rbacGroupMembers.data-analysts", [True], "rbacGroupMembers.data-analysts[0] must be a string, got True"),
    refused("rbacGroupMembers.data-analysts", ["arn:aws:iam::444455556662:role/"],
            f"rbacGroupMembers.data-analysts[0] must be {_MEMBER_ROLE}, got 'arn:aws:iam::444455556662:role/'"),
    refused("rbacGroupMembers.data-analysts", ["arn:aws:iam::444455556662:user/a"],
            f"rbacGroupMembers.data-analysts[0] must be {_MEMBER_ROLE}, got 'arn:aws:iam::444455556662:user/a'"),
    refused("rbacGroupMembers.data-analysts", [ROLE_ARN, ROLE_ARN],
            f"rbacGroupMembers.data-analysts[1] duplicates {ROLE_ARN!r}"),
]
RBAC_ACCEPTED = [
    accepted("rbacGroups.dataAnalyst", "g" * 128, lambda c: (c.rbac_groups.data_analyst, c.rbac_group_members),
             ("g" * 128, {"g" * 128: (), "data-engineers": (ROLE_ARN,), "platform-admins": (ROLE_ARN,)}),
             given={"rbacGroupMembers": {"g" * 128: [], "data-engineers": [ROLE_ARN], "platform-admins": [ROLE_ARN]}}),
    accepted("rbacGroups.dataEngineer", "Org:Data.Engineers_@x-1", lambda c: c.rbac_groups.data_engineer,
             given={"rbacGroupMembers": {"Org:Data.Engineers_@x-1": [], "data-analysts": [], "platform-admins": []}}),
    accepted("rbacGroups.platformAdmin", "admins", lambda c: c.rbac_groups.by_role["platform-admin"],
             given={"rbacGroupMembers": {"admins": [], "data-analysts": [], "data-engineers": []}}),
    accepted("rbacGroupMembers.data-analysts", [ROLE_ARN, "arn:aws-cn:iam::444455556662:role/path/x+=,.@-"],
             lambda c: c.rbac_group_members["data-analysts"],
             (ROLE_ARN, "arn:aws-cn:iam::444455556662:role/path/x+=,.@-")),
]

# --- Databricks --------------------------------------------------------------------------------------------------

_POLICY = "databricks.clusterPolicy"
DATABRICKS = [
    refused("databricks", "x", "databricks must be an object, got 'x'", f"{_POLICY} is required",
            "databricks.host is required", "databricks.workspaceId is required", "databricks.accountId is required",
            f"{_POLICY}.nodeTypes is required", f"{_POLICY}.maxWorkers is required",
            f"{_POLICY}.autoterminationMinutes is required", "databricks.metastoreId is required"),
    refused(_POLICY, "x", f"{_POLICY} must be an object, got 'x'", f"{_POLICY}.nodeTypes is required",
            f"{_POLICY}.maxWorkers is required", f"{_POLICY}.autoterminationMinutes is required"),
    refused(f"{_POLICY}.nodeTypes", "m6i.large", f"{_POLICY}.nodeTypes must be a list, got 'm6i.large'"),
    refused(f"{_POLICY}.nodeTypes", [1], f"{_POLICY}.nodeTypes[0] must be a string, got 1"),
    refused(f"{_POLICY}.nodeTypes", ["m6i.large", "Standard_DS3_v2"],
            f"{_POLICY}.nodeTypes[1] must be a node type like 'm6i.xlarge', got 'Standard_DS3_v2'"),
    refused(f"{_POLICY}.nodeTypes", ["mi.large"], f"{_POLICY}.nodeTypes[0] must be a node type like 'm6i.xlarge', "
            "got 'mi.large'"),
    refused(f"{_POLICY}.nodeTypes", ["m6i.large", "m6i.large"], f"{_POLICY}.nodeTypes[1] duplicates 'm6i.large'"),
    # Refused where it enters, not later by the cluster policy component ("node_types must name at least one").
    refused(f"{_POLICY}.nodeTypes", [],
            f"{_POLICY}.nodeTypes must list at least one, each a node type like 'm6i.xlarge', got []"),
    refused(f"{_POLICY}.maxWorkers", True, f"{_POLICY}.maxWorkers must be an integer, got True"),
    refused(f"{_POLICY}.maxWorkers", 0, f"{_POLICY}.maxWorkers must be between 1 and 500, got 0"),
    refused(f"{_POLICY}.maxWorkers", 501, f"{_POLICY}.maxWorkers must be between 1 and 500, got 501"),
    refused(f"{_POLICY}.autoterminationMinutes", "30",
            f"{_POLICY}.autoterminationMinutes must be an integer, got '30'"),
    refused(f"{_POLICY}.autoterminationMinutes", 9, f"{_POLICY}.autoterminationMinutes must be between 10 and 240, "
            "got 9"),
    refused(f"{_POLICY}.autoterminationMinutes", 241, f"{_POLICY}.autoterminationMinutes must be between 10 and 240, "
            "got 241"),
    refused("databricks.clientId", True, "databricks.clientId must be a string, got True"),
    refused("databricks.clientId", "0a1b2c3", "databricks.clientId must be an OAuth client id (application id), got "
            "'0a1b2c3'"),
    refused("databricks.clientId", "0A1B2C3D", "databricks.clientId must be an OAuth client id (application id), got "
            "'0A1B2C3D'"),
    refused("databricks.clientId", "0" * 65, "databricks.clientId must be an OAuth client id (application id), got "
            f"{'0' * 65!r}"),
    refused("databricks.clientId", "0a1b2c3d", "databricksClientSecret is required when databricks.clientId is set "
            "(pulumi config set --secret databricksClientSecret ...)"),
    refused("databricks.pipelineSecretRotation", True, "databricks.pipelineSecretRotation must be a string, got True"),
    refused("databricks.pipelineSecretRotation", "2026-13-01", "databricks.pipelineSecretRotation must be the date "
            "of the last rotation, YYYY-MM-DD, got '2026-13-01'"),
    refused("databricks.pipelineSecretRotation", "2026-11-20T09:00", "databricks.pipelineSecretRotation must be the "
            "date of the last rotation, YYYY-MM-DD, got '2026-11-20T09:00'"),
    refused("databricks.pipelineSecretRotation", "2026-02-29", "databricks.pipelineSecretRotation must be a calendar "
            "date, got '2026-02-29'"),
    refused("databricks.pipelineSecretRotation", "2026-12-03", "databricks.pipelineSecretRotation must be the date "
            "of the last rotation, not after today (2026-12-01), got '2026-12-03'"),
    refused("databricks.host", True, "databricks.host must be a string, got True"),
    refused("databricks.host", "http://dbc-staging.cloud.databricks.com",
            "databricks.host must be an https:// workspace URL, got 'http://dbc-staging.cloud.databricks.com'"),
    refused("databricks.host", "https://dbc-staging.cloud.databricks.com/",
            "databricks.host must be an https:// workspace URL, got 'https://dbc-staging.cloud.databricks.com/'"),
    refused("databricks.workspaceId", 2222222222222222,
            "databricks.workspaceId must be a string, got 2222222222222222"),
    refused("databricks.workspaceId", "1" * 21, f"databricks.workspaceId must be a numeric workspace id, got "
            f"{'1' * 21!r}"),
    refused("databricks.workspaceId", "0x22", "databricks.workspaceId must be a numeric workspace id, got '0x22'"),
    refused("databricks.accountId", True, "databricks.accountId must be a string, got True"),
    refused("databricks.accountId", UUID.upper(), f"databricks.accountId must be a Databricks account id (UUID), got "
            f"{UUID.upper()!r}"),
    refused("databricks.egressAllowedDomains", "pypi-mirror.example.com",
            "databricks.egressAllowedDomains must be a list, got 'pypi-mirror.example.com'"),
    refused("databricks.egressAllowedDomains", [True], "databricks.egressAllowedDomains[0] must be a string, got True"),
    # Every bad item is reported, not only the first.
    refused("databricks.egressAllowedDomains", [1, "pypi_mirror.example.com"],
            "databricks.egressAllowedDomains[0] must be a string, got 1", "databricks.egressAllowedDomains[1] must "
            "be a domain name like 'pypi-mirror.example.com', got 'pypi_mirror.example.com'"),
    refused("databricks.egressAllowedDomains", ["pypi_mirror.example.com"], "databricks.egressAllowedDomains[0] must "
            "be a domain name like 'pypi-mirror.example.com', got 'pypi_mirror.example.com'"),
    refused("databricks.egressAllowedDomains", ["pypi-mirror.example.c"], "databricks.egressAllowedDomains[0] must "
            "be a domain name like 'pypi-mirror.example.com', got 'pypi-mirror.example.c'"),
    refused("databricks.userEmailDomain", True, "databricks.userEmailDomain must be a string, got True"),
    refused("databricks.userEmailDomain", "@example.com", "databricks.userEmailDomain must be a domain name like "
            "'example.com', got '@example.com'"),
    refused("databricks.userEmailDomain", "example.c", "databricks.userEmailDomain must be a domain name like "
            "'example.com', got 'example.c'"),
    refused("databricks.metastoreId", True, "databricks.metastoreId must be a string, got True"),
    refused("databricks.metastoreId", UUID[:-1], "databricks.metastoreId must be the region's Unity Catalog metastore "
            f"id (UUID), got {UUID[:-1]!r}"),
    refused("databricks.metastoreId", _DELETE, "databricks.metastoreId is required"),
    refused("databricks.metastorePreAssigned", "true", "databricks.metastorePreAssigned must be true or false, got "
            "'true'"),
    refused("databricks.metastorePreAssigned", 1, "databricks.metastorePreAssigned must be true or false, got 1"),
]
DATABRICKS_ACCEPTED = [
    accepted(f"{_POLICY}.nodeTypes", ["m6i.large", "r6id.2xlarge"], lambda c: c.databricks.cluster_policy.node_types,
             ("m6i.large", "r6id.2xlarge")),
    accepted(f"{_POLICY}.maxWorkers", 1, lambda c: c.databricks.cluster_policy.max_workers),
    accepted(f"{_POLICY}.maxWorkers", 500, lambda c: c.databricks.cluster_policy.max_workers),
    accepted(f"{_POLICY}.autoterminationMinutes", 10, lambda c: c.databricks.cluster_policy.autotermination_minutes),
    accepted(f"{_POLICY}.autoterminationMinutes", 240, lambda c: c.databricks.cluster_policy.autotermination_minutes),
    accepted("databricks.clientId", _DELETE, lambda c: c.databricks.client_id, None),
    accepted("databricks.pipelineSecretRotation", "2026-12-02", lambda c: c.databricks.pipeline_secret_rotation),
    accepted("databricks.pipelineSecretRotation", "2024-02-29", lambda c: c.databricks.pipeline_secret_rotation),
    accepted("databricks.pipelineSecretRotation", _DELETE, lambda c: c.databricks.pipeline_secret_rotation, None),
    accepted("databricks.host", "https://x", lambda c: c.databricks.host),
    accepted("databricks.workspaceId", "1" * 20, lambda c: c.databricks.workspace_id),
    accepted("databricks.accountId", UUID, lambda c: c.databricks.account_id),
    accepted("databricks.egressAllowedDomains", ["pypi-mirror.example.com", "*.example.org"],
             lambda c: c.databricks.egress_allowed_domains, ("pypi-mirror.example.com", "*.example.org")),
    accepted("databricks.egressAllowedDomains", _DELETE, lambda c: c.databricks.egress_allowed_domains, ()),
    accepted("databricks.userEmailDomain", "ml.example.org", lambda c: c.databricks.user_email_domain),
    accepted("databricks.metastoreId", UUID, lambda c: c.databricks.metastore_id),
    accepted("databricks.metastorePreAssigned", False, lambda c: c.databricks.metastore_pre_assigned),
    accepted("databricks.metastorePreAssigned", _DELETE, lambda c: c.databricks.metastore_pre_assigned, False),
]

# --- sandboxes, protection, Helm ---------------------------------------------------------------------------------

_CATALOG_USER = "a user name valid as a catalog name (lowercase letters, digits, underscore)"
SANDBOXES = [
    refused("sandboxUsers", "alice", "sandboxUsers must be a list, got 'alice'", stack="dev"),
    refused("sandboxUsers", ["alice", 7], "sandboxUsers[1] must be a string, got 7", stack="dev"),
    refused("sandboxUsers", ["alice", "a" * 51], f"sandboxUsers[1] must be {_CATALOG_USER}, got {'a' * 51!r}",
            stack="dev"),
    refused("sandboxUsers", ["alice", "_bob"], f"sandboxUsers[1] must be {_CATALOG_USER}, got '_bob'", stack="dev"),
    refused("sandboxUsers", ["alice", "alice"], "sandboxUsers[1] duplicates 'alice'", stack="dev"),
    refused("sandboxUsers", ["alice"], "sandboxUsers must be empty outside dev (sandboxes share the dev workspace), "
            "got ['alice']", given={"databricks.userEmailDomain": "example.com"}),
    refused("databricks.userEmailDomain", _DELETE, "databricks.userEmailDomain is required when sandboxUsers is set "
            "(grants name a user by email: <user>@<userEmailDomain>)", stack="dev"),
    refused("sandboxForceDestroy", "alice", "sandboxForceDestroy must be a list, got 'alice'", stack="dev"),
    refused("sandboxForceDestroy", [True], "sandboxForceDestroy[0] must be a string, got True", stack="dev"),
    refused("sandboxForceDestroy", ["Alice"], "sandboxForceDestroy[0] must be a sandbox user name, got 'Alice'",
            stack="dev"),
    refused("sandboxForceDestroy", ["alice", "alice"], "sandboxForceDestroy[1] duplicates 'alice'", stack="dev"),
    refused("sandboxForceDestroy", ["zoe"], "sandboxForceDestroy[0] must name a user in sandboxUsers, got 'zoe'",
            stack="dev"),
]
SANDBOXES_ACCEPTED = [
    accepted("sandboxUsers", ["alice", "a" * 50, "b0_"], lambda c: c.sandbox_users, ("alice", "a" * 50, "b0_"),
             stack="dev"),
    accepted("sandboxForceDestroy", ["bob"], lambda c: c.sandbox_force_destroy, ("bob",), stack="dev"),
]

PROTECTION = [
    refused("protection", "x", "protection must be an object, got 'x'", "protection.protect is required",
            "protection.retainOnDelete is required"),
    refused("protection.protect", "true", "protection.protect must be true or false, got 'true'"),
    refused("protection.protect", 1, "protection.protect must be true or false, got 1"),
    refused("protection.protect", _DELETE, "protection.protect is required"),
    refused("protection.retainOnDelete", "no", "protection.retainOnDelete must be true or false, got 'no'"),
    refused("protection.retainOnDelete", 0, "protection.retainOnDelete must be true or false, got 0"),
    refused("protection.retainOnDelete", _DELETE, "protection.retainOnDelete is required"),
    refused("protection.forceDestroyBuckets", "no", "protection.forceDestroyBuckets must be true or false, got 'no'"),
    refused("protection.forceDestroyBuckets", 0, "protection.forceDestroyBuckets must be true or false, got 0"),
    refused("protection.protect", False, "protection.protect must be true in prod, got false", stack="prod"),
    refused("protection.retainOnDelete", False, "protection.retainOnDelete must be true in prod, got false",
            stack="prod"),
    refused("protection.forceDestroyBuckets", True, "protection.forceDestroyBuckets must be false in prod, got true",
            stack="prod"),
]
PROTECTION_ACCEPTED = [
    accepted("protection.protect", False, lambda c: c.protection.protect),
    accepted("protection.retainOnDelete", True, lambda c: c.protection.retain_on_delete),
    accepted("protection.forceDestroyBuckets", True, lambda c: c.protection.force_destroy_buckets),
]

HELM = [
    refused("helm", "x", "helm must be an object, got 'x'", "helm.imageTag is required"),
    refused("helm.imageTag", 2026, "helm.imageTag must be a string, got 2026"),
    # Each team without a tag of its own takes helm.imageTag (README "Add a team"), in the stack file's order.
    refused("helm.imageTag", "-2026", *(f"teams.{team}.codeLocation.tag must be an image tag, got '-2026'"
                                        for team in _teams_taking_the_image_tag()),
            "helm.imageTag must be an image tag, got '-2026'"),
    refused("helm.imageTag", "2" * 129, f"helm.imageTag must be an image tag, got {'2' * 129!r}",
            given={f"teams.{team}.codeLocation": {**location, "tag": "2026.11.1"}
                   for team, location in _code_locations().items()}),
    refused("helm.valuesOverrides", "x", "helm.valuesOverrides must be an object, got 'x'"),
    refused("helm.valuesOverrides", {"workers": {"autoscaling": {"maxReplicas": 7}}},
            "helm.valuesOverrides.workers.autoscaling.maxReplicas must be <= 6, what namespaceQuotas.environment and "
            "nodePools.compute.maxSize hold, got 7"),
]
HELM_ACCEPTED = [
    accepted("helm.imageTag", "_" + "v" * 127, lambda c: (c.helm.image_tag, _team(c, "fraud").code_location.tag),
             ("_" + "v" * 127, "_" + "v" * 127)),
    accepted("helm.valuesOverrides", _DELETE, lambda c: c.helm.values_overrides, {}),
    accepted("helm.valuesOverrides", {"workers": {"autoscaling": {"maxReplicas": 6}}},
             lambda c: (c.helm.values_overrides, c.workers_max_replicas),
             ({"workers": {"autoscaling": {"maxReplicas": 6}}}, 6)),
]

# --- database, registries, CI, ingress ---------------------------------------------------------------------------

DATABASE = [
    refused("database", "x", "database must be an object, got 'x'", "database.instanceClass is required",
            "database.backupRetentionDays is required"),
    refused("database.instanceClass", True, "database.instanceClass must be a string, got True"),
    refused("database.instanceClass", "db.t4g", "database.instanceClass must be a DB instance class like "
            "'db.t4g.medium', got 'db.t4g'"),
    refused("database.instanceClass", "t4g.large", "database.instanceClass must be a DB instance class like "
            "'db.t4g.medium', got 't4g.large'"),
    refused("database.backupRetentionDays", True, "database.backupRetentionDays must be an integer, got True"),
    refused("database.backupRetentionDays", 0, "database.backupRetentionDays must be between 1 and 35, got 0"),
    refused("database.backupRetentionDays", 36, "database.backupRetentionDays must be between 1 and 35, got 36"),
    refused("database.allocatedStorageGib", "50", "database.allocatedStorageGib must be an integer, got '50'"),
    refused("database.allocatedStorageGib", 19, "database.allocatedStorageGib must be between 20 and 65536, got 19"),
    refused("database.allocatedStorageGib", 65537,
            "database.allocatedStorageGib must be between 20 and 65536, got 65537"),
    refused("database.maxAllocatedStorageGib", True, "database.maxAllocatedStorageGib must be an integer, got True"),
    refused("database.maxAllocatedStorageGib", 49,
            "database.maxAllocatedStorageGib must be between 50 and 65536, got 49"),
    refused("database.maxAllocatedStorageGib", 65537,
            "database.maxAllocatedStorageGib must be between 50 and 65536, got 65537"),
    refused("database.engineVersion", 17, "database.engineVersion must be a string, got 17"),
    refused("database.engineVersion", "15", "database.engineVersion must be a supported PostgreSQL major version "
            "(16 or 17), got '15'"),
    refused("database.engineVersion", "18", "database.engineVersion must be a supported PostgreSQL major version "
            "(16 or 17), got '18'"),
    refused("database.multiAz", "no", "database.multiAz must be true or false, got 'no'"),
    refused("database.readReplicas", True, "database.readReplicas must be an integer, got True"),
    refused("database.readReplicas", -1, "database.readReplicas must be between 0 and 5, got -1"),
    refused("database.readReplicas", 6, "database.readReplicas must be between 0 and 5, got 6"),
    refused("database.finalSnapshot", 1, "database.finalSnapshot must be true or false, got 1"),
    refused("database.deletionProtection", "yes", "database.deletionProtection must be true or false, got 'yes'"),
    refused("database.multiAz", False, "database.multiAz must be true in prod, got false", stack="prod"),
    refused("database.readReplicas", 0, "database.readReplicas must be >= 1 in prod (three copies), got 0",
            stack="prod"),
    refused("database.backupRetentionDays", 29, "database.backupRetentionDays must be >= 30 in prod, got 29",
            stack="prod"),
    refused("database.finalSnapshot", False, "database.finalSnapshot must be true in prod, got false", stack="prod"),
    refused("database.deletionProtection", False, "database.deletionProtection must be true in prod, got false",
            stack="prod"),
    refused("registries", "x", "registries must be an object, got 'x'", "registries.organizationId is required"),
    refused("registries.organizationId", True, "registries.organizationId must be a string, got True"),
    refused("registries.organizationId", "o-a1b2c3d4e", "registries.organizationId must be an AWS Organizations id "
            "like 'o-a1b2c3d4e5', got 'o-a1b2c3d4e'"),
    refused("registries.organizationId", "o-" + "a" * 33, "registries.organizationId must be an AWS Organizations id "
            f"like 'o-a1b2c3d4e5', got {'o-' + 'a' * 33!r}"),
    refused("registries.keepImages", True, "registries.keepImages must be an integer, got True"),
    refused("registries.keepImages", 0, "registries.keepImages must be between 1 and 1000, got 0"),
    refused("registries.keepImages", 1001, "registries.keepImages must be between 1 and 1000, got 1001"),
]
DATABASE_ACCEPTED = [
    accepted("database.instanceClass", "db.r7g.2xlarge", lambda c: c.database.instance_class),
    accepted("database.backupRetentionDays", 1, lambda c: c.database.backup_retention_days),
    accepted("database.backupRetentionDays", 35, lambda c: c.database.backup_retention_days),
    accepted("database.allocatedStorageGib", 20, lambda c: c.database.allocated_storage_gib),
    accepted("database.allocatedStorageGib", 65536, lambda c: (c.database.allocated_storage_gib,
                                                               c.database.max_allocated_storage_gib), (65536, 65536)),
    accepted("database.maxAllocatedStorageGib", 50, lambda c: c.database.max_allocated_storage_gib),
    accepted("database.maxAllocatedStorageGib", 65536, lambda c: c.database.max_allocated_storage_gib),
    accepted("database.engineVersion", "16", lambda c: c.database.engine_version),
    accepted("database.engineVersion", _DELETE, lambda c: c.database.engine_version, "17"),
    accepted("database.multiAz", True, lambda c: c.database.multi_az),
    accepted("database.readReplicas", 5, lambda c: c.database.read_replicas),
    accepted("database.finalSnapshot", False, lambda c: c.database.final_snapshot),
    accepted("database.deletionProtection", False, lambda c: c.database.deletion_protection),
    accepted("registries.organizationId", "o-" + "a" * 32, lambda c: c.registries.organization_id),
    accepted("registries.keepImages", 1, lambda c: c.registries.keep_images),
    accepted("registries.keepImages", 1000, lambda c: c.registries.keep_images),
    accepted("registries.keepImages", _DELETE, lambda c: c.registries.keep_images, 30),
]

_TOGETHER = ("ci.databricksPreviewerClientId must be set together with ci.databricksDeployerClientId (a preview "
             "needs its read-only counterpart)")
CI = [
    refused("ci", "x", "ci must be an object, got 'x'", "ci.stateBucket is required",
            "ci.stateSecretsKeyArn is required"),
    refused("ci.stateBucket", True, "ci.stateBucket must be a string, got True"),
    refused("ci.stateBucket", "ab", "ci.stateBucket must be an S3 bucket name, got 'ab'"),
    refused("ci.stateBucket", "b" * 64, f"ci.stateBucket must be an S3 bucket name, got {'b' * 64!r}"),
    refused("ci.stateBucket", "State-Bucket", "ci.stateBucket must be an S3 bucket name, got 'State-Bucket'"),
    refused("ci.stateSecretsKeyArn", True, "ci.stateSecretsKeyArn must be a string, got True"),
    refused("ci.stateSecretsKeyArn", KEY_ARN[:-1], "ci.stateSecretsKeyArn must be a KMS key ARN "
            f"(arn:aws:kms:<region>:<account>:key/<uuid>), got {KEY_ARN[:-1]!r}"),
    refused("ci.stateSecretsKeyArn", "alias/pulumi-state", "ci.stateSecretsKeyArn must be a KMS key ARN "
            "(arn:aws:kms:<region>:<account>:key/<uuid>), got 'alias/pulumi-state'"),
    refused("ci.runnerConnectionArn", True, "ci.runnerConnectionArn must be a string, got True"),
    refused("ci.runnerConnectionArn", CONNECTION_ARN.replace("codeconnections", "codestar-connections"),
            "ci.runnerConnectionArn must be a CodeConnections connection ARN, got "
            f"{CONNECTION_ARN.replace('codeconnections', 'codestar-connections')!r}"),
    refused("ci.databricksDeployerClientId", True, "ci.databricksDeployerClientId must be a string, got True",
            _TOGETHER),
    refused("ci.databricksDeployerClientId", "0a1b2c3", "ci.databricksDeployerClientId must be an OAuth client id, "
            "got '0a1b2c3'", _TOGETHER),
    refused("ci.databricksPreviewerClientId", True, "ci.databricksPreviewerClientId must be a string, got True",
            _TOGETHER),
    refused("ci.databricksPreviewerClientId", "0" * 65, "ci.databricksPreviewerClientId must be an OAuth client id, "
            f"got {'0' * 65!r}", _TOGETHER),
    refused("ci.databricksPreviewerClientId", _DELETE, _TOGETHER),
    refused("ci.databricksDeployerClientId", _DELETE, _TOGETHER),
]
CI_ACCEPTED = [
    accepted("ci.stateBucket", "abc", lambda c: c.ci.state_bucket),
    accepted("ci.stateBucket", "b" * 63, lambda c: c.ci.state_bucket),
    accepted("ci.stateSecretsKeyArn", KEY_ARN, lambda c: c.ci.state_secrets_key_arn),
    accepted("ci.runnerConnectionArn", CONNECTION_ARN, lambda c: c.ci.runner_connection_arn),
    accepted("ci.runnerConnectionArn", _DELETE, lambda c: c.ci.runner_connection_arn, None),
    accepted("ci.databricksDeployerClientId", "0a1b2c3d", lambda c: c.ci.databricks_deployer_client_id),
    accepted("ci.databricksPreviewerClientId", "0" * 64, lambda c: c.ci.databricks_previewer_client_id),
    accepted("ci", {"stateBucket": "abc", "stateSecretsKeyArn": KEY_ARN},
             lambda c: (c.ci.databricks_deployer_client_id, c.ci.databricks_previewer_client_id), (None, None)),
]

_EXACTLY_ONE = ("ingress must set exactly one of hostedZoneId (the stack validates a new certificate by DNS) and "
                "certificateArn (an existing one), got")
INGRESS = [
    refused("ingress", "x", "ingress must be an object, got 'x'", f"{_EXACTLY_ONE} []",
            "ingress.baseDomain is required"),
    refused("ingress.baseDomain", True, "ingress.baseDomain must be a string, got True"),
    refused("ingress.baseDomain", "Example.com", "ingress.baseDomain must be a domain like 'example.com', got "
            "'Example.com'"),
    refused("ingress.baseDomain", "example.com.", "ingress.baseDomain must be a domain like 'example.com', got "
            "'example.com.'"),
    refused("ingress.baseDomain", _DELETE, "ingress.baseDomain is required"),
    refused("ingress.hostedZoneId", True, "ingress.hostedZoneId must be a string, got True"),
    refused("ingress.hostedZoneId", "Z", "ingress.hostedZoneId must be a Route 53 zone id like 'Z0123ABC', got 'Z'"),
    refused("ingress.hostedZoneId", "z0example", "ingress.hostedZoneId must be a Route 53 zone id like 'Z0123ABC', "
            "got 'z0example'"),
    refused("ingress.hostedZoneId", _DELETE, f"{_EXACTLY_ONE} []"),
    refused("ingress.certificateArn", CERTIFICATE_ARN, f"{_EXACTLY_ONE} ['certificateArn', 'hostedZoneId']"),
    refused("ingress.certificateArn", True, "ingress.certificateArn must be a string, got True",
            given={"ingress.hostedZoneId": _DELETE}),
    refused("ingress.certificateArn", CERTIFICATE_ARN[:-1], "ingress.certificateArn must be an ACM certificate ARN, "
            f"got {CERTIFICATE_ARN[:-1]!r}", given={"ingress.hostedZoneId": _DELETE}),
]
INGRESS_ACCEPTED = [
    accepted("ingress", _DELETE, lambda c: (c.ingress, c.domain), (None, None)),
    accepted("ingress.baseDomain", "example.org", lambda c: (c.ingress.base_domain, c.domain),
             ("example.org", "staging.example.org")),
    accepted("ingress.hostedZoneId", "Z0", lambda c: (c.ingress.hosted_zone_id, c.ingress.certificate_arn),
             ("Z0", None)),
    accepted("ingress.certificateArn", CERTIFICATE_ARN, lambda c: (c.ingress.hosted_zone_id,
                                                                   c.ingress.certificate_arn),
             (None, CERTIFICATE_ARN), given={"ingress.hostedZoneId": _DELETE}),
]

REFUSED = [*SCALARS, *ACCOUNT, *NETWORK, *CLUSTER, *QUOTAS, *TEAMS, *EGRESS, *RBAC, *DATABRICKS, *SANDBOXES,
           *PROTECTION, *HELM, *DATABASE, *CI, *INGRESS]
ACCEPTED = [*SCALARS_ACCEPTED, *ACCOUNT_ACCEPTED, *NETWORK_ACCEPTED, *CLUSTER_ACCEPTED, *QUOTAS_ACCEPTED,
            *TEAMS_ACCEPTED, *EGRESS_ACCEPTED, *RBAC_ACCEPTED, *DATABRICKS_ACCEPTED, *SANDBOXES_ACCEPTED,
            *PROTECTION_ACCEPTED, *HELM_ACCEPTED, *DATABASE_ACCEPTED, *CI_ACCEPTED, *INGRESS_ACCEPTED]


@pytest.mark.parametrize(("stack", "changes", "problems"), REFUSED)
def test_a_refused_value_is_reported_under_its_key_with_what_is_allowed(
        stack: str, changes: tuple[tuple[str, Any], ...], problems: tuple[str, ...]) -> None:
    with pytest.raises(stack_config.ConfigError) as info:
        _parsed(stack, _changing(changes))
    assert info.value.problems == list(problems)
    more = (f" (and {len(problems) - 1} more problem(s): python -m preflight --stack {stack} --all-errors lists them)"
            if len(problems) > 1 else "")
    assert str(info.value) == f"{stack}: {problems[0]}{more}"


@pytest.mark.parametrize(("stack", "changes", "read", "parsed"), ACCEPTED)
def test_the_nearest_valid_value_is_accepted_and_parsed(
        stack: str, changes: tuple[tuple[str, Any], ...], read: Callable[[stack_config.StackConfig], Any],
        parsed: Any) -> None:
    assert read(_parsed(stack, _changing(changes))) == parsed


_CALENDAR = {"1.30": VersionSupport(date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23)),
             "1.35": VersionSupport(date(2026, 1, 28), date(2027, 3, 27), date(2028, 3, 27))}
"""A calendar of the test's own, so the messages below do not change when versions.py is refreshed."""


@pytest.mark.parametrize(("version", "problem"), [
    ("1.29", "kubernetesVersion must be an EKS version of the calendar (known: 1.30, 1.35), got '1.29'"),
    ("1.30", "kubernetesVersion must be a version EKS still supports: 1.30 left extended support on 2026-07-23 (in "
             "standard support today: 1.35)"),
])
def test_a_kubernetes_version_the_calendar_refuses_is_reported_under_its_key(
        monkeypatch: pytest.MonkeyPatch, version: str, problem: str) -> None:
    monkeypatch.setattr(versions, "EKS_VERSIONS", _CALENDAR)
    with pytest.raises(stack_config.ConfigError) as info:
        _parsed("staging", _changing([("kubernetesVersion", version)]))
    assert info.value.problems == [problem]
    assert _parsed("staging", _changing([("kubernetesVersion", "1.35")])).cluster.version == "1.35"


# --- behaviours the mutants showed unasserted --------------------------------------------------------------------

def test_an_existing_certificate_is_used_instead_of_a_zone() -> None:
    """`ingress.certificateArn` is read: with it and no zone, the ingress uses that certificate."""
    config = _parsed("staging", _changing([("ingress.hostedZoneId", _DELETE),
                                           ("ingress.certificateArn", CERTIFICATE_ARN)]))
    assert config.ingress == stack_config.IngressConfig(base_domain="example.com", hosted_zone_id=None,
                                                        certificate_arn=CERTIFICATE_ARN)


def test_a_spot_pool_stays_spot_and_a_pool_without_a_capacity_type_is_on_demand() -> None:
    config = _parsed("dev", _changing([]))  # dev's compute pool is SPOT, its other pools name no capacity type
    assert {name: pool.capacity_type for name, pool in config.node_pools.items()} == {
        "system": "ON_DEMAND", "data": "ON_DEMAND", "compute": "SPOT"}


def test_the_account_name_is_kept() -> None:
    assert _parsed("prod", _changing([])).account.name == "ml-platform-prod"


def test_the_databricks_client_secret_is_read_from_the_stack_secrets() -> None:
    """`databricksClientSecret` (a Pulumi secret, not a config value) pairs with `databricks.clientId`."""
    secret = pulumi.Output.secret("s3cr3t")
    raw = copy.deepcopy(raw_config("prod"))
    raw["databricks"]["clientId"] = "0a1b2c3d"
    config = stack_config.parse("prod", raw, {"databricksClientSecret": secret})
    assert (config.databricks.client_id, config.databricks.client_secret) == ("0a1b2c3d", secret)
    assert config.databricks_deploying_principal == "0a1b2c3d"
