"""`kubernetes-networkpolicy-enforced`: NetworkPolicies exist only where an add-on enforces them.

The API server accepts NetworkPolicies on any cluster; nothing enforces them unless the CNI does. On EKS the
VPC CNI enforces them once its add-on is configured with `enableNetworkPolicy: "true"` (EKS user guide,
"Limit pod traffic with Kubernetes network policies": `aws eks create-addon --addon-name vpc-cni
--configuration-values '{"enableNetworkPolicy": "true"}'`). Without it every default-deny in the plan is
decoration. A stack policy: each cluster of the plan (or the stack, when the cluster is not in the plan) needs
a `vpc-cni` Addon with that value when any NetworkPolicy is planned.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._kubernetes import NETWORK_POLICY
from ._support import Resource, StackView, Verdict, dig, is_unknown, join_by_reference, stack_policy

NAME = "kubernetes-networkpolicy-enforced"
CLUSTER = "aws:eks/cluster:Cluster"
ADDON = "aws:eks/addon:Addon"


def enforces(addon: Resource) -> bool | None:
    """True when the add-on is the VPC CNI with network policy enforcement on; None when not known yet."""
    name = dig(addon.props, "addonName")
    if is_unknown(name):
        return None
    if name != "vpc-cni":
        return False
    raw = dig(addon.props, "configurationValues")
    if is_unknown(raw):
        return None
    try:
        values = json.loads(raw) if isinstance(raw, str) and raw else {}
    except json.JSONDecodeError:
        return False
    return isinstance(values, dict) and values.get("enableNetworkPolicy") == "true"


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    policies = stack.of(NETWORK_POLICY)
    if not policies:
        return verdict
    clusters = stack.of(CLUSTER)
    addons = stack.of(ADDON)
    attached, orphans = join_by_reference(clusters, lambda c: dig(c.props, "name"), addons,
                                          lambda a: dig(a.props, "clusterName"))
    groups = {c.urn: attached[c.urn] for c in clusters} if clusters else {"": orphans}
    for urn, cluster_addons in groups.items():
        found = [enforces(a) for a in cluster_addons]
        if any(found):
            continue
        if None in found:
            verdict.cannot_judge("addon.configurationValues")
            continue
        where = f"cluster {urn.rsplit('::', 1)[-1]}" if urn else "the stack"
        verdict.violation(f"{len(policies)} NetworkPolicies but {where} has no vpc-cni Addon with configurationValues "
                          '{"enableNetworkPolicy": "true"}: nothing enforces them.', urn or policies[0].urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="NetworkPolicies need an add-on that enforces them: the vpc-cni Addon with enableNetworkPolicy "
                '"true" on the cluster.',
    resource_types=[NETWORK_POLICY, CLUSTER, ADDON],
    check=check,
)
