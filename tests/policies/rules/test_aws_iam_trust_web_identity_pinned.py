"""aws-iam-trust-web-identity-pinned: IRSA / OIDC trusts pin both :sub and :aud."""

from __future__ import annotations

import pytest

from policies.rules.aws_iam_trust_web_identity_pinned import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_missing_or_wildcard_sub(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"irsa-no-sub-bad", "irsa-wildcard-sub-bad"}
    assert ":sub" in hits["irsa-no-sub-bad"][0] and ":aud" not in hits["irsa-no-sub-bad"][0].split("pinning")[1][:10]


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_trust(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """StringLike subjects matching any service account or repository;
    a pattern after the repository (its refs) passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("trust-")}
    assert found == {"trust-any-repo-bad", "trust-any-sa-bad", "trust-any-sa-in-ns-bad"}
