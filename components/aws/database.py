"""The environment's PostgreSQL (Design Appendix 1.2: shared dev PostgreSQL, staging PostgreSQL, prod HA with 3
copies), as Amazon RDS: private subnets, reachable on its port only from the cluster's security groups, TLS
forced, IAM authentication on, storage, Performance Insights and the RDS-managed master secret encrypted with
a key of its own. The master password is generated and rotated by RDS in Secrets Manager: it is never an input
of this program, so it never enters Pulumi state.

prod: a Multi-AZ DB instance (a synchronous standby in a second zone) plus `read_replicas` readable replicas,
rather than a Multi-AZ DB cluster: the same resource type and code path in every stack (dev and staging differ
only in config), and every feature the platform needs (IAM auth, RDS-managed master secret, Performance
Insights with our key, `rds.force_ssl`) on standard instance classes; see the README's database section.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

ENGINE = "postgres"
# RDS release calendar: PostgreSQL 17 is in standard support until 2030-02-28. The major version only:
# with auto minor upgrades on, the provider accepts a prefix and RDS picks and upgrades the minor version.
SUPPORTED_MAJOR_VERSIONS: Mapping[str, str] = {"16": "2029-02-28", "17": "2030-02-28"}
"""Major version -> end of RDS standard support (RDS for PostgreSQL release calendar)."""
MASTER_USERNAME = "platform_admin"
_IDENTIFIER_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class PlatformDatabaseArgs:
    identifier: str
    """RDS instance identifier, stable (`ml-platform-<env>`); replicas add `-replica-<n>`."""
    account_id: pulumi.Input[str]
    """The member account: its root administers the key."""
    subnet_ids: pulumi.Input[Sequence[str]]
    """The network's database subnets (private, one per zone; at least two zones)."""
    vpc_id: pulumi.Input[str]
    """VPC of the subnets (the security group's)."""
    client_security_group_ids: Sequence[pulumi.Input[str]]
    """Security groups allowed to connect on `port` (the cluster's; pods and nodes carry it). Nothing else."""
    instance_class: str
    """DB instance class, e.g. `db.t4g.medium`, `db.m6g.large`."""
    allocated_storage_gib: int = 20
    """Initial gp3 storage. Default 20 GiB."""
    max_allocated_storage_gib: int = 100
    """Storage autoscaling ceiling; must be >= allocated_storage_gib. Default 100 GiB."""
    engine_major_version: str = "17"
    """PostgreSQL major version; one of SUPPORTED_MAJOR_VERSIONS. Default 17."""
    port: int = 5432
    """Listener port. Default 5432."""
    backup_retention_days: int = 7
    """Automated backups kept, 1..35 (Design Appendix: dev 1, staging 7, prod 30). Default 7."""
    multi_az: bool = False
    """A synchronous standby in a second zone. Default off."""
    read_replicas: int = 0
    """Readable replicas of the primary (prod: 1, with the standby three copies). Default 0."""
    deletion_protection: bool = True
    """RDS deletion protection. Default on."""
    final_snapshot: bool = True
    """Take a final snapshot when the instance is deleted. Default on."""
    protect: bool = False
    """`protect` on the key and the instances. Default off (prod: on)."""
    key_deletion_window_days: int = 30
    """KMS deletion window, 7..30. Default 30."""
    retain_on_delete: bool = True
    """Keep the key when removed from the stack (final snapshots are encrypted with it). Default True."""
    database_users: Sequence[str] = ("mlflow", "dagster")
    """Applications with a logical database and login of the same name; each gets an empty Secrets Manager
    secret `<identifier>/database/<user>` the bootstrap Job fills (never Pulumi). Default mlflow, dagster."""
    secret_recovery_window_days: int = 30
    """Days a deleted user secret can be restored, 7..30. Default 30."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every child."""


