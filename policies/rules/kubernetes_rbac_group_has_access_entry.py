"""`kubernetes-rbac-group-has-access-entry`: every group a binding names is carried by an EKS access entry.

On EKS a Kubernetes group has members only through an access entry's `kubernetesGroups` (or the deprecated
aws-auth ConfigMap, which this platform does not use): a RoleBinding to a group no entry carries grants
nobody anything, and the team it was meant for cannot work (EKS user guide, "Grant IAM users and roles access
to Kubernetes APIs": access entries, `kubernetesGroups`). A group that is empty on purpose is declared in the
policy config (`declaredEmptyGroups`, with the reason in the exemption style). `system:` groups are Kubernetes'.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import BINDING_TYPES
from ._support import StackView, Verdict, as_list, dig, is_unknown, stack_policy

NAME = "kubernetes-rbac-group-has-access-entry"
ACCESS_ENTRY = "aws:eks/accessEntry:AccessEntry"


def check(stack: StackView, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    carried: set[str] = {str(e.get("group")) for e in config.get("declaredEmptyGroups") or []}
    for entry in stack.of(ACCESS_ENTRY):
        groups = dig(entry.props, "kubernetesGroups")
        if is_unknown(groups):
            verdict.cannot_judge(f"{entry.name}.kubernetesGroups")
            return verdict
        carried.update(str(g) for g in as_list(groups) if not is_unknown(g))
        if any(is_unknown(g) for g in as_list(groups)):  # it may be any group a binding names
            verdict.cannot_judge(f"{entry.name}.kubernetesGroups")
            return verdict
    for binding in stack.of(*BINDING_TYPES):
        subjects = dig(binding.props, "subjects")
        if is_unknown(subjects):
            verdict.cannot_judge(f"{binding.name}.subjects")
            continue
        for subject in as_list(subjects):
            group, kind = dig(subject, "name"), dig(subject, "kind")
            if is_unknown(subject) or is_unknown(kind) or (kind == "Group" and is_unknown(group)):
                verdict.cannot_judge(f"{binding.name}.subjects")
                continue
            if kind != "Group" or str(group).startswith("system:"):
                continue
            if group not in carried:
                verdict.violation(f"binds group {group!r}, which no EKS access entry's kubernetesGroups carries: the "
                                  "binding grants nobody anything; add the access entry or declare the group empty.",
                                  binding.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every RBAC group bound in any namespace is carried by an EKS access entry (kubernetesGroups) or "
                "declared empty in the policy config.",
    resource_types=[*BINDING_TYPES, ACCESS_ENTRY],
    check=check,
    config_properties={"declaredEmptyGroups": {
        "type": "array", "default": [],
        "description": "Groups bound on purpose with no members yet, each with the reason.",
        "items": {"type": "object", "additionalProperties": False, "required": ["group", "reason"],
                  "properties": {"group": {"type": "string", "minLength": 1},
                                 "reason": {"type": "string", "minLength": 10}}}}},
)
