"""A managed node group built from raw resources (node role, launch template, `aws.eks.NodeGroup`) so that
every setting a policy or reviewer cares about is visible: IMDSv2 only, hop limit 1 (pods cannot borrow the
node's credentials), encrypted gp3 root volumes, a node role with only the three worker policies.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

# The only policies a worker node needs (EKS user guide, "Amazon EKS node IAM role").
NODE_POLICY_ARNS = (
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
)
TAINT_EFFECTS = ("NO_SCHEDULE", "NO_EXECUTE", "PREFER_NO_SCHEDULE")
CAPACITY_TYPES = ("ON_DEMAND", "SPOT")
ROOT_DEVICE = "/dev/xvda"  # Amazon Linux 2023 EKS AMIs boot from this device


@dataclass(frozen=True)
class Taint:
    key: str
    """Taint key."""
    value: str
    """Taint value."""
    effect: str
    """The EKS API's spelling: NO_SCHEDULE, NO_EXECUTE or PREFER_NO_SCHEDULE (not Kubernetes' NoSchedule)."""


@dataclass(frozen=True)
class NodePoolArgs:
    cluster_name: pulumi.Input[str]
    """Name of the EKS cluster the nodes join."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets the nodes are placed in (the network's)."""
    instance_types: Sequence[str]
    """EC2 instance types, e.g. `m6i.xlarge`."""
    min_size: int
    """Minimum nodes. Must be <= desired_size."""
    desired_size: int
    """Nodes at creation; afterwards the cluster autoscaler owns it (changes are ignored)."""
    max_size: int
    """Maximum nodes. Must be >= desired_size and >= 1."""
    capacity_type: str = "ON_DEMAND"
    """ON_DEMAND or SPOT. SPOT needs `allow_spot`."""
    allow_spot: bool = False
    """Permit SPOT capacity (never in prod). Default off."""
    disk_size_gib: int = 50
    """Encrypted gp3 root volume size in GiB, 20..16384. Default 50."""
    labels: Mapping[str, str] = field(default_factory=dict)
    """Kubernetes labels on the nodes."""
    taints: Sequence[Taint] = ()
    """Kubernetes taints on the nodes."""
    autoscaled: bool = False
    """Tag the group for cluster-autoscaler discovery (min/max from the scaling config). Default off."""
    protect: bool = False
    """`protect` on the node group. Default off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every AWS child."""


def validate_node_pool_args(args: NodePoolArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not args.instance_types:
        problems.append("instance_types must name at least one instance type, got []")
    if args.max_size < 1:
        problems.append(f"max_size must be >= 1, got {args.max_size}")
    if not 0 <= args.min_size <= args.desired_size:
        problems.append(f"min_size must be between 0 and desired_size ({args.desired_size}), got {args.min_size}")
    if args.desired_size > args.max_size:
        problems.append(f"desired_size must be <= max_size ({args.max_size}), got {args.desired_size}")
    if args.capacity_type not in CAPACITY_TYPES:
        problems.append(f"capacity_type must be one of {CAPACITY_TYPES}, got {args.capacity_type!r}")
    if args.capacity_type == "SPOT" and not args.allow_spot:
        problems.append("capacity_type 'SPOT' needs allow_spot=True")
    if not 20 <= args.disk_size_gib <= 16384:
        problems.append(f"disk_size_gib must be between 20 and 16384, got {args.disk_size_gib}")
    for taint in args.taints:
        if taint.effect not in TAINT_EFFECTS:
            problems.append(f"taints[{taint.key}].effect must be one of {TAINT_EFFECTS}, got {taint.effect!r}")
    if problems:
        raise ValueError("; ".join(problems))


class NodePool(pulumi.ComponentResource):
    """One managed node group with its own launch template and node role."""

    node_group_name: pulumi.Output[str]
    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: NodePoolArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_node_pool_args(args)
        super().__init__("platform:kubernetes:NodePool", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)

        self.role = aws.iam.Role(
            f"{name}-node-role", name=f"{name}-node",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}),
            tags=tags, opts=child)
        attachments = [
            aws.iam.RolePolicyAttachment(f"{name}-{arn.rsplit('/', 1)[-1]}", role=self.role.name, policy_arn=arn,
                                         opts=child)
            for arn in NODE_POLICY_ARNS
        ]

        self.launch_template = aws.ec2.LaunchTemplate(
            f"{name}-launch-template",
            description=f"Nodes of pool {name}: IMDSv2 only, encrypted gp3 root volume",
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled",
                http_tokens="required",
                # 1 hop: a pod's network namespace is a second hop, so pods cannot reach the node's credentials.
                http_put_response_hop_limit=1,
            ),
            block_device_mappings=[aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                device_name=ROOT_DEVICE,
                ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                    volume_type="gp3", volume_size=args.disk_size_gib, encrypted="true",
                    delete_on_termination="true"),
            )],
            tag_specifications=[aws.ec2.LaunchTemplateTagSpecificationArgs(
                resource_type=kind, tags={**tags, "node-pool": name}) for kind in ("instance", "volume")],
            tags=tags, opts=child)

        # cluster-autoscaler's auto-discovery tags; it reads the pool's min and max from the scaling config,
        # which EKS copies to the Auto Scaling group.
        discovery = pulumi.Output.from_input(args.cluster_name).apply(lambda cluster: {
            "k8s.io/cluster-autoscaler/enabled": "true", f"k8s.io/cluster-autoscaler/{cluster}": "owned",
        } if args.autoscaled else {})
        group_tags = discovery.apply(lambda extra: {**tags, **extra})
        self.node_group = aws.eks.NodeGroup(
            f"{name}-node-group",
            cluster_name=args.cluster_name,
            node_group_name=name,
            node_role_arn=self.role.arn,
            subnet_ids=args.subnet_ids,
            instance_types=list(args.instance_types),
            capacity_type=args.capacity_type,
            scaling_config=aws.eks.NodeGroupScalingConfigArgs(
                min_size=args.min_size, desired_size=args.desired_size, max_size=args.max_size),
            update_config=aws.eks.NodeGroupUpdateConfigArgs(max_unavailable=1),
            labels=dict(args.labels),
            taints=[aws.eks.NodeGroupTaintArgs(key=t.key, value=t.value, effect=t.effect) for t in args.taints],
            launch_template=aws.eks.NodeGroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)),
            tags=group_tags,
            opts=pulumi.ResourceOptions(
                parent=self, protect=args.protect, depends_on=attachments,
                # The cluster autoscaler owns the desired size once the group exists.
                ignore_changes=["scalingConfig.desiredSize"]))

        if args.autoscaled:
            # Node group tags do not reach the Auto Scaling group the autoscaler lists: copy the discovery tags.
            asg_name = self.node_group.resources.apply(
                lambda rs: rs[0].autoscaling_groups[0].name or "")  # type: ignore[index]
            for suffix, key in (("enabled", "k8s.io/cluster-autoscaler/enabled"), ("owner", None)):
                tag_key = pulumi.Output.from_input(args.cluster_name).apply(
                    lambda cluster, key=key: key or f"k8s.io/cluster-autoscaler/{cluster}")
                aws.autoscaling.Tag(
                    f"{name}-asg-autoscaler-{suffix}", autoscaling_group_name=asg_name,
                    tag=aws.autoscaling.TagTagArgs(key=tag_key, value="true" if key else "owned",
                                                   propagate_at_launch=False),
                    opts=child)

        self.node_group_name = self.node_group.node_group_name
        self.role_arn = self.role.arn
        self.register_outputs({"node_group_name": self.node_group_name, "role_arn": self.role_arn})
