"""One IAM role per pipeline (Environment Strategy 3.4.2), assumable only by its Kubernetes service account.

The trust is IRSA: the cluster's OIDC provider, pinned by the token's `sub` (exactly
`system:serviceaccount:<namespace>:<pipeline>`) and `aud`. The role is created first, because the data
keys' policies name it; `grant` attaches its inline policy once the buckets exist. What each pipeline may
do is the table `PIPELINE_ACCESS`, read straight from the design document.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import patterns

READ_ACTIONS = ("s3:GetObject",)
LIST_ACTIONS = ("s3:ListBucket",)
WRITE_ACTIONS = ("s3:PutObject", "s3:AbortMultipartUpload")
# Reading an SSE-KMS object needs Decrypt; writing needs GenerateDataKey, and Decrypt for multipart uploads.
KMS_READ_ACTIONS = ("kms:Decrypt",)
KMS_WRITE_ACTIONS = ("kms:Decrypt", "kms:GenerateDataKey")
LOG_ACTIONS = ("logs:CreateLogStream", "logs:PutLogEvents")
SECRET_READ_ACTIONS = ("secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret")
SECRET_WRITE_ACTIONS = ("secretsmanager:PutSecretValue",)


@dataclass(frozen=True)
class StoreAccess:
    """What a pipeline may do, by store name: whole-bucket reads and writes, or writes under a prefix."""

    reads: tuple[str, ...] = ()
    """Stores the pipeline reads (GetObject, ListBucket)."""
    writes: tuple[tuple[str, str], ...] = ()
    """(store, key prefix) pairs the pipeline writes (PutObject); prefix "" is the whole bucket."""
    own_log_group: bool = False
    """The pipeline writes its own CloudWatch log group."""
    prefix_reads: tuple[tuple[str, str], ...] = ()
    """(store, key prefix) pairs the pipeline reads and lists under that prefix only."""
    reads_secrets: tuple[str, ...] = ()
    """Secrets Manager secrets (by logical name) the role reads, e.g. through its namespace's SecretStore."""
    writes_secrets: tuple[str, ...] = ()
    """Secrets the role also writes (PutSecretValue): the database bootstrap Job sets application logins."""

    @property
    def stores(self) -> set[str]:
        return set(self.reads) | {store for store, _ in self.writes} | {store for store, _ in self.prefix_reads}

    @property
    def secrets(self) -> set[str]:
        return set(self.reads_secrets) | set(self.writes_secrets)


MLFLOW_PREFIX = "mlflow/"
"""Where MLflow's tracking server keeps run artifacts and registered models in the artifacts store."""

# Environment Strategy 3.4.2 for the four pipelines; ingestion lands raw files only under `landing/`. Training
# writes artifacts (models); inference reads them (the models it serves) and writes only `enriched`. The
# platform services beside them: MLflow's tracking server reads and writes its own prefix of the artifacts
# store and reads its database login; dbt reads only the Databricks pipeline principal's OAuth secret; the
# database bootstrap Job reads the RDS-managed master secret and sets the applications' logins (and Grafana's
# admin login, which it generates once).
PIPELINE_ACCESS: Mapping[str, StoreAccess] = {
    "ingestion": StoreAccess(writes=(("processed", ""), ("raw", "landing/"))),
    "training": StoreAccess(reads=("processed",), writes=(("artifacts", ""),)),
    "inference": StoreAccess(reads=("processed", "artifacts"), writes=(("enriched", ""),)),
    "backend": StoreAccess(reads=("enriched",), own_log_group=True),
    "mlflow": StoreAccess(prefix_reads=(("artifacts", MLFLOW_PREFIX),), writes=(("artifacts", MLFLOW_PREFIX),),
                          reads_secrets=("database/mlflow",)),
    "dbt": StoreAccess(reads_secrets=("databricks",)),
    "db-bootstrap": StoreAccess(reads_secrets=("database/master",),
                                writes_secrets=("database/mlflow", "database/dagster", "grafana/admin")),
}


def pipelines_using(store: str) -> list[str]:
    """Pipelines whose role needs the store's key (in the order of PIPELINE_ACCESS)."""
    return [pipeline for pipeline, access in PIPELINE_ACCESS.items() if store in access.stores]


@dataclass(frozen=True)
class BucketGrant:
    """A bucket the role reaches, with the key that encrypts it."""

    bucket_arn: pulumi.Input[str]
    """ARN of the bucket."""
    key_arn: pulumi.Input[str]
    """ARN of the bucket's KMS key."""


