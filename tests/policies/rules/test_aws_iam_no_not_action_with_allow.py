"""aws-iam-no-not-action-with-allow: negations only in Deny statements."""

from __future__ import annotations

from policies.rules._support import Resource
from policies.rules.aws_iam_no_not_action_with_allow import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_allow_with_not_action_only(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"not-action-bad"}
    assert "NotAction" in hits["not-action-bad"][0]


def test_not_resource_and_not_principal_are_flagged_too() -> None:
    props = {"policy": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::x", '
                       '"NotPrincipal": {"AWS": "111122223333"}}]}'}
    messages = check(Resource("aws:s3/bucketPolicy:BucketPolicy", "b", "urn", props), {}).messages
    assert len(messages) == 1 and "NotResource, NotPrincipal" in messages[0]


def test_the_message_names_the_statement_and_where_negations_belong() -> None:
    props = {"policy": '{"Statement": [{"Sid": "Broad", "Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]}'}
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).messages == [
        "policy.Statement[0] (Sid Broad) is an Allow with NotAction; allow named actions on named resources (use "
        "NotAction/NotResource only in Deny statements)."]
