"""aws-s3-bucket-no-public-acl: canned public ACLs and grants to the public groups."""

from __future__ import annotations

import pytest

from policies.rules.aws_s3_bucket_no_public_acl import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_public_canned_acl_and_all_users_grant(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"acl-bad", "acl-grant-bad"}


@pytest.mark.parametrize("mode", ["up"])
def test_class_object(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Object ACLs; a private object passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("object-")}
    assert found == {"object-public-bad"}
