"""The stack config: every shipped stack parses, and each kind of bad value is one line naming stack and key."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import stack_config
from tests.support import PROJECT_DIR, STACKS


def raw_config(stack: str) -> dict[str, Any]:
    """The merged raw values of a shipped stack (project defaults, then the stack file), unprefixed."""
    project = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())
    # The project's own keys have no namespace there; `pulumi:disable-default-providers` is the engine's.
    raw = {key: decl["default"] for key, decl in project["config"].items() if ":" not in key}
    for key, value in yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"].items():
        raw[key.split(":", 1)[1]] = value
    return raw


def parse_error(stack: str, mutate: Any) -> str:
    raw = copy.deepcopy(raw_config(stack))
    mutate(raw)
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse(stack, raw)
    return str(info.value)


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stacks_parse(stack: str) -> None:
    cfg = stack_config.parse(stack, raw_config(stack))
    assert cfg.environment == stack
    assert set(cfg.node_pools) == {"system", "data", "compute"}


def test_only_dev_has_sandboxes_and_pipelines_run_only_in_prod() -> None:
    cfgs = {s: stack_config.parse(s, raw_config(s)) for s in STACKS}
    assert cfgs["dev"].sandbox_users and not cfgs["staging"].sandbox_users and not cfgs["prod"].sandbox_users
    assert [cfgs[s].pipelines_paused for s in STACKS] == [True, True, False]
    assert [cfgs[s].serverless_egress_restricted for s in STACKS] == [False, False, True]
    assert cfgs["dev"].databricks.user_email_domain == "example.com"


def test_sizes_follow_the_environment_matrix() -> None:
    """Design Appendix: dev about 25% of prod, staging about 50%, prod full (namespace quota of the env)."""
    def cores(stack: str) -> float:
        return float(stack_config.parse(stack, raw_config(stack)).environment_quota.cpu)

    assert cores("prod") == 32
    assert cores("staging") / cores("prod") == pytest.approx(0.5)
    assert cores("dev") / cores("prod") == pytest.approx(0.25)


def test_prod_protects_everything_stateful() -> None:
    cfg = stack_config.parse("prod", raw_config("prod"))
    assert cfg.protection.protect and cfg.protection.retain_on_delete and not cfg.protection.force_destroy_buckets
    assert cfg.kms_deletion_window_days == 30 and cfg.backup_retention_days == 30


def _set(path: str, value: Any) -> Any:
    def mutate(raw: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node = raw
        for key in parents:
            node = node[key]
        if value is _DELETE:
            del node[last]
        else:
            node[last] = value
    return mutate


_DELETE = object()

BAD_CONFIGS = [
    # (stack, mutation, key named in the message, words of the message)
    ("prod", _set("network", _DELETE), "network", "is required"),
    ("prod", _set("nodePools.compute.maxSize", 3), "nodePools.compute.maxSize", "must be >= desiredSize (5), got 3"),
    ("prod", _set("nodePools.system.desiredSize", "two"), "nodePools.system.desiredSize", "must be an integer"),
    ("dev", _set("network.cidr", "10.0.0.0/33"), "network.cidr", "must be a CIDR block"),
    ("dev", _set("sandboxUsers", ["alice", "Bob"]), "sandboxUsers[1]", "valid as a catalog name"),
    ("dev", _set("sandboxUsers", ["alice", "alice"]), "sandboxUsers[1]", "duplicates 'alice'"),
    ("prod", _set("teams.Fraud", {"quota": {"cpu": "1", "memory": "1Gi"}}), "teams.Fraud", "DNS label"),
    ("prod", _set("nodePools.compute.capacityType", "SPOT"), "nodePools.compute.capacityType", "ON_DEMAND in prod"),
    ("prod", _set("protection.protect", False), "protection.protect", "must be true in prod"),
    ("prod", _set("egress.allowedCidrs", ["0.0.0.0/0"]), "egress.allowedCidrs[0]", "whole internet"),
    ("prod", _set("cluster", {"publicAccessCidrs": ["203.0.113.0/24"]}), "cluster.publicAccessCidrs",
     "empty in prod"),
    ("staging", _set("sandboxUsers", ["alice"]), "sandboxUsers", "must be empty outside dev"),
    ("prod", _set("account.closeOnDeletion", True), "account.closeOnDeletion", "false in prod"),
    ("prod", _set("databricks.clientId", "0a1b2c3d-1111-2222-3333-444455556666"), "databricksClientSecret",
     "is required when databricks.clientId is set"),
    ("prod", _set("nodePoolz", {}), "nodePoolz", "is not a known key; did you mean 'nodePools'?"),
    ("dev", _set("network.cidr", ""), "network.cidr", "must not be empty"),
    ("prod", _set("owner", " "), "owner", "must not be empty"),
    ("prod", _set("namespaceQuotas.environment.cpu", "lots"), "namespaceQuotas.environment.cpu",
     "must be a CPU quantity like 2, 0.5, '8' or '500m', got 'lots'"),
    ("prod", _set("namespaceQuotas.environment.cpu", 0.0001), "namespaceQuotas.environment.cpu",
     "whole number of millicores"),
    ("prod", _set("namespaceQuotas.mlops.memory", "32Gb"), "namespaceQuotas.mlops.memory",
     "must be a memory quantity"),
    ("prod", _set("namespaceQuotas.mlops.memory", True), "namespaceQuotas.mlops.memory", "got True"),
    ("dev", _set("sandboxForceDestroy", ["zoe"]), "sandboxForceDestroy[0]", "must name a user in sandboxUsers"),
    ("dev", _set("databricks.userEmailDomain", None), "databricks.userEmailDomain", "is required when sandboxUsers"),
    ("dev", _set("databricks.userEmailDomain", "Example.com"), "databricks.userEmailDomain", "a domain name"),
    ("prod", _set("database.multiAz", False), "database.multiAz", "must be true in prod"),
    ("prod", _set("database.readReplicas", 0), "database.readReplicas", "must be >= 1 in prod"),
    ("prod", _set("database.backupRetentionDays", 7), "database.backupRetentionDays", "must be >= 30 in prod"),
    ("prod", _set("database.finalSnapshot", False), "database.finalSnapshot", "must be true in prod"),
    ("prod", _set("database.deletionProtection", False), "database.deletionProtection", "must be true in prod"),
    ("staging", _set("database.backupRetentionDays", 0), "database.backupRetentionDays", "between 1 and 35"),
    ("dev", _set("database.engineVersion", "13"), "database.engineVersion", "supported PostgreSQL major"),
    ("dev", _set("database.instanceClass", "m6g.large"), "database.instanceClass", "a DB instance class"),
    ("dev", _set("registries.organizationId", "123456"), "registries.organizationId", "an AWS Organizations id"),
    ("dev", _set("network.cidr", ""), "network.cidr", "must not be empty"),
]


def test_the_retired_mlflow_password_key_is_refused_with_what_to_do() -> None:
    """Issue 16: the MLflow login is generated in Secrets Manager; an old `mlflowDbPassword` would be silently
    unused, so the config says so and how to remove it."""
    import pulumi

    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse("prod", raw_config("prod"), {"mlflowDbPassword": pulumi.Output.secret("x")})
    assert str(info.value) == ("prod: mlflowDbPassword is no longer used (the MLflow login is generated in Secrets "
                               "Manager by the database bootstrap Job); remove it: pulumi config rm mlflowDbPassword")


@pytest.mark.parametrize("stack", STACKS)
def test_backups_follow_the_design_matrix(stack: str) -> None:
    """Design Appendix 1.2 backup retention: dev the RDS minimum (1 day), staging 7, prod 30."""
    expected = {"dev": 1, "staging": 7, "prod": 30}[stack]
    assert stack_config.parse(stack, raw_config(stack)).database.backup_retention_days == expected


@pytest.mark.parametrize(("stack", "mutate", "key", "words"), BAD_CONFIGS,
                         ids=[f"{s}-{k}" for s, _, k, _ in BAD_CONFIGS])
def test_bad_config_is_one_line_naming_stack_and_key(stack: str, mutate: Any, key: str, words: str) -> None:
    message = parse_error(stack, mutate)
    assert "\n" not in message
    assert message.startswith(f"{stack}: {key} "), message
    assert words in message


def test_several_problems_report_the_first_and_count_the_rest() -> None:
    def mutate(raw: dict[str, Any]) -> None:
        raw["region"] = "mars"
        raw["nodePools"]["data"]["minSize"] = -1

    message = parse_error("prod", mutate)
    assert message.startswith("prod: region must be an AWS region")
    assert message.endswith("(and 1 more problem(s): python -m preflight --stack prod --all-errors lists them)")


@pytest.mark.parametrize("stack", ["sandbox-alice", "qa", "production"])
def test_unknown_stack_names_are_refused(stack: str) -> None:
    with pytest.raises(stack_config.ConfigError, match=rf"^{stack}: stack is not a stack of this project"):
        stack_config.environment_of(stack)


@pytest.mark.parametrize("stack", STACKS)
def test_kubernetes_layer_settings_derived_from_the_environment(stack: str) -> None:
    cfg = stack_config.parse(stack, raw_config(stack))
    assert cfg.egress_profile == {"dev": "unrestricted", "staging": "internet", "prod": "restricted"}[stack]
    assert cfg.log_retention_days == (365 if stack == "prod" else 30)
    assert cfg.rbac_groups.by_role == {"platform-admin": "platform-admins", "data-engineer": "data-engineers",
                                       "data-analyst": "data-analysts"}
    assert {name: pool.labels for name, pool in cfg.node_pools.items()} == {
        name: {"pool": name} for name in stack_config.NODE_POOL_NAMES}
    assert {name: pool.taints for name, pool in cfg.node_pools.items()} == {
        "system": (), "compute": (), "data": (stack_config.NodeTaint("workload", "data", "NO_SCHEDULE"),)}


_SANDBOX_USER = re.compile(r"[a-z][a-z0-9_]{0,49}")
_user_lists = st.lists(st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"), min_size=1, max_size=5, unique=True)
_invalid_user_names = st.one_of(
    st.from_regex(r"\A[A-Z][a-zA-Z0-9_]{0,10}\Z"),        # capitals
    st.from_regex(r"\A[0-9_][a-z0-9_]{0,10}\Z"),           # must start with a letter
    st.from_regex(r"\A[a-z]{1,8}[-. @/][a-z]{1,8}\Z"),     # characters a catalog name cannot hold unquoted
    st.from_regex(r"\A[a-z][a-z0-9_]{50,60}\Z"),            # too long
    st.text(min_size=0, max_size=12).filter(lambda s: not _SANDBOX_USER.fullmatch(s)),
)


@settings(max_examples=60, deadline=None)
@given(bad=_invalid_user_names)
def test_a_sandbox_user_name_that_is_no_catalog_name_is_refused(bad: str) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["sandboxUsers"] = ["alice", bad]
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse("dev", raw)
    message = str(info.value)
    assert message.startswith("dev: sandboxUsers[1] must be a user name valid as a catalog name"), message
    assert "\n" not in message.replace(repr(bad), "")


@settings(max_examples=40, deadline=None)
@given(users=_user_lists)
def test_every_list_of_distinct_valid_sandbox_users_is_accepted(users: list[str]) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["sandboxUsers"] = users
    assert stack_config.parse("dev", raw).sandbox_users == tuple(users)


@pytest.mark.parametrize(("given", "kind", "normalised"), [
    (2, "cpu", "2"), (0.5, "cpu", "500m"), ("0.5", "cpu", "500m"), ("500m", "cpu", "500m"), ("8", "cpu", "8"),
    ("2000m", "cpu", "2"), (1.25, "cpu", "1250m"), ("8Gi", "memory", "8Gi"), ("32G", "memory", "32G"),
    (1073741824, "memory", "1Gi"), ("0.5Gi", "memory", "512Mi"), ("1e3", "memory", "1000"), (1000, "memory", "1000"),
])
def test_kubernetes_quantities_accept_numbers_and_strings_as_kubernetes_does(given: Any, kind: str,
                                                                            normalised: str) -> None:
    """Kubernetes quantities (k8s.io/apimachinery resource.Quantity) are numbers with an optional SI suffix;
    a YAML number (`cpu: 2`) is a valid one. The config hands components one normal string."""
    raw = copy.deepcopy(raw_config("prod"))
    # The monitoring quota: the environment's also bounds the workers' HPA ceiling, which a tiny value refuses.
    raw["namespaceQuotas"]["monitoring"][kind] = given
    quota = stack_config.parse("prod", raw).monitoring_quota
    assert getattr(quota, kind) == normalised


def test_a_team_quota_written_as_numbers_is_accepted() -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["teams"] = {**raw.get("teams", {}), "onboarded-team": {"quota": {"cpu": 2, "memory": "8Gi"}}}
    team = next(t for t in stack_config.parse("dev", raw).teams if t.name == "onboarded-team")
    assert (team.quota.cpu, team.quota.memory) == ("2", "8Gi")


@pytest.mark.parametrize(("key", "hint"), [
    ("ml-platfrom:teams", "did you mean 'ml-platform:teams'?"),
    ("ml_platform:sandboxUsers", "did you mean 'ml-platform:sandboxUsers'?"),
    ("awz:region", "did you mean 'aws:region'?"),
    ("elsewhere:thing", "(ml-platform, aws, databricks, kubernetes, pulumi)"),
])
def test_a_key_in_an_unknown_namespace_is_a_problem_naming_the_nearest_key(key: str, hint: str) -> None:
    assert stack_config.unknown_namespaces(["ml-platform:teams", "aws:region", "pulumi:tags"]) == []
    (problem,) = stack_config.unknown_namespaces([key, "aws:region"])
    assert problem.startswith(f"{key} is in no known config namespace") and problem.endswith(hint), problem


@pytest.mark.parametrize(("key", "value", "words"), [
    ("metastoreId", "primary", "databricks.metastoreId must be the region's Unity Catalog metastore id (UUID)"),
    ("metastorePreAssigned", "yes", "databricks.metastorePreAssigned"),
    ("pipelineSecretRotation", "20.11.2026", "databricks.pipelineSecretRotation must be the date of the last rotation"),
])
def test_bad_metastore_and_rotation_settings_are_refused(key: str, value: str, words: str) -> None:
    message = parse_error("dev", lambda raw: raw["databricks"].__setitem__(key, value))
    assert message.startswith("dev: ") and words in message


# --- CI access (issue 14) ---------------------------------------------------------------------------------

ARN = "arn:aws:iam::123456789012:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123456789abcdef"


@pytest.mark.parametrize(("mutate", "key", "words"), [
    (lambda raw: raw["rbacGroupMembers"].pop("data-analysts"), "rbacGroupMembers.data-analysts",
     "is required (list the IAM role ARNs"),
    (lambda raw: raw["rbacGroupMembers"].update({"data-engineers": ["arn:aws:iam::1:user/x"]}),
     "rbacGroupMembers.data-engineers[0]", "must be an IAM role ARN"),
    (lambda raw: raw["rbacGroupMembers"].update({"data-engineers": [ARN, ARN]}),
     "rbacGroupMembers.data-engineers[1]", "duplicates"),
    (lambda raw: raw["rbacGroupMembers"].update({"auditors": []}), "rbacGroupMembers.auditors",
     "is not a known key"),
    (lambda raw: raw["ci"].update({"stateSecretsKeyArn": "alias/pulumi-state"}), "ci.stateSecretsKeyArn",
     "must be a KMS key ARN"),
    (lambda raw: raw["ci"].pop("databricksPreviewerClientId"), "ci.databricksPreviewerClientId",
     "must be set together with ci.databricksDeployerClientId"),
    (lambda raw: raw["ci"].update({"runnerConnectionArn": "arn:aws:codestar:eu-west-1:1:x"}),
     "ci.runnerConnectionArn", "must be a CodeConnections connection ARN"),
    (lambda raw: raw.pop("ci"), "ci", "is required"),
])
def test_bad_ci_config_is_refused_naming_the_key(mutate: Any, key: str, words: str) -> None:
    message = parse_error("prod", mutate)
    assert message.startswith(f"prod: {key} ") and words in message


def test_an_empty_group_is_declared_explicitly() -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["rbacGroupMembers"]["data-analysts"] = []
    assert stack_config.parse("dev", raw).rbac_group_members["data-analysts"] == ()


@pytest.mark.parametrize(("mode", "member_role", "management"), [
    ("deploy", "OrganizationAccountAccessRole", "arn:aws:iam::999999999999:role/org-admin"),
    ("preview", "ml-platform-staging-previewer", None)])
def test_the_access_mode_picks_the_member_role_and_the_chain(mode: str, member_role: str,
                                                             management: str | None) -> None:
    raw = copy.deepcopy(raw_config("staging"))
    raw["account"]["managementRoleArn"] = "arn:aws:iam::999999999999:role/org-admin"
    cfg = stack_config.parse("staging", raw, access_mode=mode)
    assert (cfg.access.member_role_name, cfg.access.management_role_arn) == (member_role, management)
    assert cfg.databricks_ci_client_id == raw["ci"][
        "databricksDeployerClientId" if mode == "deploy" else "databricksPreviewerClientId"]


def test_an_unknown_access_mode_is_refused() -> None:
    with pytest.raises(stack_config.ConfigError, match=r"^dev: ML_PLATFORM_ACCESS \(environment variable\) must be "
                                                       r"one of deploy, preview, got 'admin'"):
        stack_config.parse("dev", raw_config("dev"), access_mode="admin")


# --- Dagster code locations and the ingress (issue 20) -------------------------------------------------------

DAGSTER_BAD_CONFIGS = [
    ("prod", _set("teams.fraud.codeLocation", {"port": 80}), "teams.fraud.codeLocation.port",
     "between 1024 and 65535"),
    ("prod", _set("teams.fraud.codeLocation", {"tag": "latest"}), "teams.fraud.codeLocation.tag", "pin a version"),
    ("prod", _set("teams.fraud.codeLocation", {"repository": "Team_Fraud"}), "teams.fraud.codeLocation.repository",
     "a repository name"),
    ("prod", _set("teams.fraud.codeLocation", {"module": "fraud-defs"}), "teams.fraud.codeLocation.module",
     "a Python module path"),
    ("prod", _set("teams.fraud.codeLocation", {"runsReachDatabase": "yes"}),
     "teams.fraud.codeLocation.runsReachDatabase", "true or false"),
    ("prod", _set("teams.fraud.codeLocation", {"image": "x"}), "teams.fraud.codeLocation.image",
     "is not a known key"),
    ("dev", _set("ingress", {"baseDomain": "example.com"}), "ingress", "exactly one of hostedZoneId"),
    ("dev", _set("ingress.baseDomain", "Example"), "ingress.baseDomain", "a domain like"),
    ("dev", _set("ingress.hostedZoneId", "zone-1"), "ingress.hostedZoneId", "a Route 53 zone id"),
]


@pytest.mark.parametrize(("stack", "mutate", "key", "words"), DAGSTER_BAD_CONFIGS,
                         ids=[f"{s}-{k}" for s, _, k, _ in DAGSTER_BAD_CONFIGS])
def test_bad_code_location_or_ingress_config_is_one_line(stack: str, mutate: Any, key: str, words: str) -> None:
    message = parse_error(stack, mutate)
    assert "\n" not in message
    assert message.startswith(f"{stack}: {key} "), message
    assert words in message


def test_a_team_without_code_location_keys_gets_the_defaults() -> None:
    raw = copy.deepcopy(raw_config("prod"))
    raw["teams"] = {"search": {"quota": {"cpu": "1", "memory": "1Gi"}}}
    (team,) = stack_config.parse("prod", raw).teams
    assert team.code_location == stack_config.CodeLocationConfig(
        repository="team-search", tag=raw["helm"]["imageTag"], module="definitions", port=4000,
        runs_reach_database=True)  # Dagster's run workers write to the instance database: runs need it


@pytest.mark.parametrize("stack", STACKS)
def test_the_environment_domain_follows_the_design_appendix_matrix(stack: str) -> None:
    cfg = stack_config.parse(stack, raw_config(stack))
    assert cfg.ingress is not None
    prefix = {"dev": "dev.internal.", "staging": "staging.", "prod": "app."}[stack]
    assert cfg.domain == prefix + cfg.ingress.base_domain
