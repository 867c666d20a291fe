"""aws-s3-bucket-public-access-block: all four settings, on a block joined to the bucket."""

from __future__ import annotations

from policies.rules.aws_s3_bucket_public_access_block import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_missing_block_and_a_block_with_three_of_four(guardrails_plan: Plan) -> None:
    hits = flagged(guardrails_plan, NAME)
    assert set(hits) == {"bucket-no-pab-bad", "bucket-three-of-four-bad-pab"}
    assert "restrictPublicBuckets" in hits["bucket-three-of-four-bad-pab"][0]


def test_same_verdict_in_preview(guardrails_preview_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"bucket-no-pab-bad", "bucket-three-of-four-bad-pab"}
