"""kubernetes-rbac-no-wildcards: wildcards only in allow-listed roles."""

from __future__ import annotations

from policies.rules._support import UNKNOWN
from policies.rules.kubernetes_rbac_no_wildcards import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource


def test_flags_wildcards_except_platform_admin(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"role-wildcard-verbs-bad", "role-wildcard-cluster-bad"}


def test_allow_list_is_pack_config(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME, {NAME: {"allowedRoles": []}})
    assert "role-platform-admin" in hits


def test_the_message_names_the_role_by_metadata_name_and_every_wildcard_field() -> None:
    """`allowedRoles` lists metadata.name, so the message names the role by it (not the Pulumi logical name), with
    each rule field that holds `*`."""
    props = {"metadata": {"name": "ml-operator", "namespace": "ml"},
             "rules": [{"apiGroups": [""], "resources": ["*"], "verbs": ["*"]},
                       {"apiGroups": ["*"], "resources": ["pods"], "verbs": ["get"]}]}
    role = resource("kubernetes:rbac.authorization.k8s.io/v1:Role", props, name="operator-role")
    assert check(role, {}).messages == [
        "role ml-operator uses * in rules[0].verbs, rules[0].resources, rules[1].apiGroups; list the verbs, "
        "resources and API groups it needs (or add the role to allowedRoles with a reason)."]
    assert check(role, {"allowedRoles": ["ml-operator"]}).messages == []
    assert check(role, {"allowedRoles": ["operator-role"]}).messages != []


def test_a_wildcard_role_whose_name_is_not_known_yet_is_noted_not_judged() -> None:
    """`allowedRoles` matches metadata.name: while the name is computed (an auto-named role during a preview) the
    role cannot be matched either way, so metadata.name is named as not judged; a role without wildcards needs no
    name at all."""
    rules = [{"apiGroups": [""], "resources": ["pods"], "verbs": ["*"]}]
    role = resource("kubernetes:rbac.authorization.k8s.io/v1:Role",
                    {"metadata": {"name": UNKNOWN, "namespace": "ml"}, "rules": rules}, name="operator-role")
    verdict = check(role, {"allowedRoles": ["ml-operator"]})
    assert (verdict.messages, verdict.unknown) == ([], ["metadata.name"])
    narrow = resource(role.type, {**role.props, "rules": [{**rules[0], "verbs": ["get"]}]}, name="operator-role")
    assert check(narrow, {}).unknown == []
