"""The pipeline principal's OAuth credential in Secrets Manager (issue 17): in the environment's own account, under
the contract's name, encrypted with a key of its own, readable only by the roles named for it, never an output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.aws.principal_secret import PrincipalSecretArgs, validate_principal_secret_args
from preflight.harness import Plan, Secret, reveal
from tests.databricks.snippets import platform_plan, stack_plan
from tests.support import STACKS, run_snippet

SECRET = "aws:secretsmanager/secret:Secret"
VERSION = "aws:secretsmanager/secretVersion:SecretVersion"
POLICY = "aws:secretsmanager/secretPolicy:SecretPolicy"
KEY = "aws:kms/key:Key"


def _secret(plan: Plan, stack: str) -> Any:
    return plan.one(SECRET, name=f"{stack}-databricks-pipelines-secret-secret")


@pytest.mark.parametrize("stack", STACKS)
def test_the_secret_lives_in_the_environments_account_under_the_contracts_name(stack: str) -> None:
    plan = stack_plan(stack)
    secret = _secret(plan, stack)
    account = plan.one("aws:organizations/account:Account").id
    assert secret.inputs["name"] == f"ml-platform-{stack}/databricks/ml-pipelines"
    assert secret.outputs["arn"].startswith(f"arn:aws:secretsmanager:eu-west-1:{account}:secret:"
                                            f"ml-platform-{stack}/databricks/ml-pipelines-")
    assert plan.plain_outputs["service_principal_secret_arn"] == secret.outputs["arn"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_secret_has_a_kms_key_of_its_own_that_only_its_readers_use_through_secrets_manager(stack: str) -> None:
    """AWS KMS: `kms:ViaService` limits a key to requests a service makes on the caller's behalf (Secrets Manager
    decrypts a secret with the caller's permissions on its key: "Secret encryption and decryption in AWS Secrets
    Manager")."""
    plan = stack_plan(stack)
    key = plan.one(KEY, name=f"{stack}-databricks-pipelines-secret-key")
    assert _secret(plan, stack).inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    others = [k for k in plan.of_type(KEY) if k.urn != key.urn]
    assert all(key.outputs["arn"] not in json.dumps(reveal(r.inputs)) for r in plan.registered
               if r.type not in (SECRET, "aws:kms/alias:Alias") and r.urn != key.urn), "the key is shared"
    statements = {s["Sid"]: s for s in json.loads(key.inputs["policy"])["Statement"]}
    backend = plan.one("aws:iam/role:Role", name=f"{stack}-dbt-role").outputs["arn"]
    readers = statements["ReadersDecryptThroughSecretsManager"]
    assert readers["Principal"] == {"AWS": [backend]} and readers["Action"] == ["kms:Decrypt", "kms:DescribeKey"]
    assert readers["Condition"] == {"StringEquals": {"kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com"}}
    assert others  # the buckets keep their own keys


