"""`kubernetes-rbac-no-cluster-admin-binding`: nothing is bound to the `cluster-admin` ClusterRole.

Cluster administration stays with the EKS access entries of the platform team; the program's bindings give
namespace roles only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import BINDING_TYPES
from ._support import Resource, Verdict, dig, is_unknown, resource_policy

NAME = "kubernetes-rbac-no-cluster-admin-binding"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    role = dig(resource.props, "roleRef", "name")
    if is_unknown(role):
        verdict.cannot_judge("roleRef.name")
    elif role == "cluster-admin":
        verdict.violation("binds cluster-admin; bind a namespaced Role with the permissions needed.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="RoleBindings and ClusterRoleBindings must not grant cluster-admin.",
    resource_types=BINDING_TYPES,
    check=check,
)
