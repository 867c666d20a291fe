"""aws-ec2-launch-template-imdsv2: tokens required, hop limit 1 (numbers arrive as floats)."""

from __future__ import annotations

import pytest

from policies.rules._support import Resource
from policies.rules.aws_ec2_launch_template_imdsv2 import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_optional_tokens_wide_hop_limit_and_unset_options(guardrails_plan: Plan) -> None:
    hits = flagged(guardrails_plan, NAME)
    assert set(hits) == {"lt-optional-bad", "lt-hops-bad", "lt-unset-bad"}
    assert "is 2;" in hits["lt-hops-bad"][0]


def test_disabled_metadata_endpoint_passes() -> None:
    lt = Resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", "urn",
                  {"metadataOptions": {"httpEndpoint": "disabled"}})
    assert check(lt, {"maxHopLimit": 1.0}).findings == []


@pytest.mark.parametrize("mode", ["up"])
def test_class_nodes(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """A node group without a launch template gets EKS's hop limit 2; one with a template passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("nodes-")}
    assert found == {"nodes-default-template-bad"}
