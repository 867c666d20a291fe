"""Config rules at their boundaries, outside the network (tests/test_stack_config_network_boundaries.py): each
refused value beside the nearest accepted one, and each prod-only refusal accepted in staging. Design Appendix
1.2 (prod: an HA database of three copies, backups 30 days, final snapshot, deletion protection; on-demand
nodes); RDS keeps automated backups 1 to 35 days (RDS User Guide, "Backup retention period")."""

from __future__ import annotations

import copy
from typing import Any

import pytest

import stack_config
from tests.test_stack_config import raw_config


def problems(stack: str, **changes: Any) -> list[str]:
    """Every problem once the dotted keys are set (None removes one), or [] when the stack parses."""
    raw = copy.deepcopy(raw_config(stack))
    for path, value in changes.items():
        *parents, last = path.split("__")
        node = raw
        for key in parents:
            node = node.setdefault(key, {})
        if value is None:
            node.pop(last, None)
        else:
            node[last] = value
    try:
        stack_config.parse(stack, raw)
    except stack_config.ConfigError as error:
        return error.problems
    return []


@pytest.mark.parametrize(("days", "ok"), [(1, True), (35, True), (0, False), (36, False)])
def test_backups_are_kept_1_to_35_days(days: int, ok: bool) -> None:
    assert problems("staging", database__backupRetentionDays=days) == (
        [] if ok else [f"database.backupRetentionDays must be between 1 and 35, got {days}"])


@pytest.mark.parametrize(("days", "ok"), [(30, True), (35, True), (29, False)])
def test_prod_keeps_backups_at_least_30_days(days: int, ok: bool) -> None:
    assert problems("prod", database__backupRetentionDays=days) == (
        [] if ok else [f"database.backupRetentionDays must be >= 30 in prod, got {days}"])


@pytest.mark.parametrize(("replicas", "ok"), [(1, True), (5, True), (0, False)])
def test_prod_has_a_read_replica(replicas: int, ok: bool) -> None:
    assert problems("prod", database__readReplicas=replicas) == (
        [] if ok else [f"database.readReplicas must be >= 1 in prod (three copies), got {replicas}"])


def test_read_replicas_are_0_to_5() -> None:
    assert problems("staging", database__readReplicas=0) == []
    assert problems("staging", database__readReplicas=6) == ["database.readReplicas must be between 0 and 5, got 6"]


@pytest.mark.parametrize(("key", "value", "message"), [
    ("database__multiAz", False, "database.multiAz must be true in prod, got false"),
    ("database__finalSnapshot", False, "database.finalSnapshot must be true in prod, got false"),
    ("database__deletionProtection", False, "database.deletionProtection must be true in prod, got false"),
    ("nodePools__compute__capacityType", "SPOT",
     "nodePools.compute.capacityType must be ON_DEMAND in prod, got 'SPOT'"),
    ("nodePools__data__capacityType", "SPOT", "nodePools.data.capacityType must be ON_DEMAND in prod, got 'SPOT'"),
])
def test_prod_only_refusals_are_refused_in_prod_and_accepted_in_staging(key: str, value: Any, message: str) -> None:
    assert problems("prod", **{key: value}) == [message]
    assert problems("staging", **{key: value}) == []


def test_the_database_defaults_are_safe_outside_prod_too() -> None:
    cfg = stack_config.parse("staging", _without("staging", "finalSnapshot", "deletionProtection", "multiAz"))
    assert cfg.database.final_snapshot and cfg.database.deletion_protection and not cfg.database.multi_az


def _without(stack: str, *keys: str) -> dict[str, Any]:
    raw = copy.deepcopy(raw_config(stack))
    for key in keys:
        raw["database"].pop(key, None)
    return raw


@pytest.mark.parametrize(("disk", "ok"), [(20, True), (16384, True), (19, False), (16385, False)])
def test_node_disks_are_20_to_16384_gib(disk: int, ok: bool) -> None:
    assert problems("staging", nodePools__data__diskSizeGib=disk) == (
        [] if ok else [f"nodePools.data.diskSizeGib must be between 20 and 16384, got {disk}"])


def test_pool_sizes_are_ordered_min_desired_max() -> None:
    base = {"nodePools__data__minSize": 2, "nodePools__data__desiredSize": 2, "nodePools__data__maxSize": 2}
    assert problems("staging", **base) == []
    assert problems("staging", **{**base, "nodePools__data__desiredSize": 1}) == [
        "nodePools.data.desiredSize must be >= minSize (2), got 1"]
    assert problems("staging", **{**base, "nodePools__data__desiredSize": 3}) == [
        "nodePools.data.maxSize must be >= desiredSize (3), got 2"]


def test_a_pool_names_at_least_one_instance_type() -> None:
    assert problems("staging", nodePools__data__instanceTypes=[]) == [
        "nodePools.data.instanceTypes must name at least one instance type"]
    assert problems("staging", nodePools__data__instanceTypes=["m6i.xlarge"]) == []


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0"])
def test_the_whole_internet_is_refused_for_either_family(cidr: str) -> None:
    assert problems("prod", egress__allowedCidrs=["198.51.100.0/24", cidr]) == [
        f"egress.allowedCidrs[1] must not allow the whole internet, got {cidr!r}"]
    assert problems("staging", cluster__publicAccessCidrs=["203.0.113.0/24", cidr]) == [
        f"cluster.publicAccessCidrs[1] must not open the API to the internet, got {cidr!r}"]


def test_a_public_api_range_is_accepted_outside_prod_only() -> None:
    assert problems("staging", cluster__publicAccessCidrs=["203.0.113.0/24"]) == []
    assert problems("prod", cluster__publicAccessCidrs=["203.0.113.0/24"]) == [
        "cluster.publicAccessCidrs must be empty in prod (public endpoint off)"]
    assert problems("prod", cluster__publicAccessCidrs=[]) == []


def test_the_database_port_is_a_port() -> None:
    assert problems("prod", egress__databasePort=65535) == [] and problems("prod", egress__databasePort=1) == []
    assert problems("prod", egress__databasePort=0) == ["egress.databasePort must be between 1 and 65535, got 0"]
    assert problems("prod", egress__databasePort=65536) == [
        "egress.databasePort must be between 1 and 65535, got 65536"]
