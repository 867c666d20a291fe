"""The identities CI uses in a member account: GitHub's OIDC provider and two roles, no long-lived keys.

`preview` (read-only) is for pull-request workflows of the repository; `deploy` only for jobs running in
the environment's GitHub environment, whose deployment-branch rule admits only `main`. Both trusts pin the
token's `aud` and `sub` exactly (StringEquals, no wildcards).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.patterns import GITHUB_REPOSITORY as _REPO_RE

GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"
GITHUB_AUDIENCE = "sts.amazonaws.com"
# Deploying creates IAM, KMS, S3, EKS and more: in practice administration of the member account, which
# is the blast radius ADR-033 chose (one account per environment). Reading is AWS's read-only set.
DEPLOY_POLICY_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
PREVIEW_POLICY_ARN = "arn:aws:iam::aws:policy/ReadOnlyAccess"
# ReadOnlyAccess would let a pull request read the stores' data and the account's secrets; a preview needs
# neither. The denial is scoped to the stores (bucket names and key aliases start with the data prefix) so
# that the Pulumi state bucket and its secrets key, which a preview must read, stay reachable.
PREVIEW_DENIED_OBJECT_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
PREVIEW_DENIED_SECRET_ACTIONS = ("secretsmanager:GetSecretValue",)
_ENV_RE = re.compile(r"^[a-z][a-z0-9-]{0,30}$")


def preview_subjects(repository: str) -> list[str]:
    """The `sub` of a pull-request workflow's token, and of a scheduled (drift) run on the default branch
    (GitHub's default subject templates). Both only read."""
    return [f"repo:{repository}:pull_request", f"repo:{repository}:ref:refs/heads/main"]


def deploy_subject(repository: str, github_environment: str) -> str:
    """The `sub` of a job that runs in a GitHub environment (GitHub's default subject template)."""
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
    data_name_prefix: str
    """Start of every data store's bucket name and key alias (`ml-platform-prod-`): preview may not read
    their objects or decrypt with their keys."""
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
    if not re.match(r"^[a-z0-9][a-z0-9-]{1,40}-$", args.data_name_prefix):
        problems.append(f"data_name_prefix must be lowercase letters, digits and hyphens ending in '-', got "
                        f"{args.data_name_prefix!r}")
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


class CiIdentities(pulumi.ComponentResource):
    """GitHub OIDC provider plus `preview_role` (read-only) and `deploy_role`."""

    oidc_provider: aws.iam.OpenIdConnectProvider
    preview_role: aws.iam.Role
    deploy_role: aws.iam.Role

    def __init__(self, name: str, args: CiIdentitiesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_ci_identities_args(args)
        super().__init__("platform:aws:CiIdentities", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # No thumbprint: AWS validates GitHub's certificate through its own trust store.
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-github-oidc", url=f"https://{GITHUB_OIDC_HOST}", client_id_lists=[GITHUB_AUDIENCE], opts=child)

        def role(kind: str, subject: str | list[str], policy_arn: str) -> aws.iam.Role:
            created = aws.iam.Role(
                f"{name}-ci-{kind}",
                name=role_name(args.role_name_prefix, kind),
                description=f"GitHub Actions {kind} of {args.repository}",
                assume_role_policy=self.oidc_provider.arn.apply(lambda arn: github_trust_policy(arn, subject)),
                max_session_duration=args.max_session_seconds,
                opts=child)
            aws.iam.RolePolicyAttachment(f"{name}-ci-{kind}-managed", role=created.name, policy_arn=policy_arn,
                                         opts=pulumi.ResourceOptions(parent=created))
            return created

        self.preview_role = role("preview", preview_subjects(args.repository), PREVIEW_POLICY_ARN)
        aws.iam.RolePolicy(
            f"{name}-ci-preview-no-data",
            role=self.preview_role.name,
            policy=preview_data_denial(args.data_name_prefix),
            opts=pulumi.ResourceOptions(parent=self.preview_role))
        self.deploy_role = role("deploy", deploy_subject(args.repository, args.github_environment),
                                DEPLOY_POLICY_ARN)
        self.register_outputs({"preview_role_arn": self.preview_role.arn, "deploy_role_arn": self.deploy_role.arn})
