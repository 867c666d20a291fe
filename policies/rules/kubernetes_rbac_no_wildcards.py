"""`kubernetes-rbac-no-wildcards`: no `*` in the verbs, resources or apiGroups of a Role or ClusterRole.

Roles named on the pack config's `allowedRoles` (default `platform-admin`, the Design Appendix's full-access
role) are the deliberate exception.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import ROLE_TYPES, object_name
from ._support import Resource, Verdict, as_list, contains_unknown, dig, is_unknown, resource_policy

NAME = "kubernetes-rbac-no-wildcards"
FIELDS = ("verbs", "resources", "apiGroups")


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    rules = dig(resource.props, "rules")
    if is_unknown(rules):
        verdict.cannot_judge("rules")
        return verdict
    wild: list[str] = []
    for i, rule in enumerate(as_list(rules)):
        for field in FIELDS:
            values = dig(rule, field)
            if contains_unknown(values):
                verdict.cannot_judge(f"rules[{i}].{field}")
            elif "*" in as_list(values):
                wild.append(f"rules[{i}].{field}")
    if not wild:
        return verdict
    name = object_name(resource)
    if is_unknown(name):
        verdict.cannot_judge("metadata.name")
    elif name not in (config.get("allowedRoles") or []):
        verdict.violation(f"role {name or resource.name} uses * in {', '.join(wild)}; list the verbs, resources and "
                          "API groups it needs (or add the role to allowedRoles with a reason).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Roles and ClusterRoles must not use * in verbs, resources or apiGroups (except allow-listed roles).",
    resource_types=ROLE_TYPES,
    check=check,
    config_properties={"allowedRoles": {"type": "array", "items": {"type": "string"}, "default": ["platform-admin"],
                                        "description": "Role names (metadata.name) that may use wildcards."}},
)
