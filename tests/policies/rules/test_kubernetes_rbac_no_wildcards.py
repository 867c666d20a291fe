"""kubernetes-rbac-no-wildcards: wildcards only in allow-listed roles."""

from __future__ import annotations

from policies.rules.kubernetes_rbac_no_wildcards import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_wildcards_except_platform_admin(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"role-wildcard-verbs-bad", "role-wildcard-cluster-bad"}


def test_allow_list_is_pack_config(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME, {NAME: {"allowedRoles": []}})
    assert "role-platform-admin" in hits
