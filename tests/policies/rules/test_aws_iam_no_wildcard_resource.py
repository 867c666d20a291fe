"""aws-iam-no-wildcard-resource: `Resource: "*"` only for actions that cannot be scoped (policy_sentry decides;
parliament, an independent IAM linter, agrees)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules._iam import spans_every_resource
from policies.rules._support import Resource
from policies.rules.aws_iam_no_wildcard_resource import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_scopable_actions_on_star(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert {"wildcard-resource-bad", "wildcard-resource-pattern-bad", "wildcard-resource-typo-bad"} <= set(hits)
    assert "wildcard-resource-good" not in hits
    assert "key-good" not in hits  # in a key policy, "*" is the key itself
    assert "logs:Create*" in hits["wildcard-resource-pattern-bad"][0]
    assert "policy_sentry" in hits["wildcard-resource-typo-bad"][0]


def _doc(action: str) -> dict[str, str]:
    return {"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": action, "Resource": "*"}]})}


@pytest.mark.parametrize("action", ["sts:GetCallerIdentity", "ecr:GetAuthorizationToken", "s3:ListAllMyBuckets",
                                    "ec2:DescribeInstances", "s3:GetObject", "logs:CreateLogGroup", "kms:Decrypt",
                                    "iam:PassRole", "eks:DescribeCluster"])
def test_agrees_with_parliament_on_resource_star(action: str) -> None:
    import parliament

    ours = bool(check(Resource("aws:iam/policy:Policy", "p", "urn", _doc(action)), {}).findings)
    theirs = parliament.analyze_policy_string(_doc(action)["policy"])
    assert ours == any(f.issue == "RESOURCE_STAR" for f in theirs.findings)


def test_deny_on_star_is_fine() -> None:
    props = {"policy": json.dumps({"Statement": [{"Effect": "Deny", "Action": "s3:GetObject", "Resource": "*"}]})}
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).findings == []


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_span(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """ARNs whose wildcard spans every bucket, object or secret; a bucket's own prefix and a prefix of secrets pass."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("span-")}
    assert found == {"span-all-objects-bad", "span-all-secrets-bad", "span-bucket-prefix-bad"}


ASG = "arn:aws:autoscaling:eu-west-1:111122223333:autoScalingGroup:*:autoScalingGroupName/*"
ENI = "arn:aws:ec2:eu-west-1:111122223333:network-interface/*"
KEYS = "arn:aws:kms:eu-west-1:111122223333:key/*"
TAG = {"StringEquals": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks": "owned"}}


def _judged(action: str, resource: str, condition: dict[str, Any] | None) -> bool:
    statement: dict[str, Any] = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    props = {"policy": json.dumps({"Statement": [statement]})}
    return bool(check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).findings)


@pytest.mark.parametrize(("action", "resource", "condition"), [
    ("autoscaling:SetDesiredCapacity", ASG, TAG),  # the cluster-autoscaler's documented tag scoping
    ("ec2:CreateNetworkInterfacePermission", ENI, {"StringEquals": {"ec2:Subnet": [
        "arn:aws:ec2:eu-west-1:111122223333:subnet/subnet-0123456789abcdef0"]}}),  # CodeBuild's VPC policy
    ("kms:Decrypt", KEYS, {"StringLike": {"kms:EncryptionContext:SecretARN":
                                          "arn:aws:secretsmanager:eu-west-1:111122223333:secret:db/app-??????"}}),
])
def test_an_arn_pattern_pinned_by_an_exact_condition_passes(action: str, resource: str,
                                                           condition: dict[str, Any]) -> None:
    assert not _judged(action, resource, condition)
    assert _judged(action, resource, None)  # the same statement without its condition spans every resource


@pytest.mark.parametrize("condition", [
    {"StringLike": {"aws:ResourceTag/k8s.io/cluster-autoscaler/prod-eks": "*"}},  # any value: no narrowing
    {"ForAllValues:StringEquals": {"aws:ResourceTag/team": "fraud"}},  # holds for an empty set
    {"StringEqualsIfExists": {"aws:ResourceTag/team": "fraud"}},  # holds when the tag is missing
    {"StringNotEquals": {"aws:ResourceTag/team": "fraud"}},  # everything but one
    {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}},  # narrows the region, not the resources
])
def test_a_condition_that_does_not_name_the_resources_does_not_pass(condition: dict[str, Any]) -> None:
    assert _judged("autoscaling:SetDesiredCapacity", ASG, condition)


def test_a_bare_star_is_never_pinned_by_a_condition() -> None:
    assert _judged("autoscaling:SetDesiredCapacity", "*", TAG)


@pytest.mark.parametrize("arn", ["arn:aws:iam::role/*", "arn:aws:s3", "arn:*"])
def test_a_resource_that_is_not_a_full_arn_is_not_read_as_every_resource(arn: str) -> None:
    """An ARN has six fields (`arn:partition:service:region:account:resource`); a shorter string is not a span of
    every resource (IAM refuses it as MalformedPolicyDocument on apply), and it does not break the rule."""
    assert not _judged("iam:PassRole", arn, None)
    assert _judged("iam:PassRole", "arn:aws:iam::111122223333:*", None)  # a full ARN spanning the account


@pytest.mark.parametrize(("arn", "spans"), [
    ("*", True),
    ("arn:aws:s3:::*/*", True), ("arn:aws:s3:::*-data", True), ("arn:aws:s3:::?ata/*", True),
    ("arn:aws:s3:::data/*", False),
    ("arn:aws:secretsmanager:*:*:secret:*", True),
    ("arn:aws:secretsmanager:eu-west-1:111122223333:secret:ml-platform-prod/*", False),
    ("arn:aws:kms:eu-west-1:111122223333:key/*", True), ("arn:aws:kms:*:111122223333:key/abc", False),
    # a wildcard account: that name in every account (or every account ending so)
    ("arn:aws:iam::*:role/pipeline", True), ("arn:aws:iam::*3333:role/pipeline", True),
    ("arn:aws:iam::?11122223333:role/pipeline", True),
    ("arn:aws:sqs:eu-west-1:111122223333:?", True), ("arn:aws:sqs:eu-west-1:111122223333:queue?", False),
])
def test_what_spans_every_resource(arn: str, spans: bool) -> None:
    """`_iam.spans_every_resource`, from its docstring's examples: a wildcard at the start of the resource part, the
    account or the bucket covers every resource; after a named part, or in the region only, it is scoped."""
    assert spans_every_resource(arn) is spans


def test_every_statement_and_action_is_judged_after_one_that_passes() -> None:
    """A statement pinned by its condition does not end the document's check, nor does `*` among the actions end
    the statement's: each scopable action is named (IAM evaluates every statement)."""
    statements = [{"Effect": "Allow", "Action": "autoscaling:SetDesiredCapacity", "Resource": ASG, "Condition": TAG},
                  {"Effect": "Allow", "Action": ["*", "s3:GetObject"], "Resource": "*"}]
    props = {"policy": json.dumps({"Version": "2012-10-17", "Statement": statements})}
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).messages == [
        'policy.Statement[1] allows *, s3:GetObject on Resource "*", which spans every resource, but these support '
        "resource-level permissions; name the ARNs."]
