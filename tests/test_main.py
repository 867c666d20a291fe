"""The composition exports what operators need (issue 2), with values from the layers, per stack."""

from __future__ import annotations

import pytest

from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config


@pytest.mark.parametrize("stack", STACKS)
def test_exports_what_operators_need(stack: str) -> None:
    plan = preflight_plan(stack)
    outputs = plan.plain_outputs
    assert outputs["environment"] == stack
    assert outputs["pipelines_paused"] is (stack != "prod")  # ADR-001: paused outside prod
    assert outputs["account_id"] == plan.one("aws:organizations/account:Account").id
    assert set(outputs["bucket_names"]) == {"raw", "processed", "artifacts", "enriched", "logs"}
    assert outputs["cluster_name"] == plan.one("aws:eks/cluster:Cluster").outputs["name"]
    assert outputs["catalog_name"] == stack
    # Whatever users the stack file lists, in its order (none outside dev).
    assert outputs["sandbox_catalog_names"] == [f"{u}_sandbox" for u in raw_config(stack).get("sandboxUsers", [])]
    principal = plan.one("databricks:index/servicePrincipal:ServicePrincipal")
    assert outputs["service_principal_application_id"] == principal.outputs["applicationId"]
    assert outputs["helm_release_status"]["status"] == "deployed"
    assert outputs["helm_release_status"]["namespace"] == f"platform-{stack}"
