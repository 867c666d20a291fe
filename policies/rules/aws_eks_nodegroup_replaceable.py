"""`aws-eks-nodegroup-replaceable`: a node group can be replaced without a name collision.

Changing a node group's instance types, AMI type, capacity type, disk size, subnets or launch template
name forces a new node group (the provider's `aws_eks_node_group` docs mark them ForceNew). Pulumi creates
the replacement before deleting the old one, so a fixed `nodeGroupName` collides ("NodeGroup already exists")
unless the resource is marked `deleteBeforeReplace`. Leave the name to Pulumi (auto-naming or
`nodeGroupNamePrefix`), or set `delete_before_replace=True` and accept the capacity gap.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, dig, is_unknown, resource_policy

NAME = "aws-eks-nodegroup-replaceable"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    name = dig(resource.props, "nodeGroupName")
    if is_unknown(name):
        verdict.cannot_judge("nodeGroupName")
    elif isinstance(name, str) and name and not resource.delete_before_replace:
        verdict.violation(f"nodeGroupName is fixed ({name!r}) without deleteBeforeReplace: a replacement would collide "
                          "with the old group; use nodeGroupNamePrefix (or auto-naming), or delete_before_replace.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="EKS node groups are replaceable: no fixed nodeGroupName without deleteBeforeReplace.",
    resource_types=["aws:eks/nodeGroup:NodeGroup"],
    check=check,
)
