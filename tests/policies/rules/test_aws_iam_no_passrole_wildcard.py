"""aws-iam-no-passrole-wildcard: PassRole only on named roles."""

from __future__ import annotations

import pytest

from policies.rules._support import Resource
from policies.rules.aws_iam_no_passrole_wildcard import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_passrole_on_every_role(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert "passrole-bad" in hits and "passrole-good" not in hits


@pytest.mark.parametrize(("action", "resource", "bad"), [
    ("iam:PassRole", "*", True), ("iam:Pass*", "arn:aws:iam::111122223333:role/team/*", True),
    ("iam:*", "arn:aws:iam::111122223333:*", True), ("iam:PassRole", "arn:aws:iam::111122223333:role/eks-node", False),
    ("iam:GetRole", "*", False)])
def test_patterns(action: str, resource: str, bad: bool) -> None:
    props = {"policy": f'{{"Statement": [{{"Effect": "Allow", "Action": "{action}", "Resource": "{resource}"}}]}}'}
    assert bool(check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).findings) is bad


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_passrole(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """A role-name prefix matches the admin deploy role too; a named role passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("passrole-")}
    assert found == {"passrole-prefix-bad"}


def test_a_bucket_policy_allowing_every_action_on_its_objects_passes_no_role() -> None:
    """S3 user guide, "Policies and permissions in Amazon S3": a bucket policy's actions are S3's (`*` there means
    every S3 action; S3 refuses another service's action as "Policy has invalid action"), so it never grants
    iam:PassRole, although `*` matches it and its resource ends in a wildcard. The same statement in an identity
    policy, on every role, does."""
    props = {"policy": '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::111122223333:root"}, '
                       '"Action": "*", "Resource": "arn:aws:s3:::data/*"}]}'}
    assert check(Resource("aws:s3/bucketPolicy:BucketPolicy", "p", "urn", props), {}).messages == []
    identity = {"policy": '{"Statement": [{"Effect": "Allow", "Action": "*", '
                          '"Resource": "arn:aws:iam::111122223333:role/*"}]}'}
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", identity), {}).messages == [
        "policy.Statement[0] allows iam:PassRole on arn:aws:iam::111122223333:role/*; name the role ARNs that may be "
        "passed (and pin iam:PassedToService)."]


def test_every_wide_resource_is_named() -> None:
    identity = {"policy": '{"Statement": [{"Effect": "Allow", "Action": "iam:PassRole", '
                          '"Resource": ["arn:aws:iam::111122223333:role/*", "*"]}]}'}
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", identity), {}).messages == [
        "policy.Statement[0] allows iam:PassRole on arn:aws:iam::111122223333:role/*, *; name the role ARNs that may "
        "be passed (and pin iam:PassedToService)."]
