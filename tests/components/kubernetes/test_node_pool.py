"""The three node pools in each stack's plan: raw node groups and launch templates, IMDSv2 only, encrypted gp3
roots, the three worker policies, EKS taint values, sizes from config, autoscaler-owned desired size."""

from __future__ import annotations

import pytest

from components.kubernetes.node_pool import NodePoolArgs, Taint, validate_node_pool_args
from preflight.harness import RecordedResource, reveal
from stack_config import parse
from tests.support import STACKS, plan_with, preflight_plan
from tests.test_stack_config import raw_config

POOLS = ("system", "data", "compute")
NODE_GROUP = "aws:eks/nodeGroup:NodeGroup"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
# EKS User Guide, "Amazon EKS node IAM role": the kubelet's EC2 describe calls (AmazonEKSWorkerNodePolicy), the
# VPC CNI's when it runs on the node role (AmazonEKS_CNI_Policy), image pulls from ECR (the README: the nodes
# pull with AmazonEC2ContainerRegistryReadOnly). Nothing else: a pod on the node may reach what the node holds.
WORKER_NODE_POLICIES = [
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
]


def _pool(stack: str, pool: str) -> tuple[RecordedResource, list[RecordedResource]]:
    plan = preflight_plan(stack)
    component = plan.one("platform:kubernetes:NodePool", name=f"{stack}-{pool}")
    return component, plan.children(component)


def _child(children: list[RecordedResource], type_: str) -> RecordedResource:
    found = [c for c in children if c.type == type_]
    assert len(found) == 1, [c.name for c in children]
    return found[0]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pool", POOLS)
def test_launch_template_requires_imdsv2_with_one_hop_and_encrypted_gp3_root(stack: str, pool: str) -> None:
    _, children = _pool(stack, pool)
    template = reveal(_child(children, "aws:ec2/launchTemplate:LaunchTemplate").inputs)
    assert template["metadataOptions"] == {"httpEndpoint": "enabled", "httpTokens": "required",
                                           "httpPutResponseHopLimit": 1}
    (root,) = template["blockDeviceMappings"]
    assert root["ebs"]["volumeType"] == "gp3"
    assert root["ebs"]["encrypted"] == "true"
    group = _child(children, NODE_GROUP)
    assert group.inputs["launchTemplate"]["id"] == _child(children, "aws:ec2/launchTemplate:LaunchTemplate").id
    assert "diskSize" not in group.inputs  # the launch template's volume is the only root volume


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pool", POOLS)
def test_node_role_has_exactly_the_three_worker_policies(stack: str, pool: str) -> None:
    """EKS User Guide, "Amazon EKS node IAM role" (and the README's EKS row: "node role with the three worker
    policies only"): a broader managed policy, or another in place of one of these, fails."""
    _, children = _pool(stack, pool)
    attached = sorted(c.inputs["policyArn"] for c in children if c.type == ATTACHMENT)
    assert attached == WORKER_NODE_POLICIES
    assert not [c for c in children if c.type in ("aws:iam/rolePolicy:RolePolicy", "aws:iam/policy:Policy")]
    role = _child(children, "aws:iam/role:Role")
    assert _child(children, NODE_GROUP).inputs["nodeRoleArn"] == role.outputs["arn"]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pool", POOLS)