@pytest.mark.parametrize("stack", STACKS)
def test_the_secrets_policy_names_only_its_readers(stack: str) -> None:
    """Secrets Manager resource policies ("Attach a permissions policy to an AWS Secrets Manager secret"): an
    explicit Deny wins over any identity policy in the account, so only the roles named here read the value."""
    plan = stack_plan(stack)
    policy = plan.one(POLICY)
    assert policy.inputs["secretArn"] == _secret(plan, stack).outputs["arn"]
    assert policy.inputs["blockPublicPolicy"] is True
    statements = {s["Sid"]: s for s in json.loads(policy.inputs["policy"])["Statement"]}
    account = plan.one("aws:organizations/account:Account").id
    backend = plan.one("aws:iam/role:Role", name=f"{stack}-dbt-role").outputs["arn"]
    assert statements["NamedRolesRead"]["Principal"] == {"AWS": [backend]}
    deny = statements["OnlyNamedRolesRead"]
    assert deny["Effect"] == "Deny" and deny["Action"] == "secretsmanager:GetSecretValue"
    assert deny["Condition"] == {"ArnNotEquals": {"aws:PrincipalArn": sorted(
        [backend, f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole"])}}


def test_readers_are_what_the_caller_names_and_nobody_else() -> None:
    readers = ("arn:aws:iam::111111111111:role/a", "arn:aws:iam::111111111111:role/b")
    policy = json.loads(platform_plan("dev", readers=readers).one(POLICY).inputs["policy"])
    allow = next(s for s in policy["Statement"] if s["Effect"] == "Allow")
    assert allow["Principal"] == {"AWS": list(readers)}
    lone = json.loads(platform_plan("dev", readers=()).one(POLICY).inputs["policy"])
    assert [s["Effect"] for s in lone["Statement"]] == ["Deny"]  # no readers: nobody but the administrator


@pytest.mark.parametrize("stack", STACKS)
def test_the_value_is_the_principals_credential_and_only_ever_a_pulumi_secret(stack: str) -> None:
    plan = stack_plan(stack)
    version = plan.one(VERSION)
    assert version.inputs["secretId"] == _secret(plan, stack).id
    assert isinstance(version.inputs["secretString"], Secret)
    value = json.loads(version.inputs["secretString"].value)
    oauth = plan.one("databricks:index/servicePrincipalSecret:ServicePrincipalSecret").outputs["secret"]
    principal = plan.one("databricks:index/servicePrincipal:ServicePrincipal").outputs["applicationId"]
    assert value == {"host": f"https://dbc-{stack}.cloud.databricks.com", "client_id": principal,
                     "client_secret": oauth.value}
    assert oauth.value not in json.dumps(reveal(plan.plain_outputs))  # no stack output carries it
    for resource in plan.registered:
        if not resource.custom:
            assert oauth.value not in json.dumps(reveal(resource.component_outputs)), resource.name


@pytest.mark.parametrize("stack", STACKS)
def test_the_stored_value_is_a_secret_in_the_plans_outputs_too(stack: str) -> None:
    """The module's docstring: the value "is a Pulumi secret in state". State keeps outputs; the engine encrypts an
    output when the registration lists it in `additionalSecretOutputs` (Pulumi docs, "Resource options:
    additionalSecretOutputs") or its input was secret."""
    version = stack_plan(stack).one(VERSION)
    assert "secretString" in version.options["additionalSecretOutputs"]
    assert isinstance(version.outputs["secretString"], Secret)


class _VersionWithoutSchemaMarking(pulumi.CustomResource):
    """`aws.secretsmanager.SecretVersion` as a provider schema that marks nothing secret: the pinned pulumi_aws wraps
    `secret_string` in `Output.secret` and adds `additional_secret_outputs=["secretString", ...]` itself, which
    would hide the component's own markings (removing either changed no registration)."""

    def __init__(self, resource_name: str, secret_id: Any = None, secret_string: Any = None,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("aws:secretsmanager/secretVersion:SecretVersion", resource_name,
                         {"secretId": secret_id, "secretString": secret_string}, opts)


def test_the_component_marks_the_value_secret_whatever_the_provider_schema_and_the_caller_do(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that passes a plain string (a literal, an unsecret'ed output) and a provider release that stopped
    marking `secretString`: the component's `Output.secret` keeps the input (state, every preview's diff) secret,
    its `additional_secret_outputs` the output; and it exports nothing of the value."""
    import pulumi_aws

    monkeypatch.setattr(pulumi_aws.secretsmanager, "SecretVersion", _VersionWithoutSchemaMarking)
    plan = run_snippet(tmp_path, """
        from components.aws.principal_secret import PrincipalSecret, PrincipalSecretArgs

        PrincipalSecret("dev-principal", PrincipalSecretArgs(
            secret_name="ml-platform-dev/databricks/ml-pipelines", account_id="111111111111", region="eu-west-1",
            value='{"client_secret": "plain"}', administrator_role_arn="arn:aws:iam::111111111111:role/deployer"))
    """, stack="dev")
    version = plan.one(VERSION)
    assert isinstance(version.inputs["secretString"], Secret)
    assert version.options["additionalSecretOutputs"] == ["secretString"]  # the stand-in adds nothing
    assert isinstance(version.outputs["secretString"], Secret)
    assert "plain" not in json.dumps(plan.plain_outputs) and "plain" not in json.dumps(
        [r.component_outputs for r in plan.registered if not r.custom], default=str)


@pytest.mark.parametrize(("changes", "words"), [
    ({"secret_name": "/leading"}, "secret_name"),
    ({"region": "europe"}, "region must be an AWS region"),
    ({"key_deletion_window_days": 3}, "key_deletion_window_days"),
    ({"recovery_window_days": 0}, "recovery_window_days"),
])
def test_bad_secret_args_are_refused(changes: dict[str, Any], words: str) -> None:
    base: dict[str, Any] = {"secret_name": "ml-platform-dev/databricks/ml-pipelines", "account_id": "1",
                            "region": "eu-west-1", "value": "{}", "administrator_role_arn": "a"}
    with pytest.raises(ValueError, match=words):
        validate_principal_secret_args(PrincipalSecretArgs(**{**base, **changes}))


@pytest.mark.parametrize(("protect", "retain"), [(False, False), (True, False), (True, True)])
def test_the_key_and_the_secret_are_protected_and_retained_as_asked_and_nothing_else(
        tmp_path: Path, protect: bool, retain: bool) -> None:
    """Pulumi resource options: `protect` refuses to delete a resource, `retainOnDelete` leaves it in the cloud
    when Pulumi deletes it. What holds the credential (the key and the secret) follows the arguments; the alias,
    the version and the policy are re-creatable parts and carry neither."""
    plan = run_snippet(tmp_path, f"""
        from components.aws.principal_secret import PrincipalSecret, PrincipalSecretArgs

        PrincipalSecret("dev-principal", PrincipalSecretArgs(
            secret_name="ml-platform-dev/databricks/ml-pipelines", account_id="111111111111", region="eu-west-1",
            value="{{}}", administrator_role_arn="arn:aws:iam::111111111111:role/deployer",
            protect={protect!r}, retain_on_delete={retain!r}))
    """, stack="dev")
    options = {r.type: (r.options["protect"], r.options["retainOnDelete"]) for r in plan.registered if r.custom}
    assert options == {KEY: (protect, retain), SECRET: (protect, retain), "aws:kms/alias:Alias": (False, False),
                       VERSION: (False, False), POLICY: (False, False)}
