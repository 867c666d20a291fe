"""The workspace provider: host from config, OAuth M2M with a Pulumi-secret client secret or the ambient CLI
profile, and never a token."""

from __future__ import annotations

import pytest

from components.databricks.workspace import DatabricksWorkspaceArgs, validate_databricks_workspace_args
from preflight.harness import Secret
from tests.databricks.snippets import platform_plan, stack_cfg, stack_plan
from tests.support import STACKS

PROVIDER = "pulumi:providers:databricks"


@pytest.mark.parametrize("stack", STACKS)
def test_without_a_client_id_the_provider_uses_ambient_auth_on_the_configured_host(stack: str) -> None:
    provider = stack_plan(stack).one(PROVIDER, name=f"{stack}-databricks-workspace-provider").inputs
    assert provider["host"] == stack_cfg(stack).databricks.host
    assert not {"token", "clientId", "clientSecret", "password"} & set(provider)


@pytest.mark.parametrize("stack", STACKS)
def test_with_a_client_id_the_provider_uses_oauth_m2m_and_the_secret_stays_secret(stack: str) -> None:
    plan = platform_plan(stack, client=True, restricted=stack == "prod", domains=("pypi-mirror.example.com",))
    # The SDK marks `clientSecret` secret itself; what this guards is that the secret goes there, not to `token`.
    for provider in plan.of_type(PROVIDER):  # the workspace's and, in prod, the account's for network policies
        assert provider.inputs["authType"] == "oauth-m2m", provider.name
        assert isinstance(provider.inputs["clientSecret"], Secret), provider.name
        assert "token" not in provider.inputs, provider.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_databricks_resource_goes_through_an_explicit_provider(stack: str) -> None:
    plan = stack_plan(stack)
    providers = {p.urn for p in plan.of_type(PROVIDER)}
    stray = [r.name for r in plan.registered
             if r.custom and r.type.startswith("databricks:") and r.provider not in providers]
    assert stray == []


def test_a_client_id_without_its_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="client_id and client_secret must be given together"):
        validate_databricks_workspace_args(DatabricksWorkspaceArgs(host="https://dbc-dev.cloud.databricks.com",
                                                                   workspace_id="1", client_id="abc"))


@pytest.mark.parametrize("host", ["http://dbc-dev.cloud.databricks.com", "dbc-dev.cloud.databricks.com",
                                  "https://dbc-dev.cloud.databricks.com\n"])
def test_a_host_that_is_no_https_url_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match="host must be an https://"):
        validate_databricks_workspace_args(DatabricksWorkspaceArgs(host=host, workspace_id="1"))
