"""URN stability guard: a stateful resource whose URN changes is deleted and recreated by Pulumi.

The committed snapshot `tests/snapshots/<stack>.urns` lists the URNs of every stateful resource. A plan
passes when each snapshot URN is still in the plan, or is covered by an alias of a resource in the plan,
resolved as the engine resolves them (alias specs default to the resource's own name, type and parent;
children inherit their parents' aliases). The failure message names the alias to add.

Update the snapshot after a deliberate change (review the diff like code):
    venv/bin/python -m tests.safety.urn_guard --update
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable
from pathlib import Path

from preflight.harness import STACK_TYPE, Plan, RecordedResource

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshots"

# Resources whose replacement loses data or identity (accounts, keys, stores, clusters, catalogs...).
STATEFUL_TYPES = frozenset({
    "aws:organizations/account:Account",
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:ec2/vpc:Vpc",  # replacing it replaces every subnet, and the cluster and node groups with them
    "aws:ec2/eip:Eip",  # the NAT addresses partners allow-list
    "databricks:index/catalog:Catalog",
    "databricks:index/schema:Schema",
    "databricks:index/servicePrincipal:ServicePrincipal",
    "kubernetes:helm.sh/v3:Release",
})


def make_urn(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """The engine's URN: the parent's type chain and this type joined by "$", the root stack left out."""
    if parent_urn:
        qualified = parent_urn.split("::")[2]
        if qualified != STACK_TYPE:
            type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def _name_of(urn: str) -> str:
    return urn.split("::")[-1]


class AliasResolver:
    """Every URN a resource of the plan answers to: its own, its aliases', and those inherited from parents."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_urn = {r.urn: r for r in plan.resources}
        self.memo: dict[str, set[str]] = {}

    def urns(self, resource: RecordedResource) -> set[str]:
        if resource.urn in self.memo:
            return self.memo[resource.urn]
        parent = self.by_urn.get(resource.parent)
        parent_urns = self.urns(parent) if parent is not None and parent.type != STACK_TYPE else {resource.parent}
        result = {resource.urn}
        for alias in resource.options.get("aliases", []):
            if isinstance(alias, str):
                result.add(alias)
                continue
            if "urn" in alias:
                result.add(alias["urn"])
                continue
            spec = alias.get("spec", alias)
            name = spec.get("name") or resource.name
            type_ = spec.get("type") or resource.type
            stack = spec.get("stack") or self.plan.stack
            project = spec.get("project") or self.plan.project
            if spec.get("noParent"):
                parents: Iterable[str] = [""]
            elif spec.get("parentUrn"):
                parents = [spec["parentUrn"]]
            else:
                parents = parent_urns
            result.update(make_urn(stack, project, p, type_, name) for p in parents)
        # Inherited: the child under each former URN of its parent, renamed along with the parent's name
        # when the child's name was derived from it (the engine's inheritedChildAlias).
        if parent is not None and parent.type != STACK_TYPE:
            for old_parent in parent_urns - {parent.urn}:
                result.add(make_urn(self.plan.stack, self.plan.project, old_parent, resource.type, resource.name))
                old_parent_name = _name_of(old_parent)
                if resource.name.startswith(parent.name) and old_parent_name != parent.name:
                    renamed = old_parent_name + resource.name[len(parent.name):]
                    result.add(make_urn(self.plan.stack, self.plan.project, old_parent, resource.type, renamed))
        self.memo[resource.urn] = result
        return result


def stateful_urns(plan: Plan) -> list[str]:
    return sorted(r.urn for r in plan.resources if r.type in STATEFUL_TYPES)


def snapshot_path(stack: str) -> Path:
    return SNAPSHOT_DIR / f"{stack}.urns"


def read_snapshot(stack: str) -> list[str]:
    path = snapshot_path(stack)
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if line and not line.startswith("#")]


def _suggest(old: str, plan: Plan, unmatched_new: list[RecordedResource]) -> str:
    old_type_chain = old.split("::")[2].split("$")
    same_type = [r for r in unmatched_new if r.type == old_type_chain[-1]]
    candidates = [r for r in same_type if r.name == _name_of(old)] or same_type
    if len(candidates) != 1:
        return (f"  {old}\n    is gone. If it was renamed or moved, add to the resource that replaces it: "
                f"opts=pulumi.ResourceOptions(aliases=[\"{old}\"]); if it was meant to be deleted, update the "
                "snapshot.")
    new = candidates[0]
    new_chain = new.urn.split("::")[2].split("$")
    hint = ""
    if len(new_chain) == len(old_type_chain) and new_chain[:-1] != old_type_chain[:-1]:
        changed = [(o, n) for o, n in zip(old_type_chain[:-1], new_chain[:-1], strict=True) if o != n]
        if len(changed) == 1:
            hint = (f"\n    or, if component type {changed[0][0]!r} was renamed to {changed[0][1]!r}, on that "
                    f"component: aliases=[pulumi.Alias(type_=\"{changed[0][0]}\")]")
    return (f"  {old}\n    is now {new.urn}\n    add to {new.name!r}: "
            f"opts=pulumi.ResourceOptions(aliases=[\"{old}\"]){hint}")


def check(plan: Plan, snapshot: list[str]) -> list[str]:
    """Problems (empty when every stateful URN of the snapshot is still answered for)."""
    resolver = AliasResolver(plan)
    covered: set[str] = set()
    for resource in plan.resources:
        covered |= resolver.urns(resource)
    missing = [urn for urn in snapshot if urn not in covered]
    known = set(snapshot)
    unmatched_new = [r for r in plan.resources
                     if r.type in STATEFUL_TYPES and r.urn not in known and not (resolver.urns(r) & known)]
    return [_suggest(urn, plan, unmatched_new) for urn in missing]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.safety.urn_guard", description=__doc__)
    parser.add_argument("--update", action="store_true", help="rewrite the snapshots from the current program")
    parser.add_argument("stacks", nargs="*", default=["dev", "staging", "prod"])
    args = parser.parse_args(argv)
    from tests.support import preflight_plan

    status = 0
    for stack in args.stacks:
        urns = stateful_urns(preflight_plan(stack))
        if args.update:
            SNAPSHOT_DIR.mkdir(parents=True, exist_ok=True)
            snapshot_path(stack).write_text(
                f"# Stateful URNs of stack {stack}; reviewed like code. Regenerate: "
                "venv/bin/python -m tests.safety.urn_guard --update\n" + "".join(f"{u}\n" for u in urns))
            print(f"{stack}: {len(urns)} stateful URNs written to {snapshot_path(stack).relative_to(Path.cwd())}")
        else:
            problems = check(preflight_plan(stack), read_snapshot(stack))
            print(f"{stack}: {'ok' if not problems else 'URNs changed'}")
            for p in problems:
                print(p)
            status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
