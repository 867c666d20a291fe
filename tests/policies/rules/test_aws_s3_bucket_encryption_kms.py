"""aws-s3-bucket-encryption-kms: each bucket joined to its encryption resource, in updates and in previews."""

from __future__ import annotations

from policies.rules._support import UNKNOWN, Resource, StackView
from policies.rules.aws_s3_bucket_encryption_kms import BUCKETS, ENCRYPTION, NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged

BAD = {"bucket-no-sse-bad", "bucket-aes-bad"}  # reported on the bucket, so an exemption names it


def test_flags_missing_and_non_kms_encryption(guardrails_plan: Plan) -> None:
    hits = flagged(guardrails_plan, NAME)
    assert set(hits) == BAD
    assert "no BucketServerSideEncryptionConfiguration" in hits["bucket-no-sse-bad"][0]
    assert "AES256 by bucket-aes-bad-sse" in hits["bucket-aes-bad"][0]


def test_preview_joins_by_dependency_when_bucket_names_are_unknown(guardrails_preview_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == BAD


def _view(*resources: Resource) -> StackView:
    by_type: dict[str, list[Resource]] = {}
    for r in resources:
        by_type.setdefault(r.type, []).append(r)
    return StackView(by_type)


def test_unknown_rules_are_not_judged_and_not_passed() -> None:
    bucket = Resource(BUCKETS[0], "b", "urn:b", {"bucket": UNKNOWN})
    sse = Resource(ENCRYPTION[0], "b-sse", "urn:sse", {"bucket": UNKNOWN, "rules": UNKNOWN}, dependencies=("urn:b",))
    verdict = check(_view(bucket, sse), {})
    assert verdict.findings == [] and verdict.unknown == ["b-sse.rules"]


def test_an_encryption_resource_of_another_bucket_does_not_count() -> None:
    bucket = Resource(BUCKETS[0], "b", "urn:b", {"bucket": "b-1"})
    other = Resource(ENCRYPTION[0], "o-sse", "urn:sse", {"bucket": "other", "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms"}}]})
    assert [f.urn for f in check(_view(bucket, other), {}).findings] == ["urn:b"]


def test_a_bucket_without_an_encryption_resource_is_told_what_to_add() -> None:
    """pulumi-aws 7 keeps default encryption in a separate resource: a bucket with none is refused, on the bucket,
    with the resource to add and its algorithm; one with an aws:kms configuration passes."""
    bucket = Resource(BUCKETS[0], "artifacts", "urn:b", {"bucket": "ml-artifacts"})
    sse = Resource(ENCRYPTION[0], "artifacts-sse", "urn:sse", {"bucket": "ml-artifacts", "rules": [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "aws:kms", "kmsMasterKeyId": "alias/ml"}}]})
    assert [(f.message, f.urn) for f in check(_view(bucket), {}).findings] == [(
        "bucket artifacts has no BucketServerSideEncryptionConfiguration; add one with sseAlgorithm aws:kms and the "
        "bucket's KMS key.", "urn:b")]
    assert check(_view(bucket, sse), {}).findings == []


def test_a_buckets_inline_kms_configuration_counts_and_an_inline_aes256_does_not() -> None:
    """The deprecated inline `serverSideEncryptionConfiguration` of a Bucket still configures its default
    encryption: aws:kms there passes without a separate resource; AES256 there is still refused."""
    def inline(algorithm: str) -> Resource:
        return Resource(BUCKETS[0], "b", "urn:b", {"bucket": "b-1", "serverSideEncryptionConfiguration": {
            "rules": [{"applyServerSideEncryptionByDefault": {"sseAlgorithm": algorithm}}]}})

    assert check(_view(inline("aws:kms")), {}).messages == []
    assert check(_view(inline("AES256")), {}).messages == [
        "bucket b has no BucketServerSideEncryptionConfiguration; add one with sseAlgorithm aws:kms and the bucket's "
        "KMS key."]
