"""`aws-s3-bucket-public-access-block`: every bucket has a public access block with all four settings on.

A stack policy for the same reason as the encryption rule: the block is a separate resource joined to its
bucket by the bucket reference.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import StackView, Verdict, is_unknown, join_by_reference, stack_policy

NAME = "aws-s3-bucket-public-access-block"
BUCKETS = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")
BLOCKS = ("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",)
SETTINGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    buckets = {b.urn: b for b in stack.of(*BUCKETS)}
    attached, _ = join_by_reference(list(buckets.values()), lambda b: b.props.get("bucket"), stack.of(*BLOCKS),
                                    lambda p: p.props.get("bucket"))
    for urn, blocks in attached.items():
        if not blocks:
            verdict.violation(f"bucket {buckets[urn].name} has no BucketPublicAccessBlock; add one with "
                              f"{', '.join(SETTINGS)} all true.", urn)
        for block in blocks:
            unknown = [s for s in SETTINGS if is_unknown(block.props.get(s))]
            off = [s for s in SETTINGS if s not in unknown and block.props.get(s) is not True]
            for s in unknown:
                verdict.cannot_judge(f"{block.name}.{s}")
            if off:
                verdict.violation(f"public access block {block.name} of bucket {buckets[urn].name} leaves "
                                  f"{', '.join(off)} off; set all four to true.", block.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every S3 bucket needs a public access block with blockPublicAcls, blockPublicPolicy, "
                "ignorePublicAcls and restrictPublicBuckets all true.",
    resource_types=BUCKETS + BLOCKS,
    check=check,
)
