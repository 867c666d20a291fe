"""EncryptedBucket's ordering guarantee, on the plan's dependency edges: each bucket policy is created after its
bucket's public access block, so that S3 never evaluates the policy on an unguarded bucket (S3 User Guide,
"Blocking public access": BlockPublicPolicy refuses a public policy only once the block exists)."""

from __future__ import annotations

import pytest

from tests.support import STACKS, preflight_plan

POLICY = "aws:s3/bucketPolicy:BucketPolicy"
BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
COMPONENT = "platform:storage:EncryptedBucket"


@pytest.mark.parametrize("stack", STACKS)
def test_every_bucket_policy_waits_for_its_public_access_block(stack: str) -> None:
    plan = preflight_plan(stack)
    components = {r.urn for r in plan.resources if r.type == COMPONENT}
    policies = [r for r in plan.of_type(POLICY) if r.parent in components]
    assert policies, "no EncryptedBucket policy in the plan"
    blocks = {r.parent: r.urn for r in plan.of_type(BLOCK) if r.parent in components}
    for policy in policies:
        assert blocks.get(policy.parent) in policy.options["dependsOn"], policy.name
