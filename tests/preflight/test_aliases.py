"""The URNs a resource answers to (preflight/aliases.py), expected as the engine writes them.

Pulumi "Resource names" / "aliases": a URN is `urn:pulumi:<stack>::<project>::<qualified type>::<name>`, the
qualified type being the parent's chain of types and the resource's joined by `$`, the root stack left out. An
alias spec's name, type, stack and project default to the resource's own and its parent to the resource's
parent; `parent=None` means it had none. A child answers under each former URN of its parent, renamed with the
parent when its name starts with the parent's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.aliases import AliasResolver, name_of, urn_of
from preflight.harness import Plan
from tests.support import run_snippet

RANDOM = "random:index/randomId:RandomId"
BOX = "test:index:Box"
ROOT = "urn:pulumi:dev::ml-platform::"


def test_a_urn_joins_the_parents_type_chain_and_leaves_the_root_stack_out() -> None:
    stack_urn = "urn:pulumi:dev::ml-platform::pulumi:pulumi:Stack::ml-platform-dev"
    assert urn_of("dev", "ml-platform", stack_urn, RANDOM, "a") == f"{ROOT}{RANDOM}::a"
    assert urn_of("dev", "ml-platform", "", RANDOM, "a") == f"{ROOT}{RANDOM}::a"
    parent = f"{ROOT}a:b:Outer$a:b:Inner::in"
    assert urn_of("prod", "p", parent, RANDOM, "a") == f"urn:pulumi:prod::p::a:b:Outer$a:b:Inner${RANDOM}::a"
    assert name_of(parent) == "in"


@pytest.fixture(scope="module")
def plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return run_snippet(tmp_path_factory.mktemp("aliases"), f"""
    import pulumi
    import pulumi_random as random

    class Box(pulumi.ComponentResource):
        def __init__(self, name, opts=None):
            super().__init__("{BOX}", name, None, opts)

    box = Box("box", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="crate")]))
    random.RandomId("box-id", byte_length=2, opts=pulumi.ResourceOptions(parent=box))
    random.RandomId("other", byte_length=2, opts=pulumi.ResourceOptions(parent=box))
    retyped_box = Box("shelf", opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="test:index:Crate")]))
    random.RandomId("kid", byte_length=2, opts=pulumi.ResourceOptions(parent=retyped_box))
    random.RandomId("plain", byte_length=2)
    random.RandomId("moved", byte_length=2, opts=pulumi.ResourceOptions(aliases=["{ROOT}{RANDOM}::old"]))
    random.RandomId("renamed", byte_length=2, opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(name="before")]))
    random.RandomId("retyped", byte_length=2, opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(type_="x:y:Z")]))
    random.RandomId("lifted", byte_length=2, opts=pulumi.ResourceOptions(
        parent=box, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)]))
    random.RandomId("adopted", byte_length=2, opts=pulumi.ResourceOptions(
        parent=box, aliases=[pulumi.Alias(parent=None)]))
    random.RandomId("under", byte_length=2, opts=pulumi.ResourceOptions(aliases=[pulumi.Alias(parent=box)]))
    random.RandomId("elsewhere", byte_length=2, opts=pulumi.ResourceOptions(
        aliases=[pulumi.Alias(stack="staging", project="legacy")]))
    """, stack="dev")


@pytest.mark.parametrize(("name", "expected"), [
    ("plain", []),
    ("box", [f"{ROOT}{BOX}::crate"]),
    # a child renamed with its parent (its name starts with the parent's); under the parent's former URN, the
    # same URN as now when only the parent's name changed, as the type chain holds no names
    ("box-id", [f"{ROOT}{BOX}${RANDOM}::crate-id"]),
    ("other", []),
    ("kid", [f"{ROOT}test:index:Crate${RANDOM}::kid"]),
    ("moved", [f"{ROOT}{RANDOM}::old"]),
    ("renamed", [f"{ROOT}{RANDOM}::before"]),
    ("retyped", [f"{ROOT}x:y:Z::retyped"]),
    ("adopted", [f"{ROOT}{RANDOM}::adopted"]),
    ("under", [f"{ROOT}{BOX}${RANDOM}::under"]),
    ("elsewhere", [f"urn:pulumi:staging::legacy::{RANDOM}::elsewhere"]),
])
def test_each_alias_is_the_urn_the_engine_gives_it(plan: Plan, name: str, expected: list[str]) -> None:
    resource = next(r for r in plan.resources if r.name == name)
    resolver = AliasResolver(plan)
    assert resolver.aliases(resource) == sorted(expected)
    assert resolver.urns(resource) == {resource.urn, *expected}
    assert resolver.urns(resource) == AliasResolver(plan).urns(resource)  # the same answer, memoised or not


def test_a_former_root_level_parent_is_resolved_through_its_own_alias(plan: Plan) -> None:
    """`lifted` was at the root (its alias's parent the root stack) and is now in `box`: one former URN, at the
    root, whatever the box's own aliases."""
    lifted = next(r for r in plan.resources if r.name == "lifted")
    assert f"{ROOT}{RANDOM}::lifted" in AliasResolver(plan).aliases(lifted)


def test_the_resolver_reads_the_recorded_options_as_the_harness_records_them(tmp_path: Path) -> None:
    """A URN alias recorded as a plain string (the SDK's `aliasURNs`, when a monitor takes no specs) counts too."""
    plan = run_snippet(tmp_path, "import pulumi_random as random\nrandom.RandomId('a', byte_length=2)\n",
                       stack="dev")
    (resource,) = [r for r in plan.resources if r.name == "a"]
    resource.options["aliases"] = [f"{ROOT}{RANDOM}::string-alias", {"urn": f"{ROOT}{RANDOM}::spec-urn"}]
    assert AliasResolver(plan).aliases(resource) == [f"{ROOT}{RANDOM}::spec-urn", f"{ROOT}{RANDOM}::string-alias"]
