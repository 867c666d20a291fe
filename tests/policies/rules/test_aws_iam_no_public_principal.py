"""aws-iam-no-public-principal: no Allow to everyone in trust, bucket or key policies."""

from __future__ import annotations

from policies.rules.aws_iam_no_public_principal import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_public_trust_and_public_bucket_policy(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"trust-public-bad", "bucket-policy-public-bad"}  # the Deny-to-* TLS rule passes
