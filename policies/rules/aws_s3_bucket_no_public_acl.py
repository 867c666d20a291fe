"""`aws-s3-bucket-no-public-acl`: no canned public ACL and no grant to AllUsers or AuthenticatedUsers, on buckets,
bucket ACL resources and objects (`BucketObject`, `BucketObjectv2`, `ObjectCopy`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "aws-s3-bucket-no-public-acl"
PUBLIC_ACLS = ("public-read", "public-read-write", "authenticated-read")
PUBLIC_GROUPS = ("/global/AllUsers", "/global/AuthenticatedUsers")
TYPES = ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2", "aws:s3/bucketAcl:BucketAcl",
         "aws:s3/bucketAclV2:BucketAclV2",
         # Object ACLs: a public object in a private bucket is public all the same (unless ownership enforced).
         "aws:s3/bucketObject:BucketObject", "aws:s3/bucketObjectv2:BucketObjectv2", "aws:s3/objectCopy:ObjectCopy")


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    acl = resource.props.get("acl")
    if is_unknown(acl):
        verdict.cannot_judge("acl")
    elif acl in PUBLIC_ACLS:
        verdict.violation(f"acl is {acl}; keep buckets private (ownership BucketOwnerEnforced, no ACLs).")
    grants = as_list(resource.props.get("grants")) + as_list(dig(resource.props, "accessControlPolicy", "grants"))
    for grant in grants:
        uri = dig(grant, "uri") or dig(grant, "grantee", "uri")
        if dig(grant, "type") == "Group" and dig(grant, "uri") is None and isinstance(dig(grant, "id"), str):
            uri = dig(grant, "id")  # ObjectCopy grants name the group in `uri`; tolerate it in `id` too
        if is_unknown(uri):
            verdict.cannot_judge("grants.uri")
        elif isinstance(uri, str) and uri.endswith(PUBLIC_GROUPS):
            verdict.violation(f"an ACL grant goes to {uri}; remove it.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="S3 buckets must not be public through ACLs: no public canned ACL, no grant to AllUsers or "
                "AuthenticatedUsers.",
    resource_types=TYPES,
    check=check,
)
