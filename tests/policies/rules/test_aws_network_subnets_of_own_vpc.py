"""aws-network-subnets-of-own-vpc: in an account the stack creates, clusters, node groups and databases use the
stack's own subnets (a new account has none of the literal ids; Organizations CreateAccount creates an empty
account)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from policies.rules._support import UNKNOWN, StackView
from policies.rules.aws_network_subnets_of_own_vpc import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource, snippet_plan

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


REPLICAS = """
import pulumi_aws as aws
aws.organizations.Account("acct", name="a", email="a@example.com")
vpc = aws.ec2.Vpc("vpc", cidr_block="10.0.0.0/16")
subnets = [aws.ec2.Subnet(f"s{i}", vpc_id=vpc.id, cidr_block=f"10.0.{i}.0/24") for i in (1, 2)]
group = aws.rds.SubnetGroup("group", name="platform", subnet_ids=[s.id for s in subnets])
primary = aws.rds.Instance("primary", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20,
                           db_subnet_group_name=group.name)
aws.rds.Instance("replica-ok", replicate_source_db=primary.identifier, instance_class="db.t4g.micro")
aws.rds.Instance("cross-region-replica-bad", instance_class="db.t4g.micro",
                 replicate_source_db="arn:aws:rds:us-east-1:111122223333:db:elsewhere")
orphan = aws.rds.Instance("orphan-bad", engine="postgres", instance_class="db.t4g.micro", allocated_storage=20)
aws.rds.Instance("replica-of-orphan-bad", replicate_source_db=orphan.identifier, instance_class="db.t4g.micro")
"""


def test_a_same_region_replica_inherits_its_sources_subnet_group(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Terraform AWS provider, `aws_db_instance` `db_subnet_group_name`: a same-region read replica defaults to
    its source's subnet group; a cross-region one to the default group (the default VPC a new account lacks)."""
    assert set(flagged(snippet_plan(tmp_path_factory, REPLICAS), NAME)) == {
        "cross-region-replica-bad", "orphan-bad", "replica-of-orphan-bad"}


ACCOUNT = "aws:organizations/account:Account"
SUBNET = "aws:ec2/subnet:Subnet"
CLUSTER = "aws:eks/cluster:Cluster"


def test_a_cluster_on_subnets_the_plan_does_not_create_is_told_to_pass_the_networks() -> None:
    """With the account in the plan, a cluster on literal subnet ids (no dependency on a planned subnet) is refused
    with the ids, the reason (a new account has no subnets) and the fix; one on the plan's subnet passes."""
    account = resource(ACCOUNT, {"name": "ml-prod", "email": "ml-prod@example.com"}, name="acct")
    subnet = resource(SUBNET, {"id": "subnet-0aaaaaaaaaaaaaaa1", "cidrBlock": "10.0.1.0/24"}, name="private-a")
    literal = resource(CLUSTER, {"vpcConfig": {"subnetIds": ["subnet-0123456789abcdef0"]}}, name="literal")
    own = replace(resource(CLUSTER, {"vpcConfig": {"subnetIds": ["subnet-0aaaaaaaaaaaaaaa1"]}}, name="own"),
                  dependencies=(subnet.urn,))
    verdict = check(StackView({ACCOUNT: [account], SUBNET: [subnet], CLUSTER: [literal, own]}), {})
    assert [(f.message, f.urn) for f in verdict.findings] == [(
        "subnets ['subnet-0123456789abcdef0'] are not subnets of this plan, but the account is created by it: a new "
        "account has no such subnets; pass the network's subnet ids.", literal.urn)]


def test_subnet_ids_not_known_yet_without_a_planned_subnet_are_refused_as_computed() -> None:
    """Computed ids that come from no subnet of the plan (another stack's output, say) are no better than literal
    ones in a new account: refused, written as (computed) since their value is not known."""
    account = resource(ACCOUNT, {"name": "ml-prod", "email": "ml-prod@example.com"}, name="acct")
    cluster = resource(CLUSTER, {"vpcConfig": {"subnetIds": [UNKNOWN]}}, name="elsewhere")
    assert check(StackView({ACCOUNT: [account], CLUSTER: [cluster]}), {}).messages == [
        "subnets (computed) are not subnets of this plan, but the account is created by it: a new account has no "
        "such subnets; pass the network's subnet ids."]


def test_a_cluster_on_a_planned_subnet_and_a_literal_one_is_told_which_is_foreign() -> None:
    """Depending on one planned subnet does not make every id planned: the ids the plan's subnets do not carry are
    named."""
    account = resource(ACCOUNT, {"name": "ml-prod", "email": "ml-prod@example.com"}, name="acct")
    subnet = resource(SUBNET, {"id": "subnet-0aaaaaaaaaaaaaaa1", "cidrBlock": "10.0.1.0/24"}, name="private-a")
    ids = ["subnet-0aaaaaaaaaaaaaaa1", "subnet-0123456789abcdef0"]
    mixed = replace(resource(CLUSTER, {"vpcConfig": {"subnetIds": ids}}, name="mixed"), dependencies=(subnet.urn,))
    assert check(StackView({ACCOUNT: [account], SUBNET: [subnet], CLUSTER: [mixed]}), {}).messages == [
        "subnets ['subnet-0123456789abcdef0'] are not subnets of this plan (the account is created by it)."]
