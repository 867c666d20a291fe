"""The environment's pipeline identity (ADR-001): `ml-pipelines-<env>`, no cluster creation outside its policy,
an OAuth M2M secret that exists only as a Pulumi secret."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.databricks.service_principal import (
    PipelineServicePrincipalArgs,
    validate_pipeline_service_principal_args,
)
from preflight.harness import Secret, plain
from tests.databricks.access import SERVICE_PRINCIPAL
from tests.databricks.snippets import stack_cfg, stack_plan
from tests.support import STACKS, run_snippet

SECRET = "databricks:index/servicePrincipalSecret:ServicePrincipalSecret"


@pytest.mark.parametrize("stack", STACKS)
def test_one_service_principal_named_after_the_environment_without_unrestricted_clusters(stack: str) -> None:
    principal = stack_plan(stack).one(SERVICE_PRINCIPAL).inputs
    assert principal["displayName"] == f"ml-pipelines-{stack}"
    assert principal["allowClusterCreate"] is False and principal["allowInstancePoolCreate"] is False
    # Databricks "Manage entitlements": workspace access is jobs, notebooks and pipelines; SQL access the SQL
    # warehouses dbt runs on. Both the pipelines' identity needs, granted on the principal itself rather than
    # left to the `users` group, which a workspace admin may strip.
    assert principal["workspaceAccess"] is True and principal["databricksSqlAccess"] is True


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


class _SecretWithoutSchemaMarking(pulumi.CustomResource):
    """`databricks.ServicePrincipalSecret` as a provider schema that marks nothing secret (the pinned
    pulumi-databricks 1.118.0 adds `additional_secret_outputs=["secret"]` itself, which would hide the
    component's own marking). `ignore_options`: also a provider that reports the value in plain text whatever
    the options say, so only the component's `Output.secret` is left."""

    ignore_options = False

    def __init__(self, resource_name: str, service_principal_id: Any = None, lifetime: Any = None,
                 time_rotating: Any = None, opts: pulumi.ResourceOptions | None = None) -> None:
        if self.ignore_options and opts is not None:
            opts = copy.copy(opts)
            opts.additional_secret_outputs = None
        super().__init__("databricks:index/servicePrincipalSecret:ServicePrincipalSecret", resource_name,
                         {"servicePrincipalId": service_principal_id, "lifetime": lifetime,
                          "timeRotating": time_rotating, "secret": None}, opts)


class _SecretReportedInPlainText(_SecretWithoutSchemaMarking):
    ignore_options = True


PRINCIPAL_ALONE = """
import pulumi
from components.databricks.service_principal import PipelineServicePrincipal, PipelineServicePrincipalArgs

principal = PipelineServicePrincipal("dev-pipelines", PipelineServicePrincipalArgs(environment="dev"))
pulumi.export("oauth_secret", principal.oauth_secret)
"""


def test_the_component_marks_the_resources_secret_output_whatever_the_provider_schema_says(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Pulumi "Secrets" (additionalSecretOutputs: "specify a list of named output properties that should be
    treated as secrets"): the component asks for `secret` itself, so the credential is encrypted in state even
    if a provider release stopped marking it."""
    import pulumi_databricks

    monkeypatch.setattr(pulumi_databricks, "ServicePrincipalSecret", _SecretWithoutSchemaMarking)
    plan = run_snippet(tmp_path, PRINCIPAL_ALONE, stack="dev")
    secret = plan.one(SECRET)
    assert secret.options["additionalSecretOutputs"] == ["secret"]
    assert isinstance(secret.outputs["secret"], Secret)


def test_the_oauth_secret_the_component_hands_out_is_a_secret_even_if_the_provider_reports_it_in_plain_text(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The docstring's promise ("a credential never leaves as plaintext"): `oauth_secret`, what goes to Secrets
    Manager, is `Output.secret` whatever the resource's output is."""
    import pulumi_databricks

    monkeypatch.setattr(pulumi_databricks, "ServicePrincipalSecret", _SecretReportedInPlainText)
    plan = run_snippet(tmp_path, PRINCIPAL_ALONE, stack="dev")
    assert not isinstance(plan.one(SECRET).outputs["secret"], Secret)  # the stand-in did what it says
    assert isinstance(plan.plain_outputs["oauth_secret"], Secret)


@pytest.mark.parametrize("stack", STACKS)
def test_the_stored_credential_is_a_secret_input_of_the_secret_version(stack: str) -> None:
    """What leaves the layer: the JSON with the client secret, as `secretString` of the Secrets Manager version
    (secret in state and in every preview's diff)."""
    version = stack_plan(stack).one("aws:secretsmanager/secretVersion:SecretVersion",
                                    name=f"{stack}-databricks-pipelines-secret-version")
    assert isinstance(version.inputs["secretString"], Secret)


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
