"""Grafana: the upstream chart pinned in platform-monitoring, persistence on `ssd-retain`, the admin credentials
from a Secret (synced from Secrets Manager) and never in values, values checked against our schema, nothing
cluster-wide and nothing the namespace's restricted Pod Security Standard refuses (no root chown init)."""

from __future__ import annotations

import fnmatch
import json

import pytest

from components.kubernetes.grafana import CHART, CHART_REPOSITORY, CHART_VERSION, GrafanaArgs, validate_grafana_args
from components.kubernetes.upstream_chart import values_problems
from preflight.harness import Secret, reveal
from tests.support import STACKS, preflight_plan

RELEASE = "kubernetes:helm.sh/v3:Release"


@pytest.mark.parametrize("stack", STACKS)
def test_grafana_is_pinned_persistent_on_ssd_retain_with_its_password_from_a_secret(stack: str) -> None:
    release = preflight_plan(stack).one(RELEASE, name="platform-monitoring-grafana-release")
    assert (release.inputs["chart"], release.inputs["version"]) == (CHART, CHART_VERSION)
    assert release.inputs["repositoryOpts"] == {"repo": CHART_REPOSITORY}
    assert release.inputs["namespace"] == "platform-monitoring"
    values = reveal(release.inputs["values"])
    assert not isinstance(release.inputs["values"], Secret)
    assert values_problems(CHART, values) == []
    assert values["persistence"] == {"enabled": True, "storageClassName": "ssd-retain", "size": "10Gi"}
    assert values["admin"]["existingSecret"] == "grafana-admin"
    assert "adminPassword" not in values
    assert values["initChownData"] == {"enabled": False}
    assert values["rbac"] == {"create": False}


def test_our_schema_refuses_a_password_in_values_and_root_init() -> None:
    values = reveal(preflight_plan("prod").one(RELEASE, name="platform-monitoring-grafana-release").inputs["values"])
    assert any("adminPassword" in p for p in values_problems(CHART, {**values, "adminPassword": "x"}))
    assert any("initChownData" in p for p in values_problems(CHART, {**values, "initChownData": {"enabled": True}}))


@pytest.mark.parametrize("stack", STACKS)
def test_the_admin_login_is_synced_from_secrets_manager_and_generated_inside_the_vpc(stack: str) -> None:
    """REALITY.md 8 and 1: the login lives in a Secrets Manager secret with its own KMS key, has no value in the
    plan (the platform release's bootstrap Job generates it once, before Grafana's release waits for its pod),
    is read only by the SecretStore's IRSA account, and reaches Grafana as the Secret `grafana-admin` that an
    ExternalSecret writes with the keys the chart's `admin.existingSecret` expects."""
    plan = preflight_plan(stack)
    login = plan.one("aws:secretsmanager/secret:Secret", name="platform-monitoring-grafana-admin-login")
    key = plan.one("aws:kms/key:Key", name="platform-monitoring-grafana-key")
    assert login.inputs["name"] == f"ml-platform-{stack}/grafana/admin"
    assert login.inputs["kmsKeyId"] == key.outputs["arn"] and key.inputs["enableKeyRotation"] is True
    assert [v for v in plan.of_type("aws:secretsmanager/secretVersion:SecretVersion")
            if "grafana" in v.name] == []
    secret = plan.one("kubernetes:external-secrets.io/v1:ExternalSecret",
                      name="platform-monitoring-grafana-admin-secret")
    assert secret.inputs["metadata"] == {"name": "grafana-admin", "namespace": "platform-monitoring"}
    assert secret.inputs["spec"]["target"] == {"name": "grafana-admin", "creationPolicy": "Owner"}
    assert {d["secretKey"]: d["remoteRef"] for d in secret.inputs["spec"]["data"]} == {
        "admin-user": {"key": login.inputs["name"], "property": "username"},
        "admin-password": {"key": login.inputs["name"], "property": "password"}}
    # ...and the chart reads the login from those two keys of that Secret (its `admin.userKey`/`passwordKey`).
    admin = reveal(plan.one(RELEASE, name="platform-monitoring-grafana-release").inputs["values"])["admin"]
    assert admin["existingSecret"] == secret.inputs["spec"]["target"]["name"]
    assert {admin["userKey"], admin["passwordKey"]} == {d["secretKey"] for d in secret.inputs["spec"]["data"]}
    assert (admin["userKey"], admin["passwordKey"]) == ("admin-user", "admin-password")
    reader = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name="platform-monitoring-grafana-secrets-policy")
                        .inputs["policy"])
    assert {json.dumps(s["Resource"]) for s in reader["Statement"]} == {
        json.dumps(login.outputs["arn"]), json.dumps(key.outputs["arn"])}
    # Written by the bootstrap Job: its values list the login, its role may write exactly that secret.
    release = plan.one(RELEASE, name=f"{stack}-platform-release")
    assert release.inputs["values"]["bootstrap"]["generatedLogins"] == [
        {"secretId": login.inputs["name"], "username": "admin"}]
    bootstrap = json.loads(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-db-bootstrap-access")
                           .inputs["policy"])
    (write,) = [s for s in bootstrap["Statement"] if s["Sid"] == "WriteOwnSecrets"]
    # Named before the secret exists (the role is created first): the secret's ARN is its name plus `-` and six
    # characters (Secrets Manager, "Secret ARNs"), which the pattern matches and nothing else of that name's kind.
    region, account = login.outputs["arn"].split(":")[3:5]
    pattern = f"arn:aws:secretsmanager:{region}:{account}:secret:{login.inputs['name']}-??????"
    assert pattern in write["Resource"]
    assert fnmatch.fnmatchcase(login.outputs["arn"], pattern)
    # Order (REALITY.md 1): the secret exists before the platform release whose hook fills it; the ExternalSecret
    # and Grafana's release come after that release.
    assert login.urn in release.options["dependsOn"]
    grafana = plan.one(RELEASE, name="platform-monitoring-grafana-release")
    assert {release.urn, secret.urn} <= set(grafana.options["dependsOn"])
    assert release.urn in secret.options["dependsOn"]


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_grafana_args(GrafanaArgs(
            namespace="", admin_login_secret="", account_id="1", region="r", oidc_provider_arn="o", oidc_issuer="i",
            writer_role_arn="w", chart_version="latest", key_deletion_window_days=3))
    for words in ("namespace must not be empty", "admin_login_secret must not be empty", "chart_version must pin",
                  "key_deletion_window_days must be between 7 and 30"):
        assert words in str(info.value)


