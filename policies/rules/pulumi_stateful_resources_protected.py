"""`pulumi-stateful-resources-protected`: in prod, stateful resources carry `protect`.

Buckets, KMS keys, Unity Catalog catalogs, EKS and Databricks clusters and the member account: deleting one
by a mistaken `pulumi up` or `destroy` loses data or the environment itself.

Not EKS node groups (`aws:eks/nodeGroup:NodeGroup`): their nodes hold no state, and a change of instance types,
capacity type or subnets must be able to replace a group (created beside the old one under a generated name);
`protect` would block exactly that. The cluster they belong to is protected.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, resource_policy

NAME = "pulumi-stateful-resources-protected"
STATEFUL_TYPES = ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:kms/key:Key", "aws:eks/cluster:Cluster",
                  "aws:organizations/account:Account", "databricks:index/catalog:Catalog",
                  "databricks:index/cluster:Cluster"]
STATELESS_BY_DESIGN = {"aws:eks/nodeGroup:NodeGroup": "nodes hold no state; replaced create-before-delete"}


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
