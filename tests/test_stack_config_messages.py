"""Keys the shipped stack files leave out or empty (`protection.forceDestroyBuckets`, a non-empty
`helm.valuesOverrides`) or hold only in one shape (`rbacGroupMembers`): a wrong value is refused naming the key
path in full, a valid one is accepted and lands in the parsed config. And the full text of messages whose
expected shape tells the user what to write."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

import stack_config
from tests.test_stack_config import raw_config

_ARN = "arn:aws:iam::444455556661:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Auditor_0123456789abcdef"


def _parsed(stack: str, mutate: Callable[[dict[str, Any]], None]) -> stack_config.StackConfig:
    raw = copy.deepcopy(raw_config(stack))
    mutate(raw)
    return stack_config.parse(stack, raw)


def _problems(stack: str, mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    with pytest.raises(stack_config.ConfigError) as info:
        _parsed(stack, mutate)
    return info.value.problems


# --- protection.forceDestroyBuckets (no stack file sets it) ----------------------------------------------------

def test_a_force_destroy_buckets_that_is_no_boolean_is_refused_naming_its_key() -> None:
    problems = _problems("dev", lambda raw: raw["protection"].update(forceDestroyBuckets="yes"))
    assert problems == ["protection.forceDestroyBuckets must be true or false, got 'yes'"]


def test_force_destroy_buckets_true_is_accepted_outside_prod() -> None:
    cfg = _parsed("dev", lambda raw: raw["protection"].update(forceDestroyBuckets=True))
    assert cfg.protection.force_destroy_buckets is True
    assert _parsed("dev", lambda raw: None).protection.force_destroy_buckets is False  # the default


def test_force_destroy_buckets_true_is_refused_in_prod() -> None:
    problems = _problems("prod", lambda raw: raw["protection"].update(forceDestroyBuckets=True))
    assert problems == ["protection.forceDestroyBuckets must be false in prod, got true"]


# --- rbacGroupMembers (every stack file holds it as an object) -------------------------------------------------

def test_rbac_group_members_that_is_no_object_is_refused_naming_its_key() -> None:
    problems = _problems("dev", lambda raw: raw.update(rbacGroupMembers="platform-admins"))
    assert problems[0] == "rbacGroupMembers must be an object, got 'platform-admins'"
    # ... and then every group is missing from it, each named.
    assert problems[1:] == [
        f"rbacGroupMembers.{group} is required (list the IAM role ARNs that carry the group, or [] to declare it "
        "empty)" for group in ("data-analysts", "data-engineers", "platform-admins")]


def test_rbac_group_members_missing_is_required_by_name() -> None:
    problems = _problems("dev", lambda raw: raw.pop("rbacGroupMembers"))
    assert problems[0] == "rbacGroupMembers is required"


def test_rbac_group_members_land_in_the_parsed_config() -> None:
    cfg = _parsed("dev", lambda raw: raw["rbacGroupMembers"].update({"data-analysts": [_ARN]}))
    assert cfg.rbac_group_members["data-analysts"] == (_ARN,)


# --- helm.valuesOverrides (empty in every stack file) ----------------------------------------------------------

def test_values_overrides_that_are_no_object_are_refused_naming_the_key() -> None:
    problems = _problems("dev", lambda raw: raw["helm"].update(valuesOverrides=["workers"]))
    assert problems == ["helm.valuesOverrides must be an object, got ['workers']"]


def test_a_valid_values_override_is_accepted_and_kept() -> None:
    override = {"workers": {"autoscaling": {"targetCPUUtilizationPercentage": 60}}}
    cfg = _parsed("dev", lambda raw: raw["helm"].update(valuesOverrides=copy.deepcopy(override)))
    assert cfg.helm.values_overrides == {"workers": {"autoscaling": {"targetCPUUtilizationPercentage": 60}}}


def test_a_values_override_the_chart_schema_refuses_is_refused_with_its_path() -> None:
    """Helm would refuse it at install time (values.schema.json: a percentage is at most 100)."""
    problems = _problems("dev", lambda raw: raw["helm"].update(
        valuesOverrides={"workers": {"autoscaling": {"targetCPUUtilizationPercentage": 150}}}))
    assert problems == ["helm.valuesOverrides.workers.autoscaling.targetCPUUtilizationPercentage is refused by "
                        "charts/ml-platform/values.schema.json: 150 is greater than the maximum of 100"]


def test_a_values_override_with_a_key_the_chart_does_not_have_is_refused() -> None:
    problems = _problems("dev", lambda raw: raw["helm"].update(valuesOverrides={"workerz": {}}))
    assert problems == ["helm.valuesOverrides is refused by charts/ml-platform/values.schema.json: Additional "
                        "properties are not allowed ('workerz' was unexpected)"]


# --- an unknown instance type in the compute pool --------------------------------------------------------------

def test_an_instance_type_the_capacity_table_does_not_know_is_reported_by_name() -> None:
    problems = _problems("dev", lambda raw: raw["nodePools"]["compute"].update(instanceTypes=["m5zn.metal"]))
    (problem,) = problems
    assert problem.startswith("nodePools.compute.instanceTypes must be instance types of the capacity table "
                              "(known: "), problem
    assert problem.endswith("), got ['m5zn.metal']"), problem
    assert "m6i.xlarge" in problem  # the known types are listed


# --- the full text of messages that say what to write ----------------------------------------------------------

@pytest.mark.parametrize(("stack", "mutate", "message"), [
    ("dev", lambda raw: raw.update(kubernetesVersion="1.3x"), "kubernetesVersion must be a version like '1.35', "
     "got '1.3x'"),
    ("dev", lambda raw: raw.update(kubernetesVersion=""), "kubernetesVersion must not be empty (expected a version "
     "like '1.35'), got ''"),
    ("prod", lambda raw: raw["databricks"].update(clientId="0a1b2c3d-1111-2222-3333-444455556666"),
     "databricksClientSecret is required when databricks.clientId is set (pulumi config set --secret "
     "databricksClientSecret ...)"),
    ("prod", lambda raw: raw["databricks"].update(egressAllowedDomains=["Not A Domain"]),
     "databricks.egressAllowedDomains[0] must be a domain name like 'pypi-mirror.example.com', got 'Not A Domain'"),
    ("prod", lambda raw: raw["ci"].update(databricksDeployerClientId="NOT-HEX"),
     "ci.databricksDeployerClientId must be an OAuth client id, got 'NOT-HEX'"),
    ("prod", lambda raw: raw["ci"].update(databricksPreviewerClientId="NOT-HEX"),
     "ci.databricksPreviewerClientId must be an OAuth client id, got 'NOT-HEX'"),
], ids=["kubernetesVersion", "kubernetesVersion-empty", "databricksClientSecret", "egressAllowedDomains",
        "ci.databricksDeployerClientId", "ci.databricksPreviewerClientId"])
def test_the_message_states_the_expected_shape_in_full(stack: str, mutate: Callable[[dict[str, Any]], None],
                                                       message: str) -> None:
    problems = _problems(stack, mutate)
    assert problems[0] == message, problems


# --- messages and defaults mutation testing found unasserted ----------------------------------------------------

@pytest.mark.parametrize(("stack", "mutate", "message"), [
    ("dev", lambda raw: raw.update(owner=5), "owner must be a string, got 5"),
    ("dev", lambda raw: raw.update(githubRepository="no-slash"), "githubRepository must be 'owner/name', got "
     "'no-slash'"),
    ("dev", lambda raw: raw["account"].update(managementRoleArn="not-an-arn"), "account.managementRoleArn must be an "
     "IAM role ARN, got 'not-an-arn'"),
    ("dev", lambda raw: raw["databricks"].pop("userEmailDomain"), "databricks.userEmailDomain is required when "
     "sandboxUsers is set (grants name a user by email: <user>@<userEmailDomain>)"),
], ids=["string", "githubRepository", "account.managementRoleArn", "databricks.userEmailDomain"])
def test_the_only_problem_is_stated_in_full(stack: str, mutate: Callable[[dict[str, Any]], None],
                                            message: str) -> None:
    assert _problems(stack, mutate) == [message]


def test_a_team_that_is_no_object_is_refused_naming_the_team() -> None:
    problems = _problems("dev", lambda raw: raw["teams"].update(search="big"))
    assert problems == ["teams.search must be an object, got 'big'", "teams.search.quota is required",
                        "teams.search.quota.cpu is required", "teams.search.quota.memory is required"]


def test_a_quota_that_is_no_object_is_refused_saying_what_it_holds() -> None:
    problems = _problems("dev", lambda raw: raw["namespaceQuotas"].update(monitoring="8"))
    assert problems == ["namespaceQuotas.monitoring must be an object with cpu and memory, got '8'",
                        "namespaceQuotas.monitoring.cpu is required", "namespaceQuotas.monitoring.memory is required"]


def test_helm_that_is_no_object_is_refused_naming_helm() -> None:
    problems = _problems("dev", lambda raw: raw.update(helm=["imageTag"]))
    assert problems == ["helm must be an object, got ['imageTag']", "helm.imageTag is required"]


def test_a_bad_image_tag_is_refused_for_helm_and_the_teams_defaulting_to_it() -> None:
    """Every team of the stack file without a tag of its own defaults to helm.imageTag, so each is refused too."""
    defaulting = [name for name, team in raw_config("dev")["teams"].items()
                  if "tag" not in (team.get("codeLocation") or {})]
    assert defaulting  # the shipped dev stack has such teams
    problems = _problems("dev", lambda raw: raw["helm"].update(imageTag="bad tag"))
    assert problems == [*(f"teams.{name}.codeLocation.tag must be an image tag, got 'bad tag'" for name in defaulting),
                        "helm.imageTag must be an image tag, got 'bad tag'"]


def test_an_image_tag_that_is_no_string_is_reported_once_not_as_every_teams_default() -> None:
    """Without a string helm.imageTag there is no default tag: only helm.imageTag's own problem is reported."""
    problems = _problems("dev", lambda raw: raw["helm"].update(imageTag=123))
    assert problems == ["helm.imageTag must be a string, got 123"]


