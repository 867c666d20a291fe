"""The network in each stack's plan: three zones, tiers and their tags, NAT and routes per zone, VPC endpoints,
flow logs, the default security group closed, and the cluster and node groups on its private subnets.

The CIS AWS Foundations / AWS Foundational Security Best Practices controls the network implements are plan
tests here (checkov's checks read Terraform, not Pulumi): EC2.2 / CIS 5.4 default SG closed, EC2.6 / CIS 3.9
flow logs, EC2.15 no public IP on launch.
"""

from __future__ import annotations

import ipaddress
import json
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from components.aws.network import (
    S3_DATA_ACTIONS,
    ExistingNetworkArgs,
    NetworkArgs,
    s3_endpoint_policy,
    subnet_layout,
    validate_network_args,
)
from preflight.harness import Plan, RecordedResource
from stack_config import parse
from tests.components.iam_grammar import grammar_problems
from tests.components.iam_plan import as_list
from tests.support import PROJECT_DIR, STACKS, plan_with, preflight_plan, run_snippet
from tests.test_stack_config import raw_config

NETWORK = "platform:network:Network"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE = "aws:ec2/route:Route"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
# The README's network row, written out: "interface endpoints with private DNS for sts, ecr.api, ecr.dkr, logs, ec2,
# eks-auth, secretsmanager, kms and s3" (and its cost line: 9 interface endpoints). Exactly these: one fewer is an
# AWS API that prod pods cannot reach, one more is an endpoint (and its hourly cost in three zones) nobody asked for.
INTERFACE_ENDPOINTS = ("sts", "ecr.api", "ecr.dkr", "logs", "ec2", "eks-auth", "secretsmanager", "kms", "s3")
# What CloudWatch Logs needs on a customer managed key to encrypt a log group (CloudWatch Logs User Guide, "Encrypt
# log data in CloudWatch Logs using AWS KMS", step 2: kms:Encrypt*, kms:Decrypt*, kms:ReEncrypt*,
# kms:GenerateDataKey*, kms:Describe*), spelled out for a symmetric key; DescribeKey apart, without the condition
# (it carries no encryption context).
FLOW_LOG_KEY_ACTIONS = ["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                        "kms:GenerateDataKeyWithoutPlaintext"]


def _network(plan: Plan) -> list[RecordedResource]:
    return plan.descendants(plan.one(NETWORK))


def _of(plan: Plan, type_: str) -> list[RecordedResource]:
    return [r for r in _network(plan) if r.type == type_]


def _tier(plan: Plan, tier: str) -> list[RecordedResource]:
    return sorted((s for s in _of(plan, SUBNET) if s.inputs["tags"]["tier"] == tier), key=lambda s: s.name)


def _route_table_of(plan: Plan, subnet: RecordedResource) -> str:
    (table,) = [a.inputs["routeTableId"] for a in plan.of_type("aws:ec2/routeTableAssociation:RouteTableAssociation")
                if a.inputs["subnetId"] == subnet.id]
    return table


def _default_route(plan: Plan, table: str) -> dict[str, Any] | None:
    routes = [r.inputs for r in plan.of_type(ROUTE) if r.inputs["routeTableId"] == table
              and r.inputs.get("destinationCidrBlock") == "0.0.0.0/0"]
    assert len(routes) <= 1, routes
    return routes[0] if routes else None


@pytest.mark.parametrize("stack", STACKS)
def test_three_zones_each_with_a_private_database_and_endpoint_subnet(stack: str) -> None:
    """EKS wants subnets in at least two zones, RDS subnet groups too; three keeps two thirds of capacity in a
    zone outage. The zones are the region's first three by name, as getAvailabilityZones answers."""
    plan = preflight_plan(stack)
    region = parse(stack, raw_config(stack)).region
    zones = [f"{region}{letter}" for letter in "abc"]
    assert plan.one(NETWORK).component_outputs  # registered outputs
    for tier in ("private", "database", "endpoints"):
        assert [s.inputs["availabilityZone"] for s in _tier(plan, tier)] == zones, tier


@pytest.mark.parametrize("stack", STACKS)
def test_subnets_partition_the_vpc_cidr_without_overlap(stack: str) -> None:
    plan = preflight_plan(stack)
    vpc = plan.one("aws:ec2/vpc:Vpc")
    assert vpc.inputs["cidrBlock"] == parse(stack, raw_config(stack)).network.cidr
    assert vpc.inputs["enableDnsSupport"] and vpc.inputs["enableDnsHostnames"]  # private DNS of the endpoints
    blocks = [ipaddress.ip_network(s.inputs["cidrBlock"]) for s in _of(plan, SUBNET)]
    assert all(b.subnet_of(ipaddress.ip_network(vpc.inputs["cidrBlock"])) for b in blocks)  # type: ignore[arg-type]
    assert not [(a, b) for a, b in combinations(blocks, 2) if a.overlaps(b)]
    assert all(s.inputs["vpcId"] == vpc.id for s in _of(plan, SUBNET))


@pytest.mark.parametrize("stack", STACKS)
def test_subnets_carry_the_tags_eks_and_the_load_balancer_controller_discover(stack: str) -> None:
    """The AWS Load Balancer Controller places internal load balancers in subnets tagged
    `kubernetes.io/role/internal-elb: 1`, internet-facing ones in `kubernetes.io/role/elb: 1`, and with the cluster
    tag `kubernetes.io/cluster/<name>` (https://docs.aws.amazon.com/eks/latest/userguide/network-load-balancing.html;
    the controller's own docs, "Subnet auto-discovery")."""
    plan = preflight_plan(stack)
    cluster_tag = f"kubernetes.io/cluster/{plan.one('aws:eks/cluster:Cluster').inputs['name']}"
    for subnet in _tier(plan, "private"):
        assert subnet.inputs["tags"]["kubernetes.io/role/internal-elb"] == "1"
        assert subnet.inputs["tags"][cluster_tag] == "shared"
    for subnet in _tier(plan, "public"):
        assert subnet.inputs["tags"]["kubernetes.io/role/elb"] == "1"
        assert subnet.inputs["tags"][cluster_tag] == "shared"
    for subnet in _tier(plan, "database") + _tier(plan, "endpoints"):
        assert not [t for t in subnet.inputs["tags"] if t.startswith("kubernetes.io/")], subnet.name


@pytest.mark.parametrize("stack", STACKS)
def test_no_subnet_gives_instances_a_public_address(stack: str) -> None:
    """AWS FSBP EC2.15: subnets do not assign public IPv4 addresses on launch (NAT uses Elastic IPs)."""
    subnets = _of(preflight_plan(stack), SUBNET)
    assert subnets and all(s.inputs["mapPublicIpOnLaunch"] is False for s in subnets)


@pytest.mark.parametrize("stack", STACKS)
def test_private_subnets_leave_through_a_nat_gateway_in_their_own_zone_or_devs_single_one(stack: str) -> None:
    """A private subnet's default route goes to a NAT gateway in a public subnet; with one per zone, to its own
    zone's (https://docs.aws.amazon.com/vpc/latest/userguide/nat-gateway-basics.html: a NAT gateway is zonal).
    Public subnets exist only where a NAT gateway lives."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    nats = {n.id: n for n in _of(plan, "aws:ec2/natGateway:NatGateway")}
    zone_of = {s.id: s.inputs["availabilityZone"] for s in _of(plan, SUBNET)}
    assert len(nats) == (3 if cfg.network.nat_gateways == "per_az" else 1)
    assert sorted(n.inputs["subnetId"] for n in nats.values()) == sorted(s.id for s in _tier(plan, "public"))
    used = set()
    for subnet in _tier(plan, "private"):
        route = _default_route(plan, _route_table_of(plan, subnet))
        assert route is not None and route.get("natGatewayId") in nats, subnet.name
        nat_zone = zone_of[nats[route["natGatewayId"]].inputs["subnetId"]]
        if cfg.network.nat_gateways == "per_az":
            assert nat_zone == subnet.inputs["availabilityZone"], subnet.name
        used.add(route["natGatewayId"])
    assert used == set(nats)
    if stack == "prod":
        assert cfg.network.nat_gateways == "per_az"
    igw = plan.one("aws:ec2/internetGateway:InternetGateway")
    for subnet in _tier(plan, "public"):
        assert _default_route(plan, _route_table_of(plan, subnet)) == {
            "destinationCidrBlock": "0.0.0.0/0", "gatewayId": igw.id, "routeTableId": _route_table_of(plan, subnet)}
    for subnet in _tier(plan, "database") + _tier(plan, "endpoints"):
        assert _default_route(plan, _route_table_of(plan, subnet)) is None, subnet.name


@pytest.mark.parametrize("stack", STACKS)
def test_the_nat_addresses_are_exported_for_partners_allow_lists(stack: str) -> None:
    plan = preflight_plan(stack)
    eips = {e.id: e.outputs["publicIp"] for e in _of(plan, "aws:ec2/eip:Eip")}
    by_nat = [eips[n.inputs["allocationId"]] for n in _of(plan, "aws:ec2/natGateway:NatGateway")]
    assert sorted(plan.plain_outputs["nat_public_ips"]) == sorted(by_nat)
    assert all(ipaddress.ip_address(ip) in ipaddress.ip_network("203.0.113.0/24") for ip in by_nat)  # mocks' range


@pytest.mark.parametrize("stack", STACKS)
def test_s3_gateway_is_on_every_private_and_isolated_route_table(stack: str) -> None:
    """A gateway endpoint works through the route tables it is associated with
    (https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-s3.html)."""
    plan = preflight_plan(stack)
    (gateway,) = [e for e in _of(plan, ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    region = parse(stack, raw_config(stack)).region
    assert gateway.inputs["serviceName"] == f"com.amazonaws.{region}.s3"
    tables = {_route_table_of(plan, s) for tier in ("private", "database", "endpoints") for s in _tier(plan, tier)}
    assert set(gateway.inputs["routeTableIds"]) == tables


@pytest.mark.parametrize("stack", STACKS)
def test_s3_endpoints_let_through_only_this_accounts_buckets_and_ecrs_layer_bucket(stack: str) -> None:
    """ECR stores image layers in the AWS-owned `prod-<region>-starport-layer-bucket`; an endpoint policy must allow
    GetObject on it (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, minimum Amazon S3
    bucket permissions). Everything else: buckets of this account only (`s3:ResourceAccount`)."""
    plan = preflight_plan(stack)
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    region = parse(stack, raw_config(stack)).region
    s3 = [e for e in _of(plan, ENDPOINT) if e.inputs["serviceName"].endswith(".s3")]
    assert len(s3) == 2  # the gateway and the interface endpoint
    for endpoint in s3:
        statements = json.loads(endpoint.inputs["policy"])["Statement"]
        assert all(s["Effect"] == "Allow" for s in statements)
        for statement in statements:
            scoped = statement.get("Condition", {}).get("StringEquals", {}).get("s3:ResourceAccount") == account
            layer = statement["Resource"] == [f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*"] and statement[
                "Action"] == ["s3:GetObject"]
            assert scoped or layer, statement


def test_named_other_buckets_pass_the_s3_endpoints_by_a_statement_iam_accepts() -> None:
    """`additional_s3_bucket_arns` (a partner's bucket, no stack names one today): each bucket and its objects get
    the data actions in their own statement, beside this account's and ECR's, in the grammar IAM accepts."""
    arn = "arn:aws:s3:::partner-exchange"
    document = json.loads(s3_endpoint_policy("123456789012", "eu-west-1", [arn]))
    assert grammar_problems(document, "resource") == []
    named = [s for s in document["Statement"] if s["Sid"] == "NamedBuckets"]
    assert named == [{"Sid": "NamedBuckets", "Effect": "Allow", "Principal": "*", "Action": list(S3_DATA_ACTIONS),
                      "Resource": [arn, f"{arn}/*"]}]
    assert "NamedBuckets" not in s3_endpoint_policy("123456789012", "eu-west-1")  # none named: no statement


@pytest.mark.parametrize("stack", STACKS)
def test_every_interface_endpoint_has_private_dns_and_only_the_endpoint_security_group(stack: str) -> None:
    """Private DNS makes the service's default name resolve to the endpoint inside the VPC, so SDKs need no
    configuration (https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html)."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    group = plan.one("aws:ec2/securityGroup:SecurityGroup", name=f"{stack}-network-endpoints-sg")
    interfaces = {e.inputs["serviceName"].removeprefix(f"com.amazonaws.{cfg.region}."): e
                  for e in _of(plan, ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"}
    assert sorted(interfaces) == sorted(INTERFACE_ENDPOINTS)
    endpoint_subnets = [s.id for s in _tier(plan, "endpoints")]
    for service, endpoint in interfaces.items():
        assert endpoint.inputs["privateDnsEnabled"] is True, service
        assert endpoint.inputs["securityGroupIds"] == [group.id], service
        assert endpoint.inputs["subnetIds"] == endpoint_subnets, service
    assert group.inputs["ingress"] == [{"protocol": "tcp", "fromPort": 443, "toPort": 443,
                                        "cidrBlocks": [cfg.network.vpc_cidr], "description": "HTTPS from the VPC"}]
    assert not group.inputs.get("egress")
    dns_names = plan.one(NETWORK).component_outputs["interface_endpoint_dns_names"]
    assert {s: n.split(".", 1)[1] for s, n in dns_names.items()} == {
        s: f"{s}.{cfg.region}.vpce.amazonaws.com" for s in INTERFACE_ENDPOINTS}


@pytest.mark.parametrize("stack", STACKS)
def test_flow_logs_record_all_traffic_to_an_encrypted_group_kept_per_environment(stack: str) -> None:
    """CIS AWS 3.9 / FSBP EC2.6: flow logs on, traffic type ALL. CloudWatch Logs may use the key only with the
    encryption context of this group (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/
    encrypt-log-data-kms.html); the role is assumed by vpc-flow-logs.amazonaws.com for this account's flow logs only
    (https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html)."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    (flow_log,) = _of(plan, "aws:ec2/flowLog:FlowLog")
    (group,) = _of(plan, "aws:cloudwatch/logGroup:LogGroup")
    (key,) = _of(plan, "aws:kms/key:Key")
    (role,) = _of(plan, "aws:iam/role:Role")
    assert flow_log.inputs["vpcId"] == plan.one("aws:ec2/vpc:Vpc").id
    assert flow_log.inputs["trafficType"] == "ALL"
    assert flow_log.inputs["logDestination"] == group.outputs["arn"]
    assert flow_log.inputs["iamRoleArn"] == role.outputs["arn"]
    assert group.inputs["retentionInDays"] == cfg.log_retention_days
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    logs = [s for s in json.loads(key.inputs["policy"])["Statement"]
            if s["Principal"] == {"Service": f"logs.{cfg.region}.amazonaws.com"}]
    context = {"kms:EncryptionContext:aws:logs:arn": group.outputs["arn"]}
    assert [(sorted(as_list(s["Action"])), s.get("Condition")) for s in logs] == [
        (sorted(FLOW_LOG_KEY_ACTIONS), {"StringEquals": context}), (["kms:DescribeKey"], None)]
    (trust,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert trust["Principal"] == {"Service": "vpc-flow-logs.amazonaws.com"}
    # The README: "only for this account's flow logs (aws:SourceAccount, aws:SourceArn)".
    assert trust["Condition"] == {"StringEquals": {"aws:SourceAccount": account},
                                  "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{cfg.region}:{account}:vpc-flow-log/*"}}


@pytest.mark.parametrize("stack", STACKS)
def test_nat_gateways_wait_for_the_internet_gateway(stack: str) -> None:
    """A public NAT gateway needs the VPC's internet gateway attached before it can route (Amazon VPC User Guide,
    "NAT gateways": "you must associate an internet gateway with the VPC"; the provider's docs for
    aws.ec2.NatGateway: "it's recommended to denote that the NAT Gateway depends on the Internet Gateway"). No
    input of the NAT gateway names the internet gateway, so only an explicit edge orders them."""
    plan = preflight_plan(stack)
    igw = plan.one("aws:ec2/internetGateway:InternetGateway")
    nats = _of(plan, "aws:ec2/natGateway:NatGateway")
    assert nats
    for nat in nats:
        assert igw.urn in nat.options["dependsOn"], nat.name


@pytest.mark.parametrize("stack", STACKS)
def test_the_s3_interface_endpoint_waits_for_the_s3_gateway(stack: str) -> None:
    """The README's network section: the gateway exists first, because AWS refuses
    `privateDnsOnlyForInboundResolverEndpoint: false` on an S3 interface endpoint in a VPC without an S3 gateway
    endpoint (AWS PrivateLink Guide, "Private DNS for interface endpoints" of Amazon S3)."""
    plan = preflight_plan(stack)
    (gateway,) = [e for e in _of(plan, ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    (interface,) = [e for e in _of(plan, ENDPOINT)
                    if e.inputs["vpcEndpointType"] == "Interface" and e.inputs["serviceName"].endswith(".s3")]
    assert interface.inputs["dnsOptions"]["privateDnsOnlyForInboundResolverEndpoint"] is False
    assert gateway.urn in interface.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_flow_log_waits_for_its_roles_delivery_policy(stack: str) -> None:
    """CreateFlowLogs checks that the role may deliver (VPC User Guide, "IAM role for publishing flow logs to
    CloudWatch Logs"); the flow log names the role, not its inline policy, so the policy must come first by an
    explicit edge, or the first `up` races IAM."""
    plan = preflight_plan(stack)
    (flow_log,) = _of(plan, "aws:ec2/flowLog:FlowLog")
    (delivery,) = _of(plan, "aws:iam/rolePolicy:RolePolicy")
    assert delivery.urn in flow_log.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_default_security_group_is_managed_with_no_rules(stack: str) -> None:
    """CIS AWS 5.4 / FSBP EC2.2. The provider removes every rule of the default group when it adopts it and the
    resource names none (https://www.pulumi.com/registry/packages/aws/api-docs/ec2/defaultsecuritygroup/)."""
    plan = preflight_plan(stack)
    (default,) = plan.of_type("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup")
    assert default.inputs["vpcId"] == plan.one("aws:ec2/vpc:Vpc").id
    assert not default.inputs.get("ingress") and not default.inputs.get("egress")


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_and_node_groups_sit_on_the_planned_private_subnets(stack: str) -> None:
    """The account is created in the same update, so only subnets this plan creates can exist: the cluster's and
    every node group's subnets are exactly the private tier's, and no stack file names a subnet."""
    plan = preflight_plan(stack)
    private = [s.id for s in _tier(plan, "private")]
    assert plan.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]["subnetIds"] == private
    groups = plan.of_type("aws:eks/nodeGroup:NodeGroup")
    assert groups and all(g.inputs["subnetIds"] == private for g in groups)
    assert plan.one(NETWORK).component_outputs["private_subnet_ids"] == private
    assert "subnet-" not in (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()
    assert "vpc-" not in (PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text()


def test_staging_and_prod_protect_the_vpc_the_nat_addresses_and_the_flow_log_key() -> None:
    """Replacing the VPC replaces the cluster with it, a released Elastic IP breaks every partner's allow-list."""
    for stack in ("staging", "prod"):
        plan = preflight_plan(stack)
        for resource in [plan.one("aws:ec2/vpc:Vpc"), *_of(plan, "aws:ec2/eip:Eip"), *_of(plan, "aws:kms/key:Key")]:
            assert resource.options["protect"], (stack, resource.name)


def test_an_adopted_network_creates_nothing_and_is_what_the_cluster_uses() -> None:
    private = {"subnet-0a0000000000000a1": "eu-west-1a", "subnet-0a0000000000000b2": "eu-west-1b"}
    database = {"subnet-0a0000000000000c3": "eu-west-1a", "subnet-0a0000000000000d4": "eu-west-1b"}
    account = {**raw_config("staging")["account"], "id": "123456789012"}
    plan = plan_with("staging", {"account": account, "network": {
        "vpcId": "vpc-0a0000000000000e5", "vpcCidr": "10.20.0.0/16", "privateSubnetIds": private,
        "databaseSubnetIds": database}})
    assert _network(plan) == []
    outputs = plan.one(NETWORK).component_outputs
    assert outputs["vpc_id"] == "vpc-0a0000000000000e5" and outputs["private_subnet_ids"] == list(private)
    assert outputs["vpc_cidr"] == outputs["endpoints_cidr"] == "10.20.0.0/16"  # namespaces admit it, prod egress
    assert outputs["database_subnet_ids"] == list(database) and outputs["nat_public_ips"] == []
    assert plan.one("aws:eks/cluster:Cluster").inputs["vpcConfig"]["subnetIds"] == list(private)


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_network_args(NetworkArgs(
            cluster_name="c", region="eu-west-1", account_id="111111111111", cidr="10.0.0.0/24",
            nat_gateways="some", log_retention_days=31, additional_s3_bucket_arns=["arn:aws:s3:::*"],  # type: ignore[arg-type]
            existing=ExistingNetworkArgs(vpc_id="vpc-x", vpc_cidr="10.0.0.0/16", private_subnets={
                "subnet-0a0000000000000a1": "eu-west-1a"}, database_subnets={})))
    for words in ("exactly one of cidr and existing", "cidr must be IPv4 /16 to /20", "nat_gateways",
                  "log_retention_days", "additional_s3_bucket_arns", "existing.vpc_id",
                  "existing.private_subnets must span at least 2 zones", "existing.database_subnets"):
        assert words in str(info.value)


@given(network=st.integers(min_value=0, max_value=2**24 - 1), prefix=st.integers(min_value=16, max_value=20))
def test_the_layout_of_any_allowed_cidr_is_disjoint_inside_it_and_leaves_pods_room(network: int, prefix: int) -> None:
    cidr = ipaddress.ip_network((int(ipaddress.ip_address("10.0.0.0")) + network * 256, prefix), strict=False)
    layout = subnet_layout(str(cidr))
    subnets = [ipaddress.ip_network(s) for tier in ("private", "public", "database", "endpoints") for s in layout[tier]]
    assert all(s.subnet_of(cidr) for s in subnets)  # type: ignore[arg-type]
    assert not [(a, b) for a, b in combinations(subnets, 2) if a.overlaps(b)]
    assert all(ipaddress.ip_network(s).num_addresses >= 1024 for s in layout["private"])
    assert all(ipaddress.ip_network(s).num_addresses >= 32 for s in layout["endpoints"])  # 9 endpoints + 5 AWS's
    block = ipaddress.ip_network(layout["endpoints_block"][0])
    assert all(ipaddress.ip_network(s).subnet_of(block) for s in layout["endpoints"])  # type: ignore[arg-type]
    others = [ipaddress.ip_network(s) for tier in ("private", "public", "database") for s in layout[tier]]
    assert not [o for o in others if o.overlaps(block)]  # the block pods may reach holds endpoints only


# The EC2 resources of a network that the EC2 API tags (CreateTags; "Tag your Amazon EC2 resources"): the console
# lists each by its `Name` tag, and an untagged one shows as a bare ID.
NAMED_EC2_TYPES = {"aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable",
                   "aws:ec2/internetGateway:InternetGateway", "aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip",
                   "aws:ec2/vpcEndpoint:VpcEndpoint", "aws:ec2/securityGroup:SecurityGroup",
                   "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "aws:ec2/flowLog:FlowLog"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_ec2_resource_of_the_network_is_named_after_it(stack: str) -> None:
    plan = preflight_plan(stack)
    network = plan.one(NETWORK).name
    named = [r for r in _network(plan) if r.type in NAMED_EC2_TYPES]
    assert {r.type for r in named} >= NAMED_EC2_TYPES - {"aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
    assert {r.name: (r.inputs.get("tags") or {}).get("Name", "") for r in named
            if not str((r.inputs.get("tags") or {}).get("Name", "")).startswith(network)} == {}


@pytest.mark.parametrize("stack", STACKS)
def test_nat_gateways_are_named_and_carry_the_stacks_tags(stack: str) -> None:
    """Each NAT gateway is tagged `Name: <network>-nat-<i>` (what the console lists); the stack's tags reach it
    as the member-account provider's default tags (the shipped program passes no extra tags to the network)."""
    plan = preflight_plan(stack)
    nats = sorted(_of(plan, "aws:ec2/natGateway:NatGateway"), key=lambda n: n.name)
    assert nats
    expected = {"environment": stack, "project": "ml-platform", "managed-by": "pulumi"}
    for i, nat in enumerate(nats):
        assert nat.name == f"{stack}-network-nat-{i}"
        assert nat.inputs["tags"] == {"Name": f"{stack}-network-nat-{i}"}
        default_tags = json.loads(plan.by_urn(nat.provider).inputs["defaultTags"])["tags"]
        assert expected.items() <= default_tags.items()
        assert default_tags == parse(stack, raw_config(stack)).tags


def test_nat_gateways_carry_the_networks_extra_tags_with_their_name(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, """
        from components.aws.network import Network, NetworkArgs

        Network("prod-network", NetworkArgs(cluster_name="prod-eks", region="eu-west-1", account_id="111111111111",
                                            cidr="10.30.0.0/16", tags={"cost-center": "ml", "Name": "ignored"}))
    """)
    nats = sorted(plan.of_type("aws:ec2/natGateway:NatGateway"), key=lambda n: n.name)
    assert [n.inputs["tags"] for n in nats] == [
        {"cost-center": "ml", "Name": f"prod-network-nat-{i}"} for i in range(3)]


@pytest.mark.parametrize("stack", STACKS)
def test_every_route_table_is_named_for_what_it_routes(stack: str) -> None:
    """The console lists a route table by its `Name` tag (Amazon VPC User Guide, "Tag your resources"): the public
    table, one private table per zone, and the isolated table of the database and endpoint subnets, each named
    after the network; the stack's tags reach them as the provider's default tags."""
    tables = {t.name: t.inputs.get("tags") for t in _of(preflight_plan(stack), "aws:ec2/routeTable:RouteTable")}
    network = f"{stack}-network"
    assert tables == {f"{network}-public-rt": {"Name": f"{network}-public"},
                      **{f"{network}-private-{i}-rt": {"Name": f"{network}-private-{i}"} for i in range(3)},
                      f"{network}-isolated-rt": {"Name": f"{network}-isolated"}}


def test_the_zones_are_asked_for_without_local_and_wavelength_zones(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """DescribeAvailabilityZones' `opt-in-status` filter: Availability Zones of a region are `opt-in-not-required`,
    Local Zones and Wavelength Zones are opted in (EC2 API Reference, DescribeAvailabilityZones; Amazon EC2 User
    Guide, "Regions and Zones"). A subnet in a Local Zone would miss services the tiers need (NAT, endpoints)."""
    from preflight import invokes

    token = "aws:index/getAvailabilityZones:getAvailabilityZones"
    asked: list[dict[str, Any]] = []
    answer = invokes.INVOKES[token]

    def recording(args: Any, ctx: Any) -> dict[str, Any]:
        asked.append(dict(args))
        return answer(args, ctx)

    monkeypatch.setitem(invokes.INVOKES, token, recording)
    run_snippet(tmp_path, """
        from components.aws.network import Network, NetworkArgs

        Network("prod-network", NetworkArgs(cluster_name="prod-eks", region="eu-west-1", account_id="111111111111",
                                            cidr="10.30.0.0/16"))
    """)
    assert asked == [{"state": "available", "filters": [{"name": "opt-in-status", "values": ["opt-in-not-required"]}]}]


@pytest.mark.parametrize("stack", STACKS)
def test_the_endpoints_security_group_is_created_after_its_vpc(stack: str) -> None:
    """CreateSecurityGroup takes the VpcId, which must exist: the group's `vpc_id` input (the VPC's id output)
    orders it after the VPC, with no explicit depends_on (the SDK records input dependencies as dependencies)."""
    plan = preflight_plan(stack)
    group = plan.one("aws:ec2/securityGroup:SecurityGroup", name=f"{stack}-network-endpoints-sg")
    [vpc] = _of(plan, "aws:ec2/vpc:Vpc")
    assert vpc.urn in group.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_network_resource_that_takes_tags_is_named_for_the_console(stack: str) -> None:
    """The VPC console shows a resource's `Name` tag (that key, capitalised: EC2 user guide, "Tag your Amazon EC2
    resources") as its name; every EC2 resource of the network but its flow log (listed by id) carries one,
    prefixed with the network's name, and no lowercase `name` beside it."""
    plan = preflight_plan(stack)
    tagged = [r for r in _network(plan) if r.type.startswith("aws:ec2/") and r.type != "aws:ec2/flowLog:FlowLog"
              and "tags" in r.inputs]
    assert len(tagged) >= 10
    unnamed = {r.name: r.inputs["tags"] for r in tagged if not str(r.inputs["tags"].get("Name", "")).startswith(
        f"{stack}-network") or "name" in r.inputs["tags"]}
    assert unnamed == {}
