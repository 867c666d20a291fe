"""Policy pack `least-privilege`: only assembles the rules (each in its own module under `policies/rules/`).

`pulumi preview --policy-pack policies/least-privilege` runs this file from the pack folder; the repository
root (two folders up) is put on `sys.path` so that `policies.rules` is the same package the offline
preflight and the tests import.
"""

import sys
from pathlib import Path

_REPOSITORY_ROOT = str(Path(__file__).resolve().parents[2])
if _REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, _REPOSITORY_ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.rules import (  # noqa: E402
    aws_iam_no_admin_policy_attachment,
    aws_iam_no_foreign_account_root,
    aws_iam_no_not_action_with_allow,
    aws_iam_no_passrole_wildcard,
    aws_iam_no_public_principal,
    aws_iam_no_wildcard_actions,
    aws_iam_no_wildcard_resource,
    aws_iam_trust_web_identity_pinned,
    aws_kms_key_policy_wildcard_root_only,
    databricks_grants_no_broad_all_privileges,
    databricks_grants_no_cross_environment,
    databricks_grants_sandbox_read_only_dev,
    kubernetes_rbac_deployer_limits,
    kubernetes_rbac_no_cluster_admin_binding,
    kubernetes_rbac_no_wildcards,
)

PolicyPack(
    name="least-privilege",
    enforcement_level=EnforcementLevel.MANDATORY,  # per stack: policies/config/<stack>.json (dev: advisory)
    policies=[
        aws_iam_no_wildcard_actions.policy,
        aws_iam_no_wildcard_resource.policy,
        aws_iam_no_not_action_with_allow.policy,
        aws_iam_no_passrole_wildcard.policy,
        aws_iam_no_admin_policy_attachment.policy,
        aws_iam_no_public_principal.policy,
        aws_iam_trust_web_identity_pinned.policy,
        aws_kms_key_policy_wildcard_root_only.policy,
        aws_iam_no_foreign_account_root.policy,
        kubernetes_rbac_no_wildcards.policy,
        kubernetes_rbac_no_cluster_admin_binding.policy,
        kubernetes_rbac_deployer_limits.policy,
        databricks_grants_no_cross_environment.policy,
        databricks_grants_no_broad_all_privileges.policy,
        databricks_grants_sandbox_read_only_dev.policy,
    ],
)
