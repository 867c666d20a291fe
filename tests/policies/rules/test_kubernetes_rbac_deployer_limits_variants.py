"""kubernetes-rbac-deployer-limits, each variant: the deployer role never writes secrets (every write verb of the
Kubernetes API: create, update, patch, delete, deletecollection, and `*`) nor uses `pods/exec` (named, through
`pods/*` or `*`), in the core API group or `*`, in a Role or a ClusterRole; reading secrets (get, list, watch)
stays allowed. (Kubernetes docs, "Using RBAC Authorization" and "Kubernetes API concepts: verbs".)"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.kubernetes_rbac_deployer_limits import check
from tests.policies.helpers import resource

ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
CLUSTER_ROLE = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole"
CONFIG = {"deployerRoles": ["deployer"]}


def role(rules: Any, name: Any = "deployer", kind: str = ROLE) -> Any:
    return resource(kind, {"metadata": {"name": name, "namespace": "team-a"}, "rules": rules})


def writes(verbs: str, i: int = 0) -> str:
    return f"rules[{i}] lets deployer role deployer {verbs} secrets; the deployer may only get and list them."


def execs(i: int = 0) -> str:
    return f"rules[{i}] gives deployer role deployer pods/exec; remove it."


@pytest.mark.parametrize("kind", [ROLE, CLUSTER_ROLE])
@pytest.mark.parametrize("verb", ["create", "update", "patch", "delete", "deletecollection", "*"])
@pytest.mark.parametrize("group", ["", "*"])
def test_each_write_verb_on_secrets_is_flagged(kind: str, verb: str, group: str) -> None:
    rules = [{"apiGroups": [group], "resources": ["secrets"], "verbs": ["get", verb]}]
    assert check(role(rules, kind=kind), CONFIG).messages == [writes(verb)]


def test_the_verbs_are_listed_sorted_and_every_resource_spelling_counts() -> None:
    rules = [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["*"]},
             {"apiGroups": [""], "resources": ["*"], "verbs": ["patch", "create"]}]
    assert check(role(rules), CONFIG).messages == [writes("create, patch", 1), execs(1)]


@pytest.mark.parametrize("resources", [["pods/exec"], ["pods/*"], ["*"]])
@pytest.mark.parametrize("verbs", [["create"], ["get"], ["*"]])
def test_pods_exec_is_flagged_with_any_verb(resources: list[str], verbs: list[str]) -> None:
    found = check(role([{"apiGroups": [""], "resources": resources, "verbs": verbs}]), CONFIG).messages
    assert execs() in found


def test_reading_secrets_and_using_other_groups_pass() -> None:
    rules = [{"apiGroups": [""], "resources": ["secrets", "configmaps"], "verbs": ["get", "list", "watch"]},
             {"apiGroups": ["apps"], "resources": ["deployments", "secrets"], "verbs": ["create", "update", "patch"]},
             {"apiGroups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "delete"]},
             {"apiGroups": [""], "resources": ["pods/exec"], "verbs": []}]
    assert check(role(rules), CONFIG).messages == []


def test_only_the_configured_deployer_roles_are_limited() -> None:
    rules = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}]
    assert check(role(rules, name="platform-admin"), CONFIG).messages == []
    assert check(role(rules, name="ci-deploy"), {"deployerRoles": ["ci-deploy"]}).messages == [
        "rules[0] lets deployer role ci-deploy create secrets; the deployer may only get and list them."]
    assert check(role(rules), {"deployerRoles": []}).messages == []


def test_unknown_names_and_rules_are_named_not_judged() -> None:
    rules = [{"apiGroups": [""], "resources": ["secrets"], "verbs": ["create"]}]
    by_name = check(role(rules, name=UNKNOWN), CONFIG)
    assert by_name.messages == [] and by_name.unknown == ["metadata.name"]
    by_rules = check(role([{"apiGroups": [""], "resources": ["secrets"], "verbs": UNKNOWN}, *rules]), CONFIG)
    assert by_rules.messages == [] and by_rules.unknown == ["rules"]
