"""The AWS Load Balancer Controller (the cluster's ingress controller): the upstream chart at a pinned version in
`kube-system`, running as an IRSA role whose policy is our own least-privilege document. It manages internal
Application Load Balancers only: WAF, Shield and Network Load Balancers are off, so their permissions are
absent; everything it may change is an ALB, target group, listener or security group in this account and
region, and deleting or modifying one requires the controller's own cluster tag.

REALITY.md, answered: (1) node groups before the release (its pods), the certificate before the Ingresses;
(2) the controller's IRSA role, trusted only by `kube-system/aws-load-balancer-controller`; (3) it calls ELB,
EC2 and ACM through the VPC endpoints or NAT of its environment; (4) Ingresses of class `alb` need this
controller (it creates the IngressClass); (5) a new `load_balancer_name` makes the controller create a new ALB
and delete the old (DNS moves); (7) chart pinned.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs

from components.kubernetes.upstream_chart import checked_values

CHART = "aws-load-balancer-controller"
CHART_VERSION = "1.13.0"
"""Upstream chart release (controller v2.13.0); pinned, bumped on purpose."""
CHART_REPOSITORY = "https://aws.github.io/eks-charts"
NAMESPACE = "kube-system"
SERVICE_ACCOUNT = "aws-load-balancer-controller"
CLUSTER_TAG = "elbv2.k8s.aws/cluster"
"""The tag the controller puts on everything it creates (its ownership marker)."""


def controller_policy(partition: str, region: str, account: str, vpc_id: str, cluster_name: str,
                      load_balancer_name: str, certificate_arn: str) -> str:
    """The permissions the controller's documentation lists for ALB ingress, without the WAF, Shield, Cognito and
    NLB ones we switch off, each pinned to what this cluster's controller may touch: the one ALB by its name
    (the Ingresses set it), target groups by the controller's `k8s-` naming and its cluster tag, security groups
    by this VPC, the one certificate. Creation requires the cluster tag in the request; every change or
    deletion requires it on the resource, with this cluster's name as value (tag-based access control)."""
    arn = f"arn:{partition}"
    elb = f"{arn}:elasticloadbalancing:{region}:{account}"
    load_balancer = f"{elb}:loadbalancer/app/{load_balancer_name}/*"
    # The controller names its target groups k8s-<namespace>-<service>-<hash> (32 characters at most).
    target_groups = f"{elb}:targetgroup/k8s-*/*"
    listeners = [f"{elb}:listener/app/{load_balancer_name}/*/*", f"{elb}:listener-rule/app/{load_balancer_name}/*/*/*"]
    security_groups = f"{arn}:ec2:{region}:{account}:security-group/*"
    vpc = f"{arn}:ec2:{region}:{account}:vpc/{vpc_id}"
    owned = {"StringEquals": {f"aws:ResourceTag/{CLUSTER_TAG}": cluster_name}}
    in_vpc = {"ArnEquals": {"ec2:Vpc": vpc}}
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "CreateServiceLinkedRole", "Effect": "Allow", "Action": "iam:CreateServiceLinkedRole",
         "Resource": f"{arn}:iam::{account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"
                     "AWSServiceRoleForElasticLoadBalancing",
         "Condition": {"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}},
        # Discovery: these calls take no resource ARN (AWS offers nothing narrower than "*").
        {"Sid": "Describe", "Effect": "Allow", "Resource": "*", "Action": [
            "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
            "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeRouteTables",
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeSSLPolicies", "elasticloadbalancing:DescribeRules",
            "elasticloadbalancing:DescribeTargetGroups", "elasticloadbalancing:DescribeTargetGroupAttributes",
            "elasticloadbalancing:DescribeTargetHealth", "elasticloadbalancing:DescribeTags"]},
        {"Sid": "ReadCertificate", "Effect": "Allow", "Action": "acm:DescribeCertificate", "Resource": certificate_arn},
        # The ALB's own security group, created in the cluster's VPC, tagged as this cluster's at creation. AWS's
        # documented form: the VPC in one statement, the new group pinned to it by ec2:Vpc in another (IAM
        # authorizes each resource of the call against the statements naming it)...
        {"Sid": "CreateSecurityGroupInVpc", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup", "Resource": vpc},
        {"Sid": "CreateSecurityGroup", "Effect": "Allow", "Action": "ec2:CreateSecurityGroup",
         "Resource": security_groups, "Condition": in_vpc},
        {"Sid": "TagSecurityGroupOnCreate", "Effect": "Allow", "Action": "ec2:CreateTags", "Resource": security_groups,
         "Condition": {**in_vpc, "StringEquals": {"ec2:CreateAction": "CreateSecurityGroup"}}},
        {"Sid": "ManageOwnSecurityGroups", "Effect": "Allow", "Resource": security_groups, "Condition": owned,
         "Action": ["ec2:DeleteSecurityGroup", "ec2:CreateTags", "ec2:DeleteTags"]},
        # ...and the rules letting the ALB reach the pods, on security groups of this VPC only (its own and the
        # cluster's, which the controller opens to the ALB's group).
        {"Sid": "ManageSecurityGroupRules", "Effect": "Allow", "Resource": security_groups, "Condition": in_vpc,
         "Action": ["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"]},
        {"Sid": "CreateLoadBalancer", "Effect": "Allow", "Resource": [load_balancer, target_groups],
         "Action": ["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
         "Condition": {"StringEquals": {f"aws:RequestTag/{CLUSTER_TAG}": cluster_name}}},
        {"Sid": "TagOnCreate", "Effect": "Allow", "Action": "elasticloadbalancing:AddTags",
         "Resource": [load_balancer, target_groups],
         "Condition": {"StringEquals": {f"aws:RequestTag/{CLUSTER_TAG}": cluster_name}}},
        {"Sid": "ManageOwnLoadBalancer", "Effect": "Allow", "Resource": [load_balancer, target_groups],
         "Condition": owned, "Action": [
            "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags",
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"]},
        {"Sid": "ManageListeners", "Effect": "Allow", "Resource": [load_balancer, *listeners], "Action": [
            "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:ModifyListener", "elasticloadbalancing:CreateRule",
            "elasticloadbalancing:DeleteRule", "elasticloadbalancing:ModifyRule",
            "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"]},
    ]})


def trust_policy(provider_arn: str, issuer: str) -> str:
    """Only the controller's service account in kube-system may assume the role, with the STS audience."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{NAMESPACE}:{SERVICE_ACCOUNT}",
                                       f"{issuer}:aud": "sts.amazonaws.com"}}}]})


@dataclass(frozen=True)
class LoadBalancerControllerArgs:
    cluster_name: pulumi.Input[str]
    """The EKS cluster the controller serves (`clusterName`, and the ownership tag's value)."""
    region: str
    """AWS region of the cluster."""
    account_id: pulumi.Input[str]
    """The member account (the policy's ARNs)."""
    vpc_id: pulumi.Input[str]
    """The cluster's VPC (where the ALBs' security groups are created)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider, trusted by the controller's role."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer without `https://`."""
    load_balancer_name: str
    """Name of the one ALB the controller may create and change (the Ingresses' `load-balancer-name`): at most
    32 characters, letters, digits and hyphens."""
    certificate_arn: pulumi.Input[str]
    """The environment's ACM certificate, the only one the controller may describe."""
    replicas: int = 2
    """Controller pods (leader-elected; two for its admission webhook). Default 2."""
    chart_version: str = CHART_VERSION
    """Upstream chart version. Default `CHART_VERSION`."""
    protect: bool = False
    """`protect` on the release (deleting it orphans the ALBs it manages). Default off; on in prod."""


def validate_load_balancer_controller_args(args: LoadBalancerControllerArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not 1 <= args.replicas <= 3:
        problems.append(f"replicas must be between 1 and 3, got {args.replicas}")
    if not re.fullmatch(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?", args.load_balancer_name):
        problems.append(f"load_balancer_name must be an ALB name (<= 32 letters, digits, hyphens), got "
                        f"{args.load_balancer_name!r}")
    if not args.chart_version or not args.chart_version[0].isdigit():
        problems.append(f"chart_version must pin a release like '1.13.0', got {args.chart_version!r}")
    if problems:
        raise ValueError("; ".join(problems))


class LoadBalancerController(pulumi.ComponentResource):
    """The controller's IRSA role and policy, and its pinned Helm release."""

    def __init__(self, name: str, args: LoadBalancerControllerArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        validate_load_balancer_controller_args(args)
        super().__init__("platform:kubernetes:LoadBalancerController", name, None, opts)
        # Children do not inherit the component's depends_on: the release waits for the node groups (passed down).
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(
            f"{name}-role", name=f"{name}-irsa",
            description="IRSA role of the AWS Load Balancer Controller: internal ALBs of this cluster only",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: trust_policy(str(v[0]), str(v[1]))),
            max_session_duration=3600, opts=child)
        policy = aws.iam.RolePolicy(
            f"{name}-policy", role=role.id,
            policy=pulumi.Output.all(args.account_id, args.vpc_id, args.cluster_name, args.certificate_arn).apply(
                lambda v: controller_policy("aws", args.region, str(v[0]), str(v[1]), str(v[2]),
                                            args.load_balancer_name, str(v[3]))), opts=child)
        self.role_arn = role.arn
        values = pulumi.Output.all(args.cluster_name, args.vpc_id, role.arn).apply(
            lambda v: checked_values(CHART, {
                "clusterName": v[0], "region": args.region, "vpcId": v[1], "replicaCount": args.replicas,
                "nodeSelector": {"pool": "system"}, "createIngressClassResource": True,
                "enableShield": False, "enableWaf": False, "enableWafv2": False,
                "serviceAccount": {"create": True, "name": SERVICE_ACCOUNT,
                                   "annotations": {"eks.amazonaws.com/role-arn": v[2]}}}))
        self.release = Release(
            f"{name}-release", name=CHART, chart=CHART, version=args.chart_version,
            repository_opts=RepositoryOptsArgs(repo=CHART_REPOSITORY), namespace=NAMESPACE, create_namespace=False,
            values=values, atomic=True, cleanup_on_fail=True, timeout=600,
            # The controller must hold its permissions before it first reconciles.
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                depends_on=[*(waits_for or []), policy], protect=args.protect)))  # type: ignore[list-item]
        self.ingress_class = "alb"
        self.register_outputs({"role_arn": self.role_arn})
