"""aws-eks-cluster-secrets-encryption: envelope encryption of secrets."""

from __future__ import annotations

from policies.rules._support import UNKNOWN
from policies.rules.aws_eks_cluster_secrets_encryption import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, resource

CLUSTER = "aws:eks/cluster:Cluster"
KEY = "arn:aws:kms:eu-west-1:111122223333:key/0a1b2c3d-1111-2222-3333-444455556666"


def test_flags_cluster_without_secrets_encryption(guardrails_plan: Plan) -> None:
    assert set(flagged(guardrails_plan, NAME)) == {"eks-bad"}


def test_a_key_arn_unknown_in_preview_is_enough(guardrails_preview_plan: Plan) -> None:
    assert set(flagged(guardrails_preview_plan, NAME)) == {"eks-bad"}
    assert "eks-good" not in notes(guardrails_preview_plan, NAME)


def test_the_message_says_what_to_set() -> None:
    """Without encryptionConfig, or with one that leaves out `secrets`, the cluster is told the shape to set."""
    for props in ({}, {"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": []}}):
        assert check(resource(CLUSTER, props), {}).messages == [
            "encryptionConfig does not encrypt secrets with a KMS key; set encryptionConfig "
            "{provider: {keyArn}, resources: [secrets]}."]
    encrypted = {"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": ["secrets"]}}
    assert check(resource(CLUSTER, encrypted), {}).messages == []


def test_a_configuration_not_known_yet_is_named_not_judged() -> None:
    """A computed encryptionConfig (or its resources list) is known after the update: the path is named, no finding."""
    for props, path in (({"encryptionConfig": UNKNOWN}, "encryptionConfig"),
                        ({"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": UNKNOWN}},
                         "encryptionConfig.resources"),
                        # an unknown entry may be `secrets`; an unknown provider may hold no key
                        ({"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": [UNKNOWN]}},
                         "encryptionConfig.resources"),
                        ({"encryptionConfig": {"provider": UNKNOWN, "resources": ["secrets"]}},
                         "encryptionConfig.provider")):
        verdict = check(resource(CLUSTER, props), {})
        assert (verdict.messages, verdict.unknown) == ([], [path])


def test_secrets_beside_an_entry_not_known_yet_is_enough() -> None:
    props = {"encryptionConfig": {"provider": {"keyArn": KEY}, "resources": [UNKNOWN, "secrets"]}}
    verdict = check(resource(CLUSTER, props), {})
    assert (verdict.messages, verdict.unknown) == ([], [])
