"""Kubernetes objects as the provider passes them: namespaces, and which namespace an object lives in."""

from __future__ import annotations

from typing import Any

from ._support import Resource, dig

NAMESPACE = "kubernetes:core/v1:Namespace"
NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"
RESOURCE_QUOTA = "kubernetes:core/v1:ResourceQuota"
LIMIT_RANGE = "kubernetes:core/v1:LimitRange"
ROLE_TYPES = ("kubernetes:rbac.authorization.k8s.io/v1:Role", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole")
BINDING_TYPES = ("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
                 "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")


def object_name(resource: Resource) -> Any:
    return dig(resource.props, "metadata", "name")


def object_namespace(resource: Resource) -> Any:
    return dig(resource.props, "metadata", "namespace")


def selects_all_pods(selector: Any) -> bool:
    """An empty podSelector (`{}`) selects every pod of the namespace."""
    return selector is None or (isinstance(selector, dict) and not selector.get("matchLabels")
                                and not selector.get("matchExpressions"))
