"""The account baseline: every stack's member account blocks public S3 and encrypts EBS by default."""

from __future__ import annotations

import pytest

from components.aws.account_baseline import AccountBaselineArgs, validate_account_baseline_args
from preflight.harness import reveal
from tests.support import STACKS, preflight_plan


@pytest.mark.parametrize("stack", STACKS)
def test_account_blocks_public_s3_in_all_four_ways(stack: str) -> None:
    plan = preflight_plan(stack)
    block = reveal(plan.one("aws:s3/accountPublicAccessBlock:AccountPublicAccessBlock").inputs)
    assert block["accountId"] == plan.one("aws:organizations/account:Account").id
    assert {k: block.get(k) for k in ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls",
                                      "restrictPublicBuckets")} == dict.fromkeys(
        ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True)


@pytest.mark.parametrize("stack", STACKS)
def test_ebs_is_encrypted_by_default(stack: str) -> None:
    assert reveal(preflight_plan(stack).one("aws:ebs/encryptionByDefault:EncryptionByDefault").inputs)["enabled"]


def test_a_malformed_account_id_is_refused() -> None:
    with pytest.raises(ValueError, match="account_id must be a 12-digit account id, got '12'"):
        validate_account_baseline_args(AccountBaselineArgs(account_id="12"))
