"""The environment's RDS for PostgreSQL as planned: private subnets, reachable only from the cluster, encrypted
with its own key, TLS forced, IAM auth on, backups per environment, HA in prod, no password anywhere."""

from __future__ import annotations

import pytest

from components.aws.database import PlatformDatabaseArgs, validate_platform_database_args
from preflight.harness import plain, reveal
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

INSTANCE = "aws:rds/instance:Instance"


def _primary(stack: str) -> dict:
    return reveal(preflight_plan(stack).one(INSTANCE, name=f"{stack}-database-instance").inputs)


@pytest.mark.parametrize("stack", STACKS)
def test_storage_secret_and_insights_are_encrypted_with_the_databases_own_key(stack: str) -> None:
    """RDS encrypts storage, the managed master secret and Performance Insights with the keys named
    (`kms_key_id`, `master_user_secret_kms_key_id`, `performance_insights_kms_key_id`; Amazon RDS User Guide,
    "Encrypting Amazon RDS resources"); ours is the database's own rotating key."""
    plan = preflight_plan(stack)
    key = plan.one("aws:kms/key:Key", name=f"{stack}-database-key")
    key_arn = reveal(key.outputs)["arn"]
    assert reveal(key.inputs)["enableKeyRotation"] is True
    for instance in plan.of_type(INSTANCE):
        inputs = reveal(instance.inputs)
        assert inputs["storageEncrypted"] is True and inputs["kmsKeyId"] == key_arn
        assert inputs["performanceInsightsEnabled"] is True and inputs["performanceInsightsKmsKeyId"] == key_arn
        assert inputs["publiclyAccessible"] is False
        assert inputs["iamDatabaseAuthenticationEnabled"] is True
    assert _primary(stack)["masterUserSecretKmsKeyId"] == key_arn
    # The README: RDS for PostgreSQL 17 (in standard support until 2030-02-28); the config accepts 16 or 17.
    assert _primary(stack)["engineVersion"] == parse(stack, raw_config(stack)).database.engine_version
    assert _primary(stack)["engineVersion"] in ("16", "17")


@pytest.mark.parametrize("stack", STACKS)
def test_subnets_are_the_private_ones_and_only_the_cluster_reaches_the_port(stack: str) -> None:
    """A DB subnet group decides where RDS places the instance; the security group has no inline rules and
    one ingress rule per cluster security group, on the database port, never from a CIDR (EKS attaches the
    cluster security group to managed nodes, Amazon EKS User Guide, "Security group requirements")."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    group = reveal(plan.one("aws:rds/subnetGroup:SubnetGroup").inputs)
    database_subnets = [s.id for s in plan.of_type("aws:ec2/subnet:Subnet") if "-database-" in s.name]
    assert database_subnets and group["subnetIds"] == database_subnets  # the network's database tier
    assert _primary(stack)["dbSubnetGroupName"] == group["name"]
    sg = plan.one("aws:ec2/securityGroup:SecurityGroup", name=f"{stack}-database-sg")
    assert "ingress" not in sg.inputs and "egress" not in sg.inputs
    assert _primary(stack)["vpcSecurityGroupIds"] == [sg.id]
    cluster_sg = reveal(plan.one("aws:eks/cluster:Cluster").outputs)["vpcConfig"]["clusterSecurityGroupId"]
    rules = [reveal(r.inputs) for r in plan.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
             if reveal(r.inputs)["securityGroupId"] == sg.id]
    assert rules and all(r["referencedSecurityGroupId"] == cluster_sg and "cidrIpv4" not in r for r in rules)
    assert {(r["ipProtocol"], r["fromPort"], r["toPort"]) for r in rules} == {
        ("tcp", cfg.database_port, cfg.database_port)}


@pytest.mark.parametrize("stack", STACKS)
def test_the_parameter_group_forces_tls(stack: str) -> None:
    """`rds.force_ssl=1` refuses unencrypted connections (RDS for PostgreSQL, "Requiring an SSL connection")."""
    plan = preflight_plan(stack)
    group = reveal(plan.one("aws:rds/parameterGroup:ParameterGroup").inputs)
    assert group["family"] == f"postgres{_primary(stack)['engineVersion']}"
    assert {"name": "rds.force_ssl", "value": "1", "applyMethod": "immediate"} in group["parameters"]
    assert all(reveal(i.inputs)["parameterGroupName"] == group["name"] for i in plan.of_type(INSTANCE))


@pytest.mark.parametrize("stack", STACKS)
def test_backups_and_availability_follow_the_design_matrix(stack: str) -> None:
    """Design Appendix 1.2: backups daily, kept 1/7/30 days; prod an HA set of three copies (primary,
    Multi-AZ standby, a read replica of it)."""
    cfg = parse(stack, raw_config(stack))
    plan = preflight_plan(stack)
    primary = _primary(stack)
    assert primary["backupRetentionPeriod"] == cfg.database.backup_retention_days
    assert primary["backupWindow"]
    replicas = [reveal(r.inputs) for r in plan.of_type(INSTANCE) if "replicateSourceDb" in reveal(r.inputs)]
    assert primary.get("multiAz", False) is cfg.database.multi_az
    assert len(replicas) == cfg.database.read_replicas
    assert all(r["replicateSourceDb"] == primary["identifier"] for r in replicas)
    # A replica keeps no backups of its own: its data is the primary's, whose backups the matrix sets.
    assert [r.get("backupRetentionPeriod") for r in replicas] == [0] * len(replicas)
    if stack == "prod":
        assert primary["multiAz"] and primary["backupRetentionPeriod"] >= 30 and len(replicas) >= 1
        assert all(r.options["protect"] for r in plan.of_type(INSTANCE))


@pytest.mark.parametrize("stack", STACKS)
def test_the_application_logins_are_empty_secrets_the_job_fills(stack: str) -> None:
    """The `mlflow` and `dagster` logins' secrets exist with the database's key and no version: the value is
    written inside the VPC by the bootstrap Job, so it never passes through Pulumi."""
    plan = preflight_plan(stack)
    key_arn = reveal(plan.one("aws:kms/key:Key", name=f"{stack}-database-key").outputs)["arn"]
    secrets = {reveal(s.inputs)["name"]: reveal(s.inputs) for s in plan.of_type("aws:secretsmanager/secret:Secret")
               if "/database/" in reveal(s.inputs)["name"]}
    assert set(secrets) == {f"ml-platform-{stack}/database/{user}" for user in ("mlflow", "dagster")}
    assert all(s["kmsKeyId"] == key_arn for s in secrets.values())
    assert [  # only the Databricks OAuth secret, which Databricks generates, passes through state (a Pulumi secret)
        v for v in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
        if "platform:secrets:PrincipalSecret" not in v.urn] == []


@pytest.mark.parametrize("stack", STACKS)
def test_the_master_password_is_rds_managed_and_never_an_input(stack: str) -> None:
    """`manage_master_user_password`: RDS generates the master password and keeps it in Secrets Manager (Amazon
    RDS User Guide, "Password management with Amazon RDS and AWS Secrets Manager"), so no password is an input of
    this program, hence none is in state; what the component hands on is the secret's ARN, not a value."""
    plan = preflight_plan(stack)
    for instance in plan.of_type(INSTANCE):
        inputs = reveal(instance.inputs)
        assert not [k for k in inputs if "password" in k.lower() and k != "manageMasterUserPassword"], instance.name
    assert _primary(stack)["manageMasterUserPassword"] is True
    component = plan.one("platform:database:PlatformDatabase").component_outputs
    assert reveal(plain(component))["masterSecretArn"].startswith("arn:aws:secretsmanager:")


