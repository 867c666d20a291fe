"""Team namespaces: one per configured team, its own IRSA role limited to `teams/<name>/` of the processed
bucket, and the `team` label or tag on everything the team owns (one owning team per asset)."""

from __future__ import annotations

import json

import pytest
import yaml

from components.kubernetes.platform_namespace import PlatformNamespaceArgs
from components.kubernetes.team_namespace import TeamNamespaceArgs, validate_team_namespace_args
from tests.manifests import registered_manifests
from tests.support import STACKS, plan_with, preflight_plan
from tests.test_stack_config import raw_config


def _teams(stack: str) -> list[str]:
    return sorted(raw_config(stack)["teams"])


@pytest.mark.parametrize("stack", STACKS)
def test_team_role_is_assumable_only_by_the_teams_service_account(stack: str) -> None:
    plan = preflight_plan(stack)
    cluster = plan.one("platform:kubernetes:EksCluster").component_outputs
    for team in _teams(stack):
        role = plan.one("aws:iam/role:Role", name=f"team-{team}-role")
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Federated": cluster["oidc_provider_arn"]}
        assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
        issuer = cluster["oidc_issuer"]
        assert statement["Condition"] == {"StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:team-{team}:{team}", f"{issuer}:aud": "sts.amazonaws.com"}}
        assert role.inputs["tags"] == {"team": team}


@pytest.mark.parametrize("stack", STACKS)
def test_team_role_reaches_only_its_prefix_of_the_processed_bucket(stack: str) -> None:
    plan = preflight_plan(stack)
    processed = plan.one("platform:storage:EncryptedBucket", name=f"{stack}-processed").component_outputs
    bucket = processed["bucket_arn"]
    for team in _teams(stack):
        policy = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"team-{team}-prefix-access")
                            .inputs["policy"])
        def actions(statement: dict[str, object]) -> list[str]:
            action = statement["Action"]
            return [action] if isinstance(action, str) else list(action)  # type: ignore[arg-type]

        s3 = [s for s in policy["Statement"] if all(a.startswith("s3:") for a in actions(s))]
        assert {a for s in policy["Statement"] for a in actions(s)} == {
            "s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject", "kms:Decrypt", "kms:GenerateDataKey"}
        resources = {s["Resource"] for s in s3}
        assert resources == {bucket, f"{bucket}/teams/{team}/*"}
        listing = next(s for s in s3 if s["Resource"] == bucket)
        assert listing["Action"] == "s3:ListBucket"
        assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"teams/{team}/*"]}}
        assert all("*" not in str(s["Action"]) for s in policy["Statement"])
        assert {s["Resource"] for s in policy["Statement"] if s not in s3} == {processed["key_arn"]}


@pytest.mark.parametrize("stack", STACKS)
def test_everything_in_a_team_namespace_carries_the_team_label(stack: str) -> None:
    manifests = registered_manifests(preflight_plan(stack))
    for team in _teams(stack):
        owned = [m for m in manifests if m["metadata"].get("namespace") == f"team-{team}"
                 or (m["kind"] == "Namespace" and m["metadata"]["name"] == f"team-{team}")]
        assert len(owned) > 10
        assert [m["metadata"]["name"] for m in owned if m["metadata"].get("labels", {}).get("team") != team] == []
        account = next(m for m in owned if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == team)
        role = preflight_plan(stack).one("aws:iam/role:Role", name=f"team-{team}-role")
        assert account["metadata"]["annotations"] == {"eks.amazonaws.com/role-arn": role.outputs["arn"]}


def test_adding_a_team_is_one_config_entry_and_changes_nothing_else() -> None:
    """Data Platform Architecture: onboarding a team touches no other team or layer."""
    shipped = raw_config("prod").get("teams", {})
    new = next(name for name in ("search", *(f"search{i}" for i in range(len(shipped) + 1))) if name not in shipped)
    teams = {**shipped, new: {"quota": {"cpu": "4", "memory": "16Gi"}}}
    before = {r.urn: r.inputs for r in preflight_plan("prod").registered}
    after = {r.urn: r.inputs for r in plan_with("prod", {"teams": teams}).registered}
    assert set(before) <= set(after)
    changed = [urn for urn in before if after[urn] != before[urn]]
    assert [urn.split("::")[-1] for urn in changed] == ["prod-dagster-workspace"]

    def entries(inputs: dict[str, object]) -> list[dict[str, object]]:
        return yaml.safe_load(inputs["data"]["workspace.yaml"])["load_from"]  # type: ignore[index]

    old, now = entries(before[changed[0]]), entries(after[changed[0]])
    assert [e for e in now if e not in old] == [{"grpc_server": {
        "host": f"dagster-code-location.team-{new}.svc.cluster.local", "port": 4000, "location_name": new}}]
    assert [e for e in now if e in old] == old
    # Everything added is the team's: named for it (its namespace, role, code location, its ECR repository).
    added = {urn.split("::")[-1] for urn in set(after) - set(before)}
    assert [name for name in added if f"team-{new}" not in name] == []
    assert {f"team-{new}-role", f"team-{new}-namespace-namespace", f"team-{new}-code-location-deployment",
            f"team-{new}-code-location-service", f"team-{new}-code-location-runs-binding",
            f"prod-registries-team-{new}"} <= added
    # A new entry without codeLocation runs jobs like the shipped teams: its runs reach the database, so the
    # login is synced into its namespace (Dagster's run workers write their event log there).
    assert any("database-secret" in name for name in added)


def test_bad_args_are_refused_naming_each_property() -> None:
    namespace = PlatformNamespaceArgs(namespace="team-x", cpu_quota="1", memory_quota="1Gi", group_bindings={})
    with pytest.raises(ValueError) as info:
        validate_team_namespace_args(TeamNamespaceArgs(team="fraud", namespace=namespace, oidc_provider_arn="a",
                                                       oidc_issuer="i", bucket_arn="b", key_arn="k"))
    assert str(info.value).startswith("namespace.namespace must be 'team-fraud', got 'team-x'; namespace.labels.team "
                                      "must be 'fraud', got None")
    with pytest.raises(ValueError) as info:
        validate_team_namespace_args(TeamNamespaceArgs(
            team="fraud", namespace=PlatformNamespaceArgs(namespace="team-fraud", cpu_quota="1", memory_quota="1Gi",
                                                          group_bindings={}, labels={"team": "fraud"}),
            oidc_provider_arn="a", oidc_issuer="i", bucket_arn="b", key_arn="k", database_login_arn="l"))
    assert "database_login_arn and database_key_arn must be set together" in str(info.value).split("; ")


@pytest.mark.parametrize("prefix", ["/dagster/logs/", "dagster/logs", ""])
def test_a_compute_log_prefix_that_is_not_relative_or_open_ended_is_refused_by_name(prefix: str) -> None:
    """The team role may write `<bucket>/<prefix>*` only: a prefix without its `/` would admit siblings
    (`logs-other/`), a leading `/` matches no key S3 stores."""
    with pytest.raises(ValueError) as info:
        validate_team_namespace_args(TeamNamespaceArgs(
            team="fraud", namespace=PlatformNamespaceArgs(namespace="team-fraud", cpu_quota="1", memory_quota="1Gi",
                                                          group_bindings={}, labels={"team": "fraud"}),
            oidc_provider_arn="a", oidc_issuer="i", bucket_arn="b", key_arn="k", compute_logs_prefix=prefix))
    assert str(info.value) == f"compute_logs_prefix must be a relative prefix ending in '/', got {prefix!r}"
