"""kubernetes-rbac-group-has-access-entry: a bound group is carried by an access entry, or declared empty.

EKS user guide, "Grant IAM users and roles access to Kubernetes APIs": a principal is in a Kubernetes group only
through its access entry's `kubernetesGroups`."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_rbac_group_has_access_entry import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged

DECLARED = {NAME: {"declaredEmptyGroups": [{"group": "team-empty", "reason": "no members until onboarding"}]}}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_groups_no_entry_carries(mode: str, integrity_plan: Plan, integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME, DECLARED)) == {"rbac-group-bad"}


def test_an_undeclared_empty_group_is_flagged(integrity_plan: Plan) -> None:
    assert set(flagged(integrity_plan, NAME)) == {"rbac-group-bad", "rbac-group-declared-good"}
