"""One data store: an S3 bucket and the KMS key that encrypts it, safe by default.

Public access off in all four ways, owner-enforced objects, SSE-KMS with a bucket key, TLS-only access, a
bucket policy that refuses any upload encrypted otherwise, access logs to the logs store, and optional
versioning with noncurrent versions expired after the backup retention. The key policy gives
administration to the account root only and use only to the roles named.

The logs store itself is the one exception to SSE-KMS: S3 server access logging delivers only to target
buckets whose default encryption is SSE-S3 (AES256), so `log_delivery_target=True` makes an SSE-S3 bucket
without a key, whose policy admits the S3 logging service from this account only.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

_NAME_PREFIX_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,35}$")  # bucket_prefix allows at most 37 characters
KEY_USE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt")
LOG_DELIVERY_SERVICE = "logging.s3.amazonaws.com"


@dataclass(frozen=True)
class EncryptedBucketArgs:
    name_prefix: str
    """Readable start of the bucket name (`ml-platform-prod-raw`); AWS appends a unique suffix."""
    account_id: pulumi.Input[str]
    """The member account: its root administers the key; log delivery is admitted only from it."""
    key_user_role_arns: Sequence[pulumi.Input[str]] = ()
    """Roles that may use the key (Decrypt, GenerateDataKey, Encrypt). Default none: only the root."""
    access_log_bucket: pulumi.Input[str] | None = None
    """Name of the bucket that receives this bucket's access logs (prefix `<name_prefix>/`). Required
    unless `log_delivery_target`."""
    versioning: bool = False
    """Keep object versions. Default False. Must be True when `noncurrent_version_retention_days` > 0."""
    noncurrent_version_retention_days: int = 0
    """Days a noncurrent version is kept before it expires (the backup retention). Default 0: no rule."""
    key_deletion_window_days: int = 30
    """Days a deleted key waits before it is destroyed, 7..30. Default 30."""
    protect: bool = True
    """`protect` on the bucket and key. Default True."""
    retain_on_delete: bool = True
    """Keep the bucket and key in AWS when removed from the stack. Default True."""
    force_destroy: bool = False
    """Loosening, named: let `pulumi destroy` delete a non-empty bucket. Default False; conflicts with
    `protect`."""
    log_delivery_target: bool = False
    """This is the logs store: SSE-S3 (what S3 access logging requires), no key, admits log delivery."""
    tags: dict[str, str] = field(default_factory=dict)
    """Extra tags (the provider adds the stack's default tags)."""


def validate_encrypted_bucket_args(args: EncryptedBucketArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if not _NAME_PREFIX_RE.match(args.name_prefix):
        problems.append(f"name_prefix must be 2-36 lowercase letters, digits or hyphens, got {args.name_prefix!r}")
    if not 7 <= args.key_deletion_window_days <= 30:
        problems.append(f"key_deletion_window_days must be between 7 and 30, got {args.key_deletion_window_days}")
    if args.noncurrent_version_retention_days < 0:
        problems.append(f"noncurrent_version_retention_days must be >= 0, got "
                        f"{args.noncurrent_version_retention_days}")
    if args.noncurrent_version_retention_days > 0 and not args.versioning:
        problems.append("noncurrent_version_retention_days needs versioning=True")
    if args.force_destroy and args.protect:
        problems.append("force_destroy conflicts with protect=True")
    if args.access_log_bucket is None and not args.log_delivery_target:
        problems.append("access_log_bucket is required (every store logs its access)")
    if args.log_delivery_target and args.key_user_role_arns:
        problems.append("key_user_role_arns must be empty for the log delivery target (it has no key)")
    if problems:
        raise ValueError("EncryptedBucket: " + "; ".join(problems))


def key_policy(account_id: str, user_role_arns: Sequence[str]) -> str:
    """Root administers the key (the only `kms:*`); the named roles may only use it."""
    statements: list[dict[str, Any]] = [{
        "Sid": "RootAdministersTheKey",
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*",
        "Resource": "*",  # in a key policy "*" means this key
    }]
    if user_role_arns:
        statements.append({
            "Sid": "NamedRolesUseTheKey",
            "Effect": "Allow",
            "Principal": {"AWS": sorted(user_role_arns)},
            "Action": list(KEY_USE_ACTIONS),
            "Resource": "*",
        })
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def _deny_insecure_transport(bucket_arn: str) -> dict[str, Any]:
    return {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": "s3:*",
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }


def bucket_policy(bucket_arn: str, key_arn: str) -> str:
    """TLS only; uploads only SSE-KMS with this key (a request without headers gets the default, this key)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        _deny_insecure_transport(bucket_arn),
        {
            "Sid": "DenyPutNotSseKms",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}},
        },
        {
            "Sid": "DenyPutWithAnotherKey",
            "Effect": "Deny",
            "Principal": "*",
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": {"StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}},
        },
    ]})


def log_bucket_policy(bucket_arn: str, account_id: str) -> str:
    """TLS only; the S3 logging service may write logs, and only for buckets of this account."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        _deny_insecure_transport(bucket_arn),
        {
            "Sid": "S3LogDeliveryFromThisAccount",
            "Effect": "Allow",
            "Principal": {"Service": LOG_DELIVERY_SERVICE},
            "Action": "s3:PutObject",
            "Resource": f"{bucket_arn}/*",
            "Condition": {"StringEquals": {"aws:SourceAccount": account_id}},
        },
    ]})


