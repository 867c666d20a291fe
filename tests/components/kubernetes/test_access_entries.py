"""Who can use each cluster: every RBAC group a namespace binds is carried by an access entry (or declared
empty), the previewer may only view, and the deploy chain is the cluster's creator (admin)."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.kubernetes.access_entries import (
    ClusterAccessArgs,
    groups_by_principal,
    validate_cluster_access_args,
)
from preflight.harness import Plan, reveal
from tests.components.aws.test_member_account import provider_inputs
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

ENTRY = "aws:eks/accessEntry:AccessEntry"
ASSOCIATION = "aws:eks/accessPolicyAssociation:AccessPolicyAssociation"
# EKS User Guide, "Review access policy permissions": the view policy that also reads Secrets (the README's
# previewer row: "on the cluster AmazonEKSAdminViewPolicy (view; Helm keeps releases in Secrets, which a refresh
# reads)"). Never AmazonEKSEditPolicy, AmazonEKSAdminPolicy or AmazonEKSClusterAdminPolicy.
ADMIN_VIEW_POLICY = "arn:aws:eks::aws:cluster-access-policy/AmazonEKSAdminViewPolicy"


def bound_groups(plan: Plan) -> set[str]:
    """Every `Group` subject of every RoleBinding/ClusterRoleBinding in the plan."""
    groups: set[str] = set()
    for binding in plan.registered:
        if binding.type.endswith(("/v1:RoleBinding", "/v1:ClusterRoleBinding")):
            groups |= {s["name"] for s in reveal(binding.inputs).get("subjects") or [] if s.get("kind") == "Group"}
    return groups


@pytest.mark.parametrize("stack", STACKS)
def test_every_bound_group_is_carried_by_an_access_entry_or_declared_empty(stack: str) -> None:
    """With `authenticationMode: API` only access entries authenticate IAM principals, and an entry's
    `kubernetesGroups` are the groups Kubernetes RBAC sees (EKS User Guide, "Grant IAM users access to
    Kubernetes with EKS access entries")."""
    plan = preflight_plan(stack)
    carried = {g for e in plan.of_type(ENTRY) for g in reveal(e.inputs).get("kubernetesGroups") or []}
    declared_empty = {g for g, arns in raw_config(stack)["rbacGroupMembers"].items() if not arns}
    assert bound_groups(plan)  # the namespaces do bind groups: the check below is not empty
    assert bound_groups(plan) - carried - declared_empty == set()
    # ... and the entries are on this stack's cluster, carrying exactly the configured roles.
    cluster = plan.one("aws:eks/cluster:Cluster")
    people = {reveal(e.inputs)["principalArn"]: sorted(reveal(e.inputs)["kubernetesGroups"])
              for e in plan.of_type(ENTRY) if reveal(e.inputs).get("kubernetesGroups")}
    assert people == groups_by_principal(raw_config(stack)["rbacGroupMembers"])
    assert {reveal(e.inputs)["clusterName"] for e in plan.of_type(ENTRY)} == {reveal(cluster.outputs)["name"]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_previewer_views_and_nothing_else_has_an_access_policy(stack: str) -> None:
    """AmazonEKSAdminViewPolicy: read everything, Secrets included (Helm keeps releases in Secrets), write
    nothing (EKS User Guide, "Review access policy permissions")."""
    plan = preflight_plan(stack)
    previewer = reveal(plan.one("aws:iam/role:Role", name=f"{stack}-previewer").outputs)["arn"]
    [association] = plan.of_type(ASSOCIATION)
    inputs = reveal(association.inputs)
    assert inputs["principalArn"] == previewer and inputs["policyArn"] == ADMIN_VIEW_POLICY
    assert inputs["accessScope"] == {"type": "cluster"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_deploy_chain_is_the_clusters_creator_and_so_its_admin(stack: str) -> None:
    """`bootstrapClusterCreatorAdminPermissions` gives the identity that creates the cluster an access entry
    with AmazonEKSClusterAdminPolicy (EKS API, CreateCluster accessConfig). The cluster is created through the
    member provider, whose deploy role is the access role; the exec credential assumes the same role."""
    plan = preflight_plan(stack)
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert reveal(cluster.inputs)["accessConfig"] == {"authenticationMode": "API",
                                                      "bootstrapClusterCreatorAdminPermissions": True}
    provider = plan.one("pulumi:providers:aws", name=f"{stack}-provider")
    assert cluster.provider == provider.urn
    role = provider_inputs(provider)["assumeRoles"][-1]["roleArn"]
    assert role.endswith(":role/OrganizationAccountAccessRole")
    kubeconfig = json.loads(reveal(plan.one("pulumi:providers:kubernetes").inputs)["kubeconfig"])
    assert kubeconfig["users"][0]["user"]["exec"]["args"][-1] == role
    # No entry of our own for it: EKS refuses a second entry for the same principal.
    assert role not in {reveal(e.inputs)["principalArn"] for e in plan.of_type(ENTRY)}


ARN = st.from_regex(r"arn:aws:iam::\d{12}:role/[A-Za-z0-9_]{1,20}", fullmatch=True)


@given(st.dictionaries(st.sampled_from(["platform-admins", "data-engineers", "data-analysts"]),
                       st.lists(ARN, max_size=4, unique=True)))
def test_each_principal_gets_one_entry_with_all_its_groups(members: dict[str, list[str]]) -> None:
    entries = groups_by_principal(members)
    assert set(entries) == {arn for arns in members.values() for arn in arns}
    for arn, groups in entries.items():
        assert groups == sorted(g for g, arns in members.items() if arn in arns)


def test_bad_members_are_refused_together() -> None:
    args = ClusterAccessArgs(cluster_name="c", previewer_role_arn="arn:aws:iam::123456789012:role/p",
                             group_members={"system:masters": ["arn:aws:iam::123456789012:role/a"],
                                            "data-engineers": ["not-an-arn", "arn:aws:iam::123456789012:role/b",
                                                               "arn:aws:iam::123456789012:role/b"]})
    with pytest.raises(ValueError, match=r"system:.*not-an-arn.*twice"):
        validate_cluster_access_args(args)
