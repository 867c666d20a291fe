"""aws-kms-key-rotation, each variant the rule claims: a symmetric key rotates, whichever spelling names its
spec (the provider's deprecated `customerMasterKeySpec` and its `keySpec`), and KMS's default (no spec, no
usage) is a symmetric encryption key. Asymmetric and HMAC keys cannot rotate in KMS and are outside the rule.
(AWS KMS docs, "Rotating AWS KMS keys": automatic rotation is supported only on symmetric encryption keys.)"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.aws_kms_key_rotation import check
from tests.policies.helpers import resource

KEY = "aws:kms/key:Key"
NOT_ROTATING = "enableKeyRotation is not true; turn on automatic rotation."


@pytest.mark.parametrize("spec", [{}, {"customerMasterKeySpec": "SYMMETRIC_DEFAULT"}, {"keySpec": "SYMMETRIC_DEFAULT"},
                                  {"keyUsage": "ENCRYPT_DECRYPT"},
                                  {"keySpec": "SYMMETRIC_DEFAULT", "keyUsage": "ENCRYPT_DECRYPT"}],
                         ids=["default", "customerMasterKeySpec", "keySpec", "keyUsage", "both"])
@pytest.mark.parametrize(("rotation", "flagged"), [(True, False), (False, True), (None, True)])
def test_a_symmetric_key_rotates_whatever_spells_its_spec(spec: dict[str, Any], rotation: bool | None,
                                                          flagged: bool) -> None:
    props = {**spec, **({} if rotation is None else {"enableKeyRotation": rotation})}
    verdict = check(resource(KEY, props), {})
    assert verdict.messages == ([NOT_ROTATING] if flagged else [])
    assert verdict.unknown == []


@pytest.mark.parametrize("spec", [
    {"customerMasterKeySpec": "RSA_2048", "keyUsage": "SIGN_VERIFY"},
    {"keySpec": "ECC_NIST_P256", "keyUsage": "SIGN_VERIFY"},
    {"keySpec": "RSA_4096", "keyUsage": "ENCRYPT_DECRYPT"},
    {"customerMasterKeySpec": "RSA_3072"},
    {"keySpec": "HMAC_256", "keyUsage": "GENERATE_VERIFY_MAC"},
    {"keyUsage": "GENERATE_VERIFY_MAC"},
])
def test_keys_that_cannot_rotate_are_outside_the_rule(spec: dict[str, Any]) -> None:
    verdict = check(resource(KEY, spec), {})
    assert verdict.messages == [] and verdict.unknown == []


def test_unknown_rotation_is_not_judged_until_the_update() -> None:
    verdict = check(resource(KEY, {"enableKeyRotation": UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == ["enableKeyRotation"]
