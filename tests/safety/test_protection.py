"""Protection is judged over whole plans: every stateful resource in prod is protected and its data retained;
in dev and staging the config's deliberate choice (ml-platform:protection) is what applies."""

from __future__ import annotations

import pytest

from preflight.harness import reveal
from tests.safety.urn_guard import STATEFUL_TYPES
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

# Kinds of stateful resource every stack must hold, so that no check below passes on an empty plan.
EXPECTED_KINDS = {
    "aws:kms/key:Key", "aws:s3/bucket:Bucket", "aws:eks/cluster:Cluster",
    "databricks:index/catalog:Catalog", "databricks:index/schema:Schema",
    "databricks:index/servicePrincipal:ServicePrincipal", "aws:rds/instance:Instance",
    "aws:ecr/repository:Repository", "aws:secretsmanager/secret:Secret",
}
RETAINED = {"aws:s3/bucket:Bucket", "aws:kms/key:Key", "databricks:index/catalog:Catalog"}


def test_prod_protects_and_retains_everything_stateful() -> None:
    plan = preflight_plan("prod")
    stateful = [r for r in plan.registered if r.type in STATEFUL_TYPES]
    assert {r.type for r in stateful} >= EXPECTED_KINDS | {"aws:organizations/account:Account"}
    assert [r.urn for r in stateful if not r.options["protect"]] == []
    assert [r.urn for r in stateful if r.type in RETAINED and not r.options["retainOnDelete"]] == []
    buckets = plan.of_type("aws:s3/bucket:Bucket")
    assert [b.name for b in buckets if reveal(b.inputs).get("forceDestroy")] == []
    keys = plan.of_type("aws:kms/key:Key")
    assert {k.name: reveal(k.inputs).get("deletionWindowInDays") for k in keys} == {k.name: 30 for k in keys}


@pytest.mark.parametrize("stack", [s for s in STACKS if s != "prod"])
def test_dev_and_staging_apply_the_configured_choice(stack: str) -> None:
    choice = raw_config(stack)["protection"]
    plan = preflight_plan(stack)
    account = "aws:organizations/account:Account"  # always protected, whatever the stack (below)
    stateful = [r for r in plan.registered if r.type in STATEFUL_TYPES and r.type != account]
    assert {r.type for r in stateful} >= EXPECTED_KINDS
    assert {r.options["protect"] for r in stateful} == {choice["protect"]}
    retained = {r.options["retainOnDelete"] for r in stateful if r.type in RETAINED}
    assert retained == {choice["retainOnDelete"]}
    keys = plan.of_type("aws:kms/key:Key")
    assert {reveal(k.inputs).get("deletionWindowInDays") for k in keys} == {7}


def test_the_member_account_is_always_protected_and_never_closed() -> None:
    for stack in STACKS:
        for account in preflight_plan(stack).of_type("aws:organizations/account:Account"):
            assert account.options["protect"], stack
            assert not reveal(account.inputs).get("closeOnDeletion", False), stack


@pytest.mark.parametrize("stack", STACKS)
def test_the_database_keeps_its_data_as_the_stack_says_and_always_in_prod(stack: str) -> None:
    """RDS deletion protection refuses a delete (Amazon RDS User Guide, "Deletion protection"); without a
    final snapshot a deleted instance's data is gone. prod: both, always (the config refuses otherwise)."""
    choice = raw_config(stack)["database"]
    for instance in preflight_plan(stack).of_type("aws:rds/instance:Instance"):
        inputs = reveal(instance.inputs)
        assert inputs["deletionProtection"] is choice.get("deletionProtection", True)
        if "replicateSourceDb" in inputs:
            continue  # a replica's data is its source's; RDS takes no final snapshot of a replica
        assert inputs["skipFinalSnapshot"] is not choice.get("finalSnapshot", True)
        if stack == "prod":
            assert inputs["deletionProtection"] and not inputs["skipFinalSnapshot"]
            assert inputs["finalSnapshotIdentifier"] == f"{inputs['identifier']}-final"
