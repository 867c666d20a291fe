"""aws-iam-trust-web-identity-pinned, each variant the README claims: an OIDC/IRSA trust pins both `:sub` and
`:aud`, under any of the string operators IAM offers for it (StringEquals, StringLike and their ForAnyValue
forms); a StringLike subject names one service account (`system:serviceaccount:<ns>:<name>`) or one repository
(`repo:<owner>/<repo>:...`, whose ref may be a pattern); `system:serviceaccount:ml:*` and `repo:org/*` are
refused. (EKS docs, "IAM roles for service accounts"; GitHub docs, "Configuring OpenID Connect in AWS".)"""

from __future__ import annotations

import json
from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.aws_iam_trust_web_identity_pinned import check
from tests.policies.helpers import resource

ROLE = "aws:iam/role:Role"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
GITHUB = "token.actions.githubusercontent.com"
SA = "system:serviceaccount:ml:trainer"
AUD = "sts.amazonaws.com"
ADVICE = ("; add StringEquals conditions on <issuer>:sub (the service account or repository ref) and <issuer>:aud "
          "(sts.amazonaws.com).")


def trust(condition: dict[str, Any], action: Any = "sts:AssumeRoleWithWebIdentity", issuer: str = ISSUER,
          as_text: bool = True) -> dict[str, Any]:
    document = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        "Action": action, "Condition": condition}]}
    return {"assumeRolePolicy": json.dumps(document) if as_text else document}


def missing(*claims: str) -> list[str]:
    return [f"assumeRolePolicy.Statement[0] trusts a web identity without pinning {' and '.join(claims)}{ADVICE}"]


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "ForAnyValue:StringEquals",
                                      "ForAnyValue:StringLike"])
@pytest.mark.parametrize("as_text", [True, False], ids=["json-text", "object"])
def test_both_claims_pinned_under_each_operator_pass(operator: str, as_text: bool) -> None:
    props = trust({operator: {f"{ISSUER}:sub": SA, f"{ISSUER}:aud": AUD}}, as_text=as_text)
    assert check(resource(ROLE, props), {}).messages == []


@pytest.mark.parametrize("operator", ["StringEquals", "StringLike", "ForAnyValue:StringLike"])
def test_a_missing_claim_is_named(operator: str) -> None:
    assert check(resource(ROLE, trust({operator: {f"{ISSUER}:aud": AUD}})), {}).messages == missing(":sub")
    assert check(resource(ROLE, trust({operator: {f"{ISSUER}:sub": SA}})), {}).messages == missing(":aud")
    assert check(resource(ROLE, trust({})), {}).messages == missing(":sub", ":aud")


