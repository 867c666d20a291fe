"""`pulumi-stateful-resources-protected`: in prod, stateful resources carry `protect`.

Buckets, KMS keys, Unity Catalog catalogs, EKS and Databricks clusters and the member account: deleting one
by a mistaken `pulumi up` or `destroy` loses data or the environment itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, resource_policy

NAME = "pulumi-stateful-resources-protected"
STATEFUL_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:kms/key:Key", "aws:eks/cluster:Cluster",
                  "aws:organizations/account:Account", "databricks:index/catalog:Catalog",
                  "databricks:index/cluster:Cluster"]


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if not resource.protect:
        verdict.violation(f"{resource.type} {resource.name} is not protected; pass "
                          "ResourceOptions(protect=True) (the stack's protection config).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Stateful resources (buckets, keys, catalogs, clusters, accounts) must be protected in prod.",
    resource_types=STATEFUL_TYPES,
    check=check,
    stacks=["prod"],
)
