"""aws-kms-key-policy-wildcard-root-only: kms:* for the account root only."""

from __future__ import annotations

from policies.rules.aws_kms_key_policy_wildcard_root_only import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_kms_star_to_a_role(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"key-bad"}
    assert "role/training" in hits["key-bad"][0]
