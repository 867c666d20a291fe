"""DataStores puts the environment's stores and the roles that use them under one parent, in an order that works,
and gives each role exactly the stores the design gives it: what a role reads, what it writes (and under which
prefix), whose key it may use. The table is written here from the design, never taken from the module."""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.aws.data_stores import DataStoresArgs, validate_data_stores_args
from preflight.harness import Plan, reveal
from tests.components.iam_plan import as_list
from tests.support import STACKS, preflight_plan

# The README's AWS data row: buckets raw, processed, artifacts, enriched (each with its own KMS key) and logs.
KEYED_STORES = ("raw", "processed", "artifacts", "enriched")
LOG_STORE = "logs"
# Environment Strategy 3.4.2 (Prod), one role per pipeline/service, and the README's "Access per role" table for
# the platform services beside them: store -> key prefix ("" = the whole bucket) the role reads / writes.
#   Ingestion: "Write access to its S3 processed data bucket" (README: write raw under landing/ too).
#   Training: "Read access to processed data in S3 ... Write access to ... artifact stores".
#   Inference: "Read access to processed data ... Write access to the enriched data store" (README: reads the
#     models in artifacts, read only).
#   FastAPI Backend: "Read access to its enriched data store. No direct write access to core data pipelines,
#     only to its own logs".
#   mlflow: read and write artifacts under mlflow/ only; dbt and db-bootstrap: no bucket (secrets only).
ACCESS: dict[str, dict[str, dict[str, str]]] = {
    "ingestion": {"reads": {}, "writes": {"processed": "", "raw": "landing/"}},
    "training": {"reads": {"processed": ""}, "writes": {"artifacts": ""}},
    "inference": {"reads": {"processed": "", "artifacts": ""}, "writes": {"enriched": ""}},
    "backend": {"reads": {"enriched": ""}, "writes": {}},
    "mlflow": {"reads": {"artifacts": "mlflow/"}, "writes": {"artifacts": "mlflow/"}},
    "dbt": {"reads": {}, "writes": {}},
    "db-bootstrap": {"reads": {}, "writes": {}},
}
# Amazon S3 "Actions, resources, and condition keys": what reading, listing and writing objects take.
S3_READ, S3_LIST, S3_WRITE = {"s3:GetObject"}, {"s3:ListBucket"}, {"s3:PutObject", "s3:AbortMultipartUpload"}

ARGS = DataStoresArgs(environment="prod", name_prefix="ml-platform-prod", account_id="123456789012",
                      oidc_provider_arn="arn:aws:iam::123456789012:oidc-provider/x", oidc_issuer="x",
                      service_account_namespace="platform-prod",
                      unity_catalog_external_id="00000000-0000-0000-0000-000000000000",
                      secret_arns={name: f"arn:aws:secretsmanager:eu-west-1:123456789012:secret:{name}-AbCdEf"
                                   for name in ("database/master", "database/mlflow", "database/dagster",
                                                "databricks", "grafana/admin")})


@pytest.mark.parametrize("stack", STACKS)
def test_stores_and_roles_are_children_of_the_data_stores(stack: str) -> None:
    plan = preflight_plan(stack)
    data = plan.one("platform:storage:DataStores")
    children = {r.name for r in plan.children(data)}
    assert children == {f"{stack}-{s}" for s in (*KEYED_STORES, LOG_STORE, *ACCESS, "unity-catalog")}


def _buckets(plan: Plan, stack: str) -> dict[str, Any]:
    """Store name -> the store's bucket in the plan."""
    return {b.name.removeprefix(f"{stack}-").removesuffix("-bucket"): b for b in plan.of_type("aws:s3/bucket:Bucket")}


def _account(plan: Plan) -> str:
    return str(plan.one("aws:organizations/account:Account").id)


def _s3_access(plan: Plan, stack: str, role: str) -> dict[str, dict[str, str]]:
    """What the role's inline policy lets it do on the stores, as the ACCESS table spells it."""
    store_of = {reveal(b.outputs)["arn"]: store for store, b in _buckets(plan, stack).items()}
    policy = json.loads(reveal(plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-{role}-access").inputs)[
        "policy"])
    found: dict[str, dict[str, str]] = {"reads": {}, "writes": {}}
    listings: dict[str, Any] = {}
    for statement in policy["Statement"]:
        assert statement["Effect"] == "Allow" and "NotAction" not in statement and "NotResource" not in statement
        s3 = {a for a in as_list(statement["Action"]) if a.startswith("s3:")}
        if not s3:
            continue
        # One kind of access per statement, and nothing but these: no delete, no policy, ACL or tagging change.
        assert s3 in (S3_READ, S3_LIST, S3_WRITE), (role, s3)
        for resource in as_list(statement["Resource"]):
            bucket, _, key = resource.partition("/")
            store = store_of[bucket]  # only this stack's stores: a KeyError names anything else
            if s3 == S3_LIST:
                assert key == "", resource  # ListBucket acts on the bucket
                listings[store] = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
            else:
                found["writes" if s3 == S3_WRITE else "reads"][store] = key.removesuffix("*")
    # A role lists what it reads, and under a prefix only that prefix (the `s3:prefix` condition key).
    assert listings == {store: [prefix, f"{prefix}*"] if prefix else None
                        for store, prefix in found["reads"].items()}, role
    return found


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("role", sorted(ACCESS))
def test_each_role_reads_and_writes_exactly_the_stores_of_its_row(stack: str, role: str) -> None:
    """Environment Strategy 3.4.2 and the README's access table: a role given write where the design says read,
    another store, or a wider prefix fails here."""
    assert _s3_access(preflight_plan(stack), stack, role) == ACCESS[role]


