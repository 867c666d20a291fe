"""aws-ec2-launch-template-imdsv2: tokens required, hop limit 1 (numbers arrive as floats)."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN, Resource
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


def test_a_node_group_without_a_template_is_told_what_to_pass() -> None:
    """EKS's default launch template sets hop limit 2 (EKS user guide, "Customizing managed nodes with launch
    templates"): the message says why and what to pass instead."""
    assert check(Resource("aws:eks/nodeGroup:NodeGroup", "nodes", "urn", {}), {}).messages == [
        "has no launchTemplate: EKS's default template sets httpPutResponseHopLimit 2, so pods reach the node role's "
        "credentials; pass a launch template requiring IMDSv2 with hop limit 1."]
    with_template = {"launchTemplate": {"id": "lt-0123456789abcdef0", "version": "1"}}
    assert check(Resource("aws:eks/nodeGroup:NodeGroup", "nodes", "urn", with_template), {}).messages == []


@pytest.mark.parametrize(("hops", "messages"), [
    (1.0, []),
    (2.0, []),
    (3.0, ["metadataOptions.httpPutResponseHopLimit is 3; set it to 2 so pods cannot reach the node's metadata."]),
])
def test_the_hop_limit_allowed_is_the_pack_configs_max_hop_limit(hops: float, messages: list[str]) -> None:
    lt = Resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", "urn",
                  {"metadataOptions": {"httpTokens": "required", "httpPutResponseHopLimit": hops}})
    assert check(lt, {"maxHopLimit": 2.0}).messages == messages


def test_a_node_groups_launch_template_not_known_yet_is_named_not_judged() -> None:
    group = Resource("aws:eks/nodeGroup:NodeGroup", "ng", "urn", {"launchTemplate": UNKNOWN})
    verdict = check(group, {})
    assert (verdict.messages, verdict.unknown) == ([], ["launchTemplate"])


@pytest.mark.parametrize("option", ["httpTokens", "httpPutResponseHopLimit", "httpEndpoint"])
def test_each_metadata_option_not_known_yet_is_named(option: str) -> None:
    options = {"httpTokens": "required", "httpPutResponseHopLimit": 1, "httpEndpoint": "enabled", option: UNKNOWN}
    verdict = check(Resource("aws:ec2/launchTemplate:LaunchTemplate", "lt", "urn", {"metadataOptions": options}), {})
    assert (verdict.messages, verdict.unknown) == ([], [f"metadataOptions.{option}"])
