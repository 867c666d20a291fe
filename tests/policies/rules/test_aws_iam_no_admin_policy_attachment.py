"""aws-iam-no-admin-policy-attachment: the three broad AWS managed policies are never attached."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN, Resource
from policies.rules.aws_iam_no_admin_policy_attachment import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_admin_attachments(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"attach-bad", "attach-user-bad"}


def test_exemption_in_pack_config_lifts_one_resource_only(iam_plan: Plan) -> None:
    config = {NAME: {"exemptions": [{"resource": "attach-bad", "reason": "break-glass role, reviewed in SEC-12"}]}}
    assert set(flagged(iam_plan, NAME, config)) == {"attach-user-bad"}


def test_role_managed_policy_arns_and_unknown_arns() -> None:
    role = Resource("aws:iam/role:Role", "r", "urn", {"managedPolicyArns": [
        "arn:aws:iam::aws:policy/PowerUserAccess", UNKNOWN]})
    verdict = check(role, {})
    assert len(verdict.findings) == 1 and verdict.unknown == ["managedPolicyArns[1]"]


@pytest.mark.parametrize("mode", ["up"])
def test_class_managed(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """AWS managed policies of the service-wide classes; a read-only one passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("managed-")}
    assert found == {"managed-admin-variant-bad", "managed-full-access-bad"}
