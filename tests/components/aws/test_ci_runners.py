"""The in-VPC CI runners: every workflow job that runs pulumi against a stack (whose cluster endpoint is
private, or public only to a few CIDRs GitHub's hosted runners are not in) runs on that stack's CodeBuild
runner, which sits in the cluster's subnets and may reach its API."""

from __future__ import annotations

import json
import re

import pytest

from components.aws.ci_runners import CiRunnersArgs, validate_ci_runners_args
from preflight.harness import reveal
from tests.ci.workflows import jobs, steps_using
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

PROJECT = "aws:codebuild/project:Project"


def runs_pulumi(job: dict) -> bool:
    return (bool(steps_using(job, "pulumi/actions")) and any(
        "command" in s.get("with", {}) for s in steps_using(job, "pulumi/actions"))) or any(
        re.search(r"\bpulumi (up|preview|refresh|destroy)\b", s.get("run", "")) for s in job.get("steps", []))


PULUMI_JOBS = [(name, job_id, job) for name, job_id, job in jobs() if runs_pulumi(job)]


def test_the_pulumi_jobs_are_found() -> None:
    assert {(name, job_id) for name, job_id, _ in PULUMI_JOBS} == {
        ("preview.yml", "preview"), ("up.yml", "up"), ("drift.yml", "drift")}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("name", "job_id", "job"), PULUMI_JOBS, ids=[f"{n}:{j}" for n, j, _ in PULUMI_JOBS])
def test_every_pulumi_job_runs_on_the_stacks_in_vpc_runner(name: str, job_id: str, job: dict, stack: str) -> None:
    """CodeBuild runs a queued job whose `runs-on` label is `codebuild-<project>-<run id>-<attempt>` (AWS
    CodeBuild User Guide, "Self-hosted GitHub Actions runners"); an EKS endpoint with public access off is
    reachable only from inside the VPC (EKS User Guide, "Cluster API server endpoint")."""
    plan = preflight_plan(stack)
    [project] = plan.of_type(PROJECT)
    label = re.sub(r"\$\{\{ (matrix|inputs)\.stack \}\}", stack, job["runs-on"])
    assert label == f"codebuild-{reveal(project.inputs)['name']}-${{{{ github.run_id }}}}-${{{{ github.run_attempt }}}}"


@pytest.mark.parametrize("stack", STACKS)
def test_the_runner_sits_in_the_clusters_subnets_and_reaches_its_api(stack: str) -> None:
    plan = preflight_plan(stack)
    [project] = plan.of_type(PROJECT)
    inputs = reveal(project.inputs)
    cluster = reveal(plan.one("aws:eks/cluster:Cluster").inputs)
    assert sorted(inputs["vpcConfig"]["subnets"]) == sorted(cluster["vpcConfig"]["subnetIds"])
    [runner_sg] = [r for r in plan.of_type("aws:ec2/securityGroup:SecurityGroup") if r.name == f"{stack}-runner-sg"]
    assert inputs["vpcConfig"]["securityGroupIds"] == [runner_sg.id]
    [ingress] = [r for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
                 if r.name == f"{stack}-runner-to-cluster"]
    rule = reveal(ingress.inputs)
    assert (rule["referencedSecurityGroupId"], rule["fromPort"], rule["toPort"]) == (runner_sg.id, 443, 443)
    assert inputs["source"]["type"] == "GITHUB"
    assert inputs["source"]["auth"] == {"type": "CODECONNECTIONS", "resource": raw_config(stack)["ci"][
        "runnerConnectionArn"]}
    [webhook] = plan.of_type("aws:codebuild/webhook:Webhook")
    assert reveal(webhook.inputs)["filterGroups"] == [{"filters": [{"type": "EVENT",
                                                                    "pattern": "WORKFLOW_JOB_QUEUED"}]}]


