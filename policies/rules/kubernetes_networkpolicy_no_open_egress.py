"""`kubernetes-networkpolicy-no-open-egress`: in prod, no NetworkPolicy opens egress to the internet.

An egress rule with no `to` allows every destination; an `ipBlock` outside private address space must be on
the pack config's `allowedEgressCidrs` (prod's partner ranges). In-cluster peers (pod and namespace
selectors) are fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import NETWORK_POLICY
from ._network import ALLOWED_EGRESS_SCHEMA, is_open
from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "kubernetes-networkpolicy-no-open-egress"


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    allowed = config.get("allowedEgressCidrs") or []
    egress = dig(resource.props, "spec", "egress")
    if is_unknown(egress):
        verdict.cannot_judge("spec.egress")
        return verdict
    for i, rule in enumerate(as_list(egress)):
        peers = dig(rule, "to")
        if is_unknown(peers):
            verdict.cannot_judge(f"spec.egress[{i}].to")
            continue
        if not as_list(peers):
            verdict.violation(f"spec.egress[{i}] has no `to`, so it allows every destination; name the peers.")
            continue
        for j, peer in enumerate(as_list(peers)):
            cidr = dig(peer, "ipBlock", "cidr")
            if is_unknown(cidr):
                verdict.cannot_judge(f"spec.egress[{i}].to[{j}].ipBlock.cidr")
            elif isinstance(cidr, str) and is_open(cidr, allowed):
                verdict.violation(f"spec.egress[{i}].to[{j}] allows {cidr}; allow only in-cluster peers and the "
                                  "ranges on allowedEgressCidrs.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="NetworkPolicies in prod must not allow egress to 0.0.0.0/0, ::/0, any public range off the "
                "allow-list, or to everything (an egress rule without `to`).",
    resource_types=[NETWORK_POLICY],
    check=check,
    stacks=["prod"],
    config_properties={"allowedEgressCidrs": ALLOWED_EGRESS_SCHEMA},
)
