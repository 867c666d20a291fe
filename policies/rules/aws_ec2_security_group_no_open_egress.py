"""`aws-ec2-security-group-no-open-egress`: in prod, security groups do not allow egress to the internet.

A destination outside private address space must be on the pack config's `allowedEgressCidrs`;
`0.0.0.0/0` and `::/0` never are by default. The VPC's default security group, adopted as
`aws.ec2.DefaultSecurityGroup`, is judged like any other.

Egress to a managed prefix list (`prefixListIds` on a group's egress block or a `SecurityGroupRule`,
`prefixListId` on a `vpc.SecurityGroupEgressRule`) is judged by the list's entries, since a prefix list can
hide `0.0.0.0/0`. That is why this is a stack policy: only a prefix list this plan defines
(`aws.ec2.ManagedPrefixList` with its `entries`, plus any `aws.ec2.ManagedPrefixListEntry` added to it) can
be judged, each entry like a CIDR. A prefix list the plan does not define (another stack's, or an
AWS-managed one such as `com.amazonaws.<region>.s3`) is refused: its entries are not in the plan, and the
AWS-managed lists are "sets of IP address ranges for AWS services" (AWS VPC user guide, AWS-managed prefix
lists): the S3 and DynamoDB lists are the services' public regional ranges, which reach every account's
buckets and tables, and only a gateway endpoint's policy (which this rule does not see) would narrow that.
Prod does not need them: S3 is reached through its interface endpoint (README, "Prod egress and AWS APIs").

Prefix lists are joined by id (the list's `id`, or the last part of its `arn`) when known; during a
preview, by the group's dependency on the list. An unknown reference with no single candidate is reported
as not judged.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._network import ALLOWED_EGRESS_SCHEMA, is_open
from ._support import Resource, StackView, Verdict, as_list, dig, is_unknown, stack_policy

NAME = "aws-ec2-security-group-no-open-egress"
SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SECURITY_GROUP = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
GROUP_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
EGRESS_RULE = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
PREFIX_LIST = "aws:ec2/managedPrefixList:ManagedPrefixList"
PREFIX_LIST_ENTRY = "aws:ec2/managedPrefixListEntry:ManagedPrefixListEntry"
EGRESS_HOLDERS = (SECURITY_GROUP, DEFAULT_SECURITY_GROUP, GROUP_RULE, EGRESS_RULE)
TYPES = [*EGRESS_HOLDERS, PREFIX_LIST, PREFIX_LIST_ENTRY]


def _egress(resource: Resource) -> tuple[list[tuple[str, Any]], list[tuple[str, Any]]]:
    """(path, CIDR) and (path, prefix list id) of the resource's egress destinations."""
    props = resource.props
    if resource.type in (SECURITY_GROUP, DEFAULT_SECURITY_GROUP):
        egress = props.get("egress")
        if is_unknown(egress):
            return [("egress", egress)], []
        rules = [(i, rule) for i, rule in enumerate(as_list(egress)) if isinstance(rule, dict)]
        return ([(f"egress[{i}].{key}", cidr) for i, rule in rules for key in ("cidrBlocks", "ipv6CidrBlocks")
                 for cidr in as_list(rule.get(key))],
                [(f"egress[{i}].prefixListIds", pl) for i, rule in rules for pl in as_list(rule.get("prefixListIds"))])
    if resource.type == GROUP_RULE:
        kind = props.get("type")
        if is_unknown(kind):
            return [("type", kind)], []
        if kind != "egress":
            return [], []
        return ([(key, cidr) for key in ("cidrBlocks", "ipv6CidrBlocks") for cidr in as_list(props.get(key))],
                [("prefixListIds", pl) for pl in as_list(props.get("prefixListIds"))])
    return ([(key, props.get(key)) for key in ("cidrIpv4", "cidrIpv6") if props.get(key) is not None],
            [("prefixListId", props["prefixListId"])] if props.get("prefixListId") is not None else [])


def _list_id(prefix_list: Resource) -> Any:
    known = dig(prefix_list.props, "id")
    if isinstance(known, str) and known:
        return known
    arn = dig(prefix_list.props, "arn")
    return arn.rsplit("/", 1)[-1] if isinstance(arn, str) and "/" in arn else None


def _entries(stack: StackView) -> dict[str, list[tuple[str, Any]]]:
    """Prefix list URN -> (where, CIDR) of its entries, inline and as separate entry resources."""
    lists = stack.of(PREFIX_LIST)
    by_id = {i: pl.urn for pl in lists if isinstance(i := _list_id(pl), str)}
    urns = {pl.urn for pl in lists}
    entries: dict[str, list[tuple[str, Any]]] = {}
    for pl in lists:
        inline = pl.props.get("entries")
        entries[pl.urn] = ([(f"{pl.name}.entries", inline)] if is_unknown(inline) else
                           [(f"{pl.name}.entries[{i}].cidr", dig(e, "cidr")) for i, e in enumerate(as_list(inline))])
    for entry in stack.of(PREFIX_LIST_ENTRY):
        ref = entry.props.get("prefixListId")
        urn = by_id.get(ref) if isinstance(ref, str) else None
        if urn is None:
            linked = [u for u in entry.dependencies if u in urns]
            urn = linked[0] if len(linked) == 1 else None
        if urn is not None:
            entries[urn].append((f"{entry.name}.cidr", entry.props.get("cidr")))
    return entries


def check(stack: StackView, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    allowed = config.get("allowedEgressCidrs") or []
    lists = {pl.urn: pl for pl in stack.of(PREFIX_LIST)}
    list_by_id = {i: urn for urn, pl in lists.items() if isinstance(i := _list_id(pl), str)}
    entries = _entries(stack) if lists else {}
    hint = "use VPC endpoints or add the destination's range to allowedEgressCidrs in the pack config."

    def judge(resource: Resource, path: str, cidr: Any, via: str = "") -> None:
        if is_unknown(cidr):
            verdict.cannot_judge(f"{resource.name}.{path}")
        elif isinstance(cidr, str) and is_open(cidr, allowed):
            verdict.violation(f"{path} allows egress to {cidr}{via}; {hint}", resource.urn)

    for resource in stack.of(*EGRESS_HOLDERS):
        cidrs, prefix_lists = _egress(resource)
        for path, cidr in cidrs:
            judge(resource, path, cidr)
        for path, ref in prefix_lists:
            urn = list_by_id.get(ref) if isinstance(ref, str) else None
            if urn is None and (is_unknown(ref) or not list_by_id):
                linked = [u for u in resource.dependencies if u in lists]
                urn = linked[0] if len(linked) == 1 else None
                if urn is None and is_unknown(ref):
                    verdict.cannot_judge(f"{resource.name}.{path}")
                    continue
            if urn is None:
                verdict.violation(f"{path} allows egress to prefix list {ref}, which this plan does not define: its "
                                  "entries cannot be judged (an AWS-managed list such as S3's holds the service's "
                                  "public ranges); define the prefix list in the plan with allowed CIDRs, or use "
                                  "VPC endpoints.", resource.urn)
                continue
            for where, cidr in entries[urn]:
                judge(resource, path, cidr, via=f" through prefix list {lists[urn].name} ({where})")
    return verdict


policy = stack_policy(
    name=NAME,
    description="Security groups in prod must not allow egress to 0.0.0.0/0, ::/0 or any public range that is not "
                "on the allow-list, directly or through a managed prefix list.",
    resource_types=TYPES,
    check=check,
    stacks=["prod"],
    config_properties={"allowedEgressCidrs": ALLOWED_EGRESS_SCHEMA},
)
