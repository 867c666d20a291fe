"""Pipeline roles and the Unity Catalog role as planned: IRSA trust pinned to one service account, and an
inline policy that is exactly the Environment Strategy's table over this stack's own buckets and keys."""

from __future__ import annotations

import fnmatch
import json
from pathlib import Path
from typing import Any

import pytest

from components.aws.pipeline_role import PipelineRoleArgs, validate_pipeline_role_args
from preflight.harness import Plan, reveal
from tests.components.iam_plan import as_list, role_documents
from tests.databricks.snippets import stack_cfg
from tests.support import STACKS, preflight_plan, run_snippet

UC_MASTER = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"


def arns(plan: Plan, stack: str) -> dict[str, str]:
    """bucket:<store> and key:<store> -> ARN, from the plan's own outputs."""
    out = {}
    for bucket in plan.of_type("aws:s3/bucket:Bucket"):
        out["bucket:" + bucket.name.removeprefix(f"{stack}-").removesuffix("-bucket")] = reveal(bucket.outputs)["arn"]
    for key in plan.of_type("aws:kms/key:Key"):
        out["key:" + key.name.removeprefix(f"{stack}-").removesuffix("-key")] = reveal(key.outputs)["arn"]
    return out


def grants(policy: str) -> set[tuple[str, str, str]]:
    """The policy as (effect, action, resource) triples; conditions must be absent."""
    triples = set()
    for statement in json.loads(policy)["Statement"]:
        assert "Condition" not in statement and "NotAction" not in statement and "NotResource" not in statement
        for action in as_list(statement["Action"]):
            for resource in as_list(statement["Resource"]):
                triples.add((statement["Effect"], action, resource))
    return triples


def expected_grants(plan: Plan, stack: str, pipeline: str) -> set[tuple[str, str, str]]:
    """Environment Strategy 3.4.2, written out: what each pipeline may do, and nothing else."""
    a = arns(plan, stack)

    def read(store: str) -> set[tuple[str, str, str]]:
        bucket = a["bucket:" + store]
        return {("Allow", "s3:GetObject", f"{bucket}/*"), ("Allow", "s3:ListBucket", bucket),
                ("Allow", "kms:Decrypt", a["key:" + store])}

    def write(store: str, prefix: str = "") -> set[tuple[str, str, str]]:
        objects = f"{a['bucket:' + store]}/{prefix}*"
        return {("Allow", "s3:PutObject", objects), ("Allow", "s3:AbortMultipartUpload", objects),
                ("Allow", "kms:GenerateDataKey", a["key:" + store]), ("Allow", "kms:Decrypt", a["key:" + store])}

    if pipeline == "ingestion":
        return write("processed") | write("raw", "landing/")
    if pipeline == "training":
        return read("processed") | write("artifacts")
    if pipeline == "inference":
        return read("processed") | read("artifacts") | write("enriched")  # the models it serves, read only
    group = reveal(plan.one("aws:cloudwatch/logGroup:LogGroup", name=f"{stack}-backend-logs").outputs)["arn"]
    return read("enriched") | {("Allow", action, resource) for action in ("logs:CreateLogStream", "logs:PutLogEvents")
                               for resource in (f"{group}:log-stream:*",)}


PIPELINES = ("ingestion", "training", "inference", "backend")  # written out: the table under test


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_role_is_assumable_only_by_its_service_account(stack: str, pipeline: str) -> None:
    plan = preflight_plan(stack)
    trust, _ = role_documents(plan, f"ml-platform-{stack}-{pipeline}")
    [statement] = json.loads(trust)["Statement"]
    provider = statement["Principal"]["Federated"]
    issuer = provider.split(":oidc-provider/", 1)[1]
    # The cluster's own IAM OIDC provider, for the cluster's issuer (not GitHub's, not a stand-in).
    cluster = reveal(plan.one("aws:eks/cluster:Cluster").outputs)
    assert issuer == cluster["identities"][0]["oidcs"][0]["issuer"].removeprefix("https://")
    [eks_oidc] = [reveal(p.outputs)["arn"] for p in plan.of_type("aws:iam/openIdConnectProvider:OpenIdConnectProvider")
                  if reveal(p.outputs)["url"] == f"https://{issuer}"]
    assert provider == eks_oidc
    assert provider.startswith(f"arn:aws:iam::{plan.one('aws:organizations/account:Account').id}:oidc-provider/")
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        f"{issuer}:sub": f"system:serviceaccount:platform-{stack}:{pipeline}", f"{issuer}:aud": "sts.amazonaws.com"}}


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("pipeline", PIPELINES)
def test_pipeline_role_grants_exactly_its_row_of_the_table(stack: str, pipeline: str) -> None:
    plan = preflight_plan(stack)
    _, inline = role_documents(plan, f"ml-platform-{stack}-{pipeline}")
    assert len(inline) == 1
    assert grants(inline[0]) == expected_grants(plan, stack, pipeline)


