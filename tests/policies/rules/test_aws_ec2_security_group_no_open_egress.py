"""aws-ec2-security-group-no-open-egress: prod egress only to private space and the allow-list."""

from __future__ import annotations

import pytest

from policies.rules.aws_ec2_security_group_no_open_egress import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged
from tests.policies.rules.test_packs import stack_config

BAD = {"sg-bad", "sg-rule-bad", "sg-egress-rule-bad"}


def test_flags_open_egress_in_all_three_resource_shapes(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME, stack_config("prod"))) == BAD


def test_the_allow_list_comes_from_the_pack_config(guardrails_plan: Plan) -> None:
    # Without prod's allow-list the partner range of sg-good is refused too.
    assert set(flagged(guardrails_plan, NAME, {})) == BAD | {"sg-good"}


def test_prod_only(guardrails_dev_plan: Plan) -> None:
    assert flagged(guardrails_dev_plan, NAME, stack_config("dev")) == {}


@pytest.mark.parametrize("mode", ["up"])
def test_class_default_sg(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """The VPC's default security group; a closed one passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("default-sg-")}
    assert found == {"default-sg-open-bad"}
