"""cluster-autoscaler (the upstream chart, version pinned per Kubernetes minor) on the system pool, with an IRSA
role that may resize only this cluster's node groups: the compute pool's autoscaling discovery tags do nothing
without it.

The role's write actions (`SetDesiredCapacity`, `TerminateInstanceInAutoScalingGroup`) hold only on Auto Scaling
groups tagged `k8s.io/cluster-autoscaler/<cluster>=owned` (the tag NodePool copies to its group); the describe
actions support no resource scoping and are read-only. The values we pass are validated against our own schema
(charts/upstream/cluster-autoscaler.values.schema.json); the chart's templates are rendered only by a real `up`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pulumi
import pulumi_aws as aws
from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs

from components.aws.pipeline_role import irsa_trust_policy

CHART_REPOSITORY = "https://kubernetes.github.io/autoscaler"
CHART = "cluster-autoscaler"
# Kubernetes minor -> (chart version, autoscaler image tag). The autoscaler's minor must equal the cluster's
# (its README: "we recommend using Cluster Autoscaler with the Kubernetes control plane version for which it
# was meant"); the tag is set explicitly so a chart default never decides it. Refresh with
#   helm search repo autoscaler/cluster-autoscaler --versions   (APP VERSION column)
RELEASES: dict[str, tuple[str, str]] = {
    "1.35": ("9.54.0", "v1.35.0"),
}
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "cluster-autoscaler"
VALUES_SCHEMA = Path(__file__).resolve().parents[2] / "charts" / "upstream" / "cluster-autoscaler.values.schema.json"

READ_ACTIONS = (
    "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
    "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeTags",
    "ec2:DescribeImages", "ec2:DescribeInstanceTypes", "ec2:DescribeLaunchTemplateVersions",
    "ec2:GetInstanceTypesFromInstanceRequirements",
)
WRITE_ACTIONS = ("autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup")


@dataclass(frozen=True)
class ClusterAutoscalerArgs:
    cluster_name: pulumi.Input[str]
    """The cluster whose tagged node groups it scales."""
    kubernetes_version: str
    """The cluster's minor: selects chart and image from RELEASES."""
    region: str
    """The cluster's region."""
    account_id: pulumi.Input[str]
    """The cluster's account (the ARNs of its Auto Scaling groups and node groups)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IRSA OIDC provider."""
    oidc_issuer: pulumi.Input[str]
    """Its issuer without `https://`."""
    node_selector: Mapping[str, str] = field(default_factory=lambda: {"pool": "system"})
    """Where the autoscaler runs: the system pool (never on the nodes it may remove)."""
    protect: bool = False
    """`protect` on the Helm release (as on every release of the stack). Default off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on the AWS children."""


def validate_cluster_autoscaler_args(args: ClusterAutoscalerArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if args.kubernetes_version not in RELEASES:
        problems.append(f"kubernetes_version must have a row in RELEASES (known: {sorted(RELEASES)}), "
                        f"got {args.kubernetes_version!r}")
    elif not RELEASES[args.kubernetes_version][1].startswith(f"v{args.kubernetes_version}."):
        problems.append(f"RELEASES[{args.kubernetes_version!r}] image tag must be of the cluster's minor")
    if not args.node_selector:
        problems.append("node_selector must name the pool the autoscaler runs on, got {}")
    if problems:
        raise ValueError("; ".join(problems))


def autoscaler_policy(cluster: str, region: str, account_id: str) -> str:
    """Describe anything (read-only, unscopable); resize only groups this cluster owns, by their tag."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadScalingState", "Effect": "Allow", "Action": list(READ_ACTIONS), "Resource": "*"},
        {"Sid": "DescribeThisClustersNodeGroups", "Effect": "Allow", "Action": ["eks:DescribeNodegroup"],
         "Resource": f"arn:aws:eks:{region}:{account_id}:nodegroup/{cluster}/*/*"},
        {"Sid": "ResizeOnlyThisClustersGroups", "Effect": "Allow", "Action": list(WRITE_ACTIONS),
         "Resource": f"arn:aws:autoscaling:{region}:{account_id}:autoScalingGroup:*:autoScalingGroupName/*",
         "Condition": {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}}},
    ]})


def autoscaler_values(cluster: str, region: str, role_arn: str, image_tag: str,
                      node_selector: Mapping[str, str]) -> dict[str, Any]:
    """The chart values, validated against our schema (raises jsonschema.ValidationError)."""
    values: dict[str, Any] = {
        "cloudProvider": "aws",
        "awsRegion": region,
        "fullnameOverride": "cluster-autoscaler",
        "replicaCount": 1,
        "autoDiscovery": {"clusterName": cluster},
        "image": {"tag": image_tag},
        "rbac": {"serviceAccount": {"create": True, "name": SERVICE_ACCOUNT,
                                    "annotations": {"eks.amazonaws.com/role-arn": role_arn}}},
        "nodeSelector": dict(node_selector),
        "extraArgs": {"balance-similar-node-groups": True, "expander": "least-waste",
                      "skip-nodes-with-system-pods": False},
        "resources": {"requests": {"cpu": "100m", "memory": "300Mi"}, "limits": {"cpu": "500m", "memory": "600Mi"}},
    }
    jsonschema.validate(values, json.loads(VALUES_SCHEMA.read_text()))
    return values


class ClusterAutoscaler(pulumi.ComponentResource):
    """The autoscaler's IRSA role and its Helm release in kube-system."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterAutoscalerArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_cluster_autoscaler_args(args)
        super().__init__("platform:kubernetes:ClusterAutoscaler", name, None, opts)
        # Children do not inherit the component's depends_on: the release waits for the node groups (passed down).
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        chart_version, image_tag = RELEASES[args.kubernetes_version]

        self.role = aws.iam.Role(
            f"{name}-role", name=f"{name}",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: irsa_trust_policy(str(v[0]), str(v[1]), NAMESPACE, SERVICE_ACCOUNT)),
            tags=tags, opts=child)
        policy = aws.iam.RolePolicy(
            f"{name}-scaling", role=self.role.id,
            policy=pulumi.Output.all(args.cluster_name, args.account_id).apply(
                lambda v: autoscaler_policy(str(v[0]), args.region, str(v[1]))),
            opts=child)

        values = pulumi.Output.all(args.cluster_name, self.role.arn).apply(
            lambda v: autoscaler_values(str(v[0]), args.region, str(v[1]), image_tag, args.node_selector))
        self.release = Release(
            f"{name}-release", name="cluster-autoscaler", chart=CHART, version=chart_version,
            repository_opts=RepositoryOptsArgs(repo=CHART_REPOSITORY), namespace=NAMESPACE, create_namespace=False,
            values=values, atomic=True, cleanup_on_fail=True, timeout=600,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect,
                                        depends_on=[*(waits_for or []), policy]))  # type: ignore[list-item]
        self.role_arn = self.role.arn
        self.register_outputs({"role_arn": self.role_arn})
