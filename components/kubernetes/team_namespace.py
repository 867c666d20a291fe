"""A team's own execution environment (Data Platform Architecture: each team owns its environment and fails
independently): the namespace `team-<name>` with its quota and policies, and the team's IAM role (IRSA)
limited to `teams/<name>/` of the processed bucket. Everything carries the `team` label or tag: one owner.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from components.aws.pipeline_role import BucketGrant
from components.kubernetes.code_location import login_read_statements
from components.kubernetes.platform_namespace import PlatformNamespace, PlatformNamespaceArgs


@dataclass(frozen=True)
class TeamNamespaceArgs:
    team: str
    """Team name: namespace `team-<name>`, service account `<name>`, S3 prefix `teams/<name>/`."""
    namespace: PlatformNamespaceArgs
    """The namespace's quota, egress and RBAC; its name must be `team-<team>`."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider, trusted by the team role."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer without `https://` (the trust condition's key prefix)."""
    bucket_arn: pulumi.Input[str]
    """ARN of the processed bucket the team's prefix lives in."""
    key_arn: pulumi.Input[str]
    """ARN of the KMS key encrypting that bucket."""
    compute_logs: BucketGrant | None = None
    """The bucket (and key) Dagster's compute logs go to: the team's run pods upload theirs under
    `compute_logs_prefix` (PutObject only; the control plane reads them). Default None: no grant."""
    compute_logs_prefix: str = "dagster/compute-logs/"
    """Key prefix of the compute logs, ending in `/`."""
    database_login_arn: pulumi.Input[str] | None = None
    """Secrets Manager ARN of the `dagster` database login, read when the team's runs reach the database (its
    SecretStore authenticates as this role). Default None: the role reads no secret."""
    database_key_arn: pulumi.Input[str] | None = None
    """The database's KMS key, which encrypts that login. Required with `database_login_arn`."""


def validate_team_namespace_args(args: TeamNamespaceArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if args.namespace.namespace != f"team-{args.team}":
        problems.append(f"namespace.namespace must be 'team-{args.team}', got {args.namespace.namespace!r}")
    if args.namespace.labels.get("team") != args.team:
        problems.append(f"namespace.labels.team must be {args.team!r}, got {args.namespace.labels.get('team')!r}")
    if (args.database_login_arn is None) != (args.database_key_arn is None):
        problems.append("database_login_arn and database_key_arn must be set together")
    prefix = args.compute_logs_prefix
    if not prefix.endswith("/") or prefix.startswith("/") or "*" in prefix:
        problems.append(f"compute_logs_prefix must be a relative prefix ending in '/', got {prefix!r}")
    if set(args.namespace.service_accounts):
        problems.append(f"namespace.service_accounts must be empty (the team's own is added), got "
                        f"{sorted(args.namespace.service_accounts)}")
    if problems:
        raise ValueError("; ".join(problems))


def team_policy(team: str, bucket_arn: str, key_arn: str) -> str:
    """Read and write under `teams/<team>/` only, and use the bucket's key only through S3."""
    prefix = f"teams/{team}/"
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ListOwnPrefix", "Effect": "Allow", "Action": "s3:ListBucket", "Resource": bucket_arn,
         "Condition": {"StringLike": {"s3:prefix": [f"{prefix}*"]}}},
        {"Sid": "ReadWriteOwnPrefix", "Effect": "Allow",
         "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": f"{bucket_arn}/{prefix}*"},
        {"Sid": "UseBucketKeyViaS3", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
         "Resource": key_arn, "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}},
    ]})


def dagster_runs_policy(bucket_arn: str | None, key_arn: str | None, prefix: str, login_arn: str | None,
                        login_key_arn: str | None) -> str:
    """What the team's Dagster run pods need beyond the team's prefix: upload compute logs (PutObject only, never
    read or list, so no team reads another's logs) and, if its runs reach the database, read the `dagster`
    login that its namespace's SecretStore syncs."""
    statements: list[dict[str, object]] = []
    if bucket_arn and key_arn:
        statements += [
            {"Sid": "UploadComputeLogs", "Effect": "Allow", "Action": ["s3:PutObject", "s3:AbortMultipartUpload"],
             "Resource": f"{bucket_arn}/{prefix}*"},
            {"Sid": "EncryptComputeLogsViaS3", "Effect": "Allow", "Action": ["kms:Decrypt", "kms:GenerateDataKey"],
             "Resource": key_arn, "Condition": {"StringLike": {"kms:ViaService": "s3.*.amazonaws.com"}}}]
    if login_arn and login_key_arn:
        statements += login_read_statements(login_arn, login_key_arn)
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def trust_policy(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """Only the one service account of the team's namespace may assume the role, with the STS audience."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
                                       f"{issuer}:aud": "sts.amazonaws.com"}}}]})


class TeamNamespace(pulumi.ComponentResource):
    """The team's namespace and IRSA role; `.role_arn` is what the team's service account assumes."""

    role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: TeamNamespaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_team_namespace_args(args)
        super().__init__("platform:kubernetes:TeamNamespace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        namespace = args.namespace.namespace
        tags = {"team": args.team}

        role = aws.iam.Role(
            f"{name}-role", name=f"{name}-irsa",
            description=f"IRSA role of team {args.team}: its prefix of the processed bucket only",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: trust_policy(str(v[0]), str(v[1]), namespace, args.team)),
            max_session_duration=3600, tags=tags, opts=child)
        aws.iam.RolePolicy(
            f"{name}-prefix-access", role=role.id,
            policy=pulumi.Output.all(args.bucket_arn, args.key_arn).apply(
                lambda v: team_policy(args.team, str(v[0]), str(v[1]))),
            opts=child)
        if args.compute_logs is not None or args.database_login_arn is not None:
            grant = args.compute_logs
            aws.iam.RolePolicy(
                f"{name}-dagster-runs", role=role.id,
                policy=pulumi.Output.all(grant.bucket_arn if grant else None, grant.key_arn if grant else None,
                                         args.database_login_arn, args.database_key_arn).apply(
                    lambda v: dagster_runs_policy(v[0], v[1], args.compute_logs_prefix, v[2], v[3])),
                opts=child)
        self.role_arn = role.arn

        self.namespace = PlatformNamespace(
            f"{name}-namespace",
            replace(args.namespace, service_accounts={args.team: role.arn}),
            opts=child)
        self.register_outputs({"role_arn": self.role_arn, "namespace": self.namespace.namespace})
