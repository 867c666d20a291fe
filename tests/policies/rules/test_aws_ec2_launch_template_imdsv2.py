"""aws-ec2-launch-template-imdsv2: tokens required, hop limit 1 (numbers arrive as floats)."""

from __future__ import annotations

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
