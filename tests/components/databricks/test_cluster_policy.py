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


@pytest.mark.parametrize("stack", STACKS)
def test_node_types_and_sizes_are_bounded_as_configured(stack: str) -> None:
    bounds = stack_cfg(stack).databricks.cluster_policy
    rules = definition(stack)
    for key in ("node_type_id", "driver_node_type_id"):
        assert rules[key]["type"] == "allowlist" and rules[key]["values"] == list(bounds.node_types)
    for key in ("num_workers", "autoscale.max_workers"):
        assert rules[key]["type"] == "range" and rules[key]["maxValue"] == bounds.max_workers
    assert rules["instance_pool_id"]["type"] == "forbidden"  # pools would bypass the node-type allowlist
    assert rules["autotermination_minutes"] == {"type": "fixed", "value": bounds.autotermination_minutes}


@pytest.mark.parametrize("stack", STACKS)
def test_clusters_run_in_unity_catalog_dedicated_mode_as_the_environments_principal(stack: str) -> None:
    application_id = stack_plan(stack).one(SERVICE_PRINCIPAL).outputs["applicationId"]
    rules = definition(stack)
    assert rules["data_security_mode"] == {"type": "fixed", "value": "SINGLE_USER"}
    assert rules["single_user_name"] == {"type": "fixed", "value": application_id}


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
