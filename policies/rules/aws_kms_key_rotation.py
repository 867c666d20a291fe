"""`aws-kms-key-rotation`: every symmetric KMS key rotates its key material.

Asymmetric and HMAC keys cannot rotate in KMS; they are outside this rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, is_unknown, resource_policy

NAME = "aws-kms-key-rotation"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    spec = resource.props.get("customerMasterKeySpec") or resource.props.get("keySpec") or "SYMMETRIC_DEFAULT"
    usage = resource.props.get("keyUsage") or "ENCRYPT_DECRYPT"
    if spec != "SYMMETRIC_DEFAULT" or usage != "ENCRYPT_DECRYPT":
        return verdict
    rotation = resource.props.get("enableKeyRotation")
    if is_unknown(rotation):
        verdict.cannot_judge("enableKeyRotation")
    elif rotation is not True:
        verdict.violation("enableKeyRotation is not true; turn on automatic rotation.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="KMS keys must have automatic key rotation enabled (enableKeyRotation: true).",
    resource_types=["aws:kms/key:Key"],
    check=check,
)
