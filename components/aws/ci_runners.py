"""GitHub Actions runners inside the environment's VPC, so that jobs reach the cluster's private endpoint:
AWS CodeBuild's managed runners (a project with a VPC config and a WORKFLOW_JOB_QUEUED webhook).

A job asks for one with `runs-on: codebuild-<project>-${{ github.run_id }}-${{ github.run_attempt }}`. The
runner's own role gets only what CodeBuild needs to run in a VPC (its network interfaces, per the CodeBuild
VPC documentation), its logs and the GitHub connection: the job still logs in to AWS with its OIDC token.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.patterns import GITHUB_REPOSITORY as _REPO_RE

# Ubuntu-based, so actions/setup-python finds its builds and the AWS CLI (for `aws eks get-token`) is present.
RUNNER_IMAGE = "aws/codebuild/standard:7.0"
# CodeBuild's documented permissions for builds in a VPC (the ENI it attaches to each build).
# Describe* has no resource-level permissions; creating and deleting an interface are scoped to this account's
# interfaces, the runner's subnets and security groups.
VPC_DESCRIBE_ACTIONS = ("ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs")
VPC_INTERFACE_ACTIONS = ("ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface")
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
CONNECTION_ACTIONS = ("codeconnections:GetConnectionToken", "codeconnections:GetConnection")
_PROJECT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,149}$")
_CONNECTION_RE = re.compile(r"^arn:aws[a-z-]*:codeconnections:[a-z0-9-]+:\d{12}:connection/[0-9a-f-]{36}$")


def runner_label(project_name: str) -> str:
    """The `runs-on` label CodeBuild answers for this project (the run id and attempt make it unique)."""
    return f"codebuild-{project_name}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


@dataclass(frozen=True)
class CiRunnersArgs:
    project_name: str
    """CodeBuild project name; part of the workflow's `runs-on` label, e.g. `ml-platform-prod-runner`."""
    repository: str
    """`owner/name` of the GitHub repository whose queued jobs the runner takes."""
    connection_arn: str
    """CodeConnections connection to GitHub (created once by a person, AVAILABLE after the GitHub App handshake)."""
    vpc_id: pulumi.Input[str]
    """The environment's VPC."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets (with a route to the internet for GitHub, through NAT)."""
    cluster_security_group_id: pulumi.Input[str]
    """The cluster's security group: the runner may reach its API on 443."""
    account_id: pulumi.Input[str]
    """The member account (the runner role's trust names it as the source account)."""
    region: str
    """Region of the project (for ARNs)."""
    log_retention_days: int = 30
    """Retention of the runner's build logs."""
    timeout_minutes: int = 120
    """Longest job. Default 120; 5..480."""


