"""Grafana: the upstream chart pinned in platform-monitoring, persistence on `ssd-retain`, the admin credentials
from a Secret (synced from Secrets Manager) and never in values, values checked against our schema, nothing
cluster-wide and nothing the namespace's restricted Pod Security Standard refuses (no root chown init)."""

from __future__ import annotations

import pytest

from components.kubernetes.grafana import CHART, CHART_REPOSITORY, CHART_VERSION, GrafanaArgs, validate_grafana_args
from components.kubernetes.upstream_chart import values_problems
from preflight.harness import Secret, reveal
from tests.support import STACKS, preflight_plan

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_is_pinned_persistent_on_ssd_retain_with_its_password_from_a_secret(stack: str) -> None:
    release = preflight_plan(stack).one(RELEASE, name="platform-monitoring-grafana-release")
    assert (release.inputs["chart"], release.inputs["version"]) == (CHART, CHART_VERSION)
    assert release.inputs["repositoryOpts"] == {"repo": CHART_REPOSITORY}
    assert release.inputs["namespace"] == "platform-monitoring"
    values = reveal(release.inputs["values"])
    assert not isinstance(release.inputs["values"], Secret)
    assert values_problems(CHART, values) == []
    assert values["persistence"] == {"enabled": True, "storageClassName": "ssd-retain", "size": "10Gi"}
    assert values["admin"]["existingSecret"] == "grafana-admin"
    assert "adminPassword" not in values
    assert values["initChownData"] == {"enabled": False}
    assert values["rbac"] == {"create": False}


def test_our_schema_refuses_a_password_in_values_and_root_init() -> None:
    values = reveal(preflight_plan("prod").one(RELEASE, name="platform-monitoring-grafana-release").inputs["values"])
    assert any("adminPassword" in p for p in values_problems(CHART, {**values, "adminPassword": "x"}))
    assert any("initChownData" in p for p in values_problems(CHART, {**values, "initChownData": {"enabled": True}}))


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_grafana_args(GrafanaArgs(namespace="", admin_secret="", chart_version="latest"))
    for words in ("namespace must not be empty", "admin_secret must not be empty", "chart_version must pin"):
        assert words in str(info.value)
