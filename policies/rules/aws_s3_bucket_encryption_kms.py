"""`aws-s3-bucket-encryption-kms`: every bucket is encrypted with SSE-KMS by its own encryption resource.

pulumi-aws 7 keeps a bucket's default encryption in a separate `BucketServerSideEncryptionConfiguration`,
so this is a stack policy: each bucket is joined to the encryption resources that reference it (by the
bucket name, or during a preview by the dependency edge), and a bucket with none is a violation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, StackView, Verdict, as_list, dig, is_unknown, join_by_reference, stack_policy

NAME = "aws-s3-bucket-encryption-kms"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
ENCRYPTION = ("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
              "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2")
KMS_ALGORITHMS = ("aws:kms", "aws:kms:dsse")


def _algorithms(rules: Any) -> list[Any]:
    return [dig(rule, "applyServerSideEncryptionByDefault", "sseAlgorithm") for rule in as_list(rules)]


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    attached, _ = join_by_reference(stack.of(*BUCKETS), lambda b: b.props.get("bucket"), stack.of(*ENCRYPTION),
                                    lambda e: e.props.get("bucket"))
    buckets: dict[str, Resource] = {b.urn: b for b in stack.of(*BUCKETS)}
    for urn, configs in attached.items():
        bucket = buckets[urn]
        inline = _algorithms(dig(bucket.props, "serverSideEncryptionConfiguration", "rules"))
        if not configs:
            if not (inline and all(a in KMS_ALGORITHMS for a in inline)):
                verdict.violation(f"bucket {bucket.name} has no BucketServerSideEncryptionConfiguration; add one with "
                                  "sseAlgorithm aws:kms and the bucket's KMS key.", urn)
            continue
        for config in configs:
            rules = config.props.get("rules")
            algorithms = _algorithms(rules)
            if is_unknown(rules) or any(is_unknown(a) for a in algorithms):
                verdict.cannot_judge(f"{config.name}.rules")
            elif not algorithms or any(a not in KMS_ALGORITHMS for a in algorithms):
                used = ", ".join(map(str, algorithms)) or "nothing"
                verdict.violation(f"bucket {bucket.name} is encrypted with {used} by {config.name}; use sseAlgorithm "
                                  "aws:kms with the bucket's KMS key.", urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every S3 bucket needs a server-side encryption configuration with aws:kms (SSE-KMS).",
    resource_types=BUCKETS + ENCRYPTION,
    check=check,
)