def test_the_node_group_is_created_after_its_role_holds_every_worker_policy(stack: str, pool: str) -> None:
    """EKS User Guide, "Amazon EKS node IAM role": nodes register only if the role holds the worker policies when
    they boot; a node group created before its attachments exist fails to join (CREATE_FAILED, NodeCreationFailure)."""
    _, children = _pool(stack, pool)
    attachments = {c.urn for c in children if c.type == ATTACHMENT}
    assert len(attachments) == 3
    assert attachments <= set(_child(children, NODE_GROUP).options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pool", POOLS)
def test_sizes_types_and_capacity_come_from_config(stack: str, pool: str) -> None:
    cfg = parse(stack, raw_config(stack)).node_pools[pool]
    group = _child(_pool(stack, pool)[1], NODE_GROUP)
    assert group.inputs["scalingConfig"] == {"minSize": cfg.min_size, "desiredSize": cfg.desired_size,
                                             "maxSize": cfg.max_size}
    assert group.inputs["instanceTypes"] == list(cfg.instance_types)
    assert group.inputs["capacityType"] == cfg.capacity_type
    assert group.options["ignoreChanges"] == ["scalingConfig.desiredSize"]


def test_prod_pools_are_the_design_appendix_sizes_on_demand() -> None:
    sizes = {pool: _child(_pool("prod", pool)[1], NODE_GROUP).inputs["scalingConfig"] for pool in POOLS}
    assert sizes == {"system": {"minSize": 2, "desiredSize": 2, "maxSize": 2},
                     "data": {"minSize": 3, "desiredSize": 3, "maxSize": 3},
                     "compute": {"minSize": 5, "desiredSize": 5, "maxSize": 20}}
    assert {_child(_pool("prod", p)[1], NODE_GROUP).inputs["capacityType"] for p in POOLS} == {"ON_DEMAND"}


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_data_pool_is_tainted_with_eks_values(stack: str) -> None:
    taints = {pool: _child(_pool(stack, pool)[1], NODE_GROUP).inputs.get("taints", []) for pool in POOLS}
    assert taints == {"system": [], "compute": [],
                      "data": [{"key": "workload", "value": "data", "effect": "NO_SCHEDULE"}]}
    labels = {pool: _child(_pool(stack, pool)[1], NODE_GROUP).inputs["labels"] for pool in POOLS}
    assert labels == {pool: {"pool": pool} for pool in POOLS}


@pytest.mark.parametrize("stack", STACKS)
def test_compute_pool_is_discoverable_by_the_cluster_autoscaler(stack: str) -> None:
    plan = preflight_plan(stack)
    cluster_name = plan.one("aws:eks/cluster:Cluster").inputs["name"]
    _, children = _pool(stack, "compute")
    group = _child(children, NODE_GROUP)
    expected = {"k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{cluster_name}": "owned"}
    assert group.inputs["tags"] == {**parse(stack, raw_config(stack)).tags, **expected}
    asg = group.outputs["resources"][0]["autoscalingGroups"][0]["name"]
    copied = {t.inputs["tag"]["key"]: t.inputs["tag"]["value"] for t in children
              if t.type == "aws:autoscaling/tag:Tag" and t.inputs["autoscalingGroupName"] == asg}
    assert copied == expected
    # Fixed-size pools are not handed to the autoscaler.
    for pool in ("system", "data"):
        if parse(stack, raw_config(stack)).node_pools[pool].max_size == parse(
                stack, raw_config(stack)).node_pools[pool].min_size:
            assert "k8s.io/cluster-autoscaler/enabled" not in _child(_pool(stack, pool)[1], NODE_GROUP).inputs["tags"]


def test_spot_needs_an_explicit_allowance_and_taints_need_eks_effects() -> None:
    base = NodePoolArgs(cluster_name="c", kubernetes_version="1.35", subnet_ids=["s"], instance_types=["m6i.large"],
                        min_size=1, desired_size=1, max_size=2)
    validate_node_pool_args(base)
    validate_node_pool_args(NodePoolArgs(**{**base.__dict__, "capacity_type": "SPOT", "allow_spot": True}))
    with pytest.raises(ValueError, match="allow_spot"):
        validate_node_pool_args(NodePoolArgs(**{**base.__dict__, "capacity_type": "SPOT"}))
    with pytest.raises(ValueError, match="NO_SCHEDULE"):
        validate_node_pool_args(NodePoolArgs(**{**base.__dict__, "taints": [Taint("k", "v", "NoSchedule")]}))
    with pytest.raises(ValueError, match="desired_size"):
        validate_node_pool_args(NodePoolArgs(**{**base.__dict__, "desired_size": 3}))


@pytest.mark.parametrize(("disk", "expected"), [
    (20, ""), (16384, ""),  # the EKS AMI's root volume is 20 GiB; EBS's largest gp3 volume is 16 TiB
    (19, "disk_size_gib must be between 20 and 16384, got 19"),
    (16385, "disk_size_gib must be between 20 and 16384, got 16385"),
])
def test_a_node_disk_is_between_the_amis_and_ebss_sizes(disk: int, expected: str) -> None:
    args = NodePoolArgs(cluster_name="c", kubernetes_version="1.35", subnet_ids=["s"], instance_types=["m6i.large"],
                        min_size=1, desired_size=1, max_size=2, disk_size_gib=disk)
    if not expected:
        validate_node_pool_args(args)
        return
    with pytest.raises(ValueError) as raised:
        validate_node_pool_args(args)
    assert str(raised.value) == expected


def test_spot_without_its_allowance_is_refused_in_so_many_words() -> None:
    args = NodePoolArgs(cluster_name="c", kubernetes_version="1.35", subnet_ids=["s"], instance_types=["m6i.large"],
                        min_size=1, desired_size=1, max_size=2, capacity_type="SPOT")
    with pytest.raises(ValueError) as raised:
        validate_node_pool_args(args)
    assert str(raised.value) == "capacity_type 'SPOT' needs allow_spot=True"


@pytest.mark.parametrize("stack", STACKS)
def test_node_groups_follow_the_clusters_version_and_take_generated_names(stack: str) -> None:
    """pulumi-aws `eks.NodeGroup`: `version` defaults to the cluster's only at creation (later control-plane
    upgrades leave the nodes behind, undetected); `node_group_name_prefix` lets a replacement get a new name."""
    plan = preflight_plan(stack)
    cluster = plan.one("aws:eks/cluster:Cluster")
    for pool in POOLS:
        _, children = _pool(stack, pool)
        group = _child(children, NODE_GROUP)
        assert group.inputs["version"] == cluster.outputs["version"] == cluster.inputs["version"]
        assert "nodeGroupName" not in group.inputs
        assert group.inputs["nodeGroupNamePrefix"] == f"{stack}-{pool}-"
        assert group.outputs["nodeGroupName"].startswith(f"{stack}-{pool}-")
        template = _child(children, "aws:ec2/launchTemplate:LaunchTemplate").inputs
        assert "name" not in template and template["namePrefix"] == f"{stack}-{pool}-"


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pool", POOLS)
def test_launch_template_tags_reach_instances_and_volumes(stack: str, pool: str) -> None:
    """EC2 launch template `tag_specifications`: tags of the template itself reach no instance; cost allocation
    needs them on the instances and their volumes."""
    template = _child(_pool(stack, pool)[1], "aws:ec2/launchTemplate:LaunchTemplate").inputs
    kinds = {spec["resourceType"]: spec["tags"] for spec in template["tagSpecifications"]}
    assert set(kinds) == {"instance", "volume"}
    # The provider's default tags tag the template, not what it launches (terraform-provider-aws issue 19387):
    # the stack's tags (`tags` in the stack file) must be in the specifications themselves.
    stack_tags = parse(stack, raw_config(stack)).tags
    assert stack_tags and all(tags == {**stack_tags, "node-pool": f"{stack}-{pool}"} for tags in kinds.values())


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_changing_a_pools_instance_type_can_replace_it_while_the_cluster_stays_protected(stack: str) -> None:
    """Terraform `aws_eks_node_group`: a change of `instance_types` forces a new node group. Pulumi creates the
    replacement first: it must not clash on a fixed name nor be blocked by `protect`, and must not delete first."""
    before = _child(_pool(stack, "compute")[1], NODE_GROUP)
    raw = raw_config(stack)
    pools = {**raw["nodePools"], "compute": {**raw["nodePools"]["compute"], "instanceTypes": ["m6i.2xlarge"]}}
    plan = plan_with(stack, {"nodePools": pools})
    component = plan.one("platform:kubernetes:NodePool", name=f"{stack}-compute")
    after = next(c for c in plan.children(component) if c.type == NODE_GROUP)
    assert after.urn == before.urn and after.inputs["instanceTypes"] == ["m6i.2xlarge"] != before.inputs[
        "instanceTypes"]
    assert "nodeGroupName" not in after.inputs  # the replacement is named by the provider, beside the old one
    assert (after.options["protect"], after.options["deleteBeforeReplace"]) == (False, False)
    cluster = plan.one("aws:eks/cluster:Cluster")
    assert cluster.options["protect"] is True
    assert cluster.inputs["deletionProtection"] is (stack == "prod")


@pytest.mark.parametrize("stack", STACKS)
def test_each_pool_registers_its_node_group_and_its_role(stack: str) -> None:
    """The outputs `pulumi stack` shows for a pool: the node group's name and the ARN of the role its nodes run as."""
    for pool in POOLS:
        component, children = _pool(stack, pool)
        group, role = _child(children, NODE_GROUP), _child(children, "aws:iam/role:Role")
        assert reveal(component.component_outputs) == {"node_group_name": group.outputs["nodeGroupName"],
                                                      "role_arn": role.outputs["arn"]}