class EncryptedBucket(pulumi.ComponentResource):
    """A bucket with its key (`bucket_name`, `bucket_arn`, `key_arn`; `key_arn` is None for the logs store)."""

    bucket: aws.s3.Bucket
    key: aws.kms.Key | None
    bucket_name: pulumi.Output[str]
    bucket_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str] | None

    def __init__(self, name: str, args: EncryptedBucketArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_encrypted_bucket_args(args)
        super().__init__("platform:storage:EncryptedBucket", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete)
        account_id = pulumi.Output.from_input(args.account_id)

        self.key = None
        self.key_arn = None
        if not args.log_delivery_target:
            self.key = aws.kms.Key(
                f"{name}-key",
                description=f"Encrypts the {args.name_prefix} bucket",
                enable_key_rotation=True,
                deletion_window_in_days=args.key_deletion_window_days,
                policy=pulumi.Output.all(account_id, *args.key_user_role_arns).apply(
                    lambda values: key_policy(values[0], values[1:])),
                tags=args.tags,
                opts=stateful)
            aws.kms.Alias(f"{name}-alias", name=f"alias/{args.name_prefix}", target_key_id=self.key.key_id,
                          opts=child)
            self.key_arn = self.key.arn

        self.bucket = aws.s3.Bucket(
            f"{name}-bucket", bucket_prefix=f"{args.name_prefix}-", force_destroy=args.force_destroy,
            tags=args.tags, opts=stateful)
        self.bucket_name = self.bucket.bucket
        self.bucket_arn = self.bucket.arn
        bucket = self.bucket.id

        block = aws.s3.BucketPublicAccessBlock(
            f"{name}-public-access-block", bucket=bucket, block_public_acls=True, block_public_policy=True,
            ignore_public_acls=True, restrict_public_buckets=True, opts=child)
        aws.s3.BucketOwnershipControls(
            f"{name}-ownership", bucket=bucket, rule={"object_ownership": "BucketOwnerEnforced"}, opts=child)
        if self.key is not None:
            by_default: Any = {"sse_algorithm": "aws:kms", "kms_master_key_id": self.key.arn}
        else:
            by_default = {"sse_algorithm": "AES256"}
        aws.s3.BucketServerSideEncryptionConfiguration(
            f"{name}-encryption", bucket=bucket,
            rules=[{"apply_server_side_encryption_by_default": by_default, "bucket_key_enabled": True}], opts=child)

        versioning = None
        if args.versioning:
            versioning = aws.s3.BucketVersioning(
                f"{name}-versioning", bucket=bucket, versioning_configuration={"status": "Enabled"}, opts=child)
        rules: list[Any] = [{"id": "abort-incomplete-uploads", "status": "Enabled", "filter": {},
                             "abort_incomplete_multipart_upload": {"days_after_initiation": 7}}]
        if args.noncurrent_version_retention_days > 0:
            rules.append({"id": "expire-noncurrent-versions", "status": "Enabled", "filter": {},
                          "noncurrent_version_expiration": {
                              "noncurrent_days": args.noncurrent_version_retention_days}})
        aws.s3.BucketLifecycleConfiguration(
            f"{name}-lifecycle", bucket=bucket, rules=rules,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[versioning] if versioning else []))

        if args.access_log_bucket is not None:
            aws.s3.BucketLogging(f"{name}-logging", bucket=bucket, target_bucket=args.access_log_bucket,
                                 target_prefix=f"{args.name_prefix}/", opts=child)

        if self.key is not None:
            policy = pulumi.Output.all(self.bucket.arn, self.key.arn).apply(lambda v: bucket_policy(v[0], v[1]))
        else:
            policy = pulumi.Output.all(self.bucket.arn, account_id).apply(lambda v: log_bucket_policy(v[0], v[1]))
        # After the public access block, so that AWS never evaluates the policy on an unguarded bucket.
        aws.s3.BucketPolicy(f"{name}-policy", bucket=bucket, policy=policy,
                            opts=pulumi.ResourceOptions(parent=self, depends_on=[block]))

        self.register_outputs({"bucket_name": self.bucket_name, "bucket_arn": self.bucket_arn,
                               "key_arn": self.key_arn})
