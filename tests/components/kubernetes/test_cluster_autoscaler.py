"""cluster-autoscaler in each stack's plan: the upstream chart pinned to the cluster's minor, on the system pool,
values valid against our own schema, an IRSA role that may resize only this cluster's tagged groups."""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import pytest

from components.kubernetes.cluster_autoscaler import (
    CHART_REPOSITORY,
    RELEASES,
    VALUES_SCHEMA,
    WRITE_ACTIONS,
    autoscaler_values,
)
from preflight.harness import reveal
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

RELEASE = "kubernetes:helm.sh/v3:Release"


def _release(stack: str) -> dict[str, Any]:
    return reveal(preflight_plan(stack).one(RELEASE, name=f"{stack}-cluster-autoscaler-release").inputs)


@pytest.mark.parametrize("stack", STACKS)
def test_the_upstream_chart_is_pinned_to_the_clusters_minor_on_the_system_pool(stack: str) -> None:
    """The autoscaler's README: run the Cluster Autoscaler minor that matches the control plane's."""
    version = parse(stack, raw_config(stack)).cluster.version
    release = _release(stack)
    assert (release["chart"], release["repositoryOpts"]["repo"]) == ("cluster-autoscaler", CHART_REPOSITORY)
    assert release["version"] == RELEASES[version][0]
    values = release["values"]
    assert values["image"]["tag"].startswith(f"v{version}.")
    assert values["nodeSelector"] == {"pool": "system"}
    assert release["namespace"] == "kube-system"
    cluster = preflight_plan(stack).one("aws:eks/cluster:Cluster").inputs["name"]
    assert values["autoDiscovery"] == {"clusterName": cluster}
    jsonschema.validate(values, json.loads(VALUES_SCHEMA.read_text()))


@pytest.mark.parametrize("stack", STACKS)
def test_the_role_resizes_only_groups_tagged_for_this_cluster(stack: str) -> None:
    """Cluster Autoscaler on AWS (its README, "IAM Policy"): the write actions are conditioned on the group's
    `k8s.io/cluster-autoscaler/<cluster>` tag. Read from the document: moto does not evaluate Conditions."""
    plan = preflight_plan(stack)
    cluster = plan.one("aws:eks/cluster:Cluster").inputs["name"]
    role = plan.one("aws:iam/role:Role", name=f"{stack}-cluster-autoscaler-role")
    policy = next(p for p in plan.children(role.parent) if p.type == "aws:iam/rolePolicy:RolePolicy")
    statements = json.loads(policy.inputs["policy"])["Statement"]
    writes = [s for s in statements if set(s["Action"]) & set(WRITE_ACTIONS)]
    assert len(writes) == 1 and set(writes[0]["Action"]) == set(WRITE_ACTIONS)
    assert writes[0]["Condition"] == {"StringEquals": {f"aws:ResourceTag/k8s.io/cluster-autoscaler/{cluster}": "owned"}}
    assert writes[0]["Resource"].startswith("arn:aws:autoscaling:")
    for statement in statements:
        if statement["Resource"] == "*":
            assert all(":Describe" in a or ":Get" in a for a in statement["Action"]), statement
    # The tag it is conditioned on is the one the compute pool's Auto Scaling group carries.
    tags = {t.inputs["tag"]["key"]: t.inputs["tag"]["value"] for t in plan.of_type("aws:autoscaling/tag:Tag")}
    assert tags[f"k8s.io/cluster-autoscaler/{cluster}"] == "owned"
    release = _release(stack)
    assert release["values"]["rbac"]["serviceAccount"]["annotations"] == {
        "eks.amazonaws.com/role-arn": role.outputs["arn"]}
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert [v for k, v in trust["Condition"]["StringEquals"].items() if k.endswith(":sub")] == [
        f"system:serviceaccount:kube-system:{release['values']['rbac']['serviceAccount']['name']}"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_autoscaler_waits_for_the_node_groups(stack: str) -> None:
    plan = preflight_plan(stack)
    groups = {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    release = plan.one(RELEASE, name=f"{stack}-cluster-autoscaler-release")
    assert groups <= set(release.options["dependsOn"])


def test_our_schema_refuses_a_key_we_do_not_set_and_a_bad_value() -> None:
    args = ("c", "eu-west-1", "arn:aws:iam::111111111111:role/r", "v1.35.0", {"pool": "system"})
    autoscaler_values(*args)
    schema = json.loads(VALUES_SCHEMA.read_text())
    good = autoscaler_values(*args)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "autoDiscovry": {"clusterName": "c"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**good, "extraArgs": {"expander": "cheapest"}}, schema)
    with pytest.raises(jsonschema.ValidationError):
        autoscaler_values("c", "eu-west-1", "not-an-arn", "v1.35.0", {"pool": "system"})
