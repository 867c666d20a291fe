"""The workspace provider: host from config, OAuth M2M with a Pulumi-secret client secret or the ambient CLI
profile, and never a token."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.databricks.workspace import DatabricksWorkspaceArgs, validate_databricks_workspace_args
from preflight.harness import Secret
from tests.databricks.snippets import platform_plan, stack_cfg, stack_plan
from tests.support import STACKS, plan_with, run_snippet
from tests.test_stack_config import raw_config

PROVIDER = "pulumi:providers:databricks"


@pytest.mark.parametrize("stack", STACKS)
def test_without_a_client_id_the_provider_uses_ambient_auth_on_the_configured_host(stack: str) -> None:
    ci = {k: v for k, v in raw_config(stack)["ci"].items() if not k.startswith("databricks")}
    provider = plan_with(stack, {"ci": ci}).one(PROVIDER, name=f"{stack}-databricks-workspace-provider").inputs
    assert provider["host"] == stack_cfg(stack).databricks.host
    assert not {"token", "clientId", "clientSecret", "password"} & set(provider)


@pytest.mark.parametrize("stack", STACKS)
def test_ci_uses_its_deployer_principal_with_the_secret_from_secrets_manager(stack: str) -> None:
    """Issue 14: no GitHub secret; the client id from `ci`, the OAuth secret read by the program (a secret)."""
    provider = stack_plan(stack).one(PROVIDER, name=f"{stack}-databricks-workspace-provider").inputs
    assert provider["clientId"] == raw_config(stack)["ci"]["databricksDeployerClientId"]
    assert isinstance(provider["clientSecret"], Secret)
    assert "token" not in provider


@pytest.mark.parametrize("stack", STACKS)
def test_with_a_client_id_the_provider_uses_oauth_m2m_and_the_secret_stays_secret(stack: str) -> None:
    plan = platform_plan(stack, client=True, restricted=stack == "prod", domains=("pypi-mirror.example.com",))
    # The SDK marks `clientSecret` secret itself; what this guards is that the secret goes there, not to `token`.
    for provider in plan.of_type(PROVIDER):  # the workspace's and, in prod, the account's for network policies
        assert provider.inputs["authType"] == "oauth-m2m", provider.name
        assert isinstance(provider.inputs["clientSecret"], Secret), provider.name
        assert "token" not in provider.inputs, provider.name


class ProviderWithoutSchemaMarking(pulumi.ProviderResource):
    """`databricks.Provider` as a schema that marks no input secret (the pinned pulumi-databricks 1.118.0 wraps
    `client_secret` in `Output.secret` itself, which would hide whether the component does)."""

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None, **inputs: Any) -> None:
        props = {re.sub(r"_([a-z])", lambda m: m.group(1).upper(), key): value for key, value in inputs.items()}
        super().__init__("databricks", resource_name, props, opts)


def test_a_client_secret_handed_in_as_plain_text_still_reaches_the_provider_as_a_secret(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The Args promise a Pulumi secret; the component does not trust its caller or the provider schema for
    that: the provider's `clientSecret` input is `Output.secret` (Pulumi "Secrets": a secret input is encrypted in
    state and masked in previews)."""
    import pulumi_databricks

    monkeypatch.setattr(pulumi_databricks, "Provider", ProviderWithoutSchemaMarking)
    code = """
    import pulumi
    from components.databricks.workspace import DatabricksWorkspace, DatabricksWorkspaceArgs

    DatabricksWorkspace("dev-databricks-workspace", DatabricksWorkspaceArgs(
        host="https://dbc-dev.cloud.databricks.com", workspace_id="1", client_id="abc",
        client_secret=pulumi.Output.from_input("plain-text-oauth-secret")))
    """
    provider = run_snippet(tmp_path, code, stack="dev").one(PROVIDER).inputs
    assert provider["authType"] == "oauth-m2m" and provider["clientId"] == "abc"
    assert isinstance(provider["clientSecret"], Secret)


@pytest.mark.parametrize("stack", STACKS)
def test_every_databricks_resource_goes_through_an_explicit_provider(stack: str) -> None:
    plan = stack_plan(stack)
    providers = {p.urn for p in plan.of_type(PROVIDER)}
    stray = [r.name for r in plan.registered
             if r.custom and r.type.startswith("databricks:") and r.provider not in providers]
    assert stray == []


def test_a_client_id_without_its_secret_is_refused() -> None:
    with pytest.raises(ValueError) as info:
        validate_databricks_workspace_args(DatabricksWorkspaceArgs(host="https://dbc-dev.cloud.databricks.com",
                                                                   workspace_id="1", client_id="abc"))
    assert str(info.value) == (
        "DatabricksWorkspaceArgs: client_id and client_secret must be given together (OAuth M2M) or both left out "
        "(ambient auth), got client_id='abc' and client_secret missing")


@pytest.mark.parametrize("host", ["http://dbc-dev.cloud.databricks.com", "dbc-dev.cloud.databricks.com",
                                  "https://dbc-dev.cloud.databricks.com\n"])
def test_a_host_that_is_no_https_url_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match="host must be an https://"):
        validate_databricks_workspace_args(DatabricksWorkspaceArgs(host=host, workspace_id="1"))


@pytest.mark.parametrize("stack", STACKS)
def test_the_workspace_component_registers_its_host_and_workspace_id(stack: str) -> None:
    """`register_outputs` is what the engine records as the component's outputs (Pulumi docs, "Component
    resources": registering outputs); the workspace's are the stack file's `databricks.host` and
    `databricks.workspaceId`, under the names the stack file gives them."""
    databricks = raw_config(stack)["databricks"]
    workspace = stack_plan(stack).one("platform:databricks:DatabricksWorkspace", name=f"{stack}-databricks-workspace")
    assert workspace.component_outputs == {"host": databricks["host"], "workspaceId": databricks["workspaceId"]}
