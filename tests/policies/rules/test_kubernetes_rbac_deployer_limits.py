"""kubernetes-rbac-deployer-limits: the Design Appendix's deployer passes; secrets write or pods/exec do not."""

from __future__ import annotations

import pytest

from policies.rules._support import Resource
from policies.rules.kubernetes_rbac_deployer_limits import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged

ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"


def test_design_appendix_deployer_passes_and_an_exec_deployer_does_not(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"role-deployer-exec-bad"}
    assert "pods/exec" in hits["role-deployer-exec-bad"][0]


@pytest.mark.parametrize(("rule", "fires"), [
    ({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "list"]}, False),
    ({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get", "update"]}, True),
    ({"apiGroups": [""], "resources": ["pods/exec"], "verbs": ["create"]}, True),
    ({"apiGroups": ["*"], "resources": ["*"], "verbs": ["patch"]}, True),
    ({"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}, False),
])
def test_rules(rule: dict[str, list[str]], fires: bool) -> None:
    deployer = Resource(ROLE, "r", "urn", {"metadata": {"name": "deployer"}, "rules": [rule]})
    assert bool(check(deployer, {"deployerRoles": ["deployer"]}).findings) is fires
    other = Resource(ROLE, "r", "urn", {"metadata": {"name": "data-engineer"}, "rules": [rule]})
    assert check(other, {"deployerRoles": ["deployer"]}).findings == []
