"""URN stability guard: a stateful resource whose URN changes is deleted and recreated by Pulumi.

The committed snapshot `tests/snapshots/<stack>.urns` lists the URNs of every stateful resource. A plan
passes when each snapshot URN is still in the plan, or is covered by an alias of a resource in the plan,
resolved as the engine resolves them (alias specs default to the resource's own name, type and parent;
children inherit their parents' aliases). The failure message names the alias to add. A stateful resource
that is new (onboarding a user or a team adds some) is reported, never failed: nothing existing is replaced.

Update the snapshot after a deliberate change (review the diff like code):
    venv/bin/python -m tests.safety.urn_guard --update
"""

from __future__ import annotations

import argparse
from pathlib import Path

from preflight.aliases import AliasResolver, name_of
from preflight.harness import Plan, RecordedResource

SNAPSHOT_DIR = Path(__file__).resolve().parents[1] / "snapshots"

# Resources whose replacement loses data or identity (accounts, keys, stores, clusters, catalogs...).
# Not node groups: their nodes hold no state, and a replacement (new instance types, capacity type, subnets)
# is created beside the old group under a generated name before the old one drains (issue 15).
STATEFUL_TYPES = frozenset({
    "aws:organizations/account:Account",
    "aws:kms/key:Key",
    "aws:s3/bucket:Bucket",
    "aws:eks/cluster:Cluster",
    "aws:ec2/vpc:Vpc",  # replacing it replaces every subnet, and the cluster and node groups with them
    "aws:ec2/eip:Eip",  # the NAT addresses partners allow-list
    "databricks:index/catalog:Catalog",
    "databricks:index/schema:Schema",
    "databricks:index/servicePrincipal:ServicePrincipal",
    "kubernetes:helm.sh/v3:Release",
    "aws:rds/instance:Instance",
    "aws:ecr/repository:Repository",
    "aws:secretsmanager/secret:Secret",
})


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
    candidates = [r for r in same_type if r.name == name_of(old)] or same_type
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


def added(plan: Plan, snapshot: list[str]) -> list[str]:
    """Stateful URNs of the plan that the snapshot does not list, under any of their aliases: new resources."""
    resolver = AliasResolver(plan)
    known = set(snapshot)
    return sorted(r.urn for r in plan.resources if r.type in STATEFUL_TYPES and not (resolver.urns(r) & known))


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
            snapshot = read_snapshot(stack)
            problems = check(preflight_plan(stack), snapshot)
            new = added(preflight_plan(stack), snapshot)
            print(f"{stack}: {'ok' if not problems else 'URNs changed'}"
                  + (f", {len(new)} new stateful URN(s) (recorded by --update)" if new else ""))
            for p in problems:
                print(p)
            for urn in new:
                print(f"  new: {urn}")
            status = status or (1 if problems else 0)
    return status


if __name__ == "__main__":
    raise SystemExit(main())
