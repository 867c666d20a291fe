"""The member account's previewer: read-only, no data, assumable only by the stack's CI preview role."""

from __future__ import annotations

import json
from fnmatch import fnmatchcase as fnmatch

import pytest

from components.aws.previewer import PreviewerRoleArgs, validate_previewer_role_args
from preflight.harness import reveal
from tests.support import STACKS, preflight_plan

STORES = ("raw", "processed", "artifacts", "enriched", "logs")


@pytest.mark.parametrize("stack", STACKS)
def test_previewer_trusts_exactly_the_stacks_ci_preview_role(stack: str) -> None:
    plan = preflight_plan(stack)
    role = plan.one("aws:iam/role:Role", name=f"{stack}-previewer")
    assert reveal(role.inputs)["name"] == f"ml-platform-{stack}-previewer"
    assert role.provider == plan.one("pulumi:providers:aws", name=f"{stack}-provider").urn  # member account
    preview_arn = reveal(plan.one("aws:iam/role:Role", name=f"{stack}-ci-preview").outputs)["arn"]
    [statement] = json.loads(reveal(role.inputs)["assumeRolePolicy"])["Statement"]
    assert statement == {"Effect": "Allow", "Principal": {"AWS": preview_arn}, "Action": "sts:AssumeRole"}


@pytest.mark.parametrize("stack", STACKS)
def test_previewer_is_read_only_and_reads_no_data_or_secrets(stack: str) -> None:
    plan = preflight_plan(stack)
    attached = {reveal(a.inputs)["role"]: reveal(a.inputs)["policyArn"]
                for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert attached[f"ml-platform-{stack}-previewer"] == "arn:aws:iam::aws:policy/ReadOnlyAccess"
    deny = json.loads(reveal(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-previewer-no-data")
                             .inputs)["policy"])
    statements = {s["Sid"]: s for s in deny["Statement"]}
    assert {s["Effect"] for s in statements.values()} == {"Deny"}
    objects = statements["NoStoreObjects"]
    assert set(objects["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    aliases = statements["NoStoreKeys"]["Condition"]["ForAnyValue:StringLike"]["kms:ResourceAliases"]
    assert statements["NoStoreKeys"]["Action"] == "kms:Decrypt"
    assert statements["NoSecrets"]["Action"] == ["secretsmanager:GetSecretValue"]
    # Every store of the plan is covered (IAM wildcards match like fnmatch's `*`).
    for bucket in plan.of_type("aws:s3/bucket:Bucket"):
        if bucket.parent.split("::")[-1].removeprefix(f"{stack}-") in STORES:
            assert fnmatch(f"{reveal(bucket.outputs)['arn']}/any/object", objects["Resource"]), bucket.name
    store_aliases = [reveal(a.inputs)["name"] for a in plan.of_type("aws:kms/alias:Alias")
                     if a.name.removeprefix(f"{stack}-").removesuffix("-alias") in STORES]
    assert len(store_aliases) == 4 and all(fnmatch(alias, aliases) for alias in store_aliases)


def test_bad_args_are_refused_together() -> None:
    args = PreviewerRoleArgs(role_name="bad name!", trusted_role_arn="x", data_name_prefix="*",
                             max_session_seconds=60)
    with pytest.raises(ValueError, match=r"role_name .*data_name_prefix .*max_session_seconds"):
        validate_previewer_role_args(args)
