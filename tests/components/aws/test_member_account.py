"""The member account: created protected through the management provider (or adopted), and the provider
into it that every other AWS resource of the stack uses."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws.member_account import MemberAccountArgs, validate_member_account_args
from preflight.harness import Plan, RecordedResource, reveal
from tests.support import STACKS, plan_with, preflight_plan
from tests.test_stack_config import raw_config

ACCOUNT = "aws:organizations/account:Account"
PROVIDER = "pulumi:providers:aws"


def provider_inputs(provider: RecordedResource) -> dict[str, Any]:
    """A provider's inputs with its structured values decoded (they travel as JSON text on the wire)."""
    decoded: dict[str, Any] = {}
    for key, value in reveal(provider.inputs).items():
        try:
            decoded[key] = json.loads(value) if isinstance(value, str) and value[:1] in "[{" else value
        except json.JSONDecodeError:
            decoded[key] = value
    return decoded


def member_provider(plan: Plan) -> RecordedResource:
    return plan.one(PROVIDER, name=f"{plan.stack}-provider")


@pytest.mark.parametrize("stack", STACKS)
def test_account_is_created_protected_without_billing_access_and_never_closed(stack: str) -> None:
    plan = preflight_plan(stack)
    account = plan.one(ACCOUNT, name=f"{stack}-account")
    inputs = reveal(account.inputs)
    assert inputs["name"] == f"ml-platform-{stack}"
    assert inputs["roleName"] == "OrganizationAccountAccessRole"
    assert inputs["iamUserAccessToBilling"] == "DENY"
    assert inputs["closeOnDeletion"] is False
    assert inputs["parentId"].startswith("ou-")
    assert account.options["protect"]
    assert set(account.options["ignoreChanges"]) == {"roleName", "iamUserAccessToBilling"}
    # Created through the management provider, never the member provider (the account does not exist yet).
    assert account.provider == plan.one(PROVIDER, name=f"{stack}-management").urn


@pytest.mark.parametrize("stack", STACKS)
def test_member_provider_assumes_the_access_role_in_the_new_account_with_default_tags(stack: str) -> None:
    plan = preflight_plan(stack)
    account = plan.one(ACCOUNT, name=f"{stack}-account")
    inputs = provider_inputs(member_provider(plan))
    assert [r["roleArn"] for r in inputs["assumeRoles"]] == [
        f"arn:aws:iam::{account.id}:role/OrganizationAccountAccessRole"]
    assert inputs["allowedAccountIds"] == [account.id]
    assert inputs["region"] == raw_config(stack)["region"]
    assert inputs["defaultTags"]["tags"] == {
        "environment": stack, "project": "ml-platform", "managed-by": "pulumi", "owner": raw_config(stack)["owner"]}


@pytest.mark.parametrize("stack", STACKS)
def test_every_aws_resource_but_the_account_is_made_through_the_member_provider(stack: str) -> None:
    """Two things live in the management account, through its provider: the account itself and CI's identities
    (components/aws/ci_identities.py); everything else is in the member account."""
    plan = preflight_plan(stack)
    aws_resources = [r for r in plan.registered if r.custom and r.type.startswith("aws:")]
    assert len(aws_resources) > 1
    management = plan.one(PROVIDER, name=f"{stack}-management").urn
    in_management = [r for r in aws_resources if r.type == ACCOUNT or "platform:aws:CiIdentities" in r.urn]
    assert {r.provider for r in in_management} == {management}
    elsewhere = [r.urn for r in aws_resources if r not in in_management and r.provider != member_provider(plan).urn]
    assert elsewhere == []


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("mode", ["deploy", "preview"])
def test_member_provider_chains_through_the_management_role_only_when_deploying(
        stack: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The provider's assume_role list is a chain, applied in order (pulumi-aws `assumeRoles`). A preview never
    passes through the (writable) management role: read-only end to end."""
    monkeypatch.setenv("ML_PLATFORM_ACCESS", mode)
    role = "arn:aws:iam::999999999999:role/platform-org-admin"
    plan = plan_with(stack, {"account": dict(raw_config(stack)["account"], managementRoleArn=role)})
    roles = provider_inputs(member_provider(plan))["assumeRoles"]
    last = f"arn:aws:iam::{plan.one(ACCOUNT).id}:role/" + (
        "OrganizationAccountAccessRole" if mode == "deploy" else f"ml-platform-{stack}-previewer")
    assert [r["roleArn"] for r in roles] == ([role, last] if mode == "deploy" else [last])
    # Each session is named for the stack, so CloudTrail in either account says which stack acted.
    sessions = [f"pulumi-{stack}-management", f"pulumi-{stack}"] if mode == "deploy" else [f"pulumi-{stack}"]
    assert [r.get("sessionName") for r in roles] == sessions


def test_adopting_an_existing_account_creates_none_and_assumes_into_it() -> None:
    account = dict(raw_config("staging")["account"], id="123456789012", managementRoleArn=None)
    plan = plan_with("staging", {"account": account})
    assert plan.of_type(ACCOUNT) == []
    inputs = provider_inputs(member_provider(plan))
    assert inputs["assumeRoles"][0]["roleArn"] == "arn:aws:iam::123456789012:role/OrganizationAccountAccessRole"
    # Resources made through the provider land in the adopted account.
    arns = [reveal(r.outputs).get("arn", "") for r in plan.registered if r.provider == member_provider(plan).urn]
    assert [a for a in arns if a and ":123456789012:" not in a and a.split(":")[4]] == []


def test_management_role_is_assumed_when_configured() -> None:
    role = "arn:aws:iam::999999999999:role/platform-org-admin"
    plan = plan_with("dev", {"account": dict(raw_config("dev")["account"], managementRoleArn=role)})
    assert provider_inputs(plan.one(PROVIDER, name="dev-management"))["assumeRoles"][0]["roleArn"] == role


def test_bad_args_are_refused_together() -> None:
    args = MemberAccountArgs(account_name="x", email="not-an-email", parent_ou_id="ou-1", access_role_name="r",
                             region="nowhere", tags={"environment": "dev"}, existing_account_id=None)
    with pytest.raises(ValueError) as info:
        validate_member_account_args(args)
    assert str(info.value) == (
        "MemberAccount: email must be an email address, got 'not-an-email'; "
        "region must be an AWS region like 'eu-west-1', got 'nowhere'; "
        "tags must include project, managed-by, owner, got ['environment']")


def test_closing_on_deletion_is_a_deliberate_config_choice() -> None:
    plan = plan_with("dev", {"account": dict(raw_config("dev")["account"], closeOnDeletion=True)})
    account = plan.one(ACCOUNT, name="dev-account")
    assert reveal(account.inputs)["closeOnDeletion"] is True
    assert account.options["protect"]  # still protected: closing needs unprotecting first, on purpose
