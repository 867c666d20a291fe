"""Policy pack `prod-guardrails`: only assembles the rules (each in its own module under `policies/rules/`).

`pulumi preview --policy-pack policies/prod-guardrails` runs this file from the pack folder; the repository
root (two folders up) is put on `sys.path` so that `policies.rules` is the same package the offline
preflight and the tests import. Rules marked prod-only take a `stacks` config (default `["prod"]`).
"""

import sys
from pathlib import Path

_REPOSITORY_ROOT = str(Path(__file__).resolve().parents[2])
if _REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, _REPOSITORY_ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.rules import (  # noqa: E402
    aws_ec2_launch_template_imdsv2,
    aws_ec2_security_group_no_open_egress,
    aws_eks_cluster_endpoint_private,
    aws_eks_cluster_secrets_encryption,
    aws_kms_key_rotation,
    aws_s3_bucket_encryption_kms,
    aws_s3_bucket_no_public_acl,
    aws_s3_bucket_public_access_block,
    databricks_catalog_prod_isolated,
    databricks_grants_authoritative,
    kubernetes_helm_release_pinned_version,
    kubernetes_namespace_default_deny_egress,
    kubernetes_namespace_quota_and_limits,
    kubernetes_networkpolicy_no_open_egress,
    pulumi_stateful_resources_protected,
)

PolicyPack(
    name="prod-guardrails",
    enforcement_level=EnforcementLevel.MANDATORY,  # per stack: policies/config/<stack>.json (dev: advisory)
    policies=[
        # Data protection, every stack.
        aws_s3_bucket_encryption_kms.policy,
        aws_s3_bucket_public_access_block.policy,
        aws_s3_bucket_no_public_acl.policy,
        aws_kms_key_rotation.policy,
        aws_ec2_launch_template_imdsv2.policy,
        aws_eks_cluster_secrets_encryption.policy,
        kubernetes_namespace_quota_and_limits.policy,
        databricks_grants_authoritative.policy,
        # Production only (config `stacks`, default ["prod"]).
        pulumi_stateful_resources_protected.policy,
        kubernetes_helm_release_pinned_version.policy,
        kubernetes_namespace_default_deny_egress.policy,
        kubernetes_networkpolicy_no_open_egress.policy,
        aws_ec2_security_group_no_open_egress.policy,
        aws_eks_cluster_endpoint_private.policy,
        databricks_catalog_prod_isolated.policy,
    ],
)
