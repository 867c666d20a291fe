"""External Secrets Operator and Stakater Reloader in each stack's plan: their own namespace, created first, and
both releases after the node pools their pods run on (the platform release, Dagster and Grafana wait for the
operator's CRDs, so a release stuck without nodes blocks every layer after it)."""

from __future__ import annotations

import pytest

from tests.support import STACKS, preflight_plan

RELEASE = "kubernetes:helm.sh/v3:Release"
COMPONENT = "platform:kubernetes:SecretSync"


@pytest.mark.parametrize("stack", STACKS)
def test_everything_waits_for_the_operators_namespace(stack: str) -> None:
    """Kubernetes refuses an object in a namespace that does not exist; the releases use `create_namespace=False`."""
    plan = preflight_plan(stack)
    children = plan.children(plan.one(COMPONENT))
    (namespace,) = [c for c in children if c.type == "kubernetes:core/v1:Namespace"]
    assert namespace.inputs["metadata"]["name"] == "platform-operators"
    assert len(children) >= 8
    for child in children:
        if child is not namespace:
            assert namespace.urn in child.options["dependsOn"], child.name


@pytest.mark.parametrize("stack", STACKS)
def test_both_operators_are_released_after_the_node_groups(stack: str) -> None:
    """Both releases are atomic (Helm `--atomic` waits for their pods, then rolls back on timeout): created before
    any node exists their pods stay Pending and the release fails. __main__ hands SecretSync the node pools as
    dependsOn; children do not inherit a component's dependsOn, so the edge must be on each release."""
    plan = preflight_plan(stack)
    groups = {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert len(groups) == 3
    releases = {r.inputs["chart"]: r for r in plan.children(plan.one(COMPONENT)) if r.type == RELEASE}
    assert sorted(releases) == ["external-secrets", "reloader"]
    for chart, release in releases.items():
        assert groups <= set(release.options["dependsOn"]), chart
        assert release.inputs["atomic"] is True


def test_bad_args_are_refused_together_in_one_error_naming_each_problem() -> None:
    """One ValueError with every problem: a chart `extra_values` names that the component does not release (named
    once, not a KeyError), and each value our schemas of the two charts refuse, at its path ("(root)" for the
    values' top level)."""
    from components.kubernetes.secret_sync import SecretSyncArgs, validate_secret_sync_args

    args = SecretSyncArgs(vpc_cidr="10.0.0.0/16", replicas=0, extra_values={
        "reloader": {"unknown": 1}, "external-secrets": {"replicaCount": "two"}, "nope": {}})
    with pytest.raises(ValueError) as info:
        validate_secret_sync_args(args)
    assert str(info.value) == (
        "SecretSync: replicas must be >= 1, got 0; extra_values names unknown charts ['nope']; "
        "external-secrets values replicaCount: 'two' is not of type 'integer'; "
        "external-secrets values webhook.replicaCount: 0 is less than the minimum of 1; "
        "reloader values (root): Additional properties are not allowed ('unknown' was unexpected)")
    validate_secret_sync_args(SecretSyncArgs(vpc_cidr="10.0.0.0/16"))  # the defaults pass
