"""kubernetes-rbac-no-cluster-admin-binding."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_rbac_no_cluster_admin_binding import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_cluster_admin_binding_only(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"binding-cluster-admin-bad"}


@pytest.mark.parametrize("mode", ["up"])
def test_class_bind(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Admin-equivalent built-in ClusterRoles and system:masters; view, and a Role of one's own named admin, pass."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("bind-")}
    assert found == {"bind-admin-bad", "bind-edit-bad", "bind-masters-bad"}
