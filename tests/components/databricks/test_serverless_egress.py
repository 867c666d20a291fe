"""Prod's egress limits reach Databricks: serverless compute of the prod workspace may reach only the
environment's buckets and the configured domains (an enforced account network policy); dev and staging keep
the account default and need no account-level credentials."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.databricks.serverless_egress import ServerlessEgressArgs, validate_serverless_egress_args
from preflight.harness import Secret
from tests.components.databricks.test_workspace import ProviderWithoutSchemaMarking
from tests.databricks.snippets import stack_cfg, stack_plan
from tests.support import run_snippet

POLICY = "databricks:index/accountNetworkPolicy:AccountNetworkPolicy"
OPTION = "databricks:index/workspaceNetworkOption:WorkspaceNetworkOption"
PROVIDER = "pulumi:providers:databricks"
ACCOUNT_ID = "0a1b2c3d-0000-4000-8000-00000000d0ab"


def test_prod_serverless_egress_is_restricted_to_its_buckets_and_the_allow_list() -> None:
    plan = stack_plan("prod")
    cfg = stack_cfg("prod")
    buckets = [b.outputs["bucket"] for b in plan.of_type("aws:s3/bucket:Bucket")]  # the AWS layer's, all of them
    policy = plan.one(POLICY).inputs
    access = policy["egress"]["networkAccess"]
    assert policy["networkPolicyId"] == "ml-platform-prod" and policy["accountId"] == ACCOUNT_ID
    assert access["restrictionMode"] == "RESTRICTED_ACCESS"
    assert access["policyEnforcement"] == {"enforcementMode": "ENFORCED"}
    assert len(buckets) == 5 and sorted(d["bucketName"] for d in access["allowedStorageDestinations"]) == sorted(
        buckets)
    assert all(d == {"bucketName": d["bucketName"], "region": cfg.region, "storageDestinationType": "AWS_S3"}
               for d in access["allowedStorageDestinations"])
    assert access["allowedInternetDestinations"] == [
        {"destination": d, "internetDestinationType": "DNS_NAME"} for d in cfg.databricks.egress_allowed_domains]
    assert plan.one(OPTION).inputs == {"workspaceId": cfg.databricks.workspace_id,
                                       "networkPolicyId": "ml-platform-prod"}


def test_the_network_policy_is_managed_through_an_account_level_provider() -> None:
    plan = stack_plan("prod")
    account = plan.one(PROVIDER, name="prod-databricks-serverless-egress-account")
    assert account.inputs["host"] == "https://accounts.cloud.databricks.com"
    assert account.inputs["accountId"] == ACCOUNT_ID
    assert plan.one(POLICY).provider == plan.one(OPTION).provider == account.urn


def test_the_account_providers_client_secret_is_a_secret_even_when_handed_in_as_plain_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The account admin's OAuth secret reaches the account-level provider as `Output.secret` whatever the caller
    passes and whatever the provider schema marks (Pulumi "Secrets": a secret input is encrypted in state and
    masked in previews; the stand-in provider is test_workspace.py's)."""
    import pulumi_databricks

    monkeypatch.setattr(pulumi_databricks, "Provider", ProviderWithoutSchemaMarking)
    code = f"""
    import pulumi
    from components.databricks.serverless_egress import ServerlessEgress, ServerlessEgressArgs

    ServerlessEgress("prod-databricks-serverless-egress", ServerlessEgressArgs(
        environment="prod", restricted=True, account_id="{ACCOUNT_ID}", workspace_id="3", region="eu-west-1",
        storage_buckets=["ml-platform-prod-raw"], client_id="abc",
        client_secret=pulumi.Output.from_input("plain-text-oauth-secret")))
    """
    account = run_snippet(tmp_path, code).one(PROVIDER).inputs
    assert account["authType"] == "oauth-m2m" and account["clientId"] == "abc"
    assert isinstance(account["clientSecret"], Secret)


@pytest.mark.parametrize("stack", ["dev", "staging"])
def test_dev_and_staging_keep_the_account_default_and_need_no_account_provider(stack: str) -> None:
    plan = stack_plan(stack)
    assert plan.of_type(POLICY) == [] and plan.of_type(OPTION) == []
    assert [p.name for p in plan.of_type(PROVIDER)] == [f"{stack}-databricks-workspace-provider"]


@pytest.mark.parametrize(("changes", "words"), [
    ({"storage_buckets": ()}, "storage_buckets must name the environment's buckets"),
    ({"allowed_domains": ("https://pypi-mirror.example.com",)}, "not a DNS name"),
    ({"account_id": "acme"}, "account_id must be a Databricks account id"),
    ({"client_id": "abc"}, "client_id and client_secret must be given together"),
])
def test_bad_egress_args_are_refused(changes: dict[str, object], words: str) -> None:
    base: dict[str, object] = {"environment": "prod", "restricted": True, "account_id": ACCOUNT_ID,
                               "workspace_id": "3", "region": "eu-west-1", "storage_buckets": ("b",)}
    with pytest.raises(ValueError, match=words):
        validate_serverless_egress_args(ServerlessEgressArgs(**{**base, **changes}))  # type: ignore[arg-type]


def test_every_problem_is_reported_in_one_message() -> None:
    args = ServerlessEgressArgs(environment="prod", restricted=True, account_id="acme", workspace_id="w",
                                region="eu-west-1", storage_buckets=())
    with pytest.raises(ValueError) as refused:
        validate_serverless_egress_args(args)
    assert str(refused.value) == (
        "ServerlessEgressArgs: account_id must be a Databricks account id (UUID), got 'acme'; "
        "workspace_id must be numeric, got 'w'; "
        "storage_buckets must name the environment's buckets when restricted, got none")
