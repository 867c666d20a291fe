"""The URN guard catches a stateful resource whose URN changed, and is satisfied by the right alias."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from tests.safety.urn_guard import added, check, read_snapshot, stateful_urns
from tests.support import STACKS, preflight_plan, run_snippet

STORE = """
import pulumi
import pulumi_aws as aws

class Store(pulumi.ComponentResource):
    def __init__(self, name, type_token, opts=None):
        super().__init__(type_token, name, None, opts)
        aws.s3.Bucket(f"{{name}}-bucket", opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({{}})

{body}
"""


def plan_of(tmp_path: Path, body: str, version: str) -> object:
    folder = tmp_path / version
    folder.mkdir()
    return run_snippet(folder, STORE.format(body=body))


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_keep_every_stateful_urn(stack: str) -> None:
    plan = preflight_plan(stack)
    snapshot = read_snapshot(stack)
    assert snapshot, f"no snapshot for {stack}: run venv/bin/python -m tests.safety.urn_guard --update"
    problems = check(plan, snapshot)
    assert not problems, "stateful URNs changed:\n" + "\n".join(problems)
    if new := added(plan, snapshot):
        # New resources replace nothing (onboarding a user or a team adds some): reported, not failed.
        warnings.warn(f"{stack}: {len(new)} new stateful URN(s) not in the snapshot yet (review, then run "
                      "venv/bin/python -m tests.safety.urn_guard --update): " + ", ".join(new), stacklevel=1)


def test_a_new_stateful_resource_is_reported_not_failed(tmp_path: Path) -> None:
    old = stateful_urns(plan_of(tmp_path, 'aws.s3.Bucket("prod-artifacts")', "v1"))
    grown = plan_of(tmp_path, 'aws.s3.Bucket("prod-artifacts")\naws.s3.Bucket("prod-models")', "v2")
    assert check(grown, old) == []
    assert added(grown, old) == ["urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-models"]
    renamed = plan_of(tmp_path, 'aws.s3.Bucket("prod-models")', "v3")
    assert check(renamed, old) != []  # a changed URN without an alias still fails


def test_renaming_a_component_class_needs_only_an_alias_on_the_component(tmp_path: Path) -> None:
    before = plan_of(tmp_path, 'Store("prod-raw", "platform:storage:Store")', "v1")
    old = stateful_urns(before)
    assert old == ["urn:pulumi:prod::ml-platform::platform:storage:Store$aws:s3/bucket:Bucket::prod-raw-bucket"]

    renamed = plan_of(tmp_path, 'Store("prod-raw", "platform:storage:DataStore")', "v2")
    problems = check(renamed, old)
    assert len(problems) == 1
    assert "platform:storage:DataStore$aws:s3/bucket:Bucket::prod-raw-bucket" in problems[0]
    assert 'aliases=[pulumi.Alias(type_="platform:storage:Store")]' in problems[0]

    aliased = plan_of(tmp_path, 'Store("prod-raw", "platform:storage:DataStore", '
                                'pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="platform:storage:Store")]))', "v3")
    assert check(aliased, old) == []


def test_moving_a_resource_under_a_component_needs_a_parent_alias(tmp_path: Path) -> None:
    before = plan_of(tmp_path, 'aws.s3.Bucket("prod-logs")', "v1")
    old = stateful_urns(before)
    assert old == ["urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-logs"]

    moved = """
class Holder(pulumi.ComponentResource):
    def __init__(self, name, alias):
        super().__init__("platform:storage:Holder", name, None, None)
        opts = pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=None)] if alias else None)
        aws.s3.Bucket("prod-logs", opts=opts)

Holder("prod-holder", alias={alias})
"""
    without = check(plan_of(tmp_path, moved.format(alias=False), "v2"), old)
    old_alias = 'aliases=["urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-logs"]'
    assert len(without) == 1 and old_alias in without[0]
    assert check(plan_of(tmp_path, moved.format(alias=True), "v3"), old) == []


def test_renaming_a_resource_is_caught_and_a_name_alias_fixes_it(tmp_path: Path) -> None:
    old = stateful_urns(plan_of(tmp_path, 'aws.s3.Bucket("prod-artifacts")', "v1"))
    assert check(plan_of(tmp_path, 'aws.s3.Bucket("prod-models")', "v2"), old) != []
    fixed = 'aws.s3.Bucket("prod-models", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="prod-artifacts")]))'
    assert check(plan_of(tmp_path, fixed, "v3"), old) == []