def test_max_allocated_storage_defaults_to_100_gib() -> None:
    """DatabaseConfig: the storage autoscaling ceiling defaults to 100 GiB (above a larger allocation: that)."""
    def drop(raw: dict[str, Any]) -> None:
        raw["database"].pop("maxAllocatedStorageGib", None)
        raw["database"].pop("allocatedStorageGib", None)
    assert _parsed("dev", drop).database.max_allocated_storage_gib == 100


def test_a_bad_allocated_storage_is_the_only_problem_with_a_ceiling_of_its_minimum() -> None:
    """A ceiling at the 20 GiB minimum of allocatedStorageGib is valid whatever allocatedStorageGib says."""
    problems = _problems("dev", lambda raw: raw["database"].update(allocatedStorageGib=10, maxAllocatedStorageGib=20))
    assert problems == ["database.allocatedStorageGib must be between 20 and 65536, got 10"]


def test_overrides_that_make_the_worker_resources_unreadable_are_refused() -> None:
    """The schema's quantity pattern admits '1.5Gi', which no pod shape can count in whole MiB."""
    problems = _problems("dev", lambda raw: raw["helm"].update(
        valuesOverrides={"workers": {"resources": {"requests": {"memory": "1.5Gi"}}}}))
    assert problems == ["helm.valuesOverrides must keep the chart's workers/mlflow/dbt resources readable, got not "
                        "a memory quantity with a binary unit: '1.5Gi'"]


def test_an_environment_quota_below_the_hpa_minimum_is_refused_with_both_ceilings() -> None:
    """dev's compute pool: 5 m6i.large nodes of 3 workers each (500m/2Gi requests); 1 CPU holds none beside
    MLflow and dbt."""
    problems = _problems("dev", lambda raw: raw["namespaceQuotas"].update(environment={"cpu": "1", "memory": "1Gi"}))
    assert problems == ["namespaceQuotas.environment (cpu 1, memory 1Gi) holds 0 pipeline worker(s) beside MLflow "
                        "and dbt and nodePools.compute.maxSize (5) holds 15: both must hold the HPA's minReplicas (2)"]