@pytest.mark.parametrize("stack", STACKS)
def test_unity_catalog_role_trusts_databricks_with_the_external_id_and_itself(stack: str) -> None:
    plan = preflight_plan(stack)
    name = f"ml-platform-{stack}-unity-catalog"
    trust, [inline] = role_documents(plan, name)
    account = plan.one("aws:organizations/account:Account").id
    # The external id the storage credential reports (issue 17), never the Databricks account id: Unity Catalog
    # generates one unless an account admin creates the credential.
    credential = plan.one("databricks:index/storageCredential:StorageCredential").outputs["awsIamRole"]
    assert credential["externalId"] != stack_cfg(stack).databricks.account_id
    external_id = {"sts:ExternalId": credential["externalId"]}
    statements = {s["Sid"]: s for s in json.loads(trust)["Statement"]}
    assert statements["UnityCatalogMasterRole"]["Principal"] == {"AWS": UC_MASTER}
    assert statements["UnityCatalogMasterRole"]["Condition"] == {"StringEquals": external_id}
    own = f"arn:aws:iam::{account}:role/{name}"
    assert statements["SelfAssumption"]["Condition"] == {"StringEquals": external_id,
                                                         "ArnEquals": {"aws:PrincipalArn": own}}
    a = arns(plan, stack)
    triples = grants(inline)
    assert {r for _, _, r in triples} == {a["bucket:processed"], f"{a['bucket:processed']}/*", a["key:processed"], own}
    assert ("Allow", "sts:AssumeRole", own) in triples
    assert ("Allow", "kms:GenerateDataKey", a["key:processed"]) in triples


@pytest.mark.parametrize("stack", STACKS)
def test_no_role_reaches_another_environments_buckets(stack: str) -> None:
    plan = preflight_plan(stack)
    mine = {v for v in arns(plan, stack).values()}
    for pipeline in (*PIPELINES, "unity-catalog"):
        for policy in role_documents(plan, f"ml-platform-{stack}-{pipeline}")[1]:
            s3 = {r.split("/", 1)[0] for _, _, r in grants(policy) if r.startswith("arn:aws:s3:::")}
            assert s3 <= mine, (pipeline, s3 - mine)


def test_bad_args_are_refused_together() -> None:
    args: Any = PipelineRoleArgs(pipeline="etl", namespace="Platform_Dev", role_name="x" * 70,
                                 oidc_provider_arn="arn", oidc_issuer="https://oidc.example", log_retention_days=2)
    with pytest.raises(ValueError) as info:
        validate_pipeline_role_args(args)
    for key in ("pipeline", "namespace", "role_name", "oidc_issuer", "log_retention_days"):
        assert f"{key} must" in str(info.value)


def test_trust_follows_a_clusters_issuer_given_as_outputs(tmp_path: Path) -> None:
    # How __main__ wires it once the EKS layer exists: issuer and provider ARN are Outputs of the cluster.
    plan = run_snippet(tmp_path, """
        import pulumi_aws as aws
        from components.aws.pipeline_role import PipelineRole, PipelineRoleArgs

        cluster = aws.eks.Cluster("c", role_arn="arn:aws:iam::111111111111:role/eks", vpc_config={"subnet_ids": []})
        issuer = cluster.identities[0].oidcs[0].issuer
        oidc = aws.iam.OpenIdConnectProvider("oidc", url=issuer, client_id_lists=["sts.amazonaws.com"])
        PipelineRole("prod-training", PipelineRoleArgs(
            pipeline="training", namespace="platform-prod", role_name="ml-platform-prod-training",
            oidc_provider_arn=oidc.arn, oidc_issuer=issuer.apply(lambda url: url.removeprefix("https://"))))
    """)
    issuer = reveal(plan.one("aws:eks/cluster:Cluster").outputs)["identities"][0]["oidcs"][0]["issuer"]
    host = issuer.removeprefix("https://")
    [statement] = json.loads(reveal(plan.one("aws:iam/role:Role").inputs)["assumeRolePolicy"])["Statement"]
    assert statement["Principal"] == {"Federated": reveal(plan.one(
        "aws:iam/openIdConnectProvider:OpenIdConnectProvider").outputs)["arn"]}
    assert statement["Condition"]["StringEquals"] == {
        f"{host}:sub": "system:serviceaccount:platform-prod:training", f"{host}:aud": "sts.amazonaws.com"}


