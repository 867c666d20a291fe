"""aws-s3-bucket-no-public-acl, each variant the README claims: no public canned ACL (S3 docs, "Canned ACL":
`public-read`, `public-read-write`, `authenticated-read` grant to AllUsers or AuthenticatedUsers; the others
do not), no grant to the AllUsers or AuthenticatedUsers group, wherever the grant is written: a bucket's
`grants`, a bucket ACL's `accessControlPolicy.grants[].grantee`, an object copy's `grants`."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.aws_s3_bucket_no_public_acl import check
from tests.policies.helpers import resource

BUCKET = "aws:s3/bucket:Bucket"
ACL = "aws:s3/bucketAclV2:BucketAclV2"
COPY = "aws:s3/objectCopy:ObjectCopy"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"
LOG_DELIVERY = "http://acs.amazonaws.com/groups/s3/LogDelivery"


@pytest.mark.parametrize("acl", ["public-read", "public-read-write", "authenticated-read"])
@pytest.mark.parametrize("kind", [BUCKET, ACL, "aws:s3/bucketObjectv2:BucketObjectv2"])
def test_each_public_canned_acl_is_flagged(kind: str, acl: str) -> None:
    assert check(resource(kind, {"acl": acl}), {}).messages == [
        f"acl is {acl}; keep buckets private (ownership BucketOwnerEnforced, no ACLs)."]


@pytest.mark.parametrize("acl", ["private", "bucket-owner-read", "bucket-owner-full-control", "log-delivery-write",
                                 "aws-exec-read", None])
def test_private_canned_acls_pass(acl: str | None) -> None:
    assert check(resource(BUCKET, {} if acl is None else {"acl": acl}), {}).messages == []


@pytest.mark.parametrize("uri", [ALL_USERS, AUTHENTICATED])
def test_a_grant_to_a_public_group_is_flagged_wherever_it_is_written(uri: str) -> None:
    flagged = [f"an ACL grant goes to {uri}; remove it."]
    assert check(resource(BUCKET, {"grants": [{"type": "Group", "uri": uri, "permissions": ["READ"]}]}),
                 {}).messages == flagged
    assert check(resource(ACL, {"accessControlPolicy": {"owner": {"id": "o"}, "grants": [
        {"permission": "READ", "grantee": {"type": "Group", "uri": uri}}]}}), {}).messages == flagged
    assert check(resource(COPY, {"grants": [{"type": "Group", "uri": uri, "permissions": ["READ"]}]}),
                 {}).messages == flagged
    # An object copy's group named in `id` rather than `uri` is read all the same.
    assert check(resource(COPY, {"grants": [{"type": "Group", "id": uri, "permissions": ["READ"]}]}),
                 {}).messages == flagged


def test_grants_to_a_canonical_user_or_the_log_delivery_group_pass() -> None:
    grants = [{"type": "CanonicalUser", "id": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be",
               "permissions": ["FULL_CONTROL"]}, {"type": "Group", "uri": LOG_DELIVERY, "permissions": ["WRITE"]}]
    assert check(resource(BUCKET, {"grants": grants}), {}).messages == []
    assert check(resource(ACL, {"accessControlPolicy": {"grants": [
        {"permission": "WRITE", "grantee": {"type": "Group", "uri": LOG_DELIVERY}}]}}), {}).messages == []
    # A canonical user's id is not a group URI, even if it ended like one.
    assert check(resource(COPY, {"grants": [{"type": "CanonicalUser", "id": "x/global/AllUsers"}]}), {}).messages == []


def test_unknown_values_are_named_not_judged() -> None:
    verdict = check(resource(BUCKET, {"acl": UNKNOWN, "grants": [{"type": "Group", "uri": UNKNOWN}]}), {})
    assert verdict.messages == [] and verdict.unknown == ["acl", "grants.uri"]


def test_a_group_grant_is_read_by_its_uri_when_it_has_one() -> None:
    """`id` stands in for the group only where `uri` is missing: a public `uri` beside an `id` is still public."""
    grant = {"type": "Group", "uri": ALL_USERS,
             "id": "79a59df900b949e55d96a1e698fbacedfd6e09d98eacf8f8d5218e7cd47ef2be"}
    assert check(resource(COPY, {"grants": [grant]}), {}).messages == [f"an ACL grant goes to {ALL_USERS}; remove it."]
