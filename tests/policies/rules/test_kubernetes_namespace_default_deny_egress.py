"""kubernetes-namespace-default-deny-egress: each prod namespace joined to its default-deny policy."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN, StackView
from policies.rules.kubernetes_namespace_default_deny_egress import NAME, check, is_default_deny_egress
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource


def test_flags_namespace_without_default_deny(guardrails_plan: Plan) -> None:
    # ns-open-egress has a default-deny policy; its open allow rule is the NetworkPolicy rule's business.
    assert set(flagged(guardrails_plan, NAME)) == {"ns-no-deny-bad", "ns-allow-only-bad"}


def test_same_in_preview_and_not_in_dev(guardrails_preview_plan: Plan, guardrails_dev_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"ns-no-deny-bad", "ns-allow-only-bad"}
    assert flagged(guardrails_dev_plan, NAME) == {}


@pytest.mark.parametrize("mode", ["up"])
def test_class_ns_deny(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """A deny policy without a namespace lands in default, even when it depends on the namespace."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("ns-deny-")}
    assert found == {"ns-deny-in-default-bad"}


@pytest.mark.parametrize(("spec", "denies"), [
    ({"podSelector": {}, "policyTypes": ["Egress"]}, True),
    ({"podSelector": {}, "policyTypes": ["Ingress", "Egress"], "ingress": [{}]}, True),
    ({"podSelector": {"matchLabels": {}}, "policyTypes": ["Egress"]}, True),
    ({"podSelector": {"matchLabels": {"app": "web"}}, "policyTypes": ["Egress"]}, False),
    ({"podSelector": {"matchExpressions": [{"key": "app", "operator": "Exists"}]}, "policyTypes": ["Egress"]}, False),
    ({"podSelector": {}, "policyTypes": ["Ingress"]}, False),
    ({"podSelector": {}, "policyTypes": ["Egress"], "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.0/8"}}]}]}, False),
    ({"podSelector": {"matchLabels": UNKNOWN}, "policyTypes": ["Egress"]}, None),
], ids=["empty-selector", "with-ingress", "empty-labels", "some-pods", "some-pods-by-expression", "ingress-only",
        "an-egress-rule", "not-known"])
def test_default_deny_egress_is_every_pod_egress_typed_and_no_rule(spec: dict[str, Any], denies: bool | None) -> None:
    """Kubernetes docs, "Network Policies", "Default deny all egress traffic": `podSelector: {}` selects every pod
    of the namespace, `policyTypes` includes Egress, and no `egress` rule allows anything; a selector with labels
    or expressions leaves the other pods open."""
    assert is_default_deny_egress(resource("kubernetes:networking.k8s.io/v1:NetworkPolicy", {"spec": spec})) is denies


def test_a_namespace_whose_only_policy_is_not_known_yet_is_named_not_judged() -> None:
    namespace = resource("kubernetes:core/v1:Namespace", {"metadata": {"name": "ml"}}, name="ml-ns")
    policy = resource("kubernetes:networking.k8s.io/v1:NetworkPolicy",
                      {"metadata": {"name": "deny", "namespace": "ml"}, "spec": UNKNOWN}, name="deny")
    verdict = check(StackView({namespace.type: [namespace], policy.type: [policy]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["ml-ns.networkPolicies.spec"])
