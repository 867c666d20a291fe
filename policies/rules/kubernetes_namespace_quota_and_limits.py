"""`kubernetes-namespace-quota-and-limits`: every namespace has a ResourceQuota and a LimitRange.

The quota caps what a team's namespace may take from the cluster; the limit range gives pods without
requests sane defaults so that the quota can be enforced at all (Design Appendix, namespace strategy).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import LIMIT_RANGE, NAMESPACE, RESOURCE_QUOTA, object_name, object_namespace
from ._support import StackView, Verdict, join_by_reference, stack_policy

NAME = "kubernetes-namespace-quota-and-limits"


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    namespaces = stack.of(NAMESPACE)
    quotas, _ = join_by_reference(namespaces, object_name, stack.of(RESOURCE_QUOTA), object_namespace)
    limits, _ = join_by_reference(namespaces, object_name, stack.of(LIMIT_RANGE), object_namespace)
    for ns in namespaces:
        missing = [kind for kind, found in (("ResourceQuota", quotas[ns.urn]), ("LimitRange", limits[ns.urn]))
                   if not found]
        if missing:
            verdict.violation(f"namespace {ns.name} has no {' and no '.join(missing)}; add them (sizes from the "
                              "stack's namespaceQuotas or teams config).", ns.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every Namespace needs a ResourceQuota and a LimitRange.",
    resource_types=[NAMESPACE, RESOURCE_QUOTA, LIMIT_RANGE],
    check=check,
)
