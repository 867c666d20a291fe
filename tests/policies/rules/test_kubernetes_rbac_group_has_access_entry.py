"""kubernetes-rbac-group-has-access-entry: a bound group is carried by an access entry, or declared empty.

EKS user guide, "Grant IAM users and roles access to Kubernetes APIs": a principal is in a Kubernetes group only
through its access entry's `kubernetesGroups`."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN, StackView
from policies.rules.kubernetes_rbac_group_has_access_entry import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource

DECLARED = {NAME: {"declaredEmptyGroups": [{"group": "team-empty", "reason": "no members until onboarding"}]}}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_groups_no_entry_carries(mode: str, integrity_plan: Plan, integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME, DECLARED)) == {"rbac-group-bad"}


def test_an_undeclared_empty_group_is_flagged(integrity_plan: Plan) -> None:
    assert set(flagged(integrity_plan, NAME)) == {"rbac-group-bad", "rbac-group-declared-good"}


def _verdict(groups: Any, subjects: Any) -> tuple[list[str], list[str]]:
    entry = resource("aws:eks/accessEntry:AccessEntry", {"kubernetesGroups": groups}, name="analysts-entry")
    binding = resource("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", {"subjects": subjects},
                       name="analysts-binding")
    verdict = check(StackView({entry.type: [entry], binding.type: [binding]}), {})
    return verdict.messages, verdict.unknown


def test_a_group_or_subject_not_known_yet_is_named_not_judged() -> None:
    """An entry's computed group may be the one bound; a subject's computed kind or name may be a group no entry
    carries: named as not judged, neither refused nor passed."""
    group = {"kind": "Group", "name": "data-analysts", "apiGroup": "rbac.authorization.k8s.io"}
    assert _verdict(["data-analysts"], [group]) == ([], [])
    assert _verdict(["platform-admins"], [group])[0] != []
    assert _verdict(["platform-admins", UNKNOWN], [group]) == ([], ["analysts-entry.kubernetesGroups"])
    for subject in (UNKNOWN, {**group, "name": UNKNOWN}, {**group, "kind": UNKNOWN}):
        assert _verdict(["platform-admins"], [subject]) == ([], ["analysts-binding.subjects"])
    assert _verdict(["platform-admins"], [{"kind": "User", "name": UNKNOWN}]) == ([], [])
