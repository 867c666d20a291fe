"""`aws-iam-no-admin-policy-attachment`: no administrator or service-wide AWS managed policy attached.

The configured names (default AdministratorAccess, PowerUserAccess, IAMFullAccess) and every AWS managed
policy of the service-wide classes (`service_wide_managed`: `*FullAccess`, `AdministratorAccess*`, the
job-function administrators).

Checked wherever a managed policy is attached: the attachment resources, the exclusive-attachment
resources, and a role's `managedPolicyArns`.
"""

from __future__ import annotations

from collections.abc import Mapping
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


def service_wide_managed(arn: str) -> bool:
    """An AWS managed policy of the classes that grant a whole service or administration: `*FullAccess`
    (`service:*` on `*`, e.g. AmazonS3FullAccess, SecretsManagerReadWrite's siblings), `AdministratorAccess*`
    (AdministratorAccess-Amplify, ...), the `job-function/` administrators and PowerUserAccess. AWS names its
    managed policies by these classes; judging each by its document needs an offline copy of AWS's managed
    policies, which policy_sentry does not ship."""
    if arn.split(":", 5)[4:5] != ["aws"]:
        return False  # a customer managed policy: judged by its own document in this plan
    name = arn.rsplit("/", 1)[-1]
    return (name.endswith("FullAccess") or name.startswith("AdministratorAccess") or name == "PowerUserAccess"
            or ("/job-function/" in arn and name.endswith("Administrator")))


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
        elif isinstance(arn, str) and ":policy/" in arn and (arn.rsplit("/", 1)[-1] in forbidden
                                                              or service_wide_managed(arn)):
            verdict.violation(f"{field} attaches {arn}; grant a policy with only the actions needed.")
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
