"""cluster-autoscaler in each stack's plan: the upstream chart pinned to the cluster's minor, on the system pool,
values valid against our own schema, an IRSA role that may resize only this cluster's tagged groups."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from components.kubernetes.cluster_autoscaler import CHART_REPOSITORY, RELEASES, VALUES_SCHEMA, autoscaler_values
from preflight.harness import reveal
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

RELEASE = "kubernetes:helm.sh/v3:Release"
# Cluster Autoscaler on AWS (its README, "Full Cluster Autoscaler Features Policy (Recommended)"): the describe
# calls (no resource scoping exists for them) and the two write actions; the README's EKS row: "a role that
# resizes only groups tagged for this cluster".
READ_ACTIONS = [
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags",
    "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
]
WRITE_ACTIONS = ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"]


def _policy(stack: str) -> Any:
    plan = preflight_plan(stack)
    role = plan.one("aws:iam/role:Role", name=f"{stack}-cluster-autoscaler-role")
    return next(p for p in plan.children(role.parent) if p.type == "aws:iam/rolePolicy:RolePolicy")


def _release(stack: str) -> dict[str, Any]:
    return reveal(preflight_plan(stack).one(RELEASE, name=f"{stack}-cluster-autoscaler-release").inputs)


@pytest.mark.parametrize("stack", STACKS)
def test_the_upstream_chart_is_pinned_to_the_clusters_minor_on_the_system_pool(stack: str) -> None:
    """The autoscaler's README: run the Cluster Autoscaler minor that matches the control plane's."""
    version = parse(stack, raw_config(stack)).cluster.version
    release = _release(stack)
    assert (release["chart"], release["repositoryOpts"]["repo"]) == ("cluster-autoscaler", CHART_REPOSITORY)
    assert release["version"] == RELEASES[version][0]
    values = release["values"]
    assert values["image"]["tag"].startswith(f"v{version}.")
    assert values["nodeSelector"] == {"pool": "system"}
    assert release["namespace"] == "kube-system"
    cluster = preflight_plan(stack).one("aws:eks/cluster:Cluster").inputs["name"]
    assert values["autoDiscovery"] == {"clusterName": cluster}
    jsonschema.validate(values, json.loads(VALUES_SCHEMA.read_text()))


@pytest.mark.parametrize("stack", STACKS)
def test_the_role_resizes_only_groups_tagged_for_this_cluster(stack: str) -> None:
    """Cluster Autoscaler on AWS (its README, "IAM Policy"): the write actions are conditioned on the group's
    `k8s.io/cluster-autoscaler/<cluster>` tag. Read from the document: moto does not evaluate Conditions."""
    plan = preflight_plan(stack)
    cluster = plan.one("aws:eks/cluster:Cluster").inputs["name"]
    region, account = plan.one("aws:eks/cluster:Cluster").outputs["arn"].split(":")[3:5]
    role = plan.one("aws:iam/role:Role", name=f"{stack}-cluster-autoscaler-role")
    statements = json.loads(_policy(stack).inputs["policy"])["Statement"]
    assert [(s["Effect"], s["Action"], s["Resource"], s.get("Condition")) for s in statements] == [
        ("Allow", READ_ACTIONS, "*", None),
        ("Allow", ["eks:DescribeNodegroup"], f"arn:aws:eks:{region}:{account}:nodegroup/{cluster}/*/*", None),
        ("Allow", WRITE_ACTIONS, f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/*",
         {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}}),
    ]
    # The tag it is conditioned on is the one the compute pool's Auto Scaling group carries.
    tags = {t.inputs["tag"]["key"]: t.inputs["tag"]["value"] for t in plan.of_type("aws:autoscaling/tag:Tag")}
    assert tags[f"k8s.io/cluster-autoscaler/{cluster}"] == "owned"
    release = _release(stack)
    assert release["values"]["rbac"]["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": role.outputs["arn"]}
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")] == [
        f"system:serviceaccount:kube-system:{release['values']['rbac']['serviceAccount']['name']}"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_autoscaler_waits_for_the_node_groups(stack: str) -> None:
    plan = preflight_plan(stack)
    groups = {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    release = plan.one(RELEASE, name=f"{stack}-cluster-autoscaler-release")
    assert groups <= set(release.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_autoscaler_starts_only_once_its_role_holds_its_policy(stack: str) -> None:
    """The release is atomic and waits for its pod; a pod whose role lacks the policy crash-loops on its first
    DescribeAutoScalingGroups (IAM: an inline policy takes effect once PutRolePolicy returns)."""
    release = preflight_plan(stack).one(RELEASE, name=f"{stack}-cluster-autoscaler-release")
    assert _policy(stack).urn in release.options["dependsOn"]


def test_our_schema_refuses_a_key_we_do_not_set_and_a_bad_value() -> None:
    args = ("c", "eu-west-1", "arn:aws:iam::111111111111:role/r", "v1.35.0", {"pool": "system"})
    autoscaler_values(*args)
    schema = json.loads(VALUES_SCHEMA.read_text())
    good = autoscaler_values(*args)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "autoDiscovry": {"clusterName": "c"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "extraArgs": {"expander": "cheapest"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        autoscaler_values("c", "eu-west-1", "not-an-arn", "v1.35.0", {"pool": "system"})


@pytest.mark.parametrize("stack", STACKS)
def test_the_component_registers_its_roles_arn(stack: str) -> None:
    """What `register_outputs` records is the component's outputs in state (Pulumi docs, "Component resources"):
    the IRSA role's ARN, the one the chart's service account is annotated with."""
    plan = preflight_plan(stack)
    role = plan.one("aws:iam/role:Role", name=f"{stack}-cluster-autoscaler-role")
    component = plan.one("platform:kubernetes:ClusterAutoscaler", name=f"{stack}-cluster-autoscaler")
    assert component.component_outputs == {"role_arn": role.outputs["arn"]}
    annotations = _release(stack)["values"]["rbac"]["serviceAccount"]["annotations"]
    assert annotations["eks.amazonaws.com/role-arn"] == role.outputs["arn"]


def test_bad_args_are_refused_together_naming_each_property() -> None:
    """An autoscaler without a version row or without a pool to run on is refused before anything registers, both
    problems in one message; the shipped minors with the system pool pass."""
    from components.kubernetes.cluster_autoscaler import ClusterAutoscalerArgs, validate_cluster_autoscaler_args

    common = {"cluster_name": "c", "region": "eu-west-1", "account_id": "1", "oidc_provider_arn": "o",
              "oidc_issuer": "i"}
    with pytest.raises(ValueError) as info:
        validate_cluster_autoscaler_args(ClusterAutoscalerArgs(kubernetes_version="1.0", node_selector={}, **common))
    assert str(info.value) == (f"kubernetes_version must have a row in RELEASES (known: {sorted(RELEASES)}), got "
                               "'1.0'; node_selector must name the pool the autoscaler runs on, got {}")
    for version in RELEASES:
        validate_cluster_autoscaler_args(ClusterAutoscalerArgs(kubernetes_version=version, **common))
