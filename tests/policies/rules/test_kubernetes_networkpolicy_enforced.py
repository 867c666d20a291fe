"""kubernetes-networkpolicy-enforced: each cluster with NetworkPolicies has the vpc-cni add-on enforcing them.

EKS user guide, "Limit pod traffic with Kubernetes network policies": the VPC CNI enforces NetworkPolicies once
its add-on's configuration has `"enableNetworkPolicy": "true"`."""

from __future__ import annotations

import pytest

from policies.rules._support import Resource, StackView
from policies.rules.kubernetes_networkpolicy_enforced import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, resource

BAD = {"np-cluster-off-bad", "np-cluster-other-addon-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_clusters_whose_cni_does_not_enforce(mode: str, integrity_plan: Plan,
                                                   integrity_preview_plan: Plan) -> None:
    """Judged by add-on name and configuration in both modes; during a preview by the dependency edge."""
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == BAD
    assert notes(plan, NAME) == {}


def test_no_networkpolicy_needs_no_addon(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.policies.helpers import snippet_plan

    plan = snippet_plan(tmp_path_factory, """
    import pulumi_aws as aws
    aws.eks.Cluster("bare", role_arn="arn:aws:iam::111122223333:role/eks", vpc_config={"subnet_ids": ["s"]})
    """)
    assert flagged(plan, NAME) == {}


def test_the_message_names_the_cluster_whose_cni_does_not_enforce() -> None:
    """The cluster is named by its logical name (the last part of its URN), as `pulumi preview` shows it."""
    policy = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {"spec": {"podSelector": {}}}, name="deny")
    cluster = resource("aws:eks/cluster:Cluster", {"name": "prod-eks"}, name="prod-eks")
    addon = resource("aws:eks/addon:Addon", {"clusterName": "prod-eks", "addonName": "vpc-cni",
                                             "configurationValues": '{"enableNetworkPolicy": "true"}'}, name="cni")

    def judge(*resources: Resource) -> list[str]:
        by_type: dict[str, list[Resource]] = {}
        for r in resources:
            by_type.setdefault(r.type, []).append(r)
        return check(StackView(by_type), {}).messages

    assert judge(policy, cluster) == [
        '1 NetworkPolicies but cluster prod-eks has no vpc-cni Addon with configurationValues '
        '{"enableNetworkPolicy": "true"}: nothing enforces them.']
    assert judge(policy, cluster, addon) == []


def test_without_a_cluster_in_the_plan_the_stack_is_named() -> None:
    """A stack of Kubernetes objects on a cluster it does not create (no aws:eks Cluster) has nothing to name but
    itself; with the cluster in the plan, the cluster is named by its logical name."""
    policy = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {"metadata": {"name": "deny"}}, name="deny")
    assert check(StackView({policy.type: [policy]}), {}).messages == [
        '1 NetworkPolicies but the stack has no vpc-cni Addon with configurationValues {"enableNetworkPolicy": '
        '"true"}: nothing enforces them.']
    cluster = resource("aws:eks/cluster:Cluster", {"name": "ml-prod"}, name="prod-eks")
    assert check(StackView({policy.type: [policy], cluster.type: [cluster]}), {}).messages == [
        '1 NetworkPolicies but cluster prod-eks has no vpc-cni Addon with configurationValues {"enableNetworkPolicy": '
        '"true"}: nothing enforces them.']