def validate_ci_runners_args(args: CiRunnersArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if not _PROJECT_RE.match(args.project_name):
        problems.append(f"project_name must be a CodeBuild project name, got {args.project_name!r}")
    if not _REPO_RE.match(args.repository):
        problems.append(f"repository must be 'owner/name', got {args.repository!r}")
    if not _CONNECTION_RE.match(args.connection_arn):
        problems.append(f"connection_arn must be a CodeConnections connection ARN, got {args.connection_arn!r}")
    if not 5 <= args.timeout_minutes <= 480:
        problems.append(f"timeout_minutes must be between 5 and 480, got {args.timeout_minutes}")
    if problems:
        raise ValueError("CiRunners: " + "; ".join(problems))


def runner_policy(log_group_arn: str, connection_arn: str, subnet_arns: list[str], eni_arn: str,
                  security_group_arn: str) -> str:
    """Logs, the VPC network interfaces (CodeBuild's documented set), the GitHub connection. Nothing else."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "Logs", "Effect": "Allow", "Action": list(LOG_ACTIONS), "Resource": f"{log_group_arn}:*"},
        {"Sid": "VpcDescribe", "Effect": "Allow", "Action": list(VPC_DESCRIBE_ACTIONS), "Resource": "*"},
        # The interface's ARN cannot be named before it exists: the pattern is pinned to the runner's subnets by
        # `ec2:Subnet`, which EC2 evaluates on the network-interface resource only, so the subnet and security
        # group the call also names are granted in a statement of their own (Service Authorization Reference,
        # Amazon EC2: CreateNetworkInterface's resources and condition keys).
        {"Sid": "VpcInterfaces", "Effect": "Allow", "Action": list(VPC_INTERFACE_ACTIONS),
         "Resource": eni_arn, "Condition": {"ArnEquals": {"ec2:Subnet": subnet_arns}}},
        {"Sid": "VpcInterfacePlacement", "Effect": "Allow", "Action": list(VPC_INTERFACE_ACTIONS),
         "Resource": [security_group_arn, *subnet_arns]},
        {"Sid": "VpcInterfacePermission", "Effect": "Allow", "Action": "ec2:CreateNetworkInterfacePermission",
         "Resource": eni_arn, "Condition": {"StringEquals": {"ec2:AuthorizedService": "codebuild.amazonaws.com"},
                                            "ArnEquals": {"ec2:Subnet": subnet_arns}}},
        {"Sid": "GitHub", "Effect": "Allow", "Action": list(CONNECTION_ACTIONS), "Resource": connection_arn},
    ]})


class CiRunners(pulumi.ComponentResource):
    """A CodeBuild runner project in the VPC, its webhook, its role, security group and log group."""

    label: str
    project: aws.codebuild.Project

    def __init__(self, name: str, args: CiRunnersArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_ci_runners_args(args)
        super().__init__("platform:aws:CiRunners", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.label = runner_label(args.project_name)
        logs = aws.cloudwatch.LogGroup(f"{name}-runner-logs", name=f"/aws/codebuild/{args.project_name}",
                                       retention_in_days=args.log_retention_days, opts=child)
        role = aws.iam.Role(
            f"{name}-runner", name=f"{args.project_name}-role",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(lambda account: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}, "Action": "sts:AssumeRole",
                    "Condition": {"StringEquals": {"aws:SourceAccount": account}}}]})),
            opts=child)
        security_group = aws.ec2.SecurityGroup(
            f"{name}-runner-sg", vpc_id=args.vpc_id, description="CI runner: out to GitHub, AWS and the cluster",
            egress=[aws.ec2.SecurityGroupEgressArgs(protocol="tcp", from_port=443, to_port=443,
                                                    cidr_blocks=["0.0.0.0/0"], description="HTTPS only")],
            opts=child)
        policy = aws.iam.RolePolicy(
            f"{name}-runner-access", role=role.name,
            policy=pulumi.Output.all(logs.arn, args.account_id, args.subnet_ids, security_group.arn).apply(
                lambda v: runner_policy(
                    str(v[0]), args.connection_arn,
                    [f"arn:aws:ec2:{args.region}:{v[1]}:subnet/{subnet}" for subnet in v[2]],
                    f"arn:aws:ec2:{args.region}:{v[1]}:network-interface/*", str(v[3]))),
            opts=pulumi.ResourceOptions(parent=role))
        aws.vpc.SecurityGroupIngressRule(
            f"{name}-runner-to-cluster", security_group_id=args.cluster_security_group_id,
            referenced_security_group_id=security_group.id, ip_protocol="tcp", from_port=443, to_port=443,
            description="CI runner to the cluster API", opts=child)
        self.project = aws.codebuild.Project(
            f"{name}-runner-project", name=args.project_name, service_role=role.arn,
            description=f"GitHub Actions runner for {args.repository}, inside the VPC",
            build_timeout=args.timeout_minutes,
            artifacts=aws.codebuild.ProjectArtifactsArgs(type="NO_ARTIFACTS"),
            environment=aws.codebuild.ProjectEnvironmentArgs(
                compute_type="BUILD_GENERAL1_MEDIUM", image=RUNNER_IMAGE, type="LINUX_CONTAINER"),
            source=aws.codebuild.ProjectSourceArgs(
                type="GITHUB", location=f"https://github.com/{args.repository}.git",
                auth=aws.codebuild.ProjectSourceAuthArgs(type="CODECONNECTIONS", resource=args.connection_arn)),
            vpc_config=aws.codebuild.ProjectVpcConfigArgs(
                vpc_id=args.vpc_id, subnets=args.subnet_ids, security_group_ids=[security_group.id]),
            logs_config=aws.codebuild.ProjectLogsConfigArgs(
                cloudwatch_logs=aws.codebuild.ProjectLogsConfigCloudwatchLogsArgs(group_name=logs.name)),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]))
        aws.codebuild.Webhook(
            f"{name}-runner-webhook", project_name=self.project.name, build_type="BUILD",
            filter_groups=[aws.codebuild.WebhookFilterGroupArgs(filters=[
                aws.codebuild.WebhookFilterGroupFilterArgs(type="EVENT", pattern="WORKFLOW_JOB_QUEUED")])],
            opts=child)
        self.register_outputs({"label": self.label})