def test_bad_args_are_refused_together() -> None:
    args = PlatformDatabaseArgs(identifier="Bad_Name", account_id="123456789012", subnet_ids=[], vpc_id="vpc-1",
                                client_security_group_ids=[], instance_class="m6g.large", engine_major_version="13",
                                backup_retention_days=0, database_users=("platform_admin",))
    with pytest.raises(ValueError) as info:
        validate_platform_database_args(args)
    for words in ("identifier", "engine_major_version", "instance_class", "backup_retention_days",
                  "client_security_group_ids", "database_users"):
        assert words in str(info.value)


@pytest.mark.parametrize("stack", STACKS)
def test_the_parameter_group_logs_every_connection_attempt(stack: str) -> None:
    """PostgreSQL's `log_connections` logs each attempted connection and its authentication (PostgreSQL docs,
    "Error Reporting and Logging"; CIS PostgreSQL Benchmark, "Ensure 'log_connections' is enabled"); the
    instance exports the `postgresql` log to CloudWatch, where the attempts can be audited."""
    group = reveal(preflight_plan(stack).one("aws:rds/parameterGroup:ParameterGroup").inputs)
    assert {"name": "log_connections", "value": "1", "applyMethod": "immediate"} in group["parameters"]
    assert "postgresql" in _primary(stack)["enabledCloudwatchLogsExports"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_instance_stores_its_data_on_gp3(stack: str) -> None:
    """The README: "standard instance classes and gp3 storage". The RDS API's StorageType values are lowercase
    (`gp2 | gp3 | io1 | io2 | standard`, CreateDBInstance), and so are the provider's."""
    instances = preflight_plan(stack).of_type(INSTANCE)
    assert instances and [reveal(i.inputs)["storageType"] for i in instances] == ["gp3"] * len(instances)


@pytest.mark.parametrize("stack", STACKS)
def test_every_instance_pins_the_certificate_authority_its_clients_trust(stack: str) -> None:
    """RDS user guide, "Certificate authorities": without `CACertificateIdentifier` an instance gets the account's
    default CA for the region, which `ModifyCertificates` can override; the clients verify the server (the
    parameter group forces TLS) against rds-ca-rsa2048-g1's bundle, so every instance, replicas too, names it."""
    instances = preflight_plan(stack).of_type(INSTANCE)
    assert instances and {i.name: i.inputs.get("caCertIdentifier") for i in instances} == {
        i.name: "rds-ca-rsa2048-g1" for i in instances}
