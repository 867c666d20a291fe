"""`aws-ec2-security-group-no-open-egress`: in prod, security groups do not allow egress to the internet.

A destination outside private address space must be on the pack config's `allowedEgressCidrs`;
`0.0.0.0/0` and `::/0` never are by default. The VPC's default security group, adopted as
`aws.ec2.DefaultSecurityGroup`, is judged like any other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._network import ALLOWED_EGRESS_SCHEMA, is_open
from ._support import Resource, Verdict, as_list, is_unknown, resource_policy

NAME = "aws-ec2-security-group-no-open-egress"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
TYPES = ["aws:ec2/securityGroup:SecurityGroup", DEFAULT_SECURITY_GROUP, "aws:ec2/securityGroupRule:SecurityGroupRule",
         "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"]


def _egress_cidrs(resource: Resource) -> list[tuple[str, Any]]:
    props = resource.props
    if resource.type in ("aws:ec2/securityGroup:SecurityGroup", DEFAULT_SECURITY_GROUP):
        egress = props.get("egress")
        if is_unknown(egress):
            return [("egress", egress)]
        return [(f"egress[{i}].{key}", cidr) for i, rule in enumerate(as_list(egress)) if isinstance(rule, dict)
                for key in ("cidrBlocks", "ipv6CidrBlocks") for cidr in as_list(rule.get(key))]
    if resource.type == "aws:ec2/securityGroupRule:SecurityGroupRule":
        kind = props.get("type")
        if is_unknown(kind):
            return [("type", kind)]
        if kind != "egress":
            return []
        return [(key, cidr) for key in ("cidrBlocks", "ipv6CidrBlocks") for cidr in as_list(props.get(key))]
    return [(key, props.get(key)) for key in ("cidrIpv4", "cidrIpv6") if props.get(key) is not None]


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    allowed = config.get("allowedEgressCidrs") or []
    for path, cidr in _egress_cidrs(resource):
        if is_unknown(cidr):
            verdict.cannot_judge(path)
        elif isinstance(cidr, str) and is_open(cidr, allowed):
            verdict.violation(f"{path} allows egress to {cidr}; use VPC endpoints or add the destination's range to "
                              "allowedEgressCidrs in the pack config.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Security groups in prod must not allow egress to 0.0.0.0/0, ::/0 or any public range that is not "
                "on the allow-list.",
    resource_types=TYPES,
    check=check,
    stacks=["prod"],
    config_properties={"allowedEgressCidrs": ALLOWED_EGRESS_SCHEMA},
)
