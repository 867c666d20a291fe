"""The member account's read-only role for previews and drift runs: what the management account's `ci-preview`
role assumes, so that a preview reads the member account end to end and can write nothing.

AWS's ReadOnlyAccess, minus data: no objects of the stores, no decrypting with their keys, no secret values.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.patterns import IAM_ROLE_NAME as _ROLE_NAME_RE

READ_ONLY_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# ReadOnlyAccess would let a pull request read the stores' data and the account's secrets; a preview needs
# neither. The object denial is scoped to the stores (bucket names and key aliases start with the data prefix).
PREVIEW_DENIED_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
PREVIEW_DENIED_SECRET_ACTIONS = ("secretsmanager:GetSecretValue",)
_DATA_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,40}-$")


@dataclass(frozen=True)
class PreviewerRoleArgs:
    role_name: str
    """Name of the role, e.g. `ml-platform-prod-previewer` (the CI preview role names it)."""
    trusted_role_arn: pulumi.Input[str]
    """The one principal that may assume it: the environment's `ci-preview` role in the management account."""
    data_name_prefix: str
    """Start of every data store's bucket name and key alias (`ml-platform-prod-`): no reading their objects
    or decrypting with their keys."""
    max_session_seconds: int = 3600
    """Session length. Default one hour; 900..43200."""


def validate_previewer_role_args(args: PreviewerRoleArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if not _ROLE_NAME_RE.match(args.role_name):
        problems.append(f"role_name must be an IAM role name, got {args.role_name!r}")
    if not _DATA_PREFIX_RE.match(args.data_name_prefix):
        problems.append(f"data_name_prefix must be lowercase letters, digits and hyphens ending in '-', got "
                        f"{args.data_name_prefix!r}")
    if not 900 <= args.max_session_seconds <= 43200:
        problems.append(f"max_session_seconds must be between 900 and 43200, got {args.max_session_seconds}")
    if problems:
        raise ValueError("PreviewerRole: " + "; ".join(problems))


def preview_data_denial(data_name_prefix: str) -> str:
    """Deny reading the stores' objects, decrypting with their keys, and reading secrets."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "NoStoreObjects", "Effect": "Deny", "Action": list(PREVIEW_DENIED_OBJECT_ACTIONS),
         "Resource": f"arn:aws:s3:::{data_name_prefix}*/*"},
        # Keys have random ids; their aliases carry the prefix, and KMS exposes them as a condition key.
        {"Sid": "NoStoreKeys", "Effect": "Deny", "Action": "kms:Decrypt", "Resource": "*",
         "Condition": {"ForAnyValue:StringLike": {"kms:ResourceAliases": f"alias/{data_name_prefix}*"}}},
        {"Sid": "NoSecrets", "Effect": "Deny", "Action": list(PREVIEW_DENIED_SECRET_ACTIONS), "Resource": "*"},
    ]})


def trust_of(role_arn: str) -> str:
    """Trust for exactly one role (a role ARN principal, not the account root)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": role_arn}, "Action": "sts:AssumeRole"}]})


class PreviewerRole(pulumi.ComponentResource):
    """`role`: read-only, data-less, assumable only by the CI preview role."""

    role: aws.iam.Role
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: PreviewerRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_previewer_role_args(args)
        super().__init__("platform:aws:PreviewerRole", name, None, opts)
        self.role = aws.iam.Role(
            f"{name}-previewer", name=args.role_name, description="Read-only previews and drift runs of CI",
            assume_role_policy=pulumi.Output.from_input(args.trusted_role_arn).apply(trust_of),
            max_session_duration=args.max_session_seconds, opts=pulumi.ResourceOptions(parent=self))
        within = pulumi.ResourceOptions(parent=self.role)
        aws.iam.RolePolicyAttachment(f"{name}-previewer-read-only", role=self.role.name,
                                     policy_arn=READ_ONLY_POLICY_ARN, opts=within)
        aws.iam.RolePolicy(f"{name}-previewer-no-data", role=self.role.name,
                           policy=preview_data_denial(args.data_name_prefix), opts=within)
        self.arn = self.role.arn
        self.register_outputs({"arn": self.arn})
