"""aws-network-subnets-of-own-vpc: in an account the stack creates, clusters, node groups and databases use the
stack's own subnets (a new account has none of the literal ids; Organizations CreateAccount creates an empty
account)."""

from __future__ import annotations

import pytest

from policies.rules.aws_network_subnets_of_own_vpc import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, snippet_plan

BAD = {"subnets-literal-bad", "ng-literal-subnets-bad", "db-default-vpc-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_literal_subnets_in_a_new_account(mode: str, integrity_plan: Plan, integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == BAD


def test_an_existing_account_may_use_its_subnets(tmp_path_factory: pytest.TempPathFactory) -> None:
    plan = snippet_plan(tmp_path_factory, """
    import pulumi_aws as aws
    aws.eks.Cluster("existing", role_arn="arn:aws:iam::111122223333:role/eks",
                    vpc_config={"subnet_ids": ["subnet-0123456789abcdef0"]})
    """)
    assert flagged(plan, NAME) == {}
