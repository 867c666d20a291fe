"""`kubernetes-namespace-default-deny-egress`: in prod, every namespace denies egress by default.

A stack policy: each Namespace is joined to the NetworkPolicies that live in it (by namespace name, or during
a preview by the dependency edge) and one of them must select all pods (`podSelector: {}`), list `Egress` in
`policyTypes` and allow nothing itself; the allow rules come on top of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._kubernetes import NAMESPACE, NETWORK_POLICY, object_name, object_namespace, selects_all_pods
from ._support import Resource, StackView, Verdict, as_list, contains_unknown, dig, join_by_reference, stack_policy

NAME = "kubernetes-namespace-default-deny-egress"


def is_default_deny_egress(policy: Resource) -> bool | None:
    """True/False, or None when the spec is not known yet."""
    spec = dig(policy.props, "spec")
    if contains_unknown(spec):
        return None
    return (selects_all_pods(dig(spec, "podSelector")) and "Egress" in as_list(dig(spec, "policyTypes"))
            and not as_list(dig(spec, "egress")))


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    namespaces = stack.of(NAMESPACE)
    # A policy without a namespace lands in `default`, whatever it depends on: joined there, not by its edge.
    attached, _ = join_by_reference(namespaces, object_name, stack.of(NETWORK_POLICY),
                                    lambda p: object_namespace(p) or "default")
    for ns in namespaces:
        verdicts = [is_default_deny_egress(p) for p in attached[ns.urn]]
        if any(verdicts):
            continue
        if None in verdicts:
            verdict.cannot_judge(f"{ns.name}.networkPolicies.spec")
            continue
        verdict.violation(f"namespace {ns.name} has no default-deny egress NetworkPolicy; add one with podSelector {{}}"
                          ", policyTypes [Egress] and no egress rules, then allow what is needed.", ns.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="In prod every Namespace needs a default-deny egress NetworkPolicy (podSelector {}, policyTypes "
                "including Egress, no egress rules).",
    resource_types=[NAMESPACE, NETWORK_POLICY],
    check=check,
    stacks=["prod"],
)
