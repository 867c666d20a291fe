"""The AWS Load Balancer Controller: the upstream chart pinned in kube-system, values checked against our own
schema, and an IRSA role whose policy is our own least-privilege document (ALBs of this account and region;
changing or deleting one needs the controller's ownership tag; no WAF, Shield, Cognito or NLB permissions).

AWS Load Balancer Controller docs, "Installation guide" (IAM permissions, IRSA service account
`kube-system/aws-load-balancer-controller`) and "Controller configuration" (`--enable-waf`, `--enable-wafv2`,
`--enable-shield`: off means those APIs are never called)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.kubernetes.load_balancer_controller import (
    CHART,
    CHART_REPOSITORY,
    CHART_VERSION,
    LoadBalancerControllerArgs,
    validate_load_balancer_controller_args,
)
from components.kubernetes.upstream_chart import values_problems
from preflight.harness import reveal
from tests.support import PROJECT_DIR, STACKS, preflight_plan

RELEASE = "kubernetes:helm.sh/v3:Release"
# AWS Load Balancer Controller docs ("Installation guide", its reference IAM policy): the tag the controller puts on
# everything it creates, whose value is the cluster's name; the README: "creation needs the `elbv2.k8s.aws/cluster`
# tag with this cluster's name in the request, every change or deletion needs it on the resource".
CLUSTER_TAG = "elbv2.k8s.aws/cluster"


def _policy(stack: str) -> list[dict[str, Any]]:
    policy = preflight_plan(stack).one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-load-balancer-controller-policy")
    return json.loads(policy.inputs["policy"])["Statement"]


def _listed(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


@pytest.mark.parametrize("stack", STACKS)
def test_the_pinned_upstream_chart_runs_in_kube_system_with_schema_checked_values(stack: str) -> None:
    release = preflight_plan(stack).one(RELEASE, name=f"{stack}-load-balancer-controller-release")
    assert (release.inputs["chart"], release.inputs["version"]) == (CHART, CHART_VERSION)
    assert release.inputs["repositoryOpts"] == {"repo": CHART_REPOSITORY}
    assert release.inputs["namespace"] == "kube-system"
    values = reveal(release.inputs["values"])
    assert values_problems(CHART, values) == []
    assert (values["enableWaf"], values["enableWafv2"], values["enableShield"]) == (False, False, False)
    role = preflight_plan(stack).one("aws:iam/role:Role", name=f"{stack}-load-balancer-controller-role")
    assert values["serviceAccount"]["annotations"] == {"eks.amazonaws.com/role-arn": role.outputs["arn"]}
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    issuer = preflight_plan(stack).one("platform:kubernetes:EksCluster").component_outputs["oidc_issuer"]
    assert trust["Condition"]["StringEquals"][f"{issuer}:sub"] == \
        "system:serviceaccount:kube-system:aws-load-balancer-controller"


def test_our_schema_refuses_a_key_we_do_not_set_and_a_wrong_value() -> None:
    values = reveal(preflight_plan("prod").one(RELEASE, name="prod-load-balancer-controller-release").inputs["values"])
    assert any("clusterNmae" in p for p in values_problems(CHART, {**values, "clusterNmae": "x"}))
    assert any("enableWafv2" in p for p in values_problems(CHART, {**values, "enableWafv2": True}))


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_is_scoped_to_this_account_and_region_and_to_albs(stack: str) -> None:
    plan = preflight_plan(stack)
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    region = plan.one("aws:eks/cluster:Cluster").outputs["arn"].split(":")[3]
    statements = _policy(stack)
    actions = {a for s in statements for a in _listed(s["Action"])}
    assert not any(a.split(":")[0] in ("waf", "waf-regional", "wafv2", "shield", "cognito-idp") for a in actions)
    assert all("*" not in a for a in actions)
    for statement in statements:
        resources = _listed(statement["Resource"])
        if resources == ["*"]:
            assert all(a.split(":")[1].startswith(("Describe", "List")) for a in _listed(statement["Action"]))
            continue
        for resource in resources:
            service, resource_region, resource_account = resource.split(":")[2:5]
            assert resource_account == account
            assert resource_region in (region, "")  # IAM ARNs carry no region
            assert service in ("ec2", "elasticloadbalancing", "acm", "iam")
            if service == "elasticloadbalancing":
                assert resource.split(":", 5)[5].split("/")[0] in ("loadbalancer", "targetgroup", "listener",
                                                                   "listener-rule")
                assert "/net/" not in resource


@pytest.mark.parametrize("stack", STACKS)
def test_deleting_or_changing_a_load_balancer_needs_this_clusters_own_tag(stack: str) -> None:
    """Tag-based access control (IAM User Guide, "Controlling access to AWS resources using tags"): every
    Delete/Modify/Set on a load balancer, target group or security group requires the controller's ownership tag
    with this cluster's name; creation requires that tag in the request. Listener and rule calls are scoped to
    the one ALB's listeners by ARN instead (ELB evaluates no resource tag for them before they exist)."""
    cluster = preflight_plan(stack).one("aws:eks/cluster:Cluster").inputs["name"]
    for statement in _policy(stack):
        actions = [a.split(":")[1] for a in _listed(statement["Action"])]
        destructive = [a for a in actions if a.startswith(("Delete", "Modify", "Set", "Register", "Deregister"))
                       and a not in ("DeleteListener", "DeleteRule", "ModifyListener", "ModifyRule")]
        if destructive:
            assert statement["Condition"] == {"StringEquals": {f"aws:ResourceTag/{CLUSTER_TAG}": cluster}}, destructive
        if any(a in ("CreateLoadBalancer", "CreateTargetGroup") for a in actions):
            assert statement["Condition"] == {"StringEquals": {f"aws:RequestTag/{CLUSTER_TAG}": cluster}}


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_names_the_one_alb_its_vpc_and_its_certificate_and_needs_no_exemption(stack: str) -> None:
    """The wildcard-resource rule passes without an exemption: the ALB by the name its Ingresses set, the
    controller's `k8s-` target groups, security groups pinned by ec2:Vpc to the cluster's VPC (AWS's
    documented form for CreateSecurityGroup: the VPC in its own statement), the environment's certificate."""
    plan = preflight_plan(stack)
    ingresses = plan.of_type("kubernetes:networking.k8s.io/v1:Ingress")
    names = {i.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/load-balancer-name"] for i in ingresses}
    assert len(names) == 1
    (name,) = names
    vpc = plan.one("platform:network:Network").component_outputs["vpc_id"]
    certificates = {i.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"] for i in ingresses}
    for statement in _policy(stack):
        for resource in _listed(statement["Resource"]):
            if ":loadbalancer/" in resource or ":listener" in resource:
                assert f"/app/{name}/" in resource, resource
            if ":targetgroup/" in resource:
                assert resource.endswith(":targetgroup/k8s-*/*"), resource
            if ":security-group/" in resource:
                assert statement["Condition"].get("ArnEquals", {}).get("ec2:Vpc", "").endswith(f":vpc/{vpc}") or \
                    CLUSTER_TAG in json.dumps(statement["Condition"]), statement
            if ":acm:" in resource:
                assert {resource} == certificates
    exemptions = [e for stack_file in ("staging", "prod") for e in json.loads(
        (PROJECT_DIR / "policies" / "config" / f"{stack_file}.json").read_text()).get(
        "aws-iam-no-wildcard-resource", {}).get("exemptions", []) if isinstance(e, dict)]
    assert [e for e in exemptions if "load-balancer-controller" in e["resource"]] == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_controller_starts_only_once_its_role_holds_its_policy_and_nodes_exist(stack: str) -> None:
    """The controller reconciles on start and its release is atomic (it waits for its pods): without its policy the
    first reconcile fails AccessDenied, and on delete the policy would go while the controller still cleans up;
    without nodes its pods stay Pending until the release times out (the module's REALITY answer 1: node groups
    before the release). The edges must be on the release itself: children do not inherit a component's."""
    plan = preflight_plan(stack)
    policy = plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-load-balancer-controller-policy")
    release = plan.one(RELEASE, name=f"{stack}-load-balancer-controller-release")
    assert policy.urn in release.options["dependsOn"]
    groups = {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert len(groups) == 3 and groups <= set(release.options["dependsOn"])


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_load_balancer_controller_args(LoadBalancerControllerArgs(
            cluster_name="c", region="eu-west-1", account_id="1", vpc_id="v", oidc_provider_arn="o",
            oidc_issuer="i", load_balancer_name="an-alb-name-far-longer-than-thirty-two", certificate_arn="a",
            replicas=0, chart_version="latest"))
    assert "replicas must be between 1 and 3" in str(info.value)
    assert "chart_version must pin" in str(info.value)
    assert "load_balancer_name must be an ALB name" in str(info.value)
    for replicas in (1, 3):  # the bounds themselves are accepted
        validate_load_balancer_controller_args(LoadBalancerControllerArgs(
            cluster_name="c", region="eu-west-1", account_id="1", vpc_id="v", oidc_provider_arn="o", oidc_issuer="i",
            load_balancer_name="ml-platform-dev", certificate_arn="a", replicas=replicas, chart_version="1.13.0"))


@pytest.mark.parametrize("stack", STACKS)
def test_every_arn_of_the_policy_is_in_the_aws_partition(stack: str) -> None:
    """The shipped stacks run in the commercial partition: every resource ARN (and the ec2:Vpc condition's ARN)
    starts `arn:aws:` (IAM User Guide, "IAM ARNs": `arn:partition:service:region:account:resource`); a missing
    partition renders as `arn:None:`, which IAM refuses as malformed."""
    policy = preflight_plan(stack).one("aws:iam/rolePolicy:RolePolicy",
                                       name=f"{stack}-load-balancer-controller-policy").inputs["policy"]
    assert "None" not in policy
    statements = json.loads(policy)["Statement"]
    resources = [r for s in statements for r in _listed(s["Resource"])]
    assert resources and all(r == "*" or r.startswith("arn:aws:") for r in resources), resources
    vpcs = [s["Condition"]["ArnEquals"]["ec2:Vpc"] for s in statements if "ArnEquals" in s.get("Condition", {})]
    assert vpcs and all(v.startswith("arn:aws:ec2:") for v in vpcs), vpcs