@pytest.mark.parametrize("stack", STACKS)
def test_the_runners_own_role_has_only_logs_network_interfaces_and_the_connection(stack: str) -> None:
    """The job logs in with its own OIDC token; the runner's role needs only what CodeBuild needs to run in a
    VPC (AWS CodeBuild User Guide, "Use CodeBuild with Amazon VPC": the ec2 network-interface actions) and logs."""
    plan = preflight_plan(stack)
    policy = json.loads(reveal(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-runner-access")
                               .inputs)["policy"])
    actions = {a for s in policy["Statement"] for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert {a.split(":")[0] for a in actions} == {"logs", "ec2", "codeconnections"}
    assert not [a for a in actions if a.startswith("ec2:") and not a.startswith(
        ("ec2:Describe", "ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"))]
    assert all(s["Effect"] == "Allow" for s in policy["Statement"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_runner_project_waits_for_its_roles_policy(stack: str) -> None:
    """CodeBuild checks a VPC project's service role when the project is created (AWS CodeBuild User Guide, "Use
    CodeBuild with Amazon VPC": the role needs the ec2 describe and network-interface permissions; without them
    CreateProject fails "Not authorized to perform DescribeSecurityGroups", aws/aws-cdk#2652). The project names
    the role, not its inline policy: only an explicit edge puts the policy first."""
    plan = preflight_plan(stack)
    [project] = plan.of_type(PROJECT)
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-runner-access")
    assert policy.urn in project.options["dependsOn"]


def test_bad_args_are_refused_together() -> None:
    args = CiRunnersArgs(project_name="-bad", repository="no-slash", connection_arn="arn:aws:x", vpc_id="v",
                         subnet_ids=[], cluster_security_group_id="sg", account_id="1", region="eu-west-1",
                         timeout_minutes=1)
    with pytest.raises(ValueError, match=r"project_name .*repository .*connection_arn .*timeout_minutes"):
        validate_ci_runners_args(args)


@pytest.mark.parametrize("stack", STACKS)
def test_the_runners_security_group_lets_out_https_only(stack: str) -> None:
    """The runner reaches GitHub, AWS's APIs and the cluster's API (README: "it reaches the cluster API on 443"),
    all HTTPS: one egress rule, TCP 443 to anywhere, and nothing else leaves (a security group with egress given
    has exactly those rules: the provider removes AWS's default allow-all). No ingress: CodeBuild's build
    container takes no connection. The VPC's DNS resolver is not subject to security groups."""
    plan = preflight_plan(stack)
    runner_sg = plan.one("aws:ec2/securityGroup:SecurityGroup", name=f"{stack}-runner-sg")
    inputs = reveal(runner_sg.inputs)
    assert inputs["egress"] == [{"protocol": "tcp", "fromPort": 443, "toPort": 443, "cidrBlocks": ["0.0.0.0/0"],
                                 "description": "HTTPS only"}]
    assert "ingress" not in inputs
    separate = [r.name for r in plan.of_type("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule")
                + plan.of_type("aws:ec2/securityGroupRule:SecurityGroupRule")
                if reveal(r.inputs).get("securityGroupId") == runner_sg.id]
    assert separate == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_runners_build_logs_are_kept_as_long_as_the_stacks_other_logs(stack: str) -> None:
    """CodeBuild writes a project's logs to `/aws/codebuild/<project>` (AWS CodeBuild User Guide, "View build
    details": CloudWatch Logs group); a log group without a retention policy keeps its events forever (CloudWatch
    Logs User Guide, "Change log data retention": the default is Never expire). The stack's retention: a year in
    prod for audits, 30 days elsewhere, as the cluster's and the flow logs' groups."""
    plan = preflight_plan(stack)
    [project] = plan.of_type(PROJECT)
    [group] = [g for g in plan.of_type("aws:cloudwatch/logGroup:LogGroup")
               if g.inputs["name"] == f"/aws/codebuild/{reveal(project.inputs)['name']}"]
    assert group.inputs.get("retentionInDays") == (365 if stack == "prod" else 30)
