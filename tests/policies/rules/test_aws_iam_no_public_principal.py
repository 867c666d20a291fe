"""aws-iam-no-public-principal: no Allow to everyone in trust, bucket or key policies."""

from __future__ import annotations

import pytest

from policies.rules.aws_iam_no_public_principal import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_public_trust_and_public_bucket_policy(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"trust-public-bad", "bucket-policy-public-bad"}  # the Deny-to-* TLS rule passes


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_resource_policies(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Resource policies of SQS, SNS, Secrets Manager, ECR and Lambda permissions;
    a service principal and a source-account-scoped permission pass."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = set(flagged(plan, NAME))
    assert found == {"ecr-public-bad", "lambda-public-bad", "queue-public-bad", "secret-public-bad",
                     "topic-public-bad"}
