"""`aws-iam-no-admin-policy-attachment`: no administrator or service-wide AWS managed policy attached.

The configured names (default AdministratorAccess, PowerUserAccess, IAMFullAccess), and every AWS managed policy
judged by its document (`service_wide_grants`): an Allow on every resource of `*`, of a whole service
(`s3:*`), of NotAction, or of an action that escalates to administrator (`iam:PassRole`, `iam:Put*Policy`, ...).
The documents come from a pinned offline copy, `aws_managed_policies.json`, generated from the AWS managed
policies moto ships (`venv/bin/python -m ci.managed_policies`; a test keeps it equal to the pinned moto's). An
AWS managed policy not in that copy cannot be judged and is refused until the copy is refreshed.

Checked wherever a managed policy is attached: the attachment resources, the exclusive-attachment
resources, and a role's `managedPolicyArns`.
"""

from __future__ import annotations

import fnmatch
import functools
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ._support import Resource, Verdict, as_list, is_unknown, resource_policy

NAME = "aws-iam-no-admin-policy-attachment"
DEFAULT_FORBIDDEN = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"]

# Resource type -> the prop holding one policy ARN or a list of them.
ATTACHMENT_FIELDS = {
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": "policyArn",
    "aws:iam/userPolicyAttachment:UserPolicyAttachment": "policyArn",
    "aws:iam/groupPolicyAttachment:GroupPolicyAttachment": "policyArn",
    "aws:iam/policyAttachment:PolicyAttachment": "policyArn",
    "aws:iam/rolePolicyAttachmentsExclusive:RolePolicyAttachmentsExclusive": "policyArns",
    "aws:iam/userPolicyAttachmentsExclusive:UserPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/groupPolicyAttachmentsExclusive:GroupPolicyAttachmentsExclusive": "policyArns",
    "aws:iam/role:Role": "managedPolicyArns",
}


MANAGED_POLICIES = Path(__file__).with_name("aws_managed_policies.json")
# Actions on `*` that make their holder an administrator (IAM User Guide and the privilege-escalation paths
# reviewers check): pass any role, rewrite or attach any policy, mint credentials, assume any role.
ESCALATION_ACTIONS = (
    "iam:PassRole", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion", "iam:AttachRolePolicy",
    "iam:AttachUserPolicy", "iam:AttachGroupPolicy", "iam:PutRolePolicy", "iam:PutUserPolicy", "iam:PutGroupPolicy",
    "iam:CreateAccessKey", "iam:UpdateAssumeRolePolicy", "iam:CreateLoginProfile", "iam:UpdateLoginProfile",
    "sts:AssumeRole",
)


def service_wide_grants(document: Mapping[str, Any]) -> list[str]:
    """What a policy document allows on every resource that is service-wide or admin-equivalent: `*`, `svc:*`,
    `NotAction`, or an action (wildcards expanded) of ESCALATION_ACTIONS. Empty: scoped."""
    found: set[str] = set()
    for statement in as_list(document.get("Statement")):
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        if "*" not in as_list(statement.get("Resource")):
            continue
        if "NotAction" in statement:
            found.add("NotAction")
            continue
        for action in as_list(statement.get("Action")):
            if not isinstance(action, str):
                continue
            if action == "*" or action.endswith(":*") or any(
                    fnmatch.fnmatchcase(escalation.lower(), action.lower()) for escalation in ESCALATION_ACTIONS):
                found.add(action)
    return sorted(found)


@functools.cache
def managed_policy_grants() -> dict[str, list[str]]:
    """AWS managed policy ARN -> its service-wide grants, from the pinned offline copy."""
    return json.loads(MANAGED_POLICIES.read_text())["policies"]


def managed_policy_problem(arn: str) -> str | None:
    """Why an AWS managed policy may not be attached (None: it may, or it is a customer managed policy, judged by
    its own document in this plan)."""
    if arn.split(":", 5)[4:5] != ["aws"]:
        return None
    grants = managed_policy_grants().get(arn)
    if grants is None:
        return f"{arn} is not in the pinned copy of AWS managed policies: its document cannot be judged"
    if grants:
        return f"{arn} allows {', '.join(grants)} on every resource"
    return None


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    field = ATTACHMENT_FIELDS[resource.type]
    value = resource.props.get(field)
    forbidden = set(config.get("forbiddenPolicies") or DEFAULT_FORBIDDEN)
    if is_unknown(value):
        verdict.cannot_judge(field)
        return verdict
    for i, arn in enumerate(as_list(value)):
        if is_unknown(arn):
            verdict.cannot_judge(f"{field}[{i}]")
        elif isinstance(arn, str) and ":policy/" in arn and arn.rsplit("/", 1)[-1] in forbidden:
            verdict.violation(f"{field} attaches {arn}; grant a policy with only the actions needed.")
        elif isinstance(arn, str) and ":policy/" in arn and (problem := managed_policy_problem(arn)):
            verdict.violation(f"{field}: {problem}; grant a policy with only the actions needed.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Do not attach AdministratorAccess, PowerUserAccess or IAMFullAccess: attach a least-privilege "
                "policy instead.",
    resource_types=ATTACHMENT_FIELDS,
    check=check,
    config_properties={"forbiddenPolicies": {"type": "array", "items": {"type": "string"}, "default": DEFAULT_FORBIDDEN,
                                             "description": "Names of AWS managed policies never to attach."}},
)
