"""aws-iam-no-wildcard-resource: `Resource: "*"` only for actions that cannot be scoped (policy_sentry decides;
parliament, an independent IAM linter, agrees)."""

from __future__ import annotations

import json

import pytest

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
