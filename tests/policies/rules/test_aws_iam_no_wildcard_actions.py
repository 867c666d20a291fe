"""aws-iam-no-wildcard-actions: `*` and `<service>:*` in Allow statements, in every kind of document."""

from __future__ import annotations

from policies.rules._support import UNKNOWN, Resource
from policies.rules.aws_iam_no_wildcard_actions import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes


def test_flags_wildcards_in_managed_and_inline_policies_only(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert {"wildcard-actions-bad", "wildcard-actions-inline-bad", "computed-bad"} <= set(hits)
    assert not {"wildcard-actions-good", "wildcard-actions-deny-good", "key-good", "bucket-policy-good"} & set(hits)
    assert "allows s3:*" in hits["wildcard-actions-bad"][0]
    assert "inlinePolicies[0].policy.Statement[0]" in hits["wildcard-actions-inline-bad"][0]


def test_violations_are_mandatory_under_the_prod_config(iam_plan: Plan) -> None:
    from tests.policies.helpers import of_policy

    from .test_packs import stack_config

    levels = {v.enforcement for v in of_policy(iam_plan, NAME, stack_config("prod"))}
    assert levels == {"mandatory"}


def test_a_document_unknown_in_preview_gets_the_analyzers_note_not_a_pass(iam_preview_plan: Plan) -> None:
    assert "computed-bad" not in flagged(iam_preview_plan, NAME)
    note = notes(iam_preview_plan, NAME)["computed-bad"]
    assert "can't run policy 'aws-iam-no-wildcard-actions'" in note and ".policy" in note


def test_pure_check_reads_object_documents_and_partly_unknown_statements() -> None:
    props = {"policy": {"Statement": [{"Effect": "Allow", "Action": "ec2:*", "Resource": "*"},
                                      {"Effect": "Allow", "Action": "s3:GetObject", "Resource": UNKNOWN}]}}
    verdict = check(Resource("aws:iam/policy:Policy", "p", "urn", props), {})
    assert len(verdict.findings) == 1 and "ec2:*" in verdict.messages[0]
    assert verdict.unknown == ["policy.Statement[1]"]


def test_kms_star_in_a_key_policy_is_left_to_the_kms_rule() -> None:
    props = {"policy": '{"Statement": [{"Effect": "Allow", "Principal": {"AWS": "111122223333"}, '
                       '"Action": "kms:*", "Resource": "*"}]}'}
    assert check(Resource("aws:kms/key:Key", "k", "urn", props), {}).findings == []
    assert check(Resource("aws:iam/policy:Policy", "p", "urn", props), {}).findings != []


def test_a_document_that_does_not_parse_is_reported_once() -> None:
    verdict = check(Resource("aws:iam/policy:Policy", "p", "urn", {"policy": '{"Statement": ['}), {})
    assert len(verdict.messages) == 1 and "policy is not valid JSON" in verdict.messages[0]


def test_a_resource_without_a_document_has_nothing_to_report() -> None:
    """A KMS key without `policy` gets AWS's default key policy, and a bucket's unset `policy` arrives as "": neither
    is a document that fails to parse."""
    for props in ({}, {"policy": None}, {"policy": ""}):
        verdict = check(Resource("aws:kms/key:Key", "k", "urn", props), {})
        assert verdict.messages == [] and verdict.unknown == []
    assert check(Resource("aws:s3/bucketV2:BucketV2", "b", "urn", {"policy": ""}), {}).messages == []


def test_a_document_that_is_json_but_not_an_object_is_reported() -> None:
    """IAM documents are JSON objects with a Statement: a JSON array (a list of statements without the wrapper) is
    reported as such, in text and object form, and does not break the rule."""
    statements = [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]
    for policy in ('[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]', statements):
        verdict = check(Resource("aws:iam/policy:Policy", "p", "urn", {"policy": policy}), {})
        assert verdict.messages == ["policy must be a JSON object"]


TRUST_EC2 = ('{"Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, '
             '"Action": "sts:AssumeRole"}]}')


def test_a_roles_inline_policies_not_known_yet_are_named_and_its_trust_policy_still_read() -> None:
    """A role's `inlinePolicies` computed during a preview is reported as not judged (the analyzer's note), beside
    the known trust policy; known inline policies are judged one by one, by their index."""
    role = "aws:iam/role:Role"
    verdict = check(Resource(role, "r", "urn", {"assumeRolePolicy": TRUST_EC2, "inlinePolicies": UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == ["inlinePolicies"]
    inline = [{"name": "read", "policy": '{"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", '
                                         '"Resource": "*"}]}'},
              {"name": "all", "policy": '{"Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}'}]
    verdict = check(Resource(role, "r", "urn", {"assumeRolePolicy": TRUST_EC2, "inlinePolicies": inline}), {})
    assert verdict.messages == ["inlinePolicies[1].policy.Statement[0] allows s3:*; list the actions the principal "
                                "needs."]
    assert verdict.unknown == []
