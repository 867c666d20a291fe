"""`aws-eks-cluster-secrets-encryption`: EKS clusters encrypt Kubernetes secrets with a KMS key (envelope)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "aws-eks-cluster-secrets-encryption"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    encryption = resource.props.get("encryptionConfig")
    if is_unknown(encryption):
        verdict.cannot_judge("encryptionConfig")
        return verdict
    resources = dig(encryption, "resources")
    if is_unknown(resources) or ("secrets" not in as_list(resources) and any(map(is_unknown, as_list(resources)))):
        verdict.cannot_judge("encryptionConfig.resources")
        return verdict
    if is_unknown(dig(encryption, "provider")):
        verdict.cannot_judge("encryptionConfig.provider")
        return verdict
    # The key's ARN may be unknown during a preview; that it is set is what matters here.
    if "secrets" not in as_list(resources) or dig(encryption, "provider", "keyArn") in (None, ""):
        verdict.violation("encryptionConfig does not encrypt secrets with a KMS key; set encryptionConfig "
                          "{provider: {keyArn}, resources: [secrets]}.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="EKS clusters must encrypt Kubernetes secrets with a KMS key (encryptionConfig resources: secrets).",
    resource_types=["aws:eks/cluster:Cluster"],
    check=check,
)
