"""aws-iam-no-public-principal: no Allow to everyone in trust, bucket or key policies."""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules._support import Resource
from policies.rules.aws_iam_no_public_principal import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_public_trust_and_public_bucket_policy(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"trust-public-bad", "bucket-policy-public-bad"}  # the Deny-to-* TLS rule passes


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_resource_policies(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """Resource policies of SQS, SNS, Secrets Manager, ECR and Lambda permissions;
    a service principal and a source-account-scoped permission pass."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = set(flagged(plan, NAME))
    assert found == {"ecr-public-bad", "lambda-public-bad", "queue-public-bad", "secret-public-bad",
                     "topic-public-bad"}


def _public(kind_type: str, key: str, condition: dict[str, Any] | None) -> bool:
    statement = {"Effect": "Allow", "Principal": "*", "Action": "ecr:BatchGetImage",
                 **({"Condition": condition} if condition else {})}
    if kind_type == "aws:iam/role:Role":
        statement["Action"] = "sts:AssumeRole"
    props = {key: json.dumps({"Version": "2012-10-17", "Statement": [statement]})}
    return bool(check(Resource(kind_type, "p", "urn", props), {}).findings)


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}


def test_a_resource_policy_shared_with_one_organisation_is_not_public() -> None:
    """IAM User Guide, aws:PrincipalOrgID: `Principal: "*"` with the organisation's id grants that organisation."""
    assert not _public("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy", ORG)
    assert _public("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy", None)
    assert _public("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy",
                   {"StringLike": {"aws:PrincipalOrgID": "*"}})
    assert _public("aws:ecr/repositoryPolicy:RepositoryPolicy", "policy",
                   {"StringEqualsIfExists": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}})


def test_a_trust_policy_must_name_its_principals_even_with_an_organisation_condition() -> None:
    assert _public("aws:iam/role:Role", "assumeRolePolicy", ORG)
