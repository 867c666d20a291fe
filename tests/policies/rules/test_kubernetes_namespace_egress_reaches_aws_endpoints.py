"""kubernetes-namespace-egress-reaches-aws-endpoints: in prod, restricted egress still reaches the interface
endpoints on 443 (EKS best practices, "Network security": allow egress to the VPC endpoints the pods use)."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_namespace_egress_reaches_aws_endpoints import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_namespaces_that_cannot_reach_the_endpoints(mode: str, integrity_plan: Plan,
                                                          integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == {"egress-elsewhere-bad", "egress-none-bad"}