@pytest.mark.parametrize("stack", STACKS)
def test_grafanas_objects_wait_for_their_namespace_the_operator_and_the_store_for_its_grant(stack: str) -> None:
    """Kubernetes refuses objects in a namespace that does not exist, and a SecretStore or ExternalSecret before
    the operator's CRDs; ESO authenticates the SecretStore as its service account, whose role must already hold
    the read grant (External Secrets docs, AWS provider, "EKS Service Account credentials"). Children do not
    inherit a component's dependsOn, so each child carries the edges itself."""
    plan = preflight_plan(stack)
    namespace = next(r for r in plan.of_type("kubernetes:core/v1:Namespace")
                     if r.inputs["metadata"]["name"] == "platform-monitoring")
    operator = plan.one(RELEASE, name=f"{stack}-secret-sync-external-secrets")
    children = plan.children(plan.one("platform:kubernetes:Grafana"))
    assert len(children) >= 8
    for child in children:
        assert {namespace.urn, operator.urn} <= set(child.options["dependsOn"]), child.name
    store = plan.one("kubernetes:external-secrets.io/v1:SecretStore", name="platform-monitoring-grafana-secret-store")
    reader = plan.one("kubernetes:core/v1:ServiceAccount", name="platform-monitoring-grafana-secrets-sa")
    grant = plan.one("aws:iam/rolePolicy:RolePolicy", name="platform-monitoring-grafana-secrets-policy")
    assert {reader.urn, grant.urn} <= set(store.options["dependsOn"])
    # The ExternalSecret names its store and the login by name only (no output flows): explicit edges.
    admin = plan.one("kubernetes:external-secrets.io/v1:ExternalSecret",
                     name="platform-monitoring-grafana-admin-secret")
    login = plan.one("aws:secretsmanager/secret:Secret", name="platform-monitoring-grafana-admin-login")
    assert {store.urn, login.urn} <= set(admin.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_the_secret_readers_account_carries_its_roles_arn_and_the_role_trusts_the_clusters_oidc_provider(
        stack: str) -> None:
    """IRSA (EKS User Guide, "IAM roles for service accounts"): the ServiceAccount is annotated
    `eks.amazonaws.com/role-arn` with the role's ARN; the role's trust names the cluster's IAM OIDC provider as the
    Federated principal, and its condition keys are the issuer URL without `https://` followed by `:sub`/`:aud`."""
    plan = preflight_plan(stack)
    role = plan.one("aws:iam/role:Role", name="platform-monitoring-grafana-secrets-role")
    reader = plan.one("kubernetes:core/v1:ServiceAccount", name="platform-monitoring-grafana-secrets-sa")
    assert reader.inputs["metadata"] == {"name": "grafana-secrets", "namespace": "platform-monitoring",
                                         "annotations": {"eks.amazonaws.com/role-arn": role.outputs["arn"]}}
    assert role.outputs["arn"].endswith(":role/platform-monitoring-grafana-secrets-irsa")
    provider = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
    assert provider.inputs["url"].startswith("https://")
    host = provider.inputs["url"].removeprefix("https://")
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": provider.outputs["arn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        f"{host}:sub": "system:serviceaccount:platform-monitoring:grafana-secrets",
        f"{host}:aud": "sts.amazonaws.com"}}


@pytest.mark.parametrize(("changes", "message"), [
    ({"namespace": ""}, "namespace must not be empty"),
    ({"admin_login_secret": ""}, "admin_login_secret must not be empty"),
    ({"storage_class": ""}, "storage_class must not be empty"),
    ({"chart_version": "latest"}, "chart_version must pin a release like '8.8.2', got 'latest'"),
    ({"key_deletion_window_days": 6}, "key_deletion_window_days must be between 7 and 30, got 6"),
    ({"key_deletion_window_days": 31}, "key_deletion_window_days must be between 7 and 30, got 31"),
    ({"namespace": "", "chart_version": "v8"},
     "namespace must not be empty; chart_version must pin a release like '8.8.2', got 'v8'"),
])
def test_each_bad_arg_is_refused_with_its_whole_message(changes: dict[str, object], message: str) -> None:
    base: dict[str, object] = {
        "namespace": "platform-monitoring", "admin_login_secret": "ml-platform-prod/grafana/admin",
        "account_id": "111111111111", "region": "eu-west-1", "oidc_provider_arn": "o", "oidc_issuer": "i",
        "writer_role_arn": "w"}
    with pytest.raises(ValueError) as info:
        validate_grafana_args(GrafanaArgs(**{**base, **changes}))  # type: ignore[arg-type]
    assert str(info.value) == message
    validate_grafana_args(GrafanaArgs(**base))  # type: ignore[arg-type]