def _statements(plan: Plan, stack: str, role: str) -> dict[str, dict[str, Any]]:
    _, inline = role_documents(plan, f"ml-platform-{stack}-{role}")
    assert len(inline) == 1
    return {st["Sid"]: st for st in json.loads(inline[0])["Statement"]}


def _secret_arn(plan: Plan, stack: str, user: str) -> str:
    return reveal(plan.one("aws:secretsmanager/secret:Secret", name=f"{stack}-database-{user}-secret").outputs)["arn"]


@pytest.mark.parametrize("stack", STACKS)
def test_mlflow_reads_and_writes_only_its_prefix_and_reads_only_its_login(stack: str) -> None:
    """MLflow's tracking server: its artifacts prefix (objects and the listing of that prefix only, the
    `s3:prefix` condition key of ListBucket, Amazon S3 "Actions, resources, and condition keys"), and its own
    database login; its trust names its service account in platform-mlops."""
    plan = preflight_plan(stack)
    a = arns(plan, stack)
    bucket, key = a["bucket:artifacts"], a["key:artifacts"]
    statements = _statements(plan, stack, "mlflow")
    assert set(statements) == {"ReadPrefix0", "ListPrefix0", "WriteObjects", "EncryptWrittenStores",
                               "ReadOwnSecrets", "DecryptOwnSecrets"}
    assert statements["ReadPrefix0"]["Resource"] == [f"{bucket}/mlflow/*"]
    assert statements["ListPrefix0"]["Resource"] == [bucket]
    assert statements["ListPrefix0"]["Condition"] == {"StringLike": {"s3:prefix": ["mlflow/", "mlflow/*"]}}
    assert statements["WriteObjects"]["Resource"] == [f"{bucket}/mlflow/*"]
    assert statements["EncryptWrittenStores"]["Resource"] == [key]
    login = _secret_arn(plan, stack, "mlflow")
    assert statements["ReadOwnSecrets"]["Resource"] == [login]
    assert statements["DecryptOwnSecrets"]["Condition"]["StringLike"]["kms:EncryptionContext:SecretARN"] == [login]
    trust, _ = role_documents(plan, f"ml-platform-{stack}-mlflow")
    (sub,) = [v for k, v in json.loads(trust)["Statement"][0]["Condition"]["StringEquals"].items()
              if k.endswith(":sub")]
    assert sub == "system:serviceaccount:platform-mlops:mlflow"


@pytest.mark.parametrize("stack", STACKS)
def test_dbt_reads_only_the_databricks_principals_secret(stack: str) -> None:
    """dbt's role: the Databricks pipeline principal's OAuth secret by its contract name (Secrets Manager adds
    six random characters to a secret's ARN, hence `-??????`), and no bucket."""
    plan = preflight_plan(stack)
    account = plan.one("aws:organizations/account:Account").id
    statements = _statements(plan, stack, "dbt")
    assert set(statements) == {"ReadOwnSecrets", "DecryptOwnSecrets"}
    pattern = (f"arn:aws:secretsmanager:eu-west-1:{account}:secret:ml-platform-{stack}/databricks/"
               "ml-pipelines-??????")
    assert statements["ReadOwnSecrets"]["Resource"] == [pattern]
    assert statements["ReadOwnSecrets"]["Action"] == ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    decrypt = statements["DecryptOwnSecrets"]
    assert decrypt["Action"] == ["kms:Decrypt"]
    assert decrypt["Condition"]["StringLike"] == {"kms:ViaService": "secretsmanager.*.amazonaws.com",
                                                  "kms:EncryptionContext:SecretARN": [pattern]}


@pytest.mark.parametrize("stack", STACKS)
def test_the_bootstrap_job_reads_the_master_secret_and_writes_only_the_application_logins(stack: str) -> None:
    plan = preflight_plan(stack)
    master = reveal(plan.one("aws:rds/instance:Instance", name=f"{stack}-database-instance").outputs)[
        "masterUserSecrets"][0]["secretArn"]
    # The applications' database logins and Grafana's admin login, which it generates once.
    # Grafana's is created after this role, so the role names it by its name: the ARN Secrets Manager gives it is
    # that name plus `-` and six characters ("Secret ARNs"), which `-??????` matches.
    grafana = plan.one("aws:secretsmanager/secret:Secret", name="platform-monitoring-grafana-admin-login")
    region, account = grafana.outputs["arn"].split(":")[3:5]
    grafana_arn = f"arn:aws:secretsmanager:{region}:{account}:secret:{grafana.inputs['name']}-??????"
    assert fnmatch.fnmatchcase(grafana.outputs["arn"], grafana_arn)
    logins = sorted([*(_secret_arn(plan, stack, user) for user in ("mlflow", "dagster")), grafana_arn])
    statements = _statements(plan, stack, "db-bootstrap")
    assert set(statements) == {"ReadOwnSecrets", "WriteOwnSecrets", "DecryptOwnSecrets"}
    assert statements["ReadOwnSecrets"]["Resource"] == sorted([master, *logins])
    assert statements["WriteOwnSecrets"]["Resource"] == logins
    assert statements["WriteOwnSecrets"]["Action"] == ["secretsmanager:PutSecretValue"]


