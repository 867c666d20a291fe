"""The URNs a resource answers to, as the engine resolves them: its own and those of its aliases.

The engine's step generator turns each alias a program registers into a URN (`collapseAliasToUrn`): a URN alias
as given; a spec's name, type, stack and project default to the resource's own, its parent to the resource's
parent (none with `noParent`, or when the parent is the root stack). A child also answers under each former URN
of its parent, renamed with the parent when its name was derived from the parent's (`inheritedChildAlias`). The
engine hands analyzers these URNs (`AnalyzerResourceOptions.aliases`), and the URN guard checks state against them.
"""

from __future__ import annotations

from collections.abc import Iterable

from .harness import STACK_TYPE, Plan, RecordedResource


def urn_of(stack: str, project: str, parent_urn: str, type_: str, name: str) -> str:
    """The engine's URN: the parent's type chain and this type joined by "$", the root stack left out (the SDK's
    mock monitor differs: URN stability checks depend on this being exact)."""
    if parent_urn:
        qualified = parent_urn.split("::")[2]
        if qualified != STACK_TYPE:
            type_ = f"{qualified}${type_}"
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def name_of(urn: str) -> str:
    return urn.split("::")[-1]


class AliasResolver:
    """Every URN a resource of the plan answers to: its own, its aliases', and those inherited from parents."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_urn = {r.urn: r for r in plan.resources}
        self.memo: dict[str, set[str]] = {}

    def aliases(self, resource: RecordedResource) -> list[str]:
        """The URNs other than its own, sorted: what the engine sends a policy as the resource's aliases."""
        return sorted(self.urns(resource) - {resource.urn})

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
            result.update(urn_of(stack, project, p, type_, name) for p in parents)
        # Inherited: the child under each former URN of its parent, renamed along with the parent's name
        # when the child's name was derived from it (the engine's inheritedChildAlias).
        if parent is not None and parent.type != STACK_TYPE:
            for old_parent in parent_urns - {parent.urn}:
                result.add(urn_of(self.plan.stack, self.plan.project, old_parent, resource.type, resource.name))
                old_parent_name = name_of(old_parent)
                if resource.name.startswith(parent.name) and old_parent_name != parent.name:
                    renamed = old_parent_name + resource.name[len(parent.name):]
                    result.add(urn_of(self.plan.stack, self.plan.project, old_parent, resource.type, renamed))
        self.memo[resource.urn] = result
        return result
