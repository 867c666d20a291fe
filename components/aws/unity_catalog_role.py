"""The IAM role a Unity Catalog storage credential uses to reach the environment's processed store.

The storage trust loop, as the Databricks provider's Unity Catalog guide builds it: the role's ARN is known
before the role exists (`role_arn_for`: account id + name), the storage credential is created with that
string, and the role's trust requires the external id the credential then reports
(`aws_iam_role.external_id`). Databricks generates that id unless an account admin creates the credential,
so the account id is never assumed. Two statements, as `databricks_aws_unity_catalog_assume_role_policy`
emits them: Unity Catalog's master role with the external id, and the role itself (self-assumption, which
Unity Catalog requires); a role cannot name itself before it exists, so the self-trust goes through the
account root narrowed by `aws:PrincipalArn`. Created before the buckets (the processed key's policy names
it); `grant` attaches its access once the bucket exists and returns the policy, which whoever validates the
credential (the external location) must wait for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import patterns
from components.aws.pipeline_role import BucketGrant

UNITY_CATALOG_STORE = "processed"
"""The store whose bucket the storage credential reaches (ADR-001: catalogs keep their data there)."""
UC_MASTER_ROLE_ARN = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"
# What Databricks documents for a storage credential's role on its bucket.
OBJECT_ACTIONS = ("s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload",
                  "s3:ListMultipartUploadParts")
BUCKET_ACTIONS = ("s3:ListBucket", "s3:GetBucketLocation", "s3:ListBucketMultipartUploads")
KMS_ACTIONS = ("kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey")


@dataclass(frozen=True)
class UnityCatalogRoleArgs:
    role_name: str
    """IAM role name, stable (`ml-platform-<env>-unity-catalog`)."""
    account_id: pulumi.Input[str]
    """The member account the role lives in (for its own ARN in the self-trust)."""
    external_id: pulumi.Input[str]
    """The storage credential's `aws_iam_role.external_id`: what Unity Catalog presents as `sts:ExternalId`."""
    uc_master_role_arn: str = UC_MASTER_ROLE_ARN
    """Databricks' Unity Catalog master role. Default: the AWS commercial one."""


def validate_unity_catalog_role_args(args: UnityCatalogRoleArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if not patterns.IAM_ROLE_NAME.match(args.role_name):
        problems.append(f"role_name must be an IAM role name, got {args.role_name!r}")
    if not re.match(r"^arn:aws:iam::\d{12}:role/.+$", args.uc_master_role_arn):
        problems.append(f"uc_master_role_arn must be an IAM role ARN, got {args.uc_master_role_arn!r}")
    if problems:
        raise ValueError("UnityCatalogRole: " + "; ".join(problems))


def role_arn_for(account_id: str, role_name: str) -> str:
    """The role's ARN before it exists: what the storage credential is created with (no cycle through the role)."""
    return f"arn:aws:iam::{account_id}:role/{role_name}"


def trust_policy(uc_master_role_arn: str, external_id: str, account_id: str, role_name: str) -> str:
    if not external_id:
        # The credential always reports one once created; an empty id would trust any caller of the master role.
        raise ValueError(f"UnityCatalogRole {role_name}: the storage credential reported no external id")
    own_arn = role_arn_for(account_id, role_name)
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {
            "Sid": "UnityCatalogMasterRole",
            "Effect": "Allow",
            "Principal": {"AWS": uc_master_role_arn},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": external_id}},
        },
        {
            "Sid": "SelfAssumption",
            "Effect": "Allow",
            "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
            "Action": "sts:AssumeRole",
            "Condition": {"StringEquals": {"sts:ExternalId": external_id},
                          "ArnEquals": {"aws:PrincipalArn": own_arn}},
        },
    ]})


def access_policy(bucket_arn: str, key_arn: str, own_arn: str) -> str:
    statements: list[dict[str, Any]] = [
        {"Sid": "Objects", "Effect": "Allow", "Action": list(OBJECT_ACTIONS), "Resource": f"{bucket_arn}/*"},
        {"Sid": "Bucket", "Effect": "Allow", "Action": list(BUCKET_ACTIONS), "Resource": bucket_arn},
        {"Sid": "Key", "Effect": "Allow", "Action": list(KMS_ACTIONS), "Resource": key_arn},
        {"Sid": "SelfAssume", "Effect": "Allow", "Action": "sts:AssumeRole", "Resource": own_arn},
    ]
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class UnityCatalogRole(pulumi.ComponentResource):
    """The storage credential's role (`role_arn`, `role_name`); call `grant` once the bucket exists."""

    role: aws.iam.Role
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    expected_arn: pulumi.Output[str]
    """`arn:aws:iam::<account>:role/<name>`, from the arguments only: what the storage credential names (using
    `role_arn` there would make the credential wait for the role, whose trust waits for the credential)."""

    def __init__(self, name: str, args: UnityCatalogRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_unity_catalog_role_args(args)
        super().__init__("platform:iam:UnityCatalogRole", name, None, opts)
        self._name = name
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Unity Catalog storage credential for the processed store",
            assume_role_policy=pulumi.Output.all(args.account_id, args.external_id).apply(
                lambda v: trust_policy(args.uc_master_role_arn, v[1], v[0], args.role_name)),
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self))
        self.role_arn = self.role.arn
        self.role_name = self.role.name
        self.expected_arn = pulumi.Output.from_input(args.account_id).apply(
            lambda account_id: role_arn_for(account_id, args.role_name))
        self.register_outputs({"role_arn": self.role_arn})

    def grant(self, store: BucketGrant) -> aws.iam.RolePolicy:
        """Attach read/write on the store's bucket and use of its key (and self-assumption); Unity Catalog's
        validation of the credential needs this policy in place, so callers hand it on (`depends_on`)."""
        return aws.iam.RolePolicy(
            f"{self._name}-access", role=self.role.id,
            policy=pulumi.Output.all(store.bucket_arn, store.key_arn, self.role.arn).apply(
                lambda v: access_policy(v[0], v[1], v[2])),
            opts=pulumi.ResourceOptions(parent=self))