@dataclass(frozen=True)
class PipelineRoleArgs:
    pipeline: str
    """Pipeline name; also the name of its Kubernetes service account."""
    namespace: str
    """Namespace of the service account (`platform-<env>`)."""
    role_name: str
    """IAM role name, stable (`ml-platform-<env>-<pipeline>`)."""
    oidc_provider_arn: pulumi.Input[str]
    """ARN of the cluster's IAM OIDC provider."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer WITHOUT `https://` (the prefix of the condition keys)."""
    log_retention_days: int = 30
    """Retention of the pipeline's own log group, when its access asks for one. Default 30."""


def validate_pipeline_role_args(args: PipelineRoleArgs) -> None:
    """Raise one ValueError naming every bad argument."""
    problems: list[str] = []
    if args.pipeline not in PIPELINE_ACCESS:
        problems.append(f"pipeline must be one of {', '.join(PIPELINE_ACCESS)}, got {args.pipeline!r}")
    if not re.match(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$", args.namespace):
        problems.append(f"namespace must be a DNS label, got {args.namespace!r}")
    if not patterns.IAM_ROLE_NAME.match(args.role_name):
        problems.append(f"role_name must be an IAM role name, got {args.role_name!r}")
    if isinstance(args.oidc_issuer, str) and args.oidc_issuer.startswith("https://"):
        problems.append(f"oidc_issuer must not start with https://, got {args.oidc_issuer!r}")
    if args.log_retention_days not in patterns.LOG_RETENTION_DAYS:
        problems.append(f"log_retention_days must be a CloudWatch retention value, got {args.log_retention_days}")
    if problems:
        raise ValueError("PipelineRole: " + "; ".join(problems))


def irsa_trust_policy(provider_arn: str, issuer: str, namespace: str, service_account: str) -> str:
    """Only the one service account, with the STS audience, through the cluster's OIDC provider."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": provider_arn},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {
            f"{issuer}:sub": f"system:serviceaccount:{namespace}:{service_account}",
            f"{issuer}:aud": "sts.amazonaws.com",
        }},
    }]})


def access_policy(access: StoreAccess, grants: Mapping[str, tuple[str, str]], log_group_arn: str | None,
                  secrets: Mapping[str, str] | None = None) -> str:
    """The inline policy for `access`; `grants` maps store -> (bucket ARN, key ARN), `secrets` secret -> ARN."""
    statements: list[dict[str, Any]] = []
    secrets = secrets or {}
    if access.reads:
        statements.append({"Sid": "ReadObjects", "Effect": "Allow", "Action": list(READ_ACTIONS),
                           "Resource": [f"{grants[s][0]}/*" for s in access.reads]})
        statements.append({"Sid": "ListBuckets", "Effect": "Allow", "Action": list(LIST_ACTIONS),
                           "Resource": [grants[s][0] for s in access.reads]})
    for i, (store, prefix) in enumerate(access.prefix_reads):
        statements.append({"Sid": f"ReadPrefix{i}", "Effect": "Allow", "Action": list(READ_ACTIONS),
                           "Resource": [f"{grants[store][0]}/{prefix}*"]})
        statements.append({"Sid": f"ListPrefix{i}", "Effect": "Allow", "Action": list(LIST_ACTIONS),
                           "Resource": [grants[store][0]],
                           "Condition": {"StringLike": {"s3:prefix": [prefix, f"{prefix}*"]}}})
    if access.writes:
        statements.append({"Sid": "WriteObjects", "Effect": "Allow", "Action": list(WRITE_ACTIONS),
                           "Resource": [f"{grants[s][0]}/{prefix}*" for s, prefix in access.writes]})
    written = {store for store, _ in access.writes}
    read_only_keys = [grants[s][1] for s in dict.fromkeys([*access.reads, *(s for s, _ in access.prefix_reads)])
                      if s not in written]
    if read_only_keys:
        statements.append({"Sid": "DecryptReadStores", "Effect": "Allow", "Action": list(KMS_READ_ACTIONS),
                           "Resource": read_only_keys})
    if written:
        statements.append({"Sid": "EncryptWrittenStores", "Effect": "Allow", "Action": list(KMS_WRITE_ACTIONS),
                           "Resource": list(dict.fromkeys(grants[s][1] for s, _ in access.writes))})
    if access.secrets:
        statements.append({"Sid": "ReadOwnSecrets", "Effect": "Allow", "Action": list(SECRET_READ_ACTIONS),
                           "Resource": sorted(secrets[s] for s in access.secrets)})
    if access.writes_secrets:
        statements.append({"Sid": "WriteOwnSecrets", "Effect": "Allow", "Action": list(SECRET_WRITE_ACTIONS),
                           "Resource": sorted(secrets[s] for s in access.writes_secrets)})
    if access.secrets:
        # Secrets Manager decrypts with the secret's key on the caller's behalf, the secret's ARN as encryption
        # context: the keys of the secrets' account and region (the Databricks secret's key is another layer's),
        # but only through Secrets Manager and only for these secrets.
        key_arns = sorted({":".join(secrets[s].split(":")[:5]).replace(":secretsmanager:", ":kms:") + ":key/*"
                           for s in access.secrets})
        statements.append({"Sid": "DecryptOwnSecrets", "Effect": "Allow",
                           "Action": ["kms:Decrypt"] + (["kms:GenerateDataKey"] if access.writes_secrets else []),
                           "Resource": key_arns, "Condition": {
                               "StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com",
                                              "kms:EncryptionContext:SecretARN": sorted(
                                                  secrets[s] for s in access.secrets)}}})
    if log_group_arn is not None:
        statements.append({"Sid": "WriteOwnLogGroup", "Effect": "Allow", "Action": list(LOG_ACTIONS),
                           "Resource": [f"{log_group_arn}:log-stream:*"]})  # both act on streams
    return json.dumps({"Version": "2012-10-17", "Statement": statements})


class PipelineRole(pulumi.ComponentResource):
    """The pipeline's role (`role_arn`, `role_name`); call `grant` once its buckets exist."""

    role: aws.iam.Role
    role_arn: pulumi.Output[str]
    role_name: pulumi.Output[str]
    log_group: aws.cloudwatch.LogGroup | None

    def __init__(self, name: str, args: PipelineRoleArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_pipeline_role_args(args)
        super().__init__("platform:iam:PipelineRole", name, None, opts)
        self._name = name
        self._args = args
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description=f"{args.pipeline} pipeline, assumed by {args.namespace}/{args.pipeline} (IRSA)",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: irsa_trust_policy(v[0], v[1], args.namespace, args.pipeline)),
            max_session_duration=3600,
            opts=pulumi.ResourceOptions(parent=self))
        self.role_arn = self.role.arn
        self.role_name = self.role.name
        self.log_group = None
        if PIPELINE_ACCESS[args.pipeline].own_log_group:
            self.log_group = aws.cloudwatch.LogGroup(
                f"{name}-logs", name=f"/{args.role_name}", retention_in_days=args.log_retention_days,
                opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"role_arn": self.role_arn})

    def grant(self, stores: Mapping[str, BucketGrant],
              secrets: Mapping[str, pulumi.Input[str]] | None = None) -> aws.iam.RolePolicy:
        """Attach the inline policy of this pipeline's row of PIPELINE_ACCESS over `stores` (by store name) and
        `secrets` (logical secret name -> ARN, or ARN pattern ending `-??????`)."""
        access = PIPELINE_ACCESS[self._args.pipeline]
        secrets = secrets or {}
        missing = sorted(access.stores - set(stores)) + sorted(access.secrets - set(secrets))
        if missing:
            raise ValueError(f"PipelineRole {self._name}: grant needs {', '.join(missing)}")
        names = sorted(access.stores)
        secret_names = sorted(access.secrets)
        values: Sequence[pulumi.Input[str]] = [v for s in names for v in (stores[s].bucket_arn, stores[s].key_arn)]
        values = [*values, *(secrets[s] for s in secret_names)]
        log_arn: pulumi.Input[str] = self.log_group.arn if self.log_group is not None else ""

        def render(resolved: list[str]) -> str:
            grants = {s: (resolved[2 * i], resolved[2 * i + 1]) for i, s in enumerate(names)}
            offset = 2 * len(names)
            arns = {s: resolved[offset + i] for i, s in enumerate(secret_names)}
            return access_policy(access, grants, resolved[-1] or None, arns)

        return aws.iam.RolePolicy(
            f"{self._name}-access", role=self.role.id,
            policy=pulumi.Output.all(*values, log_arn).apply(render),
            opts=pulumi.ResourceOptions(parent=self))
