"""aws-s3-bucket-public-access-block: all four settings, on a block joined to the bucket."""

from __future__ import annotations

from policies.rules._support import UNKNOWN, StackView
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


def test_a_setting_not_known_yet_is_noted_not_judged_off() -> None:
    """A setting computed from another resource's output is unknown during a preview: it is named as not judged,
    not reported as left off; the settings that are known are still judged."""
    bucket = resource(BUCKET, {"bucket": "ml-artifacts"}, name="artifacts")
    props = {"bucket": "ml-artifacts", "blockPublicAcls": True, "blockPublicPolicy": UNKNOWN, "ignorePublicAcls": True,
             "restrictPublicBuckets": True}
    verdict = check(StackView({BUCKET: [bucket], BLOCK: [resource(BLOCK, props, name="artifacts-pab")]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["artifacts-pab.blockPublicPolicy"])
    off = resource(BLOCK, {**props, "ignorePublicAcls": False}, name="artifacts-pab")
    verdict = check(StackView({BUCKET: [bucket], BLOCK: [off]}), {})
    assert (verdict.messages, verdict.unknown) == ([
        "public access block artifacts-pab of bucket artifacts leaves ignorePublicAcls off; set all four to true."],
        ["artifacts-pab.blockPublicPolicy"])
