"""`kubernetes-rbac-deployer-limits`: the CI deployer role never writes secrets and never execs into pods.

The Design Appendix's deployer may get/list configmaps and secrets and update deployments; write access to
secrets or `pods/exec` would let a compromised pipeline read or plant credentials.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import ROLE_TYPES, object_name
from ._support import Resource, Verdict, as_list, contains_unknown, dig, is_unknown, resource_policy

NAME = "kubernetes-rbac-deployer-limits"
WRITE_VERBS = frozenset({"create", "update", "patch", "delete", "deletecollection", "*"})


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    name = object_name(resource)
    if is_unknown(name):
        verdict.cannot_judge("metadata.name")
        return verdict
    if name not in (config.get("deployerRoles") or []):
        return verdict
    rules = dig(resource.props, "rules")
    if contains_unknown(rules):
        verdict.cannot_judge("rules")
        return verdict
    for i, rule in enumerate(as_list(rules)):
        groups = as_list(dig(rule, "apiGroups"))
        if not ({"", "*"} & set(groups)):
            continue  # secrets and pods are in the core group
        resources = set(as_list(dig(rule, "resources")))
        verbs = set(as_list(dig(rule, "verbs")))
        if resources & {"secrets", "*"} and verbs & WRITE_VERBS:
            verdict.violation(f"rules[{i}] lets deployer role {name} {', '.join(sorted(verbs & WRITE_VERBS))} "
                              "secrets; the deployer may only get and list them.")
        if resources & {"pods/exec", "pods/*", "*"} and verbs:
            verdict.violation(f"rules[{i}] gives deployer role {name} pods/exec; remove it.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="The deployer role must not write secrets or use pods/exec.",
    resource_types=ROLE_TYPES,
    check=check,
    config_properties={"deployerRoles": {"type": "array", "items": {"type": "string"}, "default": ["deployer"],
                                         "description": "Role names (metadata.name) used by CI to deploy."}},
)
