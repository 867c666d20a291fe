"""The identities CI uses, in the management account: two GitHub OIDC roles per environment, no long-lived keys.

They live where they can reach everything a stack touches: Organizations (the member account is a management
account resource) and, through one `sts:AssumeRole`, the member account. `deploy` is trusted only by jobs in
the environment's GitHub environment (whose deployment-branch rule admits only `main`) and may assume the
member account's access role; `preview` is trusted by pull requests and by `main` (drift) and may assume only
the member account's read-only previewer role. Both trusts pin the token's `aud` and `sub` exactly.

GitHub's OIDC provider can exist once per account, and three stacks share the management account: it is a
bootstrap prerequisite that every stack reads (`aws.iam.get_open_id_connect_provider`), never creates.

Neither role may change IAM in the management account, not even itself: a role that can edit its own policy
holds every permission. Changes to these roles are applied by a person with the bootstrap credentials.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.patterns import GITHUB_REPOSITORY as _REPO_RE
from components.patterns import IAM_ROLE_NAME as _ROLE_NAME_RE

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_OIDC_URL = f"https://{GITHUB_OIDC_HOST}"
GITHUB_AUDIENCE = "sts.amazonaws.com"
_ENV_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")
_ROLE_ARN_RE = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/.+$")
_KMS_KEY_ARN_RE = re.compile(r"^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key/[0-9a-f-]{36}$")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
# What reading a stack's resources needs of the CI roles themselves (they are in the plan): refresh and diff.
IAM_READ_ACTIONS = ("iam:GetRole", "iam:GetRolePolicy", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
                    "iam:ListRoleTags")
# What `aws.organizations.Account` reads on every refresh.
ORGANIZATIONS_READ_ACTIONS = ("organizations:DescribeAccount", "organizations:ListParents",
                              "organizations:ListTagsForResource")


def preview_subjects(repository: str) -> list[str]:
    """The `sub` of a pull-request workflow's token, and of a scheduled (drift) run on the default branch
    (GitHub's default subject templates). Both only read."""
    return [f"repo:{repository}:pull_request", f"repo:{repository}:ref:refs/heads/main"]


def deploy_subject(repository: str, github_environment: str) -> str:
    """The `sub` of a job that runs in a GitHub environment (GitHub's default subject template: the branch is
    not in it; the environment's deployment-branch rule admits only `main`)."""
    return f"repo:{repository}:environment:{github_environment}"


def role_name(prefix: str, kind: str) -> str:
    """Stable role names that workflows reference: `<prefix>-ci-preview`, `<prefix>-ci-deploy`."""
    return f"{prefix}-ci-{kind}"


@dataclass(frozen=True)
class CiIdentitiesArgs:
    repository: str
    """`owner/name` of the GitHub repository whose workflows may assume the roles."""
    github_environment: str
    """GitHub environment (e.g. `prod`) whose jobs may deploy; its branch rule must admit only `main`."""
    role_name_prefix: str
    """Prefix of the role names, e.g. `ml-platform-prod`; names are stable because workflows use them."""
    account_id: pulumi.Input[str]
    """The environment's member account: the only account either role may reach."""
    access_role_name: str
    """The member account's access role (OrganizationAccountAccessRole) that deploy may assume."""
    previewer_role_name: str
    """The member account's read-only role that preview may assume."""
    region: str
    """Region of the Secrets Manager secrets (the stack's region)."""
    state_bucket: str
    """The Pulumi state bucket: preview reads it (and writes only lock files), deploy reads and writes it."""
    state_secrets_key_arn: str
    """KMS key of the stacks' secrets provider: preview decrypts, deploy encrypts and decrypts."""
    creates_account: bool = False
    """The stack creates the member account: deploy may call CreateAccount, only with this environment's
    tags. Default False (adopted account: no CreateAccount at all)."""
    required_tags: Mapping[str, str] = field(default_factory=dict)
    """Tags a CreateAccount request must carry (the management provider's default tags)."""
    management_role_arn: str | None = None
    """A role in the management account the deploy run chains through (`account.managementRoleArn`)."""
    secret_names: Mapping[str, str] = field(default_factory=dict)
    """`deploy`/`preview` -> name of the Secrets Manager secret (management account) that role alone may read."""
    max_session_seconds: int = 3600
    """Session length of both roles. Default one hour; 900..43200."""


def validate_ci_identities_args(args: CiIdentitiesArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if not _REPO_RE.match(args.repository):
        problems.append(f"repository must be 'owner/name', got {args.repository!r}")
    if not _ENV_RE.match(args.github_environment):
        problems.append(f"github_environment must be a plain name like 'prod', got {args.github_environment!r}")
    if not re.match(r"^[\w+=,.@-]{1,54}$", args.role_name_prefix):
        problems.append(f"role_name_prefix must be an IAM name of at most 54 characters, got "
                        f"{args.role_name_prefix!r}")
    for what, value in (("access_role_name", args.access_role_name),
                        ("previewer_role_name", args.previewer_role_name)):
        if not _ROLE_NAME_RE.match(value):
            problems.append(f"{what} must be an IAM role name, got {value!r}")
    if not _BUCKET_RE.match(args.state_bucket):
        problems.append(f"state_bucket must be an S3 bucket name, got {args.state_bucket!r}")
    if not _KMS_KEY_ARN_RE.match(args.state_secrets_key_arn):
        problems.append(f"state_secrets_key_arn must be a KMS key ARN, got {args.state_secrets_key_arn!r}")
    if args.management_role_arn is not None and not _ROLE_ARN_RE.match(args.management_role_arn):
        problems.append(f"management_role_arn must be an IAM role ARN, got {args.management_role_arn!r}")
    if set(args.secret_names) - {"deploy", "preview"}:
        problems.append(f"secret_names keys must be 'deploy' and 'preview', got {sorted(args.secret_names)}")
    if args.creates_account and not args.required_tags:
        problems.append("required_tags must not be empty when creates_account (CreateAccount is scoped by them)")
    if not 900 <= args.max_session_seconds <= 43200:
        problems.append(f"max_session_seconds must be between 900 and 43200, got {args.max_session_seconds}")
    if problems:
        raise ValueError("CiIdentities: " + "; ".join(problems))


def github_trust_policy(provider_arn: str, subject: str | list[str]) -> str:
    """Trust for GitHub's OIDC tokens of exactly these subjects (a list is any of them) and the STS audience."""
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{
            "Effect": "Allow",
            "Principal": {"Federated": provider_arn},
            "Action": "sts:AssumeRoleWithWebIdentity",
            "Condition": {"StringEquals": {
                f"{GITHUB_OIDC_HOST}:aud": GITHUB_AUDIENCE,
                f"{GITHUB_OIDC_HOST}:sub": subject,
            }},
        }],
    })