def validate_platform_database_args(args: PlatformDatabaseArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not _IDENTIFIER_RE.match(args.identifier) or len(args.identifier) > 50:
        problems.append(f"identifier must be lowercase letters, digits and single hyphens (<= 50), "
                        f"got {args.identifier!r}")
    if args.engine_major_version not in SUPPORTED_MAJOR_VERSIONS:
        problems.append(f"engine_major_version must be one of {sorted(SUPPORTED_MAJOR_VERSIONS)}, "
                        f"got {args.engine_major_version!r}")
    if not args.instance_class.startswith("db."):
        problems.append(f"instance_class must be a DB instance class (db.*), got {args.instance_class!r}")
    if not 20 <= args.allocated_storage_gib <= 65536:
        problems.append(f"allocated_storage_gib must be between 20 and 65536, got {args.allocated_storage_gib}")
    if args.max_allocated_storage_gib < args.allocated_storage_gib:
        problems.append(f"max_allocated_storage_gib must be >= allocated_storage_gib ({args.allocated_storage_gib}),"
                        f" got {args.max_allocated_storage_gib}")
    if not 1 <= args.backup_retention_days <= 35:
        problems.append(f"backup_retention_days must be between 1 and 35, got {args.backup_retention_days}")
    if not 0 <= args.read_replicas <= 5:
        problems.append(f"read_replicas must be between 0 and 5, got {args.read_replicas}")
    if not args.client_security_group_ids:
        problems.append("client_security_group_ids must name at least one security group")
    if not 1150 <= args.port <= 65535:
        problems.append(f"port must be between 1150 and 65535 (RDS), got {args.port}")
    if not 7 <= args.key_deletion_window_days <= 30:
        problems.append(f"key_deletion_window_days must be between 7 and 30, got {args.key_deletion_window_days}")
    for user in args.database_users:
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,30}", user) or user == MASTER_USERNAME:
            problems.append(f"database_users must be PostgreSQL role names other than the master, got {user!r}")
    if not 7 <= args.secret_recovery_window_days <= 30:
        problems.append(f"secret_recovery_window_days must be between 7 and 30, got {args.secret_recovery_window_days}")
    if problems:
        raise ValueError("PlatformDatabase: " + "; ".join(problems))


def key_policy(account_id: str) -> str:
    """Root administers the key; RDS, Performance Insights and Secrets Manager use it through the caller's grants."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*", "Resource": "*"}]})


def user_secret_name(identifier: str, user: str) -> str:
    """Secrets Manager name of an application's login: `ml-platform-<env>/database/<user>`."""
    return f"{identifier}/database/{user}"


