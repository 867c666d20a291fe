"""The environment's cluster policy: node types and size bounded as configured, auto-termination fixed, Unity
Catalog's dedicated access mode as the environment's service principal, usable by that principal only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.databricks.cluster_policy import EnvironmentClusterPolicyArgs, validate_environment_cluster_policy_args
from tests.databricks.access import SERVICE_PRINCIPAL
from tests.databricks.snippets import stack_cfg, stack_plan
from tests.support import STACKS

POLICY = "databricks:index/clusterPolicy:ClusterPolicy"
PERMISSIONS = "databricks:index/permissions:Permissions"


def definition(stack: str) -> dict[str, Any]:
    return json.loads(stack_plan(stack).one(POLICY).inputs["definition"])


def expected_restrictions(stack: str) -> dict[str, dict[str, Any]]:
    """What the policy must hold, written from the docs and the README (not from cluster_policy.py), with the
    stack file's bounds and the plan's service principal filled in.

    Databricks "Compute policy reference" (docs.databricks.com/aws/en/admin/clusters/policy-definition): one rule
    per attribute path, and an attribute the definition does not name is unrestricted; `fixed` pins a value
    (`hidden` removes it from the UI), `forbidden` refuses the attribute, `allowlist` takes `values`, `range` takes
    `minValue`/`maxValue`. `instance_pool_id`/`driver_instance_pool_id`: a pool decides the node type, so
    forbidding them keeps the node-type allowlist the only way to choose one (its example forbids
    `instance_pool_id` with `hidden`). `data_security_mode` `SINGLE_USER` is Unity Catalog's dedicated access mode,
    which runs as `single_user_name`. README: "a cluster policy only it [ml-pipelines-<env>] may use"; the module
    docstring: bounded node types and size, fixed auto-termination, tagged with the environment."""
    bounds = stack_cfg(stack).databricks.cluster_policy
    application_id = stack_plan(stack).one(SERVICE_PRINCIPAL).outputs["applicationId"]
    node_types = list(bounds.node_types)
    return {
        "node_type_id": {"type": "allowlist", "values": node_types, "defaultValue": node_types[0]},
        "driver_node_type_id": {"type": "allowlist", "values": node_types, "defaultValue": node_types[0]},
        "instance_pool_id": {"type": "forbidden", "hidden": True},
        "driver_instance_pool_id": {"type": "forbidden", "hidden": True},
        "num_workers": {"type": "range", "minValue": 0, "maxValue": bounds.max_workers},
        "autoscale.min_workers": {"type": "range", "minValue": 1, "maxValue": bounds.max_workers, "defaultValue": 1},
        "autoscale.max_workers": {"type": "range", "minValue": 1, "maxValue": bounds.max_workers},
        "autotermination_minutes": {"type": "fixed", "value": bounds.autotermination_minutes},
        "data_security_mode": {"type": "fixed", "value": "SINGLE_USER"},
        "single_user_name": {"type": "fixed", "value": application_id},
        "custom_tags.environment": {"type": "fixed", "value": stack},
    }


RESTRICTIONS = ["node_type_id", "driver_node_type_id", "instance_pool_id", "driver_instance_pool_id", "num_workers",
                "autoscale.min_workers", "autoscale.max_workers", "autotermination_minutes", "data_security_mode",
                "single_user_name", "custom_tags.environment"]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("attribute", RESTRICTIONS)
def test_each_restriction_is_in_the_policy(stack: str, attribute: str) -> None:
    # One test per restriction: removing or loosening any one of them from the definition fails its own case.
    assert definition(stack).get(attribute) == expected_restrictions(stack)[attribute]


@pytest.mark.parametrize("stack", STACKS)
def test_the_policy_holds_the_restrictions_and_nothing_else(stack: str) -> None:
    assert sorted(definition(stack)) == sorted(RESTRICTIONS)


@pytest.mark.parametrize("stack", STACKS)
def test_the_stack_files_bounds_are_within_the_documented_limits(stack: str) -> None:
    # What the restrictions above are filled with: the README's and the Args' ranges, checked on the stack file.
    bounds = stack_cfg(stack).databricks.cluster_policy
    assert bounds.node_types and 1 <= bounds.max_workers <= 500 and 10 <= bounds.autotermination_minutes <= 240


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_environments_principal_may_use_the_policy(stack: str) -> None:
    plan = stack_plan(stack)
    application_id = plan.one(SERVICE_PRINCIPAL).outputs["applicationId"]
    permissions = plan.one(PERMISSIONS).inputs
    assert permissions["clusterPolicyId"] == plan.one(POLICY).id
    assert permissions["accessControls"] == [{"servicePrincipalName": application_id, "permissionLevel": "CAN_USE"}]


@pytest.mark.parametrize(("changes", "words"), [
    ({"node_types": ()}, "at least one node type"),
    ({"node_types": ("large",)}, "not a node type"),
    ({"node_types": ("m6i.large\n",)}, "not a node type"),
    ({"max_workers": 0}, "max_workers must be between"),
    ({"autotermination_minutes": 0}, "autotermination_minutes must be between"),
])
def test_bad_policy_args_are_refused(changes: dict[str, Any], words: str) -> None:
    base: dict[str, Any] = {"environment": "dev", "node_types": ("m6i.large",), "max_workers": 2,
                            "autotermination_minutes": 20, "user_application_id": "app"}
    with pytest.raises(ValueError, match=words):
        validate_environment_cluster_policy_args(EnvironmentClusterPolicyArgs(**{**base, **changes}))


def test_ten_minutes_the_smallest_auto_termination_databricks_accepts_is_accepted_and_nine_refused() -> None:
    """Databricks Clusters API, `autotermination_minutes`: "must be between 10 and 10000 minutes" (0 disables it,
    which the policy never allows)."""
    base: dict[str, Any] = {"environment": "dev", "node_types": ("m6i.large",), "max_workers": 2,
                            "user_application_id": "app"}
    validate_environment_cluster_policy_args(EnvironmentClusterPolicyArgs(**base, autotermination_minutes=10))
    with pytest.raises(ValueError) as info:
        validate_environment_cluster_policy_args(EnvironmentClusterPolicyArgs(**base, autotermination_minutes=9))
    assert str(info.value) == \
        "EnvironmentClusterPolicyArgs: autotermination_minutes must be between 10 and 240, got 9"
