"""`aws-eks-cluster-endpoint-private`: in prod, the EKS API endpoint is private, or public only to named CIDRs.

EKS defaults `endpointPublicAccess` to true and `publicAccessCidrs` to `0.0.0.0/0` (EKS user guide, "Cluster
API server endpoint"), so a cluster written as a raw `aws.eks.Cluster` without a `vpcConfig` saying otherwise
is reachable from the internet. The `EksCluster` component validates its own arguments; this rule holds for
every cluster resource, however it is written. Public CIDRs must be on the pack config's `allowedEgressCidrs`
style allow-list (`allowedPublicAccessCidrs`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._network import is_open
from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "aws-eks-cluster-endpoint-private"


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    public = dig(resource.props, "vpcConfig", "endpointPublicAccess")
    if is_unknown(public):
        verdict.cannot_judge("vpcConfig.endpointPublicAccess")
        return verdict
    if public is False:
        return verdict
    cidrs = dig(resource.props, "vpcConfig", "publicAccessCidrs")
    if is_unknown(cidrs):
        verdict.cannot_judge("vpcConfig.publicAccessCidrs")
        return verdict
    allowed = config.get("allowedPublicAccessCidrs") or []
    open_cidrs = [str(c) for c in as_list(cidrs) or ["0.0.0.0/0"] if not is_unknown(c) and is_open(str(c), allowed)]
    if open_cidrs:
        default = "" if as_list(cidrs) else " (EKS's default when publicAccessCidrs is not set)"
        verdict.violation(f"the API endpoint is public to {', '.join(open_cidrs)}{default}; set vpcConfig."
                          "endpointPublicAccess false, or publicAccessCidrs to the allow-listed ranges.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="In prod the EKS API endpoint is private, or public only to allow-listed CIDRs (EKS defaults to "
                "public to 0.0.0.0/0).",
    resource_types=["aws:eks/cluster:Cluster"],
    check=check,
    stacks=["prod"],
    config_properties={"allowedPublicAccessCidrs": {"type": "array", "items": {"type": "string"}, "default": [],
                                                    "description": "Public CIDRs that may reach the API endpoint."}},
)
