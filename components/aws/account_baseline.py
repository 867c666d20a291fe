"""Account-wide guard rails of a member account: no public S3 anywhere, EBS volumes encrypted by default.

These hold for every bucket and volume in the account, including ones made outside this program.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True)
class AccountBaselineArgs:
    account_id: pulumi.Input[str]
    """The member account the settings apply to (the provider passed in must act in it)."""
    allow_unencrypted_ebs: bool = False
    """Loosening, named: turn off EBS encryption by default. Default False (encrypted)."""


def validate_account_baseline_args(args: AccountBaselineArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    if isinstance(args.account_id, str) and not (len(args.account_id) == 12 and args.account_id.isdigit()):
        raise ValueError(f"AccountBaseline: account_id must be a 12-digit account id, got {args.account_id!r}")


class AccountBaseline(pulumi.ComponentResource):
    """S3 account-level public access block (all four settings) and EBS encryption by default."""

    public_access_block: aws.s3.AccountPublicAccessBlock
    ebs_encryption: aws.ebs.EncryptionByDefault

    def __init__(self, name: str, args: AccountBaselineArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_account_baseline_args(args)
        super().__init__("platform:aws:AccountBaseline", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.public_access_block = aws.s3.AccountPublicAccessBlock(
            f"{name}-s3-public-access-block",
            account_id=args.account_id,
            block_public_acls=True,
            block_public_policy=True,
            ignore_public_acls=True,
            restrict_public_buckets=True,
            opts=child)
        self.ebs_encryption = aws.ebs.EncryptionByDefault(
            f"{name}-ebs-encryption", enabled=not args.allow_unencrypted_ebs, opts=child)
        self.register_outputs({})
