"""kubernetes-rbac-no-cluster-admin-binding."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.kubernetes_rbac_no_cluster_admin_binding import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource
from tests.support import violations_of


def test_flags_cluster_admin_binding_only(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"binding-cluster-admin-bad"}


@pytest.mark.parametrize("mode", ["up"])
def test_class_bind(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Admin-equivalent built-in ClusterRoles and system:masters; view, and a Role of one's own named admin, pass."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("bind-")}
    assert found == {"bind-admin-bad", "bind-edit-bad", "bind-masters-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_config_group_objects(mode: str, manifests_plan: Plan, manifests_preview_plan: Plan) -> None:
    """Bindings created through yaml/v2 ConfigGroup (`objs`, `yaml`, `files` globs) and ConfigFile (a project
    file), and the v1 ones, are judged like declared bindings; view bindings beside them pass."""
    plan = manifests_plan if mode == "up" else manifests_preview_plan
    found = {name.rsplit("/", 1)[-1] for name in flagged(plan, NAME)}
    assert found == {"objs-admin-bad", "yaml-edit-bad", "file-admin-bad", "glob-edit-bad",
                     "computed-cluster-admin-bad", "v1-edit-bad", "v1-file-admin-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_a_manifest_the_preflight_cannot_read_is_reported_not_passed(mode: str, manifests_plan: Plan,
                                                                      manifests_preview_plan: Plan) -> None:
    plan = manifests_plan if mode == "up" else manifests_preview_plan
    unread = [v for v in violations_of(plan, {}) if v.pack == "preflight"]
    assert [(v.urn.rsplit("::", 1)[-1], v.enforcement) for v in unread] == [("remote", "advisory")]
    assert "is a URL" in unread[0].message and unread[0].is_preview_note


CLUSTER_ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding"
TEAM = [{"kind": "Group", "name": "data-engineers", "apiGroup": "rbac.authorization.k8s.io"}]


def test_the_message_names_the_role_and_what_to_bind_instead() -> None:
    props = {"roleRef": {"kind": "ClusterRole", "name": "cluster-admin", "apiGroup": "rbac.authorization.k8s.io"},
             "subjects": TEAM}
    assert check(resource(CLUSTER_ROLE_BINDING, props), {}).messages == [
        "binds the built-in ClusterRole cluster-admin, which is admin-equivalent; bind a namespaced Role with the "
        "permissions needed."]


def test_subjects_not_known_yet_are_named_not_passed() -> None:
    """A binding's subjects computed from other outputs (a group name from an access entry) are judged after the
    update; during a preview they are reported as not judged."""
    props = {"roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": UNKNOWN}
    verdict = check(resource(CLUSTER_ROLE_BINDING, props), {})
    assert verdict.messages == [] and verdict.unknown == ["subjects"]
    masters = [{"kind": "Group", "name": "system:masters"}]
    assert check(resource(CLUSTER_ROLE_BINDING, {**props, "subjects": masters}), {}).messages == [
        "binds group system:masters, which bypasses RBAC entirely."]


@pytest.mark.parametrize("role_ref", [{"kind": "ClusterRole", "name": UNKNOWN}, {"kind": UNKNOWN, "name": "admin"}])
def test_a_role_not_known_yet_is_named_not_passed(role_ref: dict[str, object]) -> None:
    """A computed roleRef may be cluster-admin: named as not judged."""
    verdict = check(resource(CLUSTER_ROLE_BINDING, {"roleRef": role_ref, "subjects": TEAM}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["roleRef"])
