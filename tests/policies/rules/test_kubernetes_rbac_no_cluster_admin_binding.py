"""kubernetes-rbac-no-cluster-admin-binding."""

from __future__ import annotations

from policies.rules.kubernetes_rbac_no_cluster_admin_binding import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_cluster_admin_binding_only(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"binding-cluster-admin-bad"}
