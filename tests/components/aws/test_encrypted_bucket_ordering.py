"""EncryptedBucket's ordering guarantees, on the plan's dependency edges: each bucket policy is created after its
bucket's public access block, so that S3 never evaluates the policy on an unguarded bucket (S3 User Guide,
"Blocking public access": BlockPublicPolicy refuses a public policy only once the block exists); a versioned
bucket's lifecycle after its versioning."""

from __future__ import annotations

import pytest

from tests.support import STACKS, preflight_plan

POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
COMPONENT = "platform:storage:EncryptedBucket"
VERSIONING = "aws:s3/bucketVersioning:BucketVersioning"
LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_policy_waits_for_its_public_access_block(stack: str) -> None:
    plan = preflight_plan(stack)
    components = {r.urn for r in plan.resources if r.type == COMPONENT}
    policies = [r for r in plan.of_type(POLICY) if r.parent in components]
    assert policies, "no EncryptedBucket policy in the plan"
    blocks = {r.parent: r.urn for r in plan.of_type(BLOCK) if r.parent in components}
    for policy in policies:
        assert blocks.get(policy.parent) in policy.options["dependsOn"], policy.name


@pytest.mark.parametrize("stack", STACKS)
def test_a_versioned_buckets_lifecycle_waits_for_its_versioning(stack: str) -> None:
    """Noncurrent-version expiration applies to a bucket "that has versioning enabled (or suspended)" (CloudFormation
    reference, AWS::S3::Bucket NoncurrentVersionExpiration); the provider's BucketLifecycleConfiguration docs
    ("Using versioning": "Must have bucket versioning enabled first") order the lifecycle after the versioning. The
    lifecycle names the bucket, not the versioning resource, so only an explicit edge orders them."""
    plan = preflight_plan(stack)
    components = {r.urn for r in plan.resources if r.type == COMPONENT}
    versioning = {r.parent: r.urn for r in plan.of_type(VERSIONING) if r.parent in components}
    lifecycles = {r.parent: r for r in plan.of_type(LIFECYCLE) if r.parent in components}
    noncurrent = {parent for parent, r in lifecycles.items()
                  if any("noncurrentVersionExpiration" in rule for rule in r.inputs["rules"])}
    assert noncurrent <= set(versioning)  # an expiry of noncurrent versions only where versions are kept
    for parent, urn in versioning.items():
        assert urn in lifecycles[parent].options["dependsOn"], lifecycles[parent].name


def test_some_stack_versions_its_buckets() -> None:
    """The versioning edge is checked somewhere: staging and prod keep noncurrent versions (7 and 30 days)."""
    assert all(preflight_plan(stack).of_type(VERSIONING) for stack in ("staging", "prod"))
