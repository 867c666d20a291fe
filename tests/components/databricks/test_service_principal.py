"""The environment's pipeline identity (ADR-001): `ml-pipelines-<env>`, no cluster creation outside its policy,
an OAuth M2M secret that exists only as a Pulumi secret."""

from __future__ import annotations

import pytest

from components.databricks.service_principal import (
    PipelineServicePrincipalArgs,
    validate_pipeline_service_principal_args,
)
from preflight.harness import Secret, plain
from tests.databricks.access import SERVICE_PRINCIPAL
from tests.databricks.snippets import stack_cfg, stack_plan
from tests.support import STACKS

SECRET = "databricks:index/servicePrincipalSecret:ServicePrincipalSecret"


@pytest.mark.parametrize("stack", STACKS)
def test_one_service_principal_named_after_the_environment_without_unrestricted_clusters(stack: str) -> None:
    principal = stack_plan(stack).one(SERVICE_PRINCIPAL).inputs
    assert principal["displayName"] == f"ml-pipelines-{stack}"
    assert principal["allowClusterCreate"] is False and principal["allowInstancePoolCreate"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_the_oauth_secret_belongs_to_the_principal_and_is_only_ever_a_pulumi_secret(stack: str) -> None:
    plan = stack_plan(stack)
    principal = plan.one(SERVICE_PRINCIPAL)
    secret = plan.one(SECRET)
    assert secret.inputs["servicePrincipalId"] == principal.id  # the SCIM id, not the application id
    assert secret.inputs["lifetime"] == "7776000s"
    assert "secret" in secret.options["additionalSecretOutputs"]
    assert isinstance(secret.outputs["secret"], Secret)
    layer = plan.one("platform:databricks:DatabricksPlatform", name=f"{stack}-databricks")
    assert "servicePrincipalOauthSecret" not in plain(layer.component_outputs)  # it goes to Secrets Manager only


@pytest.mark.parametrize("stack", STACKS)
def test_the_rotation_key_in_config_is_what_replaces_the_secret(stack: str) -> None:
    """pulumi-databricks 1.118.0 ServicePrincipalSecret.time_rotating: "Changing this argument forces recreation
    of the secret." The config's rotation date is that argument, so changing it plans a new secret."""
    rotation = stack_cfg(stack).databricks.pipeline_secret_rotation
    assert rotation is not None
    assert stack_plan(stack).one(SECRET).inputs["timeRotating"] == f"rotated {rotation}"


@pytest.mark.parametrize(("args", "words"), [
    (PipelineServicePrincipalArgs(environment="sandbox"), "environment must be one of"),
    (PipelineServicePrincipalArgs(environment="dev", oauth_secret_lifetime="90d"), "oauth_secret_lifetime"),
])
def test_bad_principal_args_are_refused(args: PipelineServicePrincipalArgs, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        validate_pipeline_service_principal_args(args)
