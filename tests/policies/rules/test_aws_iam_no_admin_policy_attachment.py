"""aws-iam-no-admin-policy-attachment: the three broad AWS managed policies are never attached."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN, Resource
from policies.rules.aws_iam_no_admin_policy_attachment import NAME, check, service_wide_grants
from preflight.harness import Plan
from tests.policies.helpers import flagged


def test_flags_admin_attachments(iam_plan: Plan) -> None:
    hits = flagged(iam_plan, NAME)
    assert set(hits) == {"attach-bad", "attach-user-bad"}


def test_exemption_in_pack_config_lifts_one_resource_only(iam_plan: Plan) -> None:
    config = {NAME: {"exemptions": [{"resource": "attach-bad", "reason": "break-glass role, reviewed in SEC-12"}]}}
    assert set(flagged(iam_plan, NAME, config)) == {"attach-user-bad"}


def test_role_managed_policy_arns_and_unknown_arns() -> None:
    role = Resource("aws:iam/role:Role", "r", "urn", {"managedPolicyArns": [
        "arn:aws:iam::aws:policy/PowerUserAccess", UNKNOWN]})
    verdict = check(role, {})
    assert len(verdict.findings) == 1 and verdict.unknown == ["managedPolicyArns[1]"]


@pytest.mark.parametrize("mode", ["up"])
def test_class_managed(mode: str, classes_plan: Plan, classes_preview_plan: Plan) -> None:
    """AWS managed policies of the service-wide classes; a read-only one passes."""
    plan = classes_plan if mode == "up" else classes_preview_plan
    found = {name for name in flagged(plan, NAME) if name.startswith("managed-")}
    assert found == {"managed-admin-variant-bad", "managed-full-access-bad"}


# Judged by the document (issue 18), with expectations from the IAM User Guide: `*` or `service:*` on every
# resource is service-wide, NotAction with Allow grants everything else, and the escalation actions on `*` make
# an administrator; a Deny, or the same actions on named resources, grant nothing of the kind.
@pytest.mark.parametrize(("statement", "grants"), [
    ({"Effect": "Allow", "Action": "*", "Resource": "*"}, ["*"]),
    ({"Effect": "Allow", "Action": ["s3:*", "s3:GetObject"], "Resource": ["*"]}, ["s3:*"]),
    ({"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}, ["NotAction"]),
    ({"Effect": "Allow", "Action": "iam:Put*Policy", "Resource": "*"}, ["iam:Put*Policy"]),
    ({"Effect": "Allow", "Action": "iam:passrole", "Resource": "*"}, ["iam:passrole"]),
    ({"Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*"}, []),
    ({"Effect": "Deny", "Action": "*", "Resource": "*"}, []),
    ({"Effect": "Allow", "Action": ["ec2:Describe*", "ecr:GetAuthorizationToken"], "Resource": "*"}, []),
])
def test_a_document_is_service_wide_by_what_it_allows_on_every_resource(statement: dict[str, object],
                                                                         grants: list[str]) -> None:
    assert service_wide_grants({"Version": "2012-10-17", "Statement": [statement]}) == grants


def test_the_pinned_copy_is_what_the_pinned_moto_ships() -> None:
    from ci.managed_policies import main

    assert main(["--check"]) == 0


@pytest.mark.parametrize(("arn", "words"), [
    ("arn:aws:iam::aws:policy/AmazonS3FullAccess", "allows s3-object-lambda:*, s3:* on every resource"),
    ("arn:aws:iam::aws:policy/AWSNotYetPublishedPolicy", "not in the pinned copy"),
])
def test_aws_managed_policies_are_refused_by_their_document_or_when_unknown(arn: str, words: str) -> None:
    verdict = check(Resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "r", "urn", {"policyArn": arn}), {})
    assert len(verdict.messages) == 1 and words in verdict.messages[0], verdict.messages


@pytest.mark.parametrize("arn", [
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",  # what the node role attaches (EKS User Guide)
    "arn:aws:iam::aws:policy/ReadOnlyAccess",  # the previewer's base
    "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy",
    "arn:aws:iam::111122223333:policy/AnythingFullAccess",  # customer managed: judged by its own document
])
def test_scoped_and_customer_managed_policies_pass(arn: str) -> None:
    verdict = check(Resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "r", "urn", {"policyArn": arn}), {})
    assert verdict.findings == []


def test_a_forbidden_name_is_refused_by_name_also_under_a_path() -> None:
    """`forbiddenPolicies` holds policy names; an AWS managed policy's ARN may carry a path
    (`policy/service-role/<name>`), and the name is what follows the last `/`."""
    config = {"forbiddenPolicies": ["AmazonEBSCSIDriverPolicy"]}
    arn = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    attachment = Resource("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "r", "urn", {"policyArn": arn})
    assert check(attachment, config).messages == [
        f"policyArn attaches {arn}; grant a policy with only the actions needed."]
    assert check(attachment, {}).messages == []
