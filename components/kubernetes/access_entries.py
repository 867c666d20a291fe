"""Who may use the cluster (`authenticationMode: API`): EKS access entries for CI's read-only identity and for
people, whose Kubernetes groups are what the namespaces' RoleBindings bind.

The deploy identity needs no entry here: the member provider (and so the cluster's creator) is the account's
access role, and `bootstrapClusterCreatorAdminPermissions` gives the creator cluster admin; a second entry for
the same principal would fail (one access entry per principal and cluster).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

VIEW_POLICY_ARN = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"
"""Read everything, Secrets included: a preview refreshes Helm releases, which Helm keeps in Secrets. The
preview identity can decrypt the stack's state secrets anyway, so this reveals nothing more."""
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]{1,512}$")
_GROUP_RE = re.compile(r"^[A-Za-z0-9:._@-]{1,128}$")


@dataclass(frozen=True)
class ClusterAccessArgs:
    cluster_name: pulumi.Input[str]
    """The EKS cluster the entries are for."""
    previewer_role_arn: pulumi.Input[str]
    """The member account's read-only previewer role: view access, cluster scope."""
    group_members: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Kubernetes group -> IAM role ARNs (e.g. IAM Identity Center permission-set roles) that carry it. A role in
    several groups gets one entry with all of them. An empty list declares the group empty."""


def validate_cluster_access_args(args: ClusterAccessArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    for group, arns in args.group_members.items():
        if not _GROUP_RE.match(group) or group.startswith("system:"):
            problems.append(f"group_members key must be a Kubernetes group not starting with 'system:' "
                            f"(EKS refuses those), got {group!r}")
        seen: set[str] = set()
        for arn in arns:
            if not _ROLE_ARN_RE.match(arn):
                problems.append(f"group_members[{group!r}] must hold IAM role ARNs, got {arn!r}")
            if arn in seen:
                problems.append(f"group_members[{group!r}] lists {arn!r} twice")
            seen.add(arn)
    if problems:
        raise ValueError("ClusterAccess: " + "; ".join(problems))


def groups_by_principal(group_members: Mapping[str, Sequence[str]]) -> dict[str, list[str]]:
    """Role ARN -> the sorted groups it carries (one access entry per principal)."""
    out: dict[str, list[str]] = {}
    for group, arns in group_members.items():
        for arn in arns:
            out.setdefault(arn, []).append(group)
    return {arn: sorted(groups) for arn, groups in sorted(out.items())}


def entry_name(arn: str) -> str:
    """A stable resource name from a role ARN: its account and role name (paths dropped)."""
    account, name = arn.split(":")[4], arn.rsplit("/", 1)[1]
    return f"{account}-{name}"


class ClusterAccess(pulumi.ComponentResource):
    """The previewer's view entry and one entry per person role, carrying its Kubernetes groups."""

    def __init__(self, name: str, args: ClusterAccessArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_cluster_access_args(args)
        super().__init__("platform:kubernetes:ClusterAccess", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        previewer = aws.eks.AccessEntry(f"{name}-previewer", cluster_name=args.cluster_name,
                                        principal_arn=args.previewer_role_arn, type="STANDARD", opts=child)
        aws.eks.AccessPolicyAssociation(
            f"{name}-previewer-view", cluster_name=args.cluster_name, principal_arn=previewer.principal_arn,
            policy_arn=VIEW_POLICY_ARN, access_scope=aws.eks.AccessPolicyAssociationAccessScopeArgs(type="cluster"),
            opts=pulumi.ResourceOptions(parent=previewer))
        for arn, groups in groups_by_principal(args.group_members).items():
            # No access policy: the groups alone authorize, through the namespaces' RoleBindings.
            aws.eks.AccessEntry(f"{name}-{entry_name(arn)}", cluster_name=args.cluster_name, principal_arn=arn,
                                type="STANDARD", kubernetes_groups=groups, opts=child)
        self.register_outputs({})
