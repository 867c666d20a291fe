"""aws-ec2-security-group-no-open-egress: prod egress only to private space and the allow-list."""

from __future__ import annotations

import pytest

from policies.rules.aws_ec2_security_group_no_open_egress import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, snippet_plan
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


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_prefix_list(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Egress to a prefix list is judged by its entries (a list can hide 0.0.0.0/0, also through an entry added
    as its own resource); a list of private ranges passes, ingress is not egress, and a list the plan does not
    define (an AWS-managed one) is refused. In a preview the list's id is unknown: joined by the dependency."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("egress-pl-")}
    assert found == {"egress-pl-open-bad", "egress-pl-grown-bad", "egress-pl-aws-managed-bad"}
    assert "classes-open-list" in flagged(plan, NAME)["egress-pl-open-bad"][0]
    assert not notes(plan, NAME)


def test_a_prefix_list_reference_not_known_in_a_preview_is_reported(tmp_path_factory: pytest.TempPathFactory) -> None:
    """A gateway endpoint's prefix list (AWS-managed, computed): refused in an update, not judged in a preview."""
    code = """
import pulumi_aws as aws
s3 = aws.ec2.VpcEndpoint("s3", vpc_id="vpc-1", service_name="com.amazonaws.eu-west-1.s3",
                         vpc_endpoint_type="Gateway")
aws.ec2.SecurityGroup("egress-gateway-bad", vpc_id="vpc-1", egress=[{
    "protocol": "tcp", "from_port": 443, "to_port": 443, "prefix_list_ids": [s3.prefix_list_id]}])
"""
    assert set(flagged(snippet_plan(tmp_path_factory, code), NAME)) == {"egress-gateway-bad"}
    preview = snippet_plan(tmp_path_factory, code, preview=True)
    assert flagged(preview, NAME) == {}
    assert notes(preview, NAME)