class PlatformDatabase(pulumi.ComponentResource):
    """RDS for PostgreSQL: `endpoint`, `port`, `security_group_id`, `master_secret_arn`, `key_arn`."""

    endpoint: pulumi.Output[str]
    port: int
    security_group_id: pulumi.Output[str]
    master_secret_arn: pulumi.Output[str]
    key_arn: pulumi.Output[str]
    instance: aws.rds.Instance
    replicas: list[aws.rds.Instance]

    def __init__(self, name: str, args: PlatformDatabaseArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_platform_database_args(args)
        super().__init__("platform:database:PlatformDatabase", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        tags = dict(args.tags)
        account_id = pulumi.Output.from_input(args.account_id)

        self.key = aws.kms.Key(
            f"{name}-key", description=f"Encrypts the {args.identifier} database, its secret and its insights",
            enable_key_rotation=True, deletion_window_in_days=args.key_deletion_window_days,
            policy=account_id.apply(key_policy), tags=tags,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(retain_on_delete=args.retain_on_delete)))
        aws.kms.Alias(f"{name}-alias", name=f"alias/{args.identifier}-database", target_key_id=self.key.key_id,
                      opts=child)
        self.key_arn = self.key.arn

        subnets = aws.rds.SubnetGroup(
            f"{name}-subnets", name=f"{args.identifier}-database", subnet_ids=args.subnet_ids,
            description=f"Private database subnets of {args.identifier}", tags=tags, opts=child)
        self.security_group = aws.ec2.SecurityGroup(
            f"{name}-sg", name=f"{args.identifier}-database", vpc_id=args.vpc_id,
            description=f"PostgreSQL {args.identifier}: port {args.port} from the cluster only",
            tags={**tags, "Name": f"{args.identifier}-database"}, opts=child)
        self.security_group_id = self.security_group.id
        # Separate rule resources (the provider's recommendation): no inline rules, so no egress at all, and
        # ingress only from the cluster's security groups, never from a CIDR.
        for i, source in enumerate(args.client_security_group_ids):
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-cluster-{i}", security_group_id=self.security_group.id,
                referenced_security_group_id=source, ip_protocol="tcp", from_port=args.port, to_port=args.port,
                description="PostgreSQL from the EKS cluster", tags=tags, opts=child)

        family = f"{ENGINE}{args.engine_major_version}"
        parameters = aws.rds.ParameterGroup(
            f"{name}-parameters", name=f"{args.identifier}-{family}", family=family,
            description=f"{args.identifier}: TLS required",
            parameters=[aws.rds.ParameterGroupParameterArgs(name="rds.force_ssl", value="1", apply_method="immediate"),
                        aws.rds.ParameterGroupParameterArgs(name="log_connections", value="1",
                                                            apply_method="immediate")],
            tags=tags, opts=child)

        self.instance = aws.rds.Instance(
            f"{name}-instance", identifier=args.identifier, engine=ENGINE,
            engine_version=args.engine_major_version, auto_minor_version_upgrade=True,
            allow_major_version_upgrade=False, instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gib, max_allocated_storage=args.max_allocated_storage_gib,
            storage_type="gp3", storage_encrypted=True, kms_key_id=self.key.arn,
            db_subnet_group_name=subnets.name, vpc_security_group_ids=[self.security_group.id],
            publicly_accessible=False, port=args.port, parameter_group_name=parameters.name,
            username=MASTER_USERNAME, manage_master_user_password=True, master_user_secret_kms_key_id=self.key.arn,
            iam_database_authentication_enabled=True,
            performance_insights_enabled=True, performance_insights_kms_key_id=self.key.arn,
            performance_insights_retention_period=7,
            enabled_cloudwatch_logs_exports=["postgresql", "upgrade"],
            backup_retention_period=args.backup_retention_days, backup_window="02:00-03:00",
            maintenance_window="sun:03:30-sun:04:30", copy_tags_to_snapshot=True, multi_az=args.multi_az,
            deletion_protection=args.deletion_protection, skip_final_snapshot=not args.final_snapshot,
            final_snapshot_identifier=f"{args.identifier}-final" if args.final_snapshot else None,
            ca_cert_identifier="rds-ca-rsa2048-g1", apply_immediately=False, tags=tags,
            opts=stateful)
        self.replicas = [aws.rds.Instance(
            f"{name}-replica-{i}", identifier=f"{args.identifier}-replica-{i}",
            replicate_source_db=self.instance.identifier, instance_class=args.instance_class,
            auto_minor_version_upgrade=True, storage_type="gp3", storage_encrypted=True, kms_key_id=self.key.arn,
            max_allocated_storage=args.max_allocated_storage_gib,
            vpc_security_group_ids=[self.security_group.id], publicly_accessible=False, port=args.port,
            parameter_group_name=parameters.name, iam_database_authentication_enabled=True,
            performance_insights_enabled=True, performance_insights_kms_key_id=self.key.arn,
            performance_insights_retention_period=7, backup_retention_period=0,
            deletion_protection=args.deletion_protection, skip_final_snapshot=True,
            ca_cert_identifier="rds-ca-rsa2048-g1", tags=tags, opts=stateful)
            for i in range(1, args.read_replicas + 1)]

        # The applications' credentials: the secret exists (its ARN and KMS key are known to IAM and to the
        # chart), its value is written by the bootstrap Job inside the VPC, so no password passes Pulumi.
        self.user_secrets = {user: aws.secretsmanager.Secret(
            f"{name}-{user}-secret", name=user_secret_name(args.identifier, user), kms_key_id=self.key.arn,
            description=f"Login of the {user} application on {args.identifier} (written by the bootstrap Job)",
            recovery_window_in_days=args.secret_recovery_window_days, tags=tags, opts=stateful)
            for user in args.database_users}
        self.user_secret_arns = {user: secret.arn for user, secret in self.user_secrets.items()}

        self.endpoint = self.instance.address
        self.port = args.port
        self.master_secret_arn = self.instance.master_user_secrets.apply(
            lambda secrets: (secrets[0].secret_arn or "") if secrets else "")
        self.register_outputs({"endpoint": self.endpoint, "securityGroupId": self.security_group_id,
                               "masterSecretArn": self.master_secret_arn, "keyArn": self.key_arn})
