"""The environment's VPC: private subnets for nodes, pods and databases in three zones, NAT for what must reach
the internet, VPC endpoints so that AWS APIs never need it, flow logs, and the default security group closed.

Or, when the stack adopts an existing account and names its network, nothing at all: the adopted VPC and
subnets are exposed under the same attributes, so the cluster and the databases never know the difference.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.patterns import AVAILABILITY_ZONE, AWS_REGION, LOG_RETENTION_DAYS, SUBNET_ID, VPC_ID

ZONE_COUNT = 3
"""Subnets per tier: one per zone, three zones (a zone outage leaves two thirds of the capacity)."""
NatGateways = Literal["single", "per_az"]
NAT_GATEWAY_MODES: tuple[NatGateways, ...] = ("single", "per_az")
INTERFACE_ENDPOINT_SERVICES = ("sts", "ecr.api", "ecr.dkr", "logs", "ec2", "eks-auth", "secretsmanager", "kms", "s3")
"""AWS APIs the nodes and pods call, each reachable at private addresses inside the VPC (TCP 443): IRSA (sts),
image pulls (ecr.api, ecr.dkr; layers from S3), logs, the VPC CNI (ec2), Pod Identity (eks-auth), secrets and
their keys. S3 also as an interface endpoint: a NetworkPolicy can allow the VPC CIDR, never S3's prefix list."""
S3_DATA_ACTIONS = ("s3:*",)
"""An endpoint policy is a boundary, not a grant: what may pass is limited by *which buckets* (this account's
and the ECR layer bucket), the roles' own policies limit the actions."""
FLOW_LOG_KEY_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                        "kms:GenerateDataKeyWithoutPlaintext")
"""What CloudWatch Logs does with the key for the flow-log group, under that group's encryption context."""
MIN_VPC_PREFIX, MAX_VPC_PREFIX = 16, 20
"""AWS allows /16 at most; /20 at least here, so each private subnet keeps 1,000+ addresses for pods."""


@dataclass(frozen=True)
class ExistingNetworkArgs:
    vpc_id: str
    """The adopted VPC (`vpc-...`)."""
    vpc_cidr: str
    """The adopted VPC's primary IPv4 CIDR."""
    private_subnets: Mapping[str, str]
    """Subnet id -> availability zone, for nodes and pods. At least 2, in distinct zones."""
    database_subnets: Mapping[str, str]
    """Subnet id -> availability zone, for databases. At least 2, in distinct zones (an RDS subnet group's rule)."""


@dataclass(frozen=True)
class NetworkArgs:
    cluster_name: str
    """Name of the EKS cluster that uses the subnets: tagged `kubernetes.io/cluster/<name>` for its LB controller."""
    region: str
    """Region of the provider passed in (endpoint service names, the ECR layer bucket, the logs principal)."""
    account_id: pulumi.Input[str]
    """The member account (S3 endpoint policy, flow-log key policy, flow-log role's trust)."""
    cidr: str | None = None
    """The VPC's IPv4 CIDR, /16 to /20. Required unless `existing` is given (then it must be None)."""
    nat_gateways: NatGateways = "per_az"
    """`per_az`: a NAT gateway in each zone, each zone's private subnets use their own (default); `single`:
    one in the first zone (dev's cost choice: that zone's outage cuts every zone's internet egress)."""
    log_retention_days: int = 30
    """Days the flow logs are kept; one of CloudWatch's allowed values. Default 30."""
    kms_deletion_window_days: int = 30
    """Waiting period before the flow-log key is deleted, 7..30. Default 30."""
    protect: bool = False
    """`protect` on the VPC, the NAT addresses (partners allow-list them) and the flow-log key. Default off."""
    retain_on_delete: bool = False
    """Keep the flow-log key when the stack deletes it. Default off."""
    additional_s3_bucket_arns: Sequence[str] = ()
    """Other accounts' buckets the S3 endpoints let through (e.g. a state bucket read by in-VPC CI runners)."""
    existing: ExistingNetworkArgs | None = None
    """Adopt this network: create nothing, expose it. Conflicts with `cidr`."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every AWS child (the provider's default tags apply as well)."""


