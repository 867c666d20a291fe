"""aws-kms-key-rotation: symmetric keys rotate; asymmetric keys are outside the rule."""

from __future__ import annotations

from policies.rules.aws_kms_key_rotation import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_key_without_rotation_only(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"key-rotation-bad"}
