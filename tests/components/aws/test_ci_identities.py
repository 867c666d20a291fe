"""CI identities: two roles per stack in the management account, trusting GitHub's OIDC provider (read, never
created) for exactly pinned subjects, each allowed into one member account and one role there."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from components.aws.ci_identities import CiIdentitiesArgs, validate_ci_identities_args
from preflight.harness import Plan, reveal
from tests.support import STACKS, plan_with, preflight_plan, run_snippet
from tests.test_stack_config import raw_config

ROLE = "aws:iam/role:Role"
HOST = "token.actions.githubusercontent.com"
MANAGEMENT = "000000000000"  # the preflight's ambient (management) account


def trust(stack: str, kind: str) -> dict:
    role = preflight_plan(stack).one(ROLE, name=f"{stack}-ci-{kind}")
    return json.loads(reveal(role.inputs)["assumeRolePolicy"])


def policy(plan: Plan, kind: str) -> dict[str, dict[str, Any]]:
    """The role's inline policy, statements by Sid."""
    document = json.loads(reveal(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{plan.stack}-ci-{kind}-access")
                                 .inputs)["policy"])
    return {s["Sid"]: s for s in document["Statement"]}


def test_the_github_oidc_provider_is_read_not_created() -> None:
    """IAM allows one OIDC provider per URL and account; three stacks share the management account, so it is a
    bootstrap prerequisite (README, "Set up once") every stack looks up."""
    for stack in STACKS:
        urls = [reveal(p.inputs).get("url") for p in
                preflight_plan(stack).of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")]
        assert f"https://{HOST}" not in urls


# Preview: pull requests, and scheduled drift runs on main (both read only). Deploy: the environment's jobs only.
@pytest.mark.parametrize(("stack", "kind", "subject"), [
    (stack, kind, subject) for stack in STACKS for kind, subject in
    (("preview", ["repo:{repo}:pull_request", "repo:{repo}:ref:refs/heads/main"]),
     ("deploy", "repo:{repo}:environment:" + stack))])
def test_each_ci_role_is_pinned_by_sub_and_aud_of_exact_subjects(stack: str, kind: str,
                                                                  subject: str | list[str]) -> None:
    plan = preflight_plan(stack)
    role = plan.one(ROLE, name=f"{stack}-ci-{kind}")
    assert reveal(role.inputs)["name"] == f"ml-platform-{stack}-ci-{kind}"  # workflows reference these names
    assert reveal(role.outputs)["arn"].split(":")[4] == MANAGEMENT
    [statement] = trust(stack, kind)["Statement"]
    assert statement["Principal"] == {"Federated": f"arn:aws:iam::{MANAGEMENT}:oidc-provider/{HOST}"}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    # Exact match only: a StringLike or a wildcard would admit other branches, forks' names or repositories.
    assert statement["Condition"] == {"StringEquals": {
        f"{HOST}:aud": "sts.amazonaws.com",
        f"{HOST}:sub": pinned(subject, raw_config(stack)["githubRepository"])}}


def pinned(subject: str | list[str], repository: str) -> str | list[str]:
    if isinstance(subject, list):
        return [s.format(repo=repository) for s in subject]
    return subject.format(repo=repository)


@pytest.mark.parametrize("stack", STACKS)
def test_no_managed_policy_and_no_iam_write_on_either_role(stack: str) -> None:
    """A role that could edit its own policy would hold every permission in the management account."""
    plan = preflight_plan(stack)
    attached = [reveal(a.inputs)["role"] for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert not [r for r in attached if "-ci-" in r]
    for kind in ("deploy", "preview"):
        actions = [a for s in policy(plan, kind).values() for a in ([s["Action"]] if isinstance(s["Action"], str)
                                                                     else s["Action"])]
        assert all(s["Effect"] == "Allow" for s in policy(plan, kind).values())
        assert not [a for a in actions if "*" in a]
        writes = [a for a in actions if a.startswith("iam:") and not a.startswith(("iam:Get", "iam:List"))]
        assert writes == []


@pytest.mark.parametrize("stack", STACKS)
def test_each_role_reaches_exactly_one_role_of_its_own_member_account(stack: str) -> None:
    plan = preflight_plan(stack)
    account_id = plan.one("aws:organizations/account:Account").id
    expected = {"deploy": "OrganizationAccountAccessRole", "preview": f"ml-platform-{stack}-previewer"}
    for kind, role in expected.items():
        assume = [s for s in policy(plan, kind).values() if s["Action"] == "sts:AssumeRole"]
        assert [s["Resource"] for s in assume] == [f"arn:aws:iam::{account_id}:role/{role}"]
        organizations = [s for s in policy(plan, kind).values()
                         if any(str(a).startswith("organizations:") for a in
                                ([s["Action"]] if isinstance(s["Action"], str) else s["Action"]))]
        scoped = [s for s in organizations if s["Resource"] != "*"]
        assert {s["Resource"] for s in scoped} == {f"arn:aws:organizations::{MANAGEMENT}:account/o-*/{account_id}"}


@pytest.mark.parametrize("stack", STACKS)
def test_create_account_only_with_this_environments_tags(stack: str) -> None:
    """organizations:CreateAccount has no resource-level permission; its documented condition keys are
    aws:RequestTag/* and aws:TagKeys (Service Authorization Reference, AWS Organizations). The request carries
    the management provider's default tags, so a deploy role may create only an account tagged for its
    environment. moto does not evaluate Conditions: this test reads the document."""
    plan = preflight_plan(stack)
    statement = policy(plan, "deploy")["CreateOnlyThisEnvironmentsAccount"]
    assert statement["Resource"] == "*" and statement["Action"] == "organizations:CreateAccount"
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/environment"] == stack
    assert statement["Condition"]["StringEquals"]["aws:RequestTag/project"] == "ml-platform"
    assert "CreateOnlyThisEnvironmentsAccount" not in policy(plan, "preview")


def test_an_adopted_account_gives_no_create_account_at_all() -> None:
    plan = plan_with("staging", {"account": dict(raw_config("staging")["account"], id="123456789012")})
    assert "CreateOnlyThisEnvironmentsAccount" not in policy(plan, "deploy")
    assert policy(plan, "deploy")["IntoTheMemberAccount"]["Resource"] == \
        "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"


@pytest.mark.parametrize("stack", STACKS)
def test_state_preview_decrypts_and_reads_deploy_also_writes(stack: str) -> None:
    plan = preflight_plan(stack)
    ci = raw_config(stack)["ci"]
    preview, deploy = policy(plan, "preview"), policy(plan, "deploy")
    assert preview["StateSecrets"] == {"Sid": "StateSecrets", "Effect": "Allow", "Action": "kms:Decrypt",
                                       "Resource": ci["stateSecretsKeyArn"]}
    assert set(deploy["StateSecrets"]["Action"]) == {"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"}
    bucket = f"arn:aws:s3:::{ci['stateBucket']}"
    assert preview["StateRead"]["Action"] == "s3:GetObject"
    assert preview["StateLocks"]["Resource"] == f"{bucket}/.pulumi/locks/*"
    assert deploy["StateReadWrite"]["Resource"] == f"{bucket}/*"


@pytest.mark.parametrize("stack", STACKS)
def test_each_role_reads_only_its_own_databricks_secret(stack: str) -> None:
    plan = preflight_plan(stack)
    base = f"arn:aws:secretsmanager:eu-west-1:{MANAGEMENT}:secret:ml-platform-{stack}/ci/databricks"
    assert policy(plan, "deploy")["DatabricksCredential"]["Resource"] == f"{base}-deployer-??????"
    assert policy(plan, "preview")["DatabricksCredential"]["Resource"] == f"{base}-previewer-??????"


def test_bad_args_are_refused_together() -> None:
    args = CiIdentitiesArgs(repository="no-slash", github_environment="Prod!", role_name_prefix="p",
                            account_id="123456789012", access_role_name="OrganizationAccountAccessRole",
                            previewer_role_name="p-previewer", region="eu-west-1", state_bucket="S",
                            state_secrets_key_arn="alias/pulumi-state", creates_account=True, max_session_seconds=60)
    with pytest.raises(ValueError, match=r"repository .*github_environment .*state_bucket .*state_secrets_key_arn "
                                         r".*required_tags .*max_session_seconds"):
        validate_ci_identities_args(args)


@pytest.mark.parametrize("field", ["access_role_name", "previewer_role_name"])
def test_a_bad_member_role_name_is_refused_naming_its_property_and_value(field: str) -> None:
    """IAM role names are 1-64 of letters, digits and `+=,.@_-` (IAM User Guide, "IAM object quotas" and
    CreateRole's RoleName): a space is none of them. The message names which of the two role names is bad."""
    good = {"access_role_name": "OrganizationAccountAccessRole", "previewer_role_name": "ml-platform-dev-previewer"}
    args = CiIdentitiesArgs(repository="acme/ml-platform", github_environment="dev", role_name_prefix="ml-platform-dev",
                            account_id="123456789012", region="eu-west-1", state_bucket="acme-pulumi-state",
                            state_secrets_key_arn="arn:aws:kms:eu-west-1:000000000000:key/"
                                                  "0a1b2c3d-0000-4000-8000-000000000001",
                            **{**good, field: "bad role"})
    with pytest.raises(ValueError) as info:
        validate_ci_identities_args(args)
    assert str(info.value) == f"CiIdentities: {field} must be an IAM role name, got 'bad role'"


def test_both_roles_last_as_long_as_max_session_seconds(tmp_path: Path) -> None:
    """`max_session_seconds` is each role's MaxSessionDuration (IAM CreateRole; AWS's default is 3600, the
    argument's too, so only another value shows the argument is passed)."""
    plan = run_snippet(tmp_path, """
    from components.aws.ci_identities import CiIdentities, CiIdentitiesArgs
    CiIdentities("dev", CiIdentitiesArgs(
        repository="acme/ml-platform", github_environment="dev", role_name_prefix="ml-platform-dev",
        account_id="123456789012", access_role_name="OrganizationAccountAccessRole",
        previewer_role_name="ml-platform-dev-previewer", region="eu-west-1", state_bucket="acme-pulumi-state",
        state_secrets_key_arn="arn:aws:kms:eu-west-1:000000000000:key/0a1b2c3d-0000-4000-8000-000000000001",
        max_session_seconds=7200))
    """, stack="dev")
    roles = plan.of_type(ROLE)
    assert sorted(r.name for r in roles) == ["dev-ci-deploy", "dev-ci-preview"]
    assert {reveal(r.inputs)["maxSessionDuration"] for r in roles} == {7200}
