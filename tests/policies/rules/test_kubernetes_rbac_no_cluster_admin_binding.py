"""kubernetes-rbac-no-cluster-admin-binding."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_rbac_no_cluster_admin_binding import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged
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
