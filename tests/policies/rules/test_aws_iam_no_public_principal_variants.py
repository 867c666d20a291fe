"""aws-iam-no-public-principal, each variant: `Principal: "*"` or `{"AWS": "*"}` is refused in every kind of
document the rule reads (a role's trust, S3 bucket and access-point policies, KMS key policies, every other
service's resource policy) and in a Lambda permission without a source; a resource policy's `*` narrowed by an
exact aws:PrincipalOrgID, aws:PrincipalAccount, aws:SourceAccount or aws:SourceOrgID passes (IAM User Guide,
"AWS global condition context keys"), but not under ForAllValues or ...IfExists, and never in a trust."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.aws_iam_no_public_principal import check
from tests.policies.helpers import resource

LAMBDA = "aws:lambda/permission:Permission"
ORG = "o-a1b2c3d4e5"
# (resource type, the property holding its document, the document's path in messages)
DOCUMENTS = [("aws:iam/role:Role", "assumeRolePolicy"), ("aws:s3/bucketPolicy:BucketPolicy", "policy"),
             ("aws:s3/bucketV2:BucketV2", "policy"), ("aws:kms/key:Key", "policy"),
             ("aws:kms/keyPolicy:KeyPolicy", "policy"), ("aws:sqs/queuePolicy:QueuePolicy", "policy"),
             ("aws:sns/topicPolicy:TopicPolicy", "policy"), ("aws:secretsmanager/secretPolicy:SecretPolicy", "policy"),
             ("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy"),
             ("aws:cloudwatch/logResourcePolicy:LogResourcePolicy", "policyDocument"),
             ("aws:s3control/accessPointPolicy:AccessPointPolicy", "policy"),
             ("aws:opensearch/domainPolicy:DomainPolicy", "accessPolicies")]
RESOURCE_POLICIES = [d for d in DOCUMENTS if d[0] != "aws:iam/role:Role"]


def document(principal: Any, condition: dict[str, Any] | None = None, effect: str = "Allow") -> str:
    statement = {"Effect": effect, "Principal": principal, "Action": "sts:AssumeRole", "Resource": "*"}
    if condition:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def public(field: str) -> list[str]:
    return [f'{field}.Statement[0] allows Principal "*"; name the accounts, roles or services that need access.']


@pytest.mark.parametrize(("kind", "field"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
@pytest.mark.parametrize("principal", ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::111122223333:root", "*"]}],
                         ids=["star", "aws-star", "aws-list"])
def test_a_public_principal_is_refused_in_every_document_kind(kind: str, field: str, principal: Any) -> None:
    assert check(resource(kind, {field: document(principal)}), {}).messages == public(field)


@pytest.mark.parametrize(("kind", "field"), DOCUMENTS, ids=[d[0] for d in DOCUMENTS])
def test_named_principals_and_denies_pass(kind: str, field: str) -> None:
    for principal in ({"AWS": "arn:aws:iam::111122223333:role/x"}, {"Service": "sns.amazonaws.com"}):
        assert check(resource(kind, {field: document(principal)}), {}).messages == []
    assert check(resource(kind, {field: document("*", effect="Deny")}), {}).messages == []


@pytest.mark.parametrize("key", ["aws:PrincipalOrgID", "aws:PrincipalAccount", "aws:SourceAccount", "aws:SourceOrgID",
                                 "AWS:PRINCIPALORGID"])
@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "ForAnyValue:StringEquals", "ArnEquals"])
def test_a_resource_policy_star_narrowed_to_an_organisation_or_account_passes(key: str, operator: str) -> None:
    props = {"policy": document("*", {operator: {key: ORG}})}
    assert check(resource("aws:sqs/queuePolicy:QueuePolicy", props), {}).messages == []


@pytest.mark.parametrize("condition", [
    {"ForAllValues:StringEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringEqualsIfExists": {"aws:PrincipalOrgID": ORG}},
    {"StringNotEquals": {"aws:PrincipalOrgID": ORG}},
    {"StringLike": {"aws:PrincipalOrgID": "*"}},
    {"StringEquals": {"aws:PrincipalOrgID": ""}},
    {"StringEquals": {"aws:PrincipalOrgID": []}},
    {"StringEquals": {"aws:SourceVpc": "vpc-1"}},
    {"StringLike": {"aws:PrincipalOrgID": "?-a1b2"}},
    {"StringLike": {"aws:PrincipalOrgID": "o-*"}},
    {"StringLike": {"aws:PrincipalAccount": "1111*"}},
], ids=["for-all-values", "if-exists", "not-equals", "star", "empty", "no-values", "other-key",
        "leading-question-mark", "every-organisation", "account-prefix"])
def test_conditions_that_narrow_nothing_do_not_pass(condition: dict[str, Any]) -> None:
    props = {"policy": document("*", condition)}
    assert check(resource("aws:sqs/queuePolicy:QueuePolicy", props), {}).messages == public("policy")


def test_a_trust_is_never_narrowed_by_a_condition() -> None:
    props = {"assumeRolePolicy": document("*", {"StringEquals": {"aws:PrincipalOrgID": ORG}})}
    assert check(resource("aws:iam/role:Role", props), {}).messages == public("assumeRolePolicy")


def test_identity_policies_are_not_read() -> None:
    assert check(resource("aws:iam/policy:Policy", {"policy": document("*")}), {}).messages == []


@pytest.mark.parametrize(("extra", "ok"), [({}, False), ({"sourceArn": "arn:aws:s3:::b"}, True),
                                           ({"sourceAccount": "111122223333"}, True),
                                           ({"principalOrgId": ORG}, True), ({"sourceArn": ""}, False)])
def test_a_lambda_permission_to_everyone_needs_a_source(extra: dict[str, Any], ok: bool) -> None:
    props = {"action": "lambda:InvokeFunction", "function": "f", "principal": "*", **extra}
    assert check(resource(LAMBDA, props), {}).messages == ([] if ok else [
        'principal is "*" with no sourceArn, sourceAccount or principalOrgId: anyone may invoke the function; name '
        "the service or account."])


def test_a_lambda_permission_to_a_service_passes_and_an_unknown_one_is_named() -> None:
    assert check(resource(LAMBDA, {"principal": "s3.amazonaws.com"}), {}).messages == []
    verdict = check(resource(LAMBDA, {"principal": UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == ["principal"]


def test_every_statement_is_read_after_a_narrowed_one() -> None:
    narrowed = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*",
                "Condition": {"StringEquals": {"aws:PrincipalOrgID": ORG}}}
    open_ = {"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sqs:SendMessage", "Resource": "*"}
    props = {"policy": json.dumps({"Version": "2012-10-17", "Statement": [narrowed, open_]})}
    assert check(resource("aws:sqs/queuePolicy:QueuePolicy", props), {}).messages == [
        'policy.Statement[1] allows Principal "*"; name the accounts, roles or services that need access.']


@pytest.mark.parametrize(("kind", "field"), [("aws:iam/role:Role", "assumeRolePolicy"),
                                             ("aws:s3/bucketPolicy:BucketPolicy", "policy")])
def test_an_unknown_document_is_named_not_judged(kind: str, field: str) -> None:
    verdict = check(resource(kind, {field: UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == [field]


def test_an_organisation_pin_counts_after_a_condition_that_narrows_nothing() -> None:
    """Conditions are ANDed: a TLS-only `Bool` block before the `StringEquals aws:PrincipalOrgID` one does not hide
    the organisation pin."""
    condition = {"Bool": {"aws:SecureTransport": "true"}, "StringNotEquals": {"aws:SourceVpc": "vpc-1"},
                 "StringEquals": {"aws:PrincipalOrgID": ORG}}
    props = {"policy": document("*", condition)}
    assert check(resource("aws:sqs/queuePolicy:QueuePolicy", props), {}).messages == []
    del condition["StringEquals"]
    props = {"policy": document("*", condition)}
    assert check(resource("aws:sqs/queuePolicy:QueuePolicy", props), {}).messages == public("policy")