@pytest.mark.parametrize("stack", STACKS)
def test_each_stores_key_is_usable_by_exactly_the_roles_that_use_the_store(stack: str) -> None:
    """A key policy is the only way to a KMS key unless it delegates to IAM (AWS KMS Developer Guide, "Key
    policies in AWS KMS"): each store's key names the roles of the table that read or write it, and the Unity
    Catalog role on the processed store (the README: the external location is on the processed bucket)."""
    plan = preflight_plan(stack)
    role_arn = {reveal(r.inputs)["name"].removeprefix(f"ml-platform-{stack}-"): reveal(r.outputs)["arn"]
                for r in plan.of_type("aws:iam/role:Role")}
    for store in KEYED_STORES:
        users = {role for role, row in ACCESS.items() if store in row["reads"] or store in row["writes"]}
        users |= {"unity-catalog"} if store == "processed" else set()
        key = plan.one("aws:kms/key:Key", name=f"{stack}-{store}-key")
        statements = json.loads(reveal(key.inputs)["policy"])["Statement"]
        named = [s for s in statements if s["Principal"] != {"AWS": f"arn:aws:iam::{_account(plan)}:root"}]
        assert sorted(p for s in named for p in as_list(s["Principal"]["AWS"])) == sorted(
            role_arn[role] for role in users), store


@pytest.mark.parametrize("stack", STACKS)
def test_each_role_policy_waits_for_the_buckets_it_names(stack: str) -> None:
    """A role's policy names its buckets' ARNs, which exist only once the buckets do: it depends on the buckets of
    its row, and a role without a store on none."""
    plan = preflight_plan(stack)
    buckets = _buckets(plan, stack)
    for role, row in ACCESS.items():
        policy = plan.one("aws:iam/rolePolicy:RolePolicy", name=f"{stack}-{role}-access")
        waits = {store for store, b in buckets.items() if b.urn in policy.options["dependsOn"]}
        assert waits == {*row["reads"], *row["writes"]}, role


def test_bad_args_are_refused_together() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match=r"environment must .*; backup_retention_days .*; secret_arns must name "
                                         r"\['databricks'\]; force_destroy conflicts"):
        validate_data_stores_args(replace(ARGS, environment="Prod", backup_retention_days=-1, force_destroy=True,
                                          secret_arns={k: v for k, v in ARGS.secret_arns.items() if k != "databricks"}))
    validate_data_stores_args(ARGS)


# Design Appendix (and the README's AWS data row): noncurrent versions kept none / 7 / 30 days.
NONCURRENT_DAYS = {"dev": 0, "staging": 7, "prod": 30}


@pytest.mark.parametrize("stack", STACKS)
def test_stores_keep_versions_exactly_where_the_environment_keeps_backups(stack: str) -> None:
    """S3 keeps every noncurrent version of a versioned bucket until a lifecycle rule expires it (Amazon S3 User
    Guide, "Retaining multiple versions of objects with S3 Versioning"; NoncurrentVersionExpiration): where the
    environment keeps no backups (dev) no store is versioned, or its old versions would pile up unexpired;
    elsewhere every store, the logs included, is versioned and its noncurrent versions expire after the retention."""
    plan = preflight_plan(stack)
    stores = plan.descendants(plan.one("platform:storage:DataStores"))
    buckets = {b.id: name for name, b in _buckets(plan, stack).items()}
    versioned = {buckets[reveal(v.inputs)["bucket"]]: reveal(v.inputs)["versioningConfiguration"]
                 for v in stores if v.type == "aws:s3/bucketVersioning:BucketVersioning"}
    expiring = {buckets[reveal(c.inputs)["bucket"]]: [r["noncurrentVersionExpiration"]["noncurrentDays"]
                                                     for r in reveal(c.inputs)["rules"]
                                                     if "noncurrentVersionExpiration" in r]
                for c in stores if c.type == "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration"}
    assert set(buckets.values()) == {*KEYED_STORES, LOG_STORE}
    if NONCURRENT_DAYS[stack] == 0:
        assert versioned == {}
        assert expiring == {store: [] for store in (*KEYED_STORES, LOG_STORE)}
    else:
        assert versioned == {store: {"status": "Enabled"} for store in (*KEYED_STORES, LOG_STORE)}
        assert expiring == {store: [NONCURRENT_DAYS[stack]] for store in (*KEYED_STORES, LOG_STORE)}