def test_claims_under_another_operator_do_not_pin() -> None:
    props = trust({"StringNotEquals": {f"{ISSUER}:sub": SA}, "StringEquals": {f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, props), {}).messages == missing(":sub")


def test_claims_split_across_operators_pin() -> None:
    props = trust({"StringLike": {f"{ISSUER}:sub": SA}, "StringEquals": {f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, props), {}).messages == []


@pytest.mark.parametrize(("sub", "pinned"), [
    ("system:serviceaccount:ml:trainer", True),
    ("system:serviceaccount:ml:*", False),
    ("system:serviceaccount:*:trainer", False),
    ("system:serviceaccount:ml:train?r", False),
    ("system:serviceaccount:*", False),
    ("system:serviceaccount:ml:", False),
    ("system:serviceaccount::trainer", False),
    ("system:serviceaccount:ml:trainer:extra", False),
    ("*", False),
])
def test_a_stringlike_service_account_subject_names_one(sub: str, pinned: bool) -> None:
    props = trust({"StringLike": {f"{ISSUER}:sub": sub, f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, props), {}).messages == ([] if pinned else missing(":sub"))


@pytest.mark.parametrize(("sub", "pinned"), [
    ("repo:example-org/platform:ref:refs/heads/main", True),
    ("repo:example-org/platform:ref:refs/heads/*", True),
    ("repo:example-org/platform:environment:prod", True),
    ("repo:example-org/platform", True),
    ("repo:example-org/*", False),
    ("repo:example-org/plat*:ref:refs/heads/main", False),
    ("repo:*/platform:ref:refs/heads/main", False),
    ("repo:example-org/platfor?:ref:refs/heads/main", False),
    ("repo:example-org:ref:refs/heads/main", False),
    ("repo:/platform", False),
])
def test_a_stringlike_github_subject_names_one_repository(sub: str, pinned: bool) -> None:
    props = trust({"StringLike": {f"{GITHUB}:sub": sub, f"{GITHUB}:aud": AUD}}, issuer=GITHUB)
    assert check(resource(ROLE, props), {}).messages == ([] if pinned else missing(":sub"))


def test_under_stringequals_a_star_is_literal_and_only_a_bare_star_is_refused() -> None:
    literal = trust({"StringEquals": {f"{ISSUER}:sub": "system:serviceaccount:ml:*", f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, literal), {}).messages == []
    bare = trust({"StringEquals": {f"{ISSUER}:sub": "*", f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, bare), {}).messages == missing(":sub")


@pytest.mark.parametrize(("aud", "pinned"), [(AUD, True), ("sts.*", False), ("?", False), (["sts.amazonaws.com"], True),
                                             ([AUD, "*"], False), ([], False)])
def test_a_stringlike_audience_may_hold_no_wildcard_and_every_value_counts(aud: Any, pinned: bool) -> None:
    props = trust({"StringLike": {f"{ISSUER}:sub": SA, f"{ISSUER}:aud": aud}})
    assert check(resource(ROLE, props), {}).messages == ([] if pinned else missing(":aud"))


def test_a_claim_key_must_end_with_the_claim() -> None:
    props = trust({"StringEquals": {f"{ISSUER}:subject": SA, f"{ISSUER}:aud": AUD}})
    assert check(resource(ROLE, props), {}).messages == missing(":sub")


@pytest.mark.parametrize("action", ["sts:AssumeRoleWithWebIdentity", "sts:*", "sts:AssumeRoleWith*",
                                    ["sts:TagSession", "sts:AssumeRoleWithWebIdentity"]])
def test_every_action_spelling_that_allows_web_identity_is_checked(action: Any) -> None:
    assert check(resource(ROLE, trust({}, action=action)), {}).messages == missing(":sub", ":aud")


def test_a_trust_without_web_identity_is_outside_the_rule() -> None:
    document = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]}
    assert check(resource(ROLE, {"assumeRolePolicy": json.dumps(document)}), {}).messages == []
    deny = {"Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*",
                                                   "Action": "sts:AssumeRoleWithWebIdentity"}]}
    assert check(resource(ROLE, {"assumeRolePolicy": json.dumps(deny)}), {}).messages == []


@pytest.mark.parametrize(("sub", "pinned"), [("repo:example-org/platform:*:prod", True),
                                             ("110169484474386276334", True), ("user-without-a-slash", True),
                                             ("1101694?", False)])
def test_a_subject_of_another_shape_is_pinned_by_having_no_wildcard(sub: str, pinned: bool) -> None:
    """A GitHub subject's pattern may stand anywhere after the repository; another issuer's subject (a numeric
    account id, any opaque id) is one subject unless it holds a wildcard."""
    issuer = GITHUB if sub.startswith("repo:") else "oidc.example.com"
    props = trust({"StringLike": {f"{issuer}:sub": sub, f"{issuer}:aud": AUD}}, issuer=issuer)
    assert check(resource(ROLE, props), {}).messages == ([] if pinned else missing(":sub"))


def test_an_unknown_trust_is_named_not_judged() -> None:
    verdict = check(resource(ROLE, {"assumeRolePolicy": UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == ["assumeRolePolicy"]