def _state_statements(args: CiIdentitiesArgs, kind: str) -> list[dict]:
    bucket = f"arn:aws:s3:::{args.state_bucket}"
    statements: list[dict] = [{"Sid": "StateList", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket}]
    if kind == "deploy":
        statements += [
            {"Sid": "StateReadWrite", "Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
             "Resource": f"{bucket}/*"},
            {"Sid": "StateSecrets", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
             "Resource": args.state_secrets_key_arn}]
    else:
        # A preview reads the checkpoint; the S3 backend also writes (and removes) its lock file.
        statements += [
            {"Sid": "StateRead", "Effect": "Allow", "Action": "s3:GetObject", "Resource": f"{bucket}/*"},
            {"Sid": "StateLocks", "Effect": "Allow", "Action": ["s3:PutObject", "s3:DeleteObject"],
             "Resource": f"{bucket}/.pulumi/locks/*"},
            {"Sid": "StateSecrets", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": args.state_secrets_key_arn}]
    return statements


def ci_role_policy(args: CiIdentitiesArgs, kind: str, management_account_id: str, member_account_id: str,
                   oidc_provider_arn: str) -> str:
    """The identity policy of the `deploy` or `preview` role: one member account, one role in it, the state."""
    account_arn = f"arn:aws:organizations::{management_account_id}:account/o-*/{member_account_id}"
    member_role = args.access_role_name if kind == "deploy" else args.previewer_role_name
    own_roles = f"arn:aws:iam::{management_account_id}:role/{args.role_name_prefix}-ci-*"
    statements: list[dict] = [
        {"Sid": "IntoTheMemberAccount", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Resource": f"arn:aws:iam::{member_account_id}:role/{member_role}"},
        {"Sid": "ReadTheAccount", "Effect": "Allow", "Action": list(ORGANIZATIONS_READ_ACTIONS),
         "Resource": account_arn},
        {"Sid": "ReadOwnIdentities", "Effect": "Allow", "Action": list(IAM_READ_ACTIONS), "Resource": own_roles},
        {"Sid": "ReadGitHubProvider", "Effect": "Allow", "Action": "iam:GetOpenIDConnectProvider",
         "Resource": oidc_provider_arn},
        # The lookup by URL lists the account's providers first; listing has no resource-level permission.
        {"Sid": "FindGitHubProvider", "Effect": "Allow", "Action": "iam:ListOpenIDConnectProviders", "Resource": "*"},
    ]
    if kind == "deploy":
        statements.append({"Sid": "TagTheAccount", "Effect": "Allow",
                           "Action": ["organizations:TagResource", "organizations:UntagResource"],
                           "Resource": account_arn})
        if args.creates_account:
            # CreateAccount has no resource-level permission: it is scoped by the tags the request carries
            # (the management provider's default tags name this environment).
            statements.append({"Sid": "CreateOnlyThisEnvironmentsAccount", "Effect": "Allow",
                               "Action": "organizations:CreateAccount", "Resource": "*", "Condition": {
                                   "StringEquals": {f"aws:RequestTag/{k}": v for k, v in
                                                    sorted(args.required_tags.items())},
                                   "ForAllValues:StringEquals": {"aws:TagKeys": sorted(args.required_tags)}}})
            statements.append({"Sid": "WatchTheCreation", "Effect": "Allow",
                               "Action": "organizations:DescribeCreateAccountStatus", "Resource": "*"})
        if args.management_role_arn:
            statements.append({"Sid": "ChainThroughManagementRole", "Effect": "Allow", "Action": "sts:AssumeRole",
                               "Resource": args.management_role_arn})
    if kind in args.secret_names:
        statements.append({"Sid": "DatabricksCredential", "Effect": "Allow", "Action": "secretsmanager:GetSecretValue",
                           "Resource": f"arn:aws:secretsmanager:{args.region}:{management_account_id}:secret:"
                                       f"{args.secret_names[kind]}-??????"})
    statements += _state_statements(args, kind)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class CiIdentities(pulumi.ComponentResource):
    """`preview_role` (read-only) and `deploy_role`, in the account of the provider passed in (management)."""

    oidc_provider_arn: pulumi.Output[str]
    preview_role: aws.iam.Role
    deploy_role: aws.iam.Role

    def __init__(self, name: str, args: CiIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_ci_identities_args(args)
        super().__init__("platform:aws:CiIdentities", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOutputOptions(parent=self)
        # A bootstrap prerequisite (README, "Set up once"): one per account, shared by every stack.
        self.oidc_provider_arn = aws.iam.get_open_id_connect_provider_output(url=GITHUB_OIDC_URL, opts=invoke).arn
        management_account_id = aws.get_caller_identity_output(opts=invoke).account_id

        def role(kind: str, subject: str | list[str]) -> aws.iam.Role:
            created = aws.iam.Role(
                f"{name}-ci-{kind}",
                name=role_name(args.role_name_prefix, kind),
                description=f"GitHub Actions {kind} of {args.repository}",
                assume_role_policy=self.oidc_provider_arn.apply(lambda arn: github_trust_policy(arn, subject)),
                max_session_duration=args.max_session_seconds,
                opts=child)
            aws.iam.RolePolicy(
                f"{name}-ci-{kind}-access",
                role=created.name,
                policy=pulumi.Output.all(management_account_id, args.account_id, self.oidc_provider_arn).apply(
                    lambda v: ci_role_policy(args, kind, v[0], v[1], v[2])),
                opts=pulumi.ResourceOptions(parent=created))
            return created

        self.preview_role = role("preview", preview_subjects(args.repository))
        self.deploy_role = role("deploy", deploy_subject(args.repository, args.github_environment))
        self.register_outputs({"preview_role_arn": self.preview_role.arn, "deploy_role_arn": self.deploy_role.arn})