# The roles that read secrets (the README's access table: mlflow its login, dbt the Databricks principal's secret,
# db-bootstrap the master secret and the logins it writes).
SECRET_READERS = ("mlflow", "dbt", "db-bootstrap")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("role", SECRET_READERS)
def test_secret_keys_are_usable_only_through_secrets_manager_and_only_for_the_roles_secrets(
        stack: str, role: str) -> None:
    """The grant on the secrets' keys is `key/*` of the account and region (the Databricks secret's key is another
    layer's), so its conditions are what narrows it: `kms:ViaService` to Secrets Manager (AWS KMS Developer Guide,
    "kms:ViaService": the key is usable only in requests that service makes on the caller's behalf) and the
    secret's ARN as encryption context (Secrets Manager User Guide, "Secret encryption and decryption": it uses
    `SecretARN` as the encryption context). Without either, the role could decrypt anything under those keys."""
    plan = preflight_plan(stack)
    statements = _statements(plan, stack, role)
    decrypt = statements["DecryptOwnSecrets"]
    read = as_list(statements["ReadOwnSecrets"]["Resource"])
    assert decrypt["Effect"] == "Allow"
    assert all(fnmatch.fnmatchcase(r, "arn:aws:kms:eu-west-1:*:key/*") for r in as_list(decrypt["Resource"]))
    assert decrypt["Condition"] == {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com",
                                                   "kms:EncryptionContext:SecretARN": sorted(read)}}
    writes = "WriteOwnSecrets" in statements
    assert sorted(as_list(decrypt["Action"])) == (["kms:Decrypt", "kms:GenerateDataKey"] if writes
                                                  else ["kms:Decrypt"])


# CloudWatch Logs API Reference, PutRetentionPolicy: "Possible values are: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150,
# 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, and 3653."
CLOUDWATCH_RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557,
                             2922, 3288, 3653]


def test_log_retention_is_any_period_cloudwatch_accepts_and_nothing_else() -> None:
    """The network's flow logs, the cluster's control-plane logs and a pipeline's log group share one table."""
    from components.patterns import LOG_RETENTION_DAYS

    assert list(LOG_RETENTION_DAYS) == CLOUDWATCH_RETENTION_DAYS

    def refused(days: int) -> bool:
        args: Any = PipelineRoleArgs(pipeline="etl", namespace="platform-dev", role_name="r",
                                     oidc_provider_arn="arn", oidc_issuer="https://oidc.example",
                                     log_retention_days=days)
        try:
            validate_pipeline_role_args(args)
        except ValueError as error:
            return "log_retention_days must" in str(error)
        return False

    assert [d for d in CLOUDWATCH_RETENTION_DAYS if refused(d)] == []
    neighbours = {n for d in CLOUDWATCH_RETENTION_DAYS for n in (d - 1, d + 1)} - set(CLOUDWATCH_RETENTION_DAYS)
    assert [n for n in sorted(neighbours) if not refused(n)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_each_pipeline_role_describes_its_pipeline_and_the_service_account_that_assumes_it(stack: str) -> None:
    """What `aws iam get-role` shows a reviewer: the pipeline and `<namespace>/<service account>` (IRSA); MLflow's
    account lives in `platform-mlops` (README, Kubernetes row), every other in `platform-<env>`."""
    namespace = {"ingestion": f"platform-{stack}", "training": f"platform-{stack}", "inference": f"platform-{stack}",
                 "backend": f"platform-{stack}", "dbt": f"platform-{stack}", "db-bootstrap": f"platform-{stack}",
                 "mlflow": "platform-mlops"}
    plan = preflight_plan(stack)
    descriptions = {r.name.removeprefix(f"{stack}-").removesuffix("-role"): r.inputs["description"]
                    for r in plan.of_type("aws:iam/role:Role")
                    if r.parent and plan.by_urn(r.parent).type == "platform:iam:PipelineRole"}
    assert descriptions == {pipeline: f"{pipeline} pipeline, assumed by {ns}/{pipeline} (IRSA)"
                            for pipeline, ns in namespace.items()}
