"""The environment's own AWS account (ADR-033: one account per environment) and the provider into it.

Created through the management account with AWS Organizations, or adopted when its id is known. Every other
AWS resource of the stack is created through `MemberAccount.provider`, so nothing lands in the management
account by accident.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.patterns import AWS_ACCOUNT_ID as _ACCOUNT_ID_RE
from components.patterns import AWS_REGION as _REGION_RE
from components.patterns import EMAIL as _EMAIL_RE
from components.patterns import IAM_ROLE_NAME as _ROLE_NAME_RE

REQUIRED_TAGS = ("environment", "project", "managed-by", "owner")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")


@dataclass(frozen=True)
class MemberAccountArgs:
    account_name: str
    """Friendly name of the member account in AWS Organizations."""
    email: str
    """Root email of the member account; unique across AWS. Ignored when adopting."""
    parent_ou_id: str
    """Organizational unit (or root `r-...`) the account is created in. Ignored when adopting."""
    access_role_name: str
    """Role Organizations creates in the account and the provider assumes (fixed at creation)."""
    region: str
    """Region of the provider into the member account."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Default tags of every resource made through the provider; must hold environment, project,
    managed-by and owner."""
    existing_account_id: str | None = None
    """Adopt this account instead of creating one (then no Organizations resource exists). Default: create."""
    close_on_deletion: bool = False
    """Close the account if the stack ever deletes it. Default False: deletion only leaves the organization."""
    management_role_arn: str | None = None
    """Role to assume in the management account. Default None: the ambient credentials. The member provider
    chains through it too (management role, then the member role)."""
    provider_role_name: str | None = None
    """Role in the member account the provider assumes: the access role when deploying, the read-only
    previewer when previewing. Default: `access_role_name`."""


def validate_member_account_args(args: MemberAccountArgs) -> None:
    """Raise one ValueError listing every bad argument."""
    problems: list[str] = []
    if args.existing_account_id is not None and not _ACCOUNT_ID_RE.match(args.existing_account_id):
        problems.append(f"existing_account_id must be a 12-digit account id, got {args.existing_account_id!r}")
    if args.existing_account_id is None:
        if not _EMAIL_RE.match(args.email):
            problems.append(f"email must be an email address, got {args.email!r}")
        if not args.account_name:
            problems.append("account_name must not be empty")
        if not args.parent_ou_id:
            problems.append("parent_ou_id must not be empty")
    if not _ROLE_NAME_RE.match(args.access_role_name):
        problems.append(f"access_role_name must be an IAM role name, got {args.access_role_name!r}")
    if args.provider_role_name is not None and not _ROLE_NAME_RE.match(args.provider_role_name):
        problems.append(f"provider_role_name must be an IAM role name, got {args.provider_role_name!r}")
    if not _REGION_RE.match(args.region):
        problems.append(f"region must be an AWS region like 'eu-west-1', got {args.region!r}")
    if args.management_role_arn is not None and not _ROLE_ARN_RE.match(args.management_role_arn):
        problems.append(f"management_role_arn must be an IAM role ARN, got {args.management_role_arn!r}")
    missing = [t for t in REQUIRED_TAGS if not args.tags.get(t)]
    if missing:
        problems.append(f"tags must include {', '.join(missing)}, got {sorted(args.tags)}")
    if problems:
        raise ValueError("MemberAccount: " + "; ".join(problems))


class MemberAccount(pulumi.ComponentResource):
    """A member account (created or adopted) and `provider`, an `aws.Provider` assuming its access role."""

    account_id: pulumi.Output[str]
    role_arn: pulumi.Output[str]
    """The member-account role the provider assumes (what the Kubernetes exec credential assumes too)."""
    provider: aws.Provider
    management_provider: aws.Provider
    account: aws.organizations.Account | None

    def __init__(self, name: str, args: MemberAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_member_account_args(args)
        super().__init__("platform:aws:MemberAccount", name, None, opts)
        tags = dict(args.tags)
        self.management_provider = aws.Provider(
            f"{name}-management",
            region=args.region,
            assume_roles=[aws.ProviderAssumeRoleArgs(role_arn=args.management_role_arn,
                                                     session_name=f"pulumi-{name}-management")]
            if args.management_role_arn else None,
            default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
            opts=pulumi.ResourceOptions(parent=self))

        if args.existing_account_id is not None:
            self.account = None
            self.account_id = pulumi.Output.from_input(args.existing_account_id)
        else:
            self.account = aws.organizations.Account(
                f"{name}-account",
                name=args.account_name,
                email=args.email,
                parent_id=args.parent_ou_id,
                role_name=args.access_role_name,
                # Only the root user may see billing; IAM users and roles of the account may not.
                iam_user_access_to_billing="DENY",
                close_on_deletion=args.close_on_deletion,
                opts=pulumi.ResourceOptions(
                    parent=self, provider=self.management_provider,
                    # An account is never deleted by accident, in any stack.
                    protect=True,
                    # AWS cannot change these after creation and cannot read role_name back: without this
                    # every refresh or import would plan a replacement of the whole account.
                    ignore_changes=["roleName", "iamUserAccessToBilling"]))
            self.account_id = self.account.id

        member_role = args.provider_role_name or args.access_role_name
        self.role_arn = self.account_id.apply(lambda account_id: f"arn:aws:iam::{account_id}:role/{member_role}")
        chain = [aws.ProviderAssumeRoleArgs(role_arn=args.management_role_arn, session_name=f"pulumi-{name}-management")
                 ] if args.management_role_arn else []
        self.provider = aws.Provider(
            f"{name}-provider",
            region=args.region,
            # Chained in order (the provider's assume_role list): the management role if any, then the member
            # role. After CreateAccount the access role is not assumable for some minutes
            # (terraform-provider-aws#15654): the bootstrap in the README waits for it, bounded, before this runs.
            assume_roles=[*chain, aws.ProviderAssumeRoleArgs(role_arn=self.role_arn, session_name=f"pulumi-{name}")],
            # A second guard: the provider refuses to act in any other account than this one.
            allowed_account_ids=[self.account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
            opts=pulumi.ResourceOptions(parent=self))

        self.register_outputs({"account_id": self.account_id})
