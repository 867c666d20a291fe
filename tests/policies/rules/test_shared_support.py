"""The plumbing every rule shares (policies/rules/_support.py): unknowns as pulumi-policy presents them,
joins by reference, exemptions."""

from __future__ import annotations

import pytest
from pulumi_policy.policy import _NotApplicableError
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError, unknown_checking_proxy

from policies.rules import aws_ec2_security_group_no_open_egress as security_group_egress
from policies.rules import aws_eks_cluster_endpoint_private as endpoint_private
from policies.rules._support import (
    UNKNOWN,
    Finding,
    Resource,
    Verdict,
    _config,
    _exempt,
    _report,
    _schema,
    join_by_reference,
    plain,
    stack_of,
)


def test_the_proxy_raises_on_unknowns_and_plain_turns_them_into_the_marker() -> None:
    """What pulumi-policy hands a policy: a read-only proxy that raises UnknownValueError on an unknown."""
    props = unknown_checking_proxy({"policy": UNKNOWN_STRING_VALUE, "tags": {"a": "b"},
                                    "rules": [{"cidr": UNKNOWN_STRING_VALUE}, {"cidr": "10.0.0.0/8"}]})
    with pytest.raises(UnknownValueError):
        _ = props["policy"]
    assert plain(props) == {"policy": UNKNOWN, "tags": {"a": "b"},
                            "rules": [{"cidr": UNKNOWN}, {"cidr": "10.0.0.0/8"}]}


def test_report_gives_known_violations_then_the_analyzers_unknown_error() -> None:
    reported: list[tuple[str, str | None]] = []
    verdict = Verdict([Finding("bad one"), Finding("exempted", "urn:pulumi:prod::p::t::legacy")],
                      ["policy.Statement[1]"])
    config = {"exemptions": [{"resource": "legacy", "reason": "migrated next quarter"}]}
    with pytest.raises(UnknownValueError) as info:
        _report(verdict, config, lambda message, urn=None: reported.append((message, urn)), "urn:x")
    assert reported == [("bad one", None)]
    assert info.value.message == "string value at .policy.Statement[1] can't be known during preview"


def test_exemption_matches_urn_or_logical_name_only() -> None:
    config = {"exemptions": [{"resource": "prod-logs-bucket", "reason": "log delivery target"}]}
    assert _exempt(config, "urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-logs-bucket")
    assert not _exempt(config, "urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-logs-bucket-2")


def test_stack_of_reads_the_urn() -> None:
    assert stack_of("urn:pulumi:staging::ml-platform::aws:s3/bucket:Bucket::b") == "staging"


def test_join_by_value_then_by_dependency_and_orphans() -> None:
    b1 = Resource("bucket", "b1", "urn:b1", {"bucket": "one"})
    b2 = Resource("bucket", "b2", "urn:b2", {"bucket": UNKNOWN})
    by_value = Resource("sse", "s1", "urn:s1", {"bucket": "one"})
    by_edge = Resource("sse", "s2", "urn:s2", {"bucket": UNKNOWN}, dependencies=("urn:b2", "urn:key"))
    elsewhere = Resource("sse", "s3", "urn:s3", {"bucket": "someone-elses"})
    attached, orphans = join_by_reference([b1, b2], lambda r: r.props["bucket"], [by_value, by_edge, elsewhere],
                                          lambda r: r.props["bucket"])
    assert attached == {"urn:b1": [by_value], "urn:b2": [by_edge]}
    assert orphans == [elsewhere]


def test_a_policy_run_without_its_config_gets_the_schemas_defaults() -> None:
    """pulumi-policy hands a policy the config the engine filled from the schema's defaults; run without one (no
    Configure call), the policy fills them the same way, and what the stack's config gives wins."""
    schema = _schema({"maxHopLimit": {"type": "integer", "default": 1}, "note": {"type": "string"}}, ["prod"])
    assert _config(schema, None) == {"exemptions": [], "maxHopLimit": 1, "stacks": ["prod"]}
    assert _config(schema, {"maxHopLimit": 2, "note": "n"}) == {"exemptions": [], "maxHopLimit": 2, "note": "n",
                                                                "stacks": ["prod"]}


class _Args:
    """What pulumi-policy hands `validate`, as far as the wrappers read it before judging."""

    def __init__(self, stack: str) -> None:
        self.resource_type = "aws:eks/cluster:Cluster"
        self.urn = f"urn:pulumi:{stack}::ml-platform::{self.resource_type}::eks"
        self.resources = [self]

    def get_config(self) -> dict[str, object]:
        return {}

    def not_applicable(self, reason: str | None = None) -> None:
        raise _NotApplicableError(reason)


@pytest.mark.parametrize("policy", [endpoint_private.policy, security_group_egress.policy])
def test_a_policy_outside_its_stacks_says_where_it_applies(policy: object) -> None:
    """pulumi-policy shows a not-applicable policy with its reason: the stacks the policy applies to (the config's
    `stacks`, here the default: prod)."""
    with pytest.raises(_NotApplicableError) as info:
        policy.validate(_Args("dev"), lambda message, urn=None: None)  # type: ignore[attr-defined]
    assert info.value.reason == "applies to stacks prod"


def test_dig_reads_list_positions_and_nothing_else_by_number() -> None:
    from policies.rules._support import dig

    assert dig({"a": [1, 2]}, "a", -2) == 1 and dig({"a": [1, 2]}, "a", 1) == 2
    assert dig({"a": [1, 2]}, "a", 2) is None and dig({"a": [1, 2]}, "a", -3) is None
    assert dig({"a": "text"}, "a", 0) is None and dig({"a": {"0": 1}}, "a", 0) is None  # a number reads lists only
