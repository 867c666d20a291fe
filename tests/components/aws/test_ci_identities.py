"""CI identities: GitHub's OIDC provider and two roles whose trust pins the token's `sub` and `aud` exactly."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase as fnmatch

import pytest

from components.aws.ci_identities import CiIdentitiesArgs, validate_ci_identities_args
from preflight.harness import reveal
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

ROLE = "aws:iam/role:Role"
HOST = "token.actions.githubusercontent.com"
STORES = ("raw", "processed", "artifacts", "enriched", "logs")


def trust(stack: str, kind: str) -> dict:
    role = preflight_plan(stack).one(ROLE, name=f"{stack}-ci-{kind}")
    return json.loads(reveal(role.inputs)["assumeRolePolicy"])


@pytest.mark.parametrize("stack", STACKS)
def test_github_oidc_provider_trusts_only_the_sts_audience(stack: str) -> None:
    provider = reveal(preflight_plan(stack).one("aws:iam/openIdConnectProvider:OpenIdConnectProvider",
                                                name=f"{stack}-github-oidc").inputs)
    assert provider["url"] == f"https://{HOST}"
    assert provider["clientIdLists"] == ["sts.amazonaws.com"]


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
    [statement] = trust(stack, kind)["Statement"]
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", name=f"{stack}-github-oidc")
    assert statement["Principal"] == {"Federated": reveal(oidc.outputs)["arn"]}
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
def test_preview_is_read_only_and_reads_no_data_or_secrets(stack: str) -> None:
    plan = preflight_plan(stack)
    attached = {reveal(a.inputs)["role"]: reveal(a.inputs)["policyArn"]
                for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attached[f"ml-platform-{stack}-ci-preview"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    deny = json.loads(reveal(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-ci-preview-no-data")
                             .inputs)["policy"])
    statements = {s["Sid"]: s for s in deny["Statement"]}
    assert {s["Effect"] for s in statements.values()} == {"Deny"}
    objects = statements["NoStoreObjects"]
    assert set(objects["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    aliases = statements["NoStoreKeys"]["Condition"]["ForAnyValue:StringLike"]["kms:ResourceAliases"]
    assert statements["NoStoreKeys"]["Action"] == "kms:Decrypt"
    assert statements["NoSecrets"]["Action"] == ["secretsmanager:GetSecretValue"]
    # Every store of the plan is covered (IAM wildcards match like fnmatch's `*`) ...
    for bucket in plan.of_type("aws:s3/bucket:Bucket"):
        if bucket.parent.split("::")[-1].removeprefix(f"{stack}-") in STORES:
            assert fnmatch(f"{reveal(bucket.outputs)['arn']}/any/object", objects["Resource"]), bucket.name
    store_aliases = [reveal(a.inputs)["name"] for a in plan.of_type("aws:kms/alias:Alias")
                     if a.name.removeprefix(f"{stack}-").removesuffix("-alias") in STORES]
    assert len(store_aliases) == 4 and all(fnmatch(alias, aliases) for alias in store_aliases)
    # ... and the Pulumi state a preview must read is not (README: s3 backend, awskms://alias/pulumi-state).
    assert not fnmatch("arn:aws:s3:::pulumi-state-bucket/.pulumi/stacks/ml-platform/prod.json", objects["Resource"])
    assert not fnmatch("alias/pulumi-state", aliases)


def test_bad_args_are_refused_together() -> None:
    args = CiIdentitiesArgs(repository="no-slash", github_environment="Prod!", role_name_prefix="p",
                            data_name_prefix="*", max_session_seconds=60)
    with pytest.raises(ValueError, match=r"repository .*github_environment .*data_name_prefix .*max_session_seconds"):
        validate_ci_identities_args(args)
