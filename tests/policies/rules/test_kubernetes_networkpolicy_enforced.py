"""kubernetes-networkpolicy-enforced: each cluster with NetworkPolicies has the vpc-cni add-on enforcing them.

EKS user guide, "Limit pod traffic with Kubernetes network policies": the VPC CNI enforces NetworkPolicies once
its add-on's configuration has `"enableNetworkPolicy": "true"`."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_networkpolicy_enforced import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes

BAD = {"np-cluster-off-bad", "np-cluster-other-addon-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_clusters_whose_cni_does_not_enforce(mode: str, integrity_plan: Plan,
                                                   integrity_preview_plan: Plan) -> None:
    """Judged by add-on name and configuration in both modes; during a preview by the dependency edge."""
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == BAD
    assert notes(plan, NAME) == {}


def test_no_networkpolicy_needs_no_addon(tmp_path_factory: pytest.TempPathFactory) -> None:
    from tests.policies.helpers import snippet_plan

    plan = snippet_plan(tmp_path_factory, """
    import pulumi_aws as aws
    aws.eks.Cluster("bare", role_arn="arn:aws:iam::111122223333:role/eks", vpc_config={"subnet_ids": ["s"]})
    """)
    assert flagged(plan, NAME) == {}
