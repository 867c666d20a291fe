"""aws-iam-no-foreign-account-root: key and resource policies name no other account's root (AWS KMS developer
guide, "Allowing users in other accounts to use a KMS key": a root principal delegates to the whole account)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules._support import Resource
from policies.rules.aws_iam_no_foreign_account_root import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, snippet_plan

SNIPPET = """
import pulumi
import pulumi_aws as aws

account = aws.organizations.Account("member", name="member", email="member@example.com")
member = aws.Provider("member", region="eu-west-1", assume_roles=[{
    "role_arn": account.id.apply(lambda id: f"arn:aws:iam::{id}:role/OrganizationAccountAccessRole")}])
IN_MEMBER = pulumi.ResourceOptions(provider=member)


def key(name, principal):
    aws.kms.Key(name, enable_key_rotation=True, policy=pulumi.Output.json_dumps({"Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*",
                               "Resource": "*"}]}), opts=IN_MEMBER)


key("key-own-root-good", account.id.apply(lambda id: f"arn:aws:iam::{id}:root"))
key("key-foreign-root-bad", "arn:aws:iam::444455556666:root")
key("key-foreign-account-id-bad", "444455556666")
key("key-trusted-root-good", "arn:aws:iam::777788889999:root")
queue = aws.sqs.Queue("queue", opts=IN_MEMBER)
aws.sqs.QueuePolicy("queue-foreign-root-bad", queue_url=queue.url, policy={"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "sqs:SendMessage",
    "Resource": "*"}]}, opts=IN_MEMBER)
"""
CONFIG = {NAME: {"trustedAccounts": ["777788889999"]}}


@pytest.fixture(scope="module")
def plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Plan]:
    return {"up": snippet_plan(tmp_path_factory, SNIPPET), "preview": snippet_plan(tmp_path_factory, SNIPPET,
                                                                                   preview=True)}


def test_flags_another_accounts_root_in_key_and_queue_policies(plans: dict[str, Plan]) -> None:
    assert set(flagged(plans["up"], NAME, CONFIG)) == {"key-foreign-root-bad", "key-foreign-account-id-bad",
                                                        "queue-foreign-root-bad"}


def test_preview_notes_what_it_cannot_compare(plans: dict[str, Plan]) -> None:
    """The member account's id is known only after the update: its provider's role ARN is unknown in a preview."""
    assert flagged(plans["preview"], NAME, CONFIG) == {}
    assert {"key-foreign-root-bad", "queue-foreign-root-bad"} <= set(notes(plans["preview"], NAME, CONFIG))


def _key(principal: str, provider: dict[str, Any]) -> Resource:
    policy = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": "kms:*", "Resource": "*"}]})
    return Resource("aws:kms/key:Key", "key", "urn:pulumi:prod::ml-platform::aws:kms/key:Key::key", {"policy": policy},
                    provider_props=provider)


@pytest.mark.parametrize("allowed", [["111122223333"], '["111122223333"]'], ids=["list", "json-text"])
def test_a_single_allowed_account_id_is_the_providers_own_account(allowed: Any) -> None:
    """A provider pinned with `allowedAccountIds` to one account works in that account: its root may be granted,
    another account's root may not (the inputs arrive as a list or as JSON text)."""
    provider = {"region": "eu-west-1", "allowedAccountIds": allowed}
    assert check(_key("arn:aws:iam::111122223333:root", provider), {}).messages == []
    assert check(_key("arn:aws:iam::444455556666:root", provider), {}).messages == [
        "policy.Statement[0] grants to arn:aws:iam::444455556666:root, the root of another account; name the roles "
        "of this account that need access (or list the account in trustedAccounts)."]


def test_the_default_provider_is_judged_against_the_trusted_accounts_alone() -> None:
    """With the default provider (no inputs) the resource's account is not known to the analyzer, and nothing about
    it is pending either: the trusted accounts of the pack config are the only ones allowed, and nothing is
    reported as not judged."""
    config = {"trustedAccounts": ["777788889999"]}
    trusted = check(_key("arn:aws:iam::777788889999:root", {}), config)
    assert (trusted.messages, trusted.unknown) == ([], [])
    foreign = check(_key("444455556666", {}), config)
    assert (foreign.messages, foreign.unknown) == ([
        "policy.Statement[0] grants to 444455556666, the root of another account; name the roles of this account "
        "that need access (or list the account in trustedAccounts)."], [])


@pytest.mark.parametrize("key", ["roleArn", "role_arn"])
def test_a_chain_of_roles_acts_in_the_account_of_its_last_role(key: str) -> None:
    """Provider docs, `assume_roles`: the roles are assumed in order, so the provider acts as the last one, in its
    account; the first role's account (the management account, say) is another account there."""
    chain = [{key: "arn:aws:iam::444455556666:role/OrganizationAccountAccessRole"},
             {key: "arn:aws:iam::111122223333:role/Deployer"}]
    for provider in ({"assumeRoles": chain}, {"assumeRoles": json.dumps(chain)}):
        assert check(_key("arn:aws:iam::111122223333:root", provider), {}).messages == []
        assert check(_key("arn:aws:iam::444455556666:root", provider), {}).messages != []
