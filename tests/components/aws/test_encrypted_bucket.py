"""The data stores as planned: every bucket has its five protections, its own key with a narrow policy,
versioning and retention as the Design Appendix sets them per environment, and prod keeps them all."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws.encrypted_bucket import EncryptedBucketArgs, validate_encrypted_bucket_args
from preflight.harness import Plan, reveal
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

# The README's AWS data row: buckets raw, processed, artifacts, enriched (each with its own KMS key) and logs.
DATA_STORES = ("raw", "processed", "artifacts", "enriched")
LOG_STORE = "logs"
STORES = (*DATA_STORES, LOG_STORE)
RETENTION = {"dev": 0, "staging": 7, "prod": 30}
S3 = "aws:s3/"


def child(plan: Plan, type_: str, name: str) -> dict[str, Any]:
    return reveal(plan.one(type_, name=name).inputs)


def bucket_id(plan: Plan, stack: str, store: str) -> str:
    return plan.one(f"{S3}bucket:Bucket", name=f"{stack}-{store}-bucket").id


def policy(plan: Plan, stack: str, store: str) -> dict[str, Any]:
    return json.loads(child(plan, f"{S3}bucketPolicy:BucketPolicy", f"{stack}-{store}-policy")["policy"])


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("store", STORES)
def test_every_bucket_blocks_public_access_enforces_ownership_and_tls(stack: str, store: str) -> None:
    plan = preflight_plan(stack)
    bucket = bucket_id(plan, stack, store)
    block = child(plan, f"{S3}bucketPublicAccessBlock:BucketPublicAccessBlock", f"{stack}-{store}-public-access-block")
    assert block == {"bucket": bucket, "blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
                     "restrictPublicBuckets": True}
    ownership = child(plan, f"{S3}bucketOwnershipControls:BucketOwnershipControls", f"{stack}-{store}-ownership")
    assert ownership == {"bucket": bucket, "rule": {"objectOwnership": "BucketOwnerEnforced"}}
    arn = f"arn:aws:s3:::{bucket}"
    [tls] = [s for s in policy(plan, stack, store)["Statement"] if s["Sid"] == "DenyInsecureTransport"]
    assert tls == {"Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": [arn, f"{arn}/*"], "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
    name = reveal(plan.one(f"{S3}bucket:Bucket", name=f"{stack}-{store}-bucket").inputs)
    assert name["bucketPrefix"] == f"ml-platform-{stack}-{store}-"  # AWS appends a unique, stored suffix


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("store", DATA_STORES)
def test_data_buckets_are_sse_kms_with_their_own_key_and_refuse_other_uploads(stack: str, store: str) -> None:
    plan = preflight_plan(stack)
    key_arn = reveal(plan.one("aws:kms/key:Key", name=f"{stack}-{store}-key").outputs)["arn"]
    sse = child(plan, f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                f"{stack}-{store}-encryption")
    assert sse["rules"] == [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms",
                                                                    "kmsMasterKeyId": key_arn},
                             "bucketKeyEnabled": True}]
    arn = f"arn:aws:s3:::{bucket_id(plan, stack, store)}"
    denies = {s["Sid"]: s for s in policy(plan, stack, store)["Statement"] if s["Effect"] == "Deny"}
    assert denies["DenyPutNotSseKms"]["Condition"] == {
        "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption": "aws:kms"}}
    assert denies["DenyPutWithAnotherKey"]["Condition"] == {
        "StringNotEqualsIfExists": {"s3:x-amz-server-side-encryption-aws-kms-key-id": key_arn}}
    assert {(s["Action"], s["Resource"], s["Principal"]) for sid, s in denies.items() if sid != "DenyInsecureTransport"
            } == {("s3:PutObject", f"{arn}/*", "*")}
    assert [s for s in policy(plan, stack, store)["Statement"] if s["Effect"] == "Allow"] == []
    logging = child(plan, f"{S3}bucketLogging:BucketLogging", f"{stack}-{store}-logging")
    assert logging["targetBucket"] == bucket_id(plan, stack, LOG_STORE)
    assert logging["targetPrefix"] == f"ml-platform-{stack}-{store}/"


@pytest.mark.parametrize("stack", STACKS)
def test_the_logs_bucket_is_sse_s3_and_admits_only_log_delivery_from_its_account(stack: str) -> None:
    # S3 server access logging delivers only to SSE-S3 targets (AWS documents SSE-KMS as unsupported there).
    plan = preflight_plan(stack)
    sse = child(plan, f"{S3}bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
                f"{stack}-logs-encryption")
    assert sse["rules"][0]["applyServerSideEncryptionByDefault"] == {"sseAlgorithm": "AES256"}
    assert [k.name for k in plan.of_type("aws:kms/key:Key") if k.name.startswith(f"{stack}-logs")] == []
    [allow] = [s for s in policy(plan, stack, LOG_STORE)["Statement"] if s["Effect"] == "Allow"]
    assert allow["Principal"] == {"Service": "logging.s3.amazonaws.com"}
    assert allow["Action"] == "s3:PutObject"
    assert allow["Condition"] == {"StringEquals": {"aws:SourceAccount": plan.one(
        "aws:organizations/account:Account").id}}
    assert [r.name for r in plan.of_type(f"{S3}bucketLogging:BucketLogging") if r.name.startswith(
        f"{stack}-logs")] == []  # the logs bucket does not log into itself


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("store", DATA_STORES)
def test_keys_rotate_have_an_alias_and_give_kms_star_only_to_the_root(stack: str, store: str) -> None:
    plan = preflight_plan(stack)
    key = plan.one("aws:kms/key:Key", name=f"{stack}-{store}-key")
    inputs = reveal(key.inputs)
    assert inputs["enableKeyRotation"] is True
    assert inputs["deletionWindowInDays"] == (30 if stack == "prod" else 7)
    alias = child(plan, "aws:kms/alias:Alias", f"{stack}-{store}-alias")
    assert alias == {"name": f"alias/ml-platform-{stack}-{store}", "targetKeyId": key.id}
    account = plan.one("aws:organizations/account:Account").id
    statements = json.loads(inputs["policy"])["Statement"]
    assert [s["Principal"] for s in statements if s["Action"] == "kms:*"] == [
        {"AWS": f"arn:aws:iam::{account}:root"}]
    users = [s for s in statements if s["Action"] != "kms:*"]
    assert [s["Action"] for s in users] == [["kms:Decrypt", "kms:GenerateDataKey", "kms:Encrypt"]]
    assert all(s["Effect"] == "Allow" for s in statements)


# Which roles may use which key: the pipelines' table, plus the Unity Catalog role on processed.
KEY_USERS = {
    "raw": {"ingestion"}, "processed": {"ingestion", "training", "inference", "unity-catalog"},
    "artifacts": {"training", "inference", "mlflow"}, "enriched": {"inference", "backend"},
}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("store", DATA_STORES)
def test_only_the_roles_that_need_a_key_may_use_it(stack: str, store: str) -> None:
    plan = preflight_plan(stack)
    statements = json.loads(child(plan, "aws:kms/key:Key", f"{stack}-{store}-key")["policy"])["Statement"]
    [use] = [s for s in statements if s["Action"] != "kms:*"]
    account = plan.one("aws:organizations/account:Account").id
    assert set(use["Principal"]["AWS"]) == {f"arn:aws:iam::{account}:role/ml-platform-{stack}-{who}"
                                            for who in KEY_USERS[store]}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("store", STORES)
def test_versioning_and_noncurrent_expiry_follow_the_backup_retention(stack: str, store: str) -> None:
    plan = preflight_plan(stack)
    days = RETENTION[stack]
    versioning = [r for r in plan.of_type(f"{S3}bucketVersioning:BucketVersioning")
                  if r.name == f"{stack}-{store}-versioning"]
    assert [reveal(v.inputs)["versioningConfiguration"] for v in versioning] == (
        [{"status": "Enabled"}] if days else [])
    rules = child(plan, f"{S3}bucketLifecycleConfiguration:BucketLifecycleConfiguration",
                  f"{stack}-{store}-lifecycle")["rules"]
    expiry = [r["noncurrentVersionExpiration"]["noncurrentDays"] for r in rules if "noncurrentVersionExpiration" in r]
    assert expiry == ([days] if days else [])
    # S3 PutBucketLifecycleConfiguration: each rule's Status is required, and a rule applies only when Enabled;
    # incomplete multipart uploads (billed, never visible) are aborted after a week in every bucket.
    assert [r.get("status") for r in rules] == ["Enabled"] * len(rules)
    assert [r["abortIncompleteMultipartUpload"] for r in rules if "abortIncompleteMultipartUpload" in r] == [
        {"daysAfterInitiation": 7}]


@pytest.mark.parametrize("stack", STACKS)
def test_buckets_and_keys_follow_the_protection_choice_and_prod_forces_it(stack: str) -> None:
    plan = preflight_plan(stack)
    choice = raw_config(stack)["protection"]
    stateful = [plan.one(f"{S3}bucket:Bucket", name=f"{stack}-{store}-bucket") for store in STORES] + [
        plan.one("aws:kms/key:Key", name=f"{stack}-{store}-key") for store in DATA_STORES]
    assert {(r.options["protect"], r.options["retainOnDelete"]) for r in stateful} == {
        (choice["protect"], choice["retainOnDelete"])}
    assert [b.name for b in plan.of_type(f"{S3}bucket:Bucket") if reveal(b.inputs).get("forceDestroy")] == []
    if stack == "prod":
        assert choice == {"protect": True, "retainOnDelete": True}


def test_bad_args_are_refused_together() -> None:
    args = EncryptedBucketArgs(name_prefix="Bad_Name", account_id="111111111111", key_deletion_window_days=3,
                               noncurrent_version_retention_days=7, force_destroy=True)
    with pytest.raises(ValueError) as info:
        validate_encrypted_bucket_args(args)
    for problem in ("name_prefix", "key_deletion_window_days", "needs versioning=True", "force_destroy conflicts",
                    "access_log_bucket is required"):
        assert problem in str(info.value)


@pytest.mark.parametrize(("changes", "message"), [
    ({"name_prefix": "Bad_Name"},
     "EncryptedBucket: name_prefix must be 2-36 lowercase letters, digits or hyphens, got 'Bad_Name'"),
    ({"key_deletion_window_days": 6}, "EncryptedBucket: key_deletion_window_days must be between 7 and 30, got 6"),
    ({"key_deletion_window_days": 31}, "EncryptedBucket: key_deletion_window_days must be between 7 and 30, got 31"),
    ({"noncurrent_version_retention_days": -1},
     "EncryptedBucket: noncurrent_version_retention_days must be >= 0, got -1"),
    ({"noncurrent_version_retention_days": 7, "versioning": False},
     "EncryptedBucket: noncurrent_version_retention_days needs versioning=True"),
    ({"force_destroy": True}, "EncryptedBucket: force_destroy conflicts with protect=True"),
    ({"access_log_bucket": None}, "EncryptedBucket: access_log_bucket is required (every store logs its access)"),
    ({"log_delivery_target": True, "access_log_bucket": None},
     "EncryptedBucket: key_user_role_arns must be empty for the log delivery target (it has no key)"),
    ({"name_prefix": "x", "force_destroy": True},
     "EncryptedBucket: name_prefix must be 2-36 lowercase letters, digits or hyphens, got 'x'; "
     "force_destroy conflicts with protect=True"),
])
def test_each_bad_arg_is_refused_with_its_whole_message(changes: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {"name_prefix": "ml-platform-prod-raw", "account_id": "111111111111",
                            "key_user_role_arns": ["arn:aws:iam::111111111111:role/ml-platform-prod-ingestion"],
                            "access_log_bucket": "ml-platform-prod-logs", "versioning": True,
                            "noncurrent_version_retention_days": 30}
    with pytest.raises(ValueError) as info:
        validate_encrypted_bucket_args(EncryptedBucketArgs(**{**base, **changes}))
    assert str(info.value) == message
    validate_encrypted_bucket_args(EncryptedBucketArgs(**base))
