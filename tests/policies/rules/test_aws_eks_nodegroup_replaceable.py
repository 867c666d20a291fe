"""aws-eks-nodegroup-replaceable: a fixed nodeGroupName needs deleteBeforeReplace.

terraform-provider-aws `aws_eks_node_group`: instance types, AMI type, capacity type, disk size and subnets force
a new resource; Pulumi creates the replacement first, so a fixed name collides."""

from __future__ import annotations

import pytest

from policies.rules.aws_eks_nodegroup_replaceable import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_fixed_names_without_delete_before_replace(mode: str, integrity_plan: Plan,
                                                         integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == {"ng-fixed-bad"}
