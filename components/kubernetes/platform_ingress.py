"""People reach the platform's UIs (Dagster, MLflow, Grafana) through one internal Application Load Balancer per
environment: an Ingress per UI in the UI's own namespace, all in one ALB group, HTTPS only with the
environment's ACM certificate, `scheme: internal` (never internet-facing, in any environment), in the
cluster's private subnets. Each namespace denies ingress by default, so each UI also gets the one
NetworkPolicy admitting the ALB's addresses to its pods' port.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
from pulumi_kubernetes.meta.v1 import LabelSelectorArgs, ObjectMetaArgs
from pulumi_kubernetes.networking.v1 import (
    HTTPIngressPathArgs,
    HTTPIngressRuleValueArgs,
    IngressBackendArgs,
    IngressRuleArgs,
    IngressServiceBackendArgs,
    IngressSpecArgs,
    IngressTLSArgs,
    IPBlockArgs,
    NetworkPolicy,
    NetworkPolicyIngressRuleArgs,
    NetworkPolicyPeerArgs,
    NetworkPolicyPortArgs,
    NetworkPolicySpecArgs,
    ServiceBackendPortArgs,
)
from pulumi_kubernetes.networking.v1 import Ingress as KubernetesIngress

SSL_POLICY = "ELBSecurityPolicy-TLS13-1-2-2021-06"
"""TLS 1.3 and 1.2 only (Design Appendix 3: TLS for all HTTP traffic)."""


@dataclass(frozen=True)
class Route:
    namespace: str
    """Namespace of the UI's Service (the Ingress lives beside it)."""
    service: str
    """The Service the ALB routes to (IP targets: the Service's endpoints)."""
    service_port: int
    """The Service's port."""
    target_port: int
    """The pods' container port the ALB connects to (what the NetworkPolicy opens)."""
    pod_labels: Mapping[str, str]
    """Labels selecting the UI's pods."""
    health_path: str = "/"
    """HTTP path the ALB health-checks."""


@dataclass(frozen=True)
class PlatformIngressArgs:
    domain: str
    """The environment's domain; route `dagster` is served at `dagster.<domain>`."""
    group_name: str
    """ALB group: every Ingress of the environment shares one load balancer."""
    load_balancer_name: str
    """That ALB's name (`alb.ingress.kubernetes.io/load-balancer-name`): the controller's policy names it."""
    certificate_arn: pulumi.Input[str]
    """ACM certificate covering `*.<domain>`."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """Private subnets the internal ALB is placed in."""
    client_cidrs: Sequence[str]
    """Who may connect to the ALB (its security group's inbound CIDRs): the VPC and its private networks."""
    alb_cidrs: Sequence[str]
    """Where the ALB's own addresses come from (its subnets): the only source the UI pods admit."""
    routes: Mapping[str, Route]
    """Host prefix (`dagster`, `mlflow`, `grafana`) -> the UI behind it."""
    ingress_class: str = "alb"
    """IngressClass of the AWS Load Balancer Controller."""


def validate_platform_ingress_args(args: PlatformIngressArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not args.routes:
        problems.append("routes must name at least one UI, got {}")
    for label, cidrs in (("client_cidrs", args.client_cidrs), ("alb_cidrs", args.alb_cidrs)):
        if not cidrs:
            problems.append(f"{label} must name at least one CIDR, got []")
        for cidr in cidrs:
            network = ipaddress.ip_network(cidr, strict=False)
            if not network.is_private:
                problems.append(f"{label} must be private networks (the UIs are internal), got {cidr!r}")
    if problems:
        raise ValueError("; ".join(problems))


class PlatformIngress(pulumi.ComponentResource):
    """The Ingress objects of one internal ALB group and the NetworkPolicies admitting it."""

    def __init__(self, name: str, args: PlatformIngressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_platform_ingress_args(args)
        super().__init__("platform:kubernetes:PlatformIngress", name, None, opts)
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)
        subnets = pulumi.Output.from_input(args.subnet_ids).apply(lambda ids: ",".join(ids))
        self.hosts: dict[str, str] = {}
        for route_name, route in sorted(args.routes.items()):
            host = f"{route_name}.{args.domain}"
            self.hosts[route_name] = host
            KubernetesIngress(f"{name}-{route_name}", metadata=ObjectMetaArgs(
                name=route.service, namespace=route.namespace, annotations={
                    "alb.ingress.kubernetes.io/scheme": "internal",
                    "alb.ingress.kubernetes.io/group.name": args.group_name,
                    "alb.ingress.kubernetes.io/load-balancer-name": args.load_balancer_name,
                    "alb.ingress.kubernetes.io/target-type": "ip",
                    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS": 443}]',
                    "alb.ingress.kubernetes.io/certificate-arn": args.certificate_arn,
                    "alb.ingress.kubernetes.io/ssl-policy": SSL_POLICY,
                    "alb.ingress.kubernetes.io/subnets": subnets,
                    "alb.ingress.kubernetes.io/inbound-cidrs": ",".join(args.client_cidrs),
                    "alb.ingress.kubernetes.io/healthcheck-path": route.health_path,
                }), spec=IngressSpecArgs(
                    ingress_class_name=args.ingress_class,
                    tls=[IngressTLSArgs(hosts=[host])],
                    rules=[IngressRuleArgs(host=host, http=HTTPIngressRuleValueArgs(paths=[HTTPIngressPathArgs(
                        path="/", path_type="Prefix", backend=IngressBackendArgs(service=IngressServiceBackendArgs(
                            name=route.service, port=ServiceBackendPortArgs(number=route.service_port))))]))]),
                opts=child)
            NetworkPolicy(f"{name}-{route_name}-from-alb", metadata=ObjectMetaArgs(
                name=f"allow-alb-to-{route.service}", namespace=route.namespace), spec=NetworkPolicySpecArgs(
                    pod_selector=LabelSelectorArgs(match_labels=dict(route.pod_labels)), policy_types=["Ingress"],
                    ingress=[NetworkPolicyIngressRuleArgs(
                        from_=[NetworkPolicyPeerArgs(ip_block=IPBlockArgs(cidr=cidr)) for cidr in args.alb_cidrs],
                        ports=[NetworkPolicyPortArgs(protocol="TCP", port=route.target_port)])]), opts=child)
        self.register_outputs({"hosts": self.hosts})