def subnet_layout(cidr: str) -> dict[str, list[str]]:
    """The subnets carved from the VPC's CIDR, per tier and zone: three quarters for nodes and pods (VPC CNI gives
    every pod a VPC address), the last quarter in eighths for the public (NAT, load balancers) and database tiers,
    and one eighth (`endpoints_block`) in quarters for the interface endpoints' network interfaces alone.

    A /16 gives /18 private (16,379 addresses each), /21 public and database, /23 endpoints; a /20 gives /22,
    /25, /25, /27 (each interface endpoint takes one address per zone: 9 of 27).
    """
    network = ipaddress.ip_network(cidr)
    quarters = list(network.subnets(prefixlen_diff=2))
    eighths = list(quarters[3].subnets(prefixlen_diff=3))
    return {"private": [str(q) for q in quarters[:ZONE_COUNT]], "public": [str(e) for e in eighths[:ZONE_COUNT]],
            "database": [str(e) for e in eighths[ZONE_COUNT:2 * ZONE_COUNT]],
            "endpoints": [str(e) for e in list(eighths[6].subnets(prefixlen_diff=2))[:ZONE_COUNT]],
            "endpoints_block": [str(eighths[6])]}


def validate_network_args(args: NetworkArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not AWS_REGION.fullmatch(args.region):
        problems.append(f"region must be an AWS region, got {args.region!r}")
    if (args.cidr is None) == (args.existing is None):
        problems.append("exactly one of cidr and existing must be given")
    if args.cidr is not None:
        try:
            network = ipaddress.ip_network(args.cidr, strict=True)
        except ValueError:
            problems.append(f"cidr must be an IPv4 CIDR block, got {args.cidr!r}")
        else:
            if network.version != 4 or not MIN_VPC_PREFIX <= network.prefixlen <= MAX_VPC_PREFIX:
                problems.append(f"cidr must be IPv4 /{MIN_VPC_PREFIX} to /{MAX_VPC_PREFIX}, got {args.cidr!r}")
    if args.nat_gateways not in NAT_GATEWAY_MODES:
        problems.append(f"nat_gateways must be one of {NAT_GATEWAY_MODES}, got {args.nat_gateways!r}")
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        problems.append(f"log_retention_days must be one of CloudWatch's values, got {args.log_retention_days}")
    if not 7 <= args.kms_deletion_window_days <= 30:
        problems.append(f"kms_deletion_window_days must be between 7 and 30, got {args.kms_deletion_window_days}")
    for arn in args.additional_s3_bucket_arns:
        if not arn.startswith("arn:aws:s3:::") or "*" in arn:
            problems.append(f"additional_s3_bucket_arns must hold bucket ARNs without wildcards, got {arn!r}")
    if args.existing is not None:
        if not VPC_ID.fullmatch(args.existing.vpc_id):
            problems.append(f"existing.vpc_id must be a VPC id, got {args.existing.vpc_id!r}")
        for tier, subnets in (("private_subnets", args.existing.private_subnets),
                              ("database_subnets", args.existing.database_subnets)):
            bad = [s for s, zone in subnets.items()
                   if not SUBNET_ID.fullmatch(s) or not AVAILABILITY_ZONE.fullmatch(zone)]
            if bad:
                problems.append(f"existing.{tier} must map subnet ids to zone names, got {bad}")
            if len(set(subnets.values())) < 2:
                problems.append(f"existing.{tier} must span at least 2 zones, got {dict(subnets)}")
    if problems:
        raise ValueError("Network: " + "; ".join(problems))


def s3_endpoint_policy(account_id: str, region: str, additional_bucket_arns: Sequence[str] = ()) -> str:
    """What may pass the S3 endpoints: this account's buckets, ECR's layer bucket (image pulls), and named others.

    The layer bucket is AWS's, so it is named, not matched by account
    (https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html, minimum S3 bucket permissions).
    """
    statements: list[dict[str, object]] = [
        {"Sid": "ThisAccountsBuckets", "Effect": "Allow", "Principal": "*", "Action": list(S3_DATA_ACTIONS),
         "Resource": ["arn:aws:s3:::*", "arn:aws:s3:::*/*"],
         "Condition": {"StringEquals": {"s3:ResourceAccount": account_id}}},
        {"Sid": "EcrImageLayers", "Effect": "Allow", "Principal": "*", "Action": ["s3:GetObject"],
         "Resource": [f"arn:aws:s3:::prod-{region}-starport-layer-bucket/*"]},
    ]
    if additional_bucket_arns:
        statements.append({"Sid": "NamedBuckets", "Effect": "Allow", "Principal": "*",
                           "Action": list(S3_DATA_ACTIONS),
                           "Resource": [r for arn in additional_bucket_arns for r in (arn, f"{arn}/*")]})
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


def flow_log_key_policy(account_id: str, region: str, log_group_name: str) -> str:
    """Root administers the key; CloudWatch Logs of this region may use it for exactly this log group
    (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/encrypt-log-data-kms.html)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},  # in a key policy "*" means this key
        {"Sid": "LogsEncryptTheFlowLogGroup", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"}, "Action": list(FLOW_LOG_KEY_ACTIONS),
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn":
                                        f"arn:aws:logs:{region}:{account_id}:log-group:{log_group_name}"}}},
        # DescribeKey carries no encryption context: a condition on it would never match.
        {"Sid": "LogsDescribeTheKey", "Effect": "Allow", "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": "kms:DescribeKey", "Resource": "*"},
    ]})


class Network(pulumi.ComponentResource):
    """A VPC across three zones with its subnets, NAT, endpoints and flow logs; or an adopted one, exposed."""

    vpc_id: pulumi.Output[str]
    vpc_cidr: pulumi.Output[str]
    private_subnet_ids: pulumi.Output[list[str]]
    """Nodes and pods (and the EKS control plane's interfaces), one per zone."""
    database_subnet_ids: pulumi.Output[list[str]]
    """Databases (an RDS subnet group takes them), one per zone; no route to the internet."""
    endpoint_security_group_id: pulumi.Output[str] | None
    """The interface endpoints' security group (443 from the VPC's CIDR). None for an adopted network."""
    nat_public_ips: pulumi.Output[list[str]]
    """The addresses egress to the internet leaves from (partners allow-list them). Empty when adopted."""
    availability_zones: list[str] | pulumi.Output[list[str]]
    database_cidrs: list[str]
    """The database subnets' blocks (the whole VPC CIDR for an adopted network): what pods may reach on the
    database port under restricted egress."""
    endpoints_cidr: pulumi.Output[str]
    """The block holding every interface endpoint's addresses (and nothing else): what pods under restricted
    egress may reach on 443. The whole VPC CIDR for an adopted network (its endpoints' place is unknown)."""
    interface_endpoint_dns_names: dict[str, pulumi.Output[str]]
    """Service (`sts`, `ecr.api`, ...) -> the endpoint's regional DNS name. Empty when adopted."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_network_args(args)
        super().__init__("platform:network:Network", name, None, opts)
        self.interface_endpoint_dns_names = {}
        if args.existing is not None:
            self._adopt(args.existing)
        else:
            self._create(name, args)
        self.register_outputs({
            "vpc_id": self.vpc_id, "vpc_cidr": self.vpc_cidr, "private_subnet_ids": self.private_subnet_ids,
            "database_subnet_ids": self.database_subnet_ids, "nat_public_ips": self.nat_public_ips,
            "endpoint_security_group_id": self.endpoint_security_group_id, "endpoints_cidr": self.endpoints_cidr,
            "database_cidrs": self.database_cidrs,
            "interface_endpoint_dns_names": self.interface_endpoint_dns_names})

    def _adopt(self, existing: ExistingNetworkArgs) -> None:
        self.vpc_id = pulumi.Output.from_input(existing.vpc_id)
        self.vpc_cidr = pulumi.Output.from_input(existing.vpc_cidr)
        self.private_subnet_ids = pulumi.Output.from_input(list(existing.private_subnets))
        self.database_subnet_ids = pulumi.Output.from_input(list(existing.database_subnets))
        self.endpoint_security_group_id = None
        self.nat_public_ips = pulumi.Output.from_input([])
        self.availability_zones = sorted(set(existing.private_subnets.values()))
        self.endpoints_cidr = self.vpc_cidr
        self.database_cidrs = [existing.vpc_cidr]

    def _create(self, name: str, args: NetworkArgs) -> None:
        assert args.cidr is not None
        child = pulumi.ResourceOptions(parent=self)
        kept = pulumi.ResourceOptions(parent=self, protect=args.protect)
        tags = dict(args.tags)
        layout = subnet_layout(args.cidr)

        # Zones by name, sorted, the first three, without Local/Wavelength zones (opt-in ones): stable across
        # updates when AWS adds a zone, since a moved subnet would be replaced.
        zones = aws.get_availability_zones_output(
            state="available", filters=[{"name": "opt-in-status", "values": ["opt-in-not-required"]}],
            opts=pulumi.InvokeOptions(parent=self)).names.apply(_first_zones)
        self.availability_zones = zones

        def zone(i: int) -> pulumi.Output[str]:
            return zones.apply(lambda names: names[i])

        # DNS support and hostnames: required by the interface endpoints' private DNS and EKS's private endpoint.
        self.vpc = aws.ec2.Vpc(f"{name}-vpc", cidr_block=args.cidr, enable_dns_support=True,
                               enable_dns_hostnames=True, tags={**tags, "Name": name}, opts=kept)
        self.vpc_id = self.vpc.id
        self.vpc_cidr = self.vpc.cidr_block

        # CIS AWS 5.4: the default security group allows nothing (no ingress or egress rule).
        aws.ec2.DefaultSecurityGroup(f"{name}-default-sg", vpc_id=self.vpc.id,
                                     tags={**tags, "Name": f"{name}-default-closed"}, opts=child)

        cluster_tag = {f"kubernetes.io/cluster/{args.cluster_name}": "shared"}
        zone_count = 1 if args.nat_gateways == "single" else ZONE_COUNT

        def subnet(tier: str, i: int, extra: Mapping[str, str]) -> aws.ec2.Subnet:
            return aws.ec2.Subnet(
                f"{name}-{tier}-{i}", vpc_id=self.vpc.id, cidr_block=layout[tier][i], availability_zone=zone(i),
                map_public_ip_on_launch=False,  # nothing here gets a public address by accident, public tier too
                tags=zone(i).apply(lambda z: {**tags, **extra, "Name": f"{name}-{tier}-{z}", "tier": tier}),
                opts=child)

        private = [subnet("private", i, {**cluster_tag, "kubernetes.io/role/internal-elb": "1"})
                   for i in range(ZONE_COUNT)]
        database = [subnet("database", i, {}) for i in range(ZONE_COUNT)]
        # The endpoints' own subnets: a NetworkPolicy can then allow them, not every node and pod in the VPC.
        endpoint_subnets = [subnet("endpoints", i, {}) for i in range(ZONE_COUNT)]
        self.endpoints_cidr = pulumi.Output.from_input(layout["endpoints_block"][0])
        self.database_cidrs = list(layout["database"])
        # Public subnets only where a NAT gateway lives: one per NAT (in dev one zone).
        public = [subnet("public", i, {**cluster_tag, "kubernetes.io/role/elb": "1"}) for i in range(zone_count)]

        igw = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags={**tags, "Name": name}, opts=child)
        public_routes = aws.ec2.RouteTable(f"{name}-public-rt", vpc_id=self.vpc.id,
                                           tags={**tags, "Name": f"{name}-public"}, opts=child)
        aws.ec2.Route(f"{name}-public-default", route_table_id=public_routes.id, destination_cidr_block="0.0.0.0/0",
                      gateway_id=igw.id, opts=child)
        nat_ips: list[pulumi.Output[str]] = []
        nats: list[aws.ec2.NatGateway] = []
        for i, public_subnet in enumerate(public):
            aws.ec2.RouteTableAssociation(f"{name}-public-{i}-rta", subnet_id=public_subnet.id,
                                          route_table_id=public_routes.id, opts=child)
            eip = aws.ec2.Eip(f"{name}-nat-{i}-eip", domain="vpc", tags={**tags, "Name": f"{name}-nat-{i}"},
                              opts=kept)
            nat_ips.append(eip.public_ip)
            nats.append(aws.ec2.NatGateway(
                f"{name}-nat-{i}", allocation_id=eip.id, subnet_id=public_subnet.id,
                tags={**tags, "Name": f"{name}-nat-{i}"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[igw])))
        self.nat_public_ips = pulumi.Output.all(*nat_ips).apply(list)

        # One route table per zone for the private tier (its NAT, or dev's single one), one for the databases and
        # the endpoints (no internet route at all). Routes are separate resources: inline routes would fight the
        # S3 gateway's.
        private_tables: list[aws.ec2.RouteTable] = []
        for i, private_subnet in enumerate(private):
            table = aws.ec2.RouteTable(f"{name}-private-{i}-rt", vpc_id=self.vpc.id,
                                       tags={**tags, "Name": f"{name}-private-{i}"}, opts=child)
            aws.ec2.Route(f"{name}-private-{i}-default", route_table_id=table.id, destination_cidr_block="0.0.0.0/0",
                          nat_gateway_id=nats[i if len(nats) > 1 else 0].id, opts=child)
            aws.ec2.RouteTableAssociation(f"{name}-private-{i}-rta", subnet_id=private_subnet.id,
                                          route_table_id=table.id, opts=child)
            private_tables.append(table)
        isolated_table = aws.ec2.RouteTable(f"{name}-isolated-rt", vpc_id=self.vpc.id,
                                            tags={**tags, "Name": f"{name}-isolated"}, opts=child)
        for tier, subnets in (("database", database), ("endpoints", endpoint_subnets)):
            for i, isolated_subnet in enumerate(subnets):
                aws.ec2.RouteTableAssociation(f"{name}-{tier}-{i}-rta", subnet_id=isolated_subnet.id,
                                              route_table_id=isolated_table.id, opts=child)
        self.private_subnet_ids = pulumi.Output.all(*[s.id for s in private]).apply(list)
        self.database_subnet_ids = pulumi.Output.all(*[s.id for s in database]).apply(list)

        s3_policy = pulumi.Output.from_input(args.account_id).apply(
            lambda account: s3_endpoint_policy(account, args.region, args.additional_s3_bucket_arns))
        self.s3_gateway = aws.ec2.VpcEndpoint(
            f"{name}-s3-gateway", vpc_id=self.vpc.id, service_name=f"com.amazonaws.{args.region}.s3",
            vpc_endpoint_type="Gateway", route_table_ids=[t.id for t in [*private_tables, isolated_table]],
            policy=s3_policy, tags={**tags, "Name": f"{name}-s3-gateway"}, opts=child)

        self.endpoint_security_group = aws.ec2.SecurityGroup(
            f"{name}-endpoints-sg", vpc_id=self.vpc.id,
            description=f"Interface VPC endpoints of {name}: HTTPS from inside the VPC only",
            ingress=[aws.ec2.SecurityGroupIngressArgs(protocol="tcp", from_port=443, to_port=443,
                                                      cidr_blocks=[args.cidr], description="HTTPS from the VPC")],
            egress=[],  # endpoints answer; they never initiate
            tags={**tags, "Name": f"{name}-endpoints"}, opts=child)
        self.endpoint_security_group_id = self.endpoint_security_group.id
        self.interface_endpoints: dict[str, aws.ec2.VpcEndpoint] = {}
        for service in INTERFACE_ENDPOINT_SERVICES:
            is_s3 = service == "s3"
            endpoint = aws.ec2.VpcEndpoint(
                f"{name}-{service.replace('.', '-')}-endpoint", vpc_id=self.vpc.id,
                service_name=f"com.amazonaws.{args.region}.{service}", vpc_endpoint_type="Interface",
                subnet_ids=[s.id for s in endpoint_subnets], security_group_ids=[self.endpoint_security_group.id],
                private_dns_enabled=True,
                # S3 with a gateway in the VPC: answer the VPC's own resolver too, so pods resolve S3 to these
                # private addresses (inside the VPC CIDR their NetworkPolicies allow), not to S3's public ones.
                dns_options=aws.ec2.VpcEndpointDnsOptionsArgs(
                    dns_record_ip_type="ipv4", private_dns_only_for_inbound_resolver_endpoint=False) if is_s3
                else None,
                policy=s3_policy if is_s3 else None,
                tags={**tags, "Name": f"{name}-{service}"},
                opts=pulumi.ResourceOptions(parent=self, depends_on=[self.s3_gateway]) if is_s3 else child)
            self.interface_endpoints[service] = endpoint
            self.interface_endpoint_dns_names[service] = endpoint.dns_entries.apply(
                lambda entries: (entries[0].dns_name or "") if entries else "")

        self._flow_logs(name, args, child, tags)

    def _flow_logs(self, name: str, args: NetworkArgs, child: pulumi.ResourceOptions, tags: dict[str, str]) -> None:
        """Every accepted and rejected flow (CIS AWS 3.9) to a KMS-encrypted log group, retained per environment."""
        group_name = f"/aws/vpc/{name}/flow-logs"
        self.flow_log_key = aws.kms.Key(
            f"{name}-flow-logs-key", description=f"Encryption of the VPC flow logs of {name}",
            enable_key_rotation=True, deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: flow_log_key_policy(account, args.region, group_name)),
            tags=tags, opts=pulumi.ResourceOptions(parent=self, protect=args.protect,
                                                   retain_on_delete=args.retain_on_delete))
        aws.kms.Alias(f"{name}-flow-logs-key-alias", name=f"alias/{name}-flow-logs",
                      target_key_id=self.flow_log_key.key_id, opts=child)
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-flow-logs", name=group_name, retention_in_days=args.log_retention_days,
            kms_key_id=self.flow_log_key.arn, tags=tags, opts=child)
        role = aws.iam.Role(
            f"{name}-flow-logs-role", name=f"{name}-flow-logs",
            assume_role_policy=pulumi.Output.from_input(args.account_id).apply(lambda account: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Effect": "Allow", "Principal": {"Service": "vpc-flow-logs.amazonaws.com"},
                    "Action": "sts:AssumeRole",
                    # Confused deputy: only flow logs of this account may use the role.
                    "Condition": {"StringEquals": {"aws:SourceAccount": account},
                                  "ArnLike": {"aws:SourceArn": f"arn:aws:ec2:{args.region}:{account}:vpc-flow-log/*"}},
                }]})),
            tags=tags, opts=child)
        role_policy = aws.iam.RolePolicy(
            f"{name}-flow-logs-delivery", role=role.id,
            policy=log_group.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [
                # The group exists (created above), so no CreateLogGroup; DescribeLogGroups would need `*`.
                {"Sid": "DeliverToTheFlowLogGroup", "Effect": "Allow",
                 "Action": ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
                 "Resource": [arn, f"{arn}:*"]},
            ]})), opts=child)
        self.flow_log = aws.ec2.FlowLog(
            f"{name}-flow-log", vpc_id=self.vpc.id, traffic_type="ALL", log_destination_type="cloud-watch-logs",
            log_destination=log_group.arn, iam_role_arn=role.arn, max_aggregation_interval=60,
            tags={**tags, "Name": name}, opts=pulumi.ResourceOptions(parent=self, depends_on=[role_policy]))


def _first_zones(names: Sequence[str] | None) -> list[str]:
    chosen = sorted(names or [])[:ZONE_COUNT]
    if len(chosen) < ZONE_COUNT:
        raise ValueError(f"Network: the region offers {len(chosen)} availability zones ({chosen}), "
                         f"the network needs {ZONE_COUNT}")
    return chosen
