"""aws-s3-bucket-public-access-block: all four settings, on a block joined to the bucket."""

from __future__ import annotations

from policies.rules._support import StackView
from policies.rules.aws_s3_bucket_public_access_block import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource


def test_flags_missing_block_and_a_block_with_three_of_four(guardrails_plan: Plan) -> None:
    hits = flagged(guardrails_plan, NAME)
    assert set(hits) == {"bucket-no-pab-bad", "bucket-three-of-four-bad-pab"}
    assert "restrictPublicBuckets" in hits["bucket-three-of-four-bad-pab"][0]


def test_same_verdict_in_preview(guardrails_preview_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"bucket-no-pab-bad", "bucket-three-of-four-bad-pab"}


BUCKET = "aws:s3/bucketV2:BucketV2"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"


def test_a_block_naming_its_bucket_is_joined_by_the_name_without_a_dependency() -> None:
    """A block whose `bucket` is the bucket's literal name (no dependency edge in the plan) is that bucket's block:
    all four on passes; one left off is named on the block."""
    bucket = resource(BUCKET, {"bucket": "ml-artifacts"}, name="artifacts")
    settings = {"blockPublicAcls": True, "blockPublicPolicy": True, "ignorePublicAcls": True,
                "restrictPublicBuckets": True}
    block = resource(BLOCK, {"bucket": "ml-artifacts", **settings}, name="artifacts-pab")
    assert check(StackView({BUCKET: [bucket], BLOCK: [block]}), {}).findings == []
    three = resource(BLOCK, {**block.props, "restrictPublicBuckets": False}, name="artifacts-pab")
    assert [(f.message, f.urn) for f in check(StackView({BUCKET: [bucket], BLOCK: [three]}), {}).findings] == [
        ("public access block artifacts-pab of bucket artifacts leaves restrictPublicBuckets off; set all four to "
         "true.", three.urn)]
