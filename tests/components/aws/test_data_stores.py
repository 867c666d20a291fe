"""DataStores puts the environment's stores and the roles that use them under one parent, in an order that works."""

from __future__ import annotations

import pytest

from components.aws.data_stores import DATA_STORES, LOG_STORE, PIPELINES, DataStoresArgs, validate_data_stores_args
from components.aws.pipeline_role import PIPELINE_ACCESS
from tests.support import STACKS, preflight_plan

ARGS = DataStoresArgs(environment="prod", name_prefix="ml-platform-prod", account_id="123456789012",
                      oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/x", oidc_issuer="x",
                      service_account_namespace="platform-prod",
                      unity_catalog_external_id="00000000-0000-0000-0000-000000000000",
                      secret_arns={name: f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbCdEf"
                                   for name in ("database/master", "database/mlflow", "database/dagster",
                                                "databricks", "grafana/admin")})


@pytest.mark.parametrize("stack", STACKS)
def test_stores_and_roles_are_children_of_the_data_stores(stack: str) -> None:
    plan = preflight_plan(stack)
    data = plan.one("platform:storage:DataStores")
    children = {r.name for r in plan.children(data)}
    assert children == {f"{stack}-{s}" for s in (*DATA_STORES, LOG_STORE, *PIPELINES, "unity-catalog")}


@pytest.mark.parametrize("stack", STACKS)
def test_each_role_policy_waits_for_the_buckets_it_names(stack: str) -> None:
    plan = preflight_plan(stack)
    buckets = {b.urn for b in plan.of_type("aws:s3/bucket:Bucket")}
    for pipeline in PIPELINES:
        policy = plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-{pipeline}-access")
        assert bool(set(policy.options["dependsOn"]) & buckets) is bool(PIPELINE_ACCESS[pipeline].stores), pipeline


def test_bad_args_are_refused_together() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match=r"environment must .*; backup_retention_days .*; secret_arns must name "
                                         r"\['databricks'\]; force_destroy conflicts"):
        validate_data_stores_args(replace(ARGS, environment="Prod", backup_retention_days=-1, force_destroy=True,
                                          secret_arns={k: v for k, v in ARGS.secret_arns.items() if k != "databricks"}))
    validate_data_stores_args(ARGS)
