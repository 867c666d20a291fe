"""`aws-network-subnets-of-own-vpc`: in an account the stack creates, EKS, node groups and databases sit on
subnets the stack creates too.

A new AWS account has no subnets (its default VPC, if any, is not the platform's network), so subnet ids
written as literals, or read from another account, fail the first `pulumi up`. When the plan holds an
`aws:organizations/account:Account`, every cluster, node group and DB subnet group must reference subnets of
the plan (the engine's dependency edge; by id as well when the subnets' ids are known), and every database
instance or cluster a DB subnet group of the plan (a same-region read replica inherits its source's).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import StackView, Verdict, as_list, contains_unknown, dig, stack_policy

NAME = "aws-network-subnets-of-own-vpc"
ACCOUNT = "aws:organizations/account:Account"
SUBNET = "aws:ec2/subnet:Subnet"
DB_SUBNET_GROUP = "aws:rds/subnetGroup:SubnetGroup"
# Type -> where its subnet ids are.
SUBNET_CONSUMERS: dict[str, tuple[str, ...]] = {
    "aws:eks/cluster:Cluster": ("vpcConfig", "subnetIds"),
    "aws:eks/nodeGroup:NodeGroup": ("subnetIds",),
    DB_SUBNET_GROUP: ("subnetIds",),
}
DATABASES = ("aws:rds/instance:Instance", "aws:rds/cluster:Cluster")


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if not stack.of(ACCOUNT):
        return verdict
    subnets = stack.of(SUBNET)
    subnet_urns = {s.urn for s in subnets}
    known_ids = {str(i) for s in subnets if isinstance(i := dig(s.props, "id"), str)}
    for resource in stack.of(*SUBNET_CONSUMERS):
        ids = dig(resource.props, *SUBNET_CONSUMERS[resource.type])
        own = [u for u in resource.dependencies if u in subnet_urns]
        if not own:
            verdict.violation(f"subnets {ids if not contains_unknown(ids) else '(computed)'} are not subnets of this "
                              "plan, but the account is created by it: a new account has no such subnets; pass the "
                              "network's subnet ids.", resource.urn)
            continue
        foreign = [i for i in as_list(ids) if isinstance(i, str) and known_ids and i not in known_ids]
        if foreign:
            verdict.violation(f"subnets {foreign} are not subnets of this plan (the account is created by it).",
                              resource.urn)
    groups = {g.urn for g in stack.of(DB_SUBNET_GROUP)}
    databases = stack.of(*DATABASES)
    placed = {d.urn for d in databases if any(u in groups for u in d.dependencies)}
    for database in databases:
        # A same-region read replica (source named by identifier, not ARN) inherits its source's subnet group
        # (RDS and the provider's `db_subnet_group_name` docs): placed when its source is.
        source = dig(database.props, "replicateSourceDb")
        if source and not (isinstance(source, str) and source.startswith("arn:")) and any(
                u in placed for u in database.dependencies):
            continue
        if database.urn not in placed:
            verdict.violation("dbSubnetGroupName names no DB subnet group of this plan; a new account has none: "
                              "create one on the network's database subnets.", database.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="When the stack creates the AWS account, EKS clusters, node groups and databases use subnets the "
                "stack creates.",
    resource_types=[ACCOUNT, SUBNET, *SUBNET_CONSUMERS, *DATABASES],
    check=check,
)
