"""Policy pack `platform-integrity`: only assembles the rules (each in its own module under `policies/rules/`).

What makes a plan compliant but broken: each rule states what must also exist or hold for the planned
resources to work at runtime (REALITY.md's questions). `pulumi preview --policy-pack policies/platform-integrity`
runs this file from the pack folder; the repository root (two folders up) is put on `sys.path` so that
`policies.rules` is the same package the offline preflight and the tests import.
"""

import sys
from pathlib import Path

_REPOSITORY_ROOT = str(Path(__file__).resolve().parents[2])
if _REPOSITORY_ROOT not in sys.path:
    sys.path.insert(0, _REPOSITORY_ROOT)

from pulumi_policy import EnforcementLevel, PolicyPack  # noqa: E402

from policies.rules import (  # noqa: E402
    aws_eks_cluster_version_supported,
    aws_eks_nodegroup_replaceable,
    aws_network_subnets_of_own_vpc,
    kubernetes_namespace_egress_reaches_aws_endpoints,
    kubernetes_networkpolicy_enforced,
    kubernetes_pod_service_account_irsa,
    kubernetes_rbac_group_has_access_entry,
    kubernetes_workload_references_exist,
)

PolicyPack(
    name="platform-integrity",
    enforcement_level=EnforcementLevel.MANDATORY,  # per stack: policies/config/<stack>.json (dev: advisory)
    policies=[
        # What enforces it at runtime.
        kubernetes_networkpolicy_enforced.policy,
        kubernetes_rbac_group_has_access_entry.policy,
        # How long it is supported; what a change does.
        aws_eks_cluster_version_supported.policy,
        aws_eks_nodegroup_replaceable.policy,
        # What must exist first.
        aws_network_subnets_of_own_vpc.policy,
        kubernetes_pod_service_account_irsa.policy,
        kubernetes_workload_references_exist.policy,
        # Can the caller reach the endpoint (prod only; config `stacks`, default ["prod"]).
        kubernetes_namespace_egress_reaches_aws_endpoints.policy,
    ],
)
