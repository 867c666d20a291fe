"""People reach Dagster, MLflow and Grafana through one internal ALB per environment, HTTPS only with the
environment's ACM certificate, at the Design Appendix's domains; no UI is internet-facing in any environment
(prod's UIs internal only); each UI's namespace admits the ALB's addresses on the UI's port and nothing more.

AWS Load Balancer Controller docs, "Ingress annotations": `scheme` (internal | internet-facing, default
internal), `group.name` (Ingresses of one group share one ALB), `listen-ports`, `certificate-arn`,
`target-type: ip` (the ALB connects to pod IPs, so the pods' NetworkPolicy must admit the ALB subnets)."""

from __future__ import annotations

import ipaddress
from typing import Any

import pytest

from components.kubernetes.platform_ingress import PlatformIngressArgs, validate_platform_ingress_args
from stack_config import parse
from tests.manifests import all_manifests, registered_manifests
from tests.support import STACKS, plan_with, preflight_plan
from tests.test_stack_config import raw_config

# Elastic Load Balancing docs, "Security policies for your Application Load Balancer": the policy that negotiates
# TLS 1.3 and TLS 1.2 only (the README's Access row: "HTTPS only, TLS 1.2/1.3"), ELB's recommended default.
TLS13_AND_12_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"


def _ingresses(stack: str) -> list[dict[str, Any]]:
    return [m for m in registered_manifests(preflight_plan(stack)) if m["kind"] == "Ingress"]


@pytest.mark.parametrize("stack", STACKS)
def test_one_internal_https_alb_serves_the_three_uis_at_the_environments_domain(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    ingresses = _ingresses(stack)
    hosts = {rule["host"] for i in ingresses for rule in i["spec"]["rules"]}
    assert hosts == {f"{ui}.{cfg.domain}" for ui in ("dagster", "mlflow", "grafana")}
    certificate = preflight_plan(stack).one("aws:acm/certificateValidation:CertificateValidation")
    for ingress in ingresses:
        annotations = ingress["metadata"]["annotations"]
        assert annotations["alb.ingress.kubernetes.io/scheme"] == "internal"
        assert annotations["alb.ingress.kubernetes.io/group.name"] == f"ml-platform-{stack}-internal"
        assert annotations["alb.ingress.kubernetes.io/listen-ports"] == '[{"HTTPS": 443}]'
        assert annotations["alb.ingress.kubernetes.io/certificate-arn"] == certificate.inputs["certificateArn"]
        assert annotations["alb.ingress.kubernetes.io/ssl-policy"] == TLS13_AND_12_POLICY
        network = preflight_plan(stack).one("platform:network:Network").component_outputs
        assert annotations["alb.ingress.kubernetes.io/subnets"].split(",") == network["private_subnet_ids"]
        assert all(ipaddress.ip_network(c).is_private
                   for c in annotations["alb.ingress.kubernetes.io/inbound-cidrs"].split(","))
        assert ingress["spec"]["ingressClassName"] == "alb"


@pytest.mark.parametrize("stack", STACKS)
def test_each_ingress_routes_to_a_service_of_its_namespace_and_the_alb_may_reach_its_pods(stack: str) -> None:
    manifests = all_manifests(preflight_plan(stack))
    services = {(m["metadata"]["namespace"], m["metadata"]["name"]): m for m in manifests if m["kind"] == "Service"}
    policies = {(m["metadata"]["namespace"], m["metadata"]["name"]): m for m in manifests
                if m["kind"] == "NetworkPolicy"}
    network = parse(stack, raw_config(stack)).network
    vpc = network.cidr or (network.existing.vpc_cidr if network.existing else "")
    for ingress in _ingresses(stack):
        namespace = ingress["metadata"]["namespace"]
        backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
        policy = policies[(namespace, f"allow-alb-to-{backend['name']}")]["spec"]
        (rule,) = policy["ingress"]
        assert rule["from"] == [{"ipBlock": {"cidr": vpc}}]
        if namespace == "platform-monitoring":
            continue  # Grafana's Service comes from the upstream chart (not rendered offline): named after it
        service = services[(namespace, backend["name"])]
        assert backend["port"]["number"] in [p["port"] for p in service["spec"]["ports"]]
        # The policy admits the pods the Service (and so the ALB's IP targets) routes to.
        assert policy["podSelector"]["matchLabels"].items() <= service["spec"]["selector"].items()


@pytest.mark.parametrize("stack", STACKS)
def test_the_ingresses_wait_for_the_controller_the_certificate_and_the_uis(stack: str) -> None:
    """An Ingress of class `alb` is admitted and reconciled by the controller (its webhook refuses, or nothing
    serves, an Ingress created first), with a validated certificate (ACM: an ALB listener takes only an issued
    one; the validation's ARN flows into the annotation), routing to the UIs' Services. Children do not inherit
    a component's dependsOn: each Ingress and NetworkPolicy carries the edges itself."""
    plan = preflight_plan(stack)
    needs = {plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-load-balancer-controller-release").urn,
             plan.one("kubernetes:helm.sh/v3:Release", name=f"{stack}-platform-release").urn,
             plan.one("kubernetes:helm.sh/v3:Release", name="platform-monitoring-grafana-release").urn,
             plan.one("kubernetes:apps/v1:Deployment", name=f"{stack}-dagster-webserver").urn}
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation").urn
    children = plan.children(plan.one("platform:kubernetes:PlatformIngress"))
    ingresses = [c for c in children if c.type == "kubernetes:networking.k8s.io/v1:Ingress"]
    assert len(ingresses) == 3
    for child in children:
        assert needs <= set(child.options["dependsOn"]), child.name
    for ingress in ingresses:
        assert validation in ingress.options["dependsOn"], ingress.name


def test_an_existing_certificate_is_used_as_is_without_a_new_one() -> None:
    arn = "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d-0000-4000-8000-000000000001"
    plan = plan_with("prod", {"ingress": {"baseDomain": "example.com", "certificateArn": arn}})
    assert plan.of_type("aws:acm/certificate:Certificate") == []
    assert plan.of_type("aws:route53/record:Record") == []
    annotations = {i.inputs["metadata"]["annotations"]["alb.ingress.kubernetes.io/certificate-arn"]
                   for i in plan.of_type("kubernetes:networking.k8s.io/v1:Ingress")}
    assert annotations == {arn}


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_platform_ingress_args(PlatformIngressArgs(
            domain="example.com", group_name="g", load_balancer_name="g", certificate_arn="a", subnet_ids=[],
            client_cidrs=["0.0.0.0/0"],
            alb_cidrs=[], routes={}))
    for words in ("routes must name", "client_cidrs must be private", "alb_cidrs must name"):
        assert words in str(info.value)
