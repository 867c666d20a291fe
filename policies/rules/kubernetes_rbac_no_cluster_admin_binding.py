"""`kubernetes-rbac-no-cluster-admin-binding`: nothing is bound to `cluster-admin` or another admin-equivalent
built-in ClusterRole (`admin`, `edit`), and no binding names the `system:masters` group.

Cluster administration stays with the EKS access entries of the platform team; the program's bindings give
namespace roles only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import BINDING_TYPES
from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "kubernetes-rbac-no-cluster-admin-binding"
# Kubernetes docs, "Using RBAC Authorization", user-facing roles: `admin` grants RoleBindings in the namespace (so
# any permission there), `edit` reads Secrets and runs pods as any ServiceAccount of the namespace ("this role
# allows accessing Secrets and running Pods as any ServiceAccount", an escalation path); the `aggregate-to-*`
# roles are what those aggregate. `view` does not read Secrets and stays allowed.
ADMIN_EQUIVALENT = frozenset({"cluster-admin", "admin", "edit", "system:aggregate-to-admin",
                              "system:aggregate-to-edit"})


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    role, kind = dig(resource.props, "roleRef", "name"), dig(resource.props, "roleRef", "kind")
    if is_unknown(role) or is_unknown(kind):
        verdict.cannot_judge("roleRef")
    elif kind == "ClusterRole" and role in ADMIN_EQUIVALENT:
        verdict.violation(f"binds the built-in ClusterRole {role}, which is admin-equivalent; bind a namespaced Role "
                          "with the permissions needed.")
    subjects = dig(resource.props, "subjects")
    if is_unknown(subjects):
        verdict.cannot_judge("subjects")
    elif any(dig(s, "kind") == "Group" and dig(s, "name") == "system:masters" for s in as_list(subjects)):
        verdict.violation("binds group system:masters, which bypasses RBAC entirely.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="RoleBindings and ClusterRoleBindings must not grant cluster-admin or the admin-equivalent "
                "built-in ClusterRoles (admin, edit), nor name system:masters.",
    resource_types=BINDING_TYPES,
    check=check,
)
