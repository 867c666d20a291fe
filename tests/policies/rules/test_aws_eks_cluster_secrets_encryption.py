"""aws-eks-cluster-secrets-encryption: envelope encryption of secrets."""

from __future__ import annotations

from policies.rules.aws_eks_cluster_secrets_encryption import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes


def test_flags_cluster_without_secrets_encryption(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"eks-bad"}


def test_a_key_arn_unknown_in_preview_is_enough(guardrails_preview_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"eks-bad"}
    assert "eks-good" not in notes(guardrails_preview_plan, NAME)
