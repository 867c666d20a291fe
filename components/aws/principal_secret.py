"""A Databricks principal's OAuth credential in AWS Secrets Manager, where the environment's jobs read it.

`ml-pipelines-<env>` is the identity of the environment's pipelines and dbt (ADR-001). Its OAuth M2M secret is
made by the Databricks layer and stored here, in the environment's member account: one secret under a fixed
name (`ml-platform-<env>/databricks/ml-pipelines`, the name reader policies use), encrypted with a KMS key of its
own, and a resource policy that lets only the named reader roles read it (and the deploying role, which writes it
and reads it back on refresh). The value is JSON `{"host", "client_id", "client_secret"}`; it is a Pulumi secret in
state and never an output. Rotation replaces the Databricks secret (see `service_principal.py`); the version here
follows in the same update.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.patterns import AWS_REGION as _REGION_RE

_SECRET_NAME_RE = re.compile(r"^[a-z0-9][a-z0-9/_+=.@-]{0,510}$")
READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
KEY_READ_ACTIONS = ("kms:Decrypt", "kms:DescribeKey")


@dataclass(frozen=True)
class PrincipalSecretArgs:
    secret_name: str
    """Secrets Manager name, fixed: `ml-platform-<env>/databricks/ml-pipelines` (reader policies name it)."""
    account_id: pulumi.Input[str]
    """The member account: its root administers the key."""
    region: str
    """The account's region (the key may be used only through Secrets Manager there)."""
    value: pulumi.Input[str]
    """The secret's JSON value, a Pulumi secret."""
    administrator_role_arn: pulumi.Input[str]
    """The role Pulumi deploys with in the account: writes the secret, reads it back on refresh."""
    reader_role_arns: Sequence[pulumi.Input[str]] = field(default_factory=tuple)
    """Roles that read the secret (the dbt role). Default none: nobody but the administrator reads it."""
    key_deletion_window_days: int = 30
    """KMS deletion window, 7..30. Default 30."""
    recovery_window_days: int = 7
    """Days a deleted secret can be restored, 7..30 (0 would delete at once and is refused). Default 7."""
    protect: bool = False
    """`protect` on the key and the secret."""
    retain_on_delete: bool = False
    """Keep the key and the secret when the stack is destroyed."""


def validate_principal_secret_args(args: PrincipalSecretArgs) -> None:
    problems: list[str] = []
    if not _SECRET_NAME_RE.fullmatch(args.secret_name):
        problems.append(f"secret_name must be a Secrets Manager name, got {args.secret_name!r}")
    if not _REGION_RE.fullmatch(args.region):
        problems.append(f"region must be an AWS region, got {args.region!r}")
    if not 7 <= args.key_deletion_window_days <= 30:
        problems.append(f"key_deletion_window_days must be 7..30, got {args.key_deletion_window_days}")
    if not 7 <= args.recovery_window_days <= 30:
        problems.append(f"recovery_window_days must be 7..30, got {args.recovery_window_days}")
    if problems:
        raise ValueError("PrincipalSecret: " + "; ".join(problems))


def key_policy(account_id: str, region: str, reader_arns: Sequence[str]) -> str:
    """Root administers the key (the only `kms:*`); readers only decrypt, and only through Secrets Manager."""
    statements: list[dict[str, Any]] = [{
        "Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*", "Resource": "*",  # in a key policy "*" means this key
    }]
    if reader_arns:
        statements.append({
            "Sid": "ReadersDecryptThroughSecretsManager", "Effect": "Allow",
            "Principal": {"AWS": sorted(reader_arns)}, "Action": list(KEY_READ_ACTIONS), "Resource": "*",
            "Condition": {"StringEquals": {"kms:ViaService": f"secretsmanager.{region}.amazonaws.com"}},
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def secret_policy(administrator_arn: str, reader_arns: Sequence[str]) -> str:
    """The named readers may read; every other principal is denied reading, whatever its IAM policies say."""
    allowed = sorted({administrator_arn, *reader_arns})
    statements: list[dict[str, Any]] = [{
        "Sid": "OnlyNamedRolesRead", "Effect": "Deny", "Principal": "*",
        "Action": "secretsmanager:GetSecretValue", "Resource": "*",  # in a secret's policy "*" means this secret
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": allowed}},
    }]
    if reader_arns:
        statements.insert(0, {
            "Sid": "NamedRolesRead", "Effect": "Allow", "Principal": {"AWS": sorted(reader_arns)},
            "Action": list(READ_ACTIONS), "Resource": "*",
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class PrincipalSecret(pulumi.ComponentResource):
    """KMS key + alias, the secret, its current version and its resource policy."""

    arn: pulumi.Output[str]
    """The secret's ARN (readers' IAM policies and pods' secret sync name it)."""
    key_arn: pulumi.Output[str]

    def __init__(self, name: str, args: PrincipalSecretArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_principal_secret_args(args)
        super().__init__("platform:secrets:PrincipalSecret", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete)
        readers = pulumi.Output.all(*args.reader_role_arns)
        key = aws.kms.Key(
            f"{name}-key",
            description=f"Encrypts the secret {args.secret_name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.key_deletion_window_days,
            policy=pulumi.Output.all(args.account_id, readers).apply(
                lambda v: key_policy(v[0], args.region, v[1])),
            opts=stateful)
        aws.kms.Alias(f"{name}-alias", name=f"alias/{args.secret_name.replace('/', '-')}",
                      target_key_id=key.key_id, opts=child)
        secret = aws.secretsmanager.Secret(
            f"{name}-secret", name=args.secret_name, kms_key_id=key.arn,
            description="OAuth M2M credential of a Databricks service principal (managed by Pulumi)",
            recovery_window_in_days=args.recovery_window_days, opts=stateful)
        aws.secretsmanager.SecretVersion(
            f"{name}-version", secret_id=secret.id, secret_string=pulumi.Output.secret(args.value),
            opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["secretString"]))
        aws.secretsmanager.SecretPolicy(
            f"{name}-policy", secret_arn=secret.arn, block_public_policy=True,
            policy=pulumi.Output.all(args.administrator_role_arn, readers).apply(
                lambda v: secret_policy(v[0], v[1])),
            opts=child)
        self.arn = secret.arn
        self.key_arn = key.arn
        self.register_outputs({"arn": secret.arn, "keyArn": key.arn})
