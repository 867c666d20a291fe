"""Reading access out of a plan: the plan's `databricks.Grants` as a table (principal x securable -> privileges),
ADR-001's table for a stack written out independently of the program, and effective access with inheritance."""

from __future__ import annotations

from collections.abc import Iterable

from preflight.harness import Plan, reveal
from tests.databricks.privileges import PRIVILEGES

GRANTS = "databricks:index/grants:Grants"
GRANT = "databricks:index/grant:Grant"
SERVICE_PRINCIPAL = "databricks:index/servicePrincipal:ServicePrincipal"
CATALOG = "databricks:index/catalog:Catalog"
SECURABLE_KINDS = tuple(PRIVILEGES)
"""Every `databricks.Grants` input that names a securable."""

Securable = tuple[str, str]
"""(kind, full name): ("catalog", "dev"), ("schema", "dev.bronze")."""
Table = dict[Securable, dict[str, frozenset[str]]]

ALL = frozenset({"ALL_PRIVILEGES"})


def plan_table(plan: Plan) -> Table:
    """The plan's grants, one row per securable; service principals by display name instead of application id.

    Reads both the authoritative `Grants` (all of a securable) and the per-principal `Grant` (one principal on
    one securable). Fails when two resources claim one securable's grants (two Grants, or a Grants and a Grant:
    the Grants would revoke what the Grant gives on every `pulumi up`) or one principal twice on a securable.
    """
    names = {reveal(sp.outputs).get("applicationId"): reveal(sp.inputs)["displayName"]
             for sp in plan.of_type(SERVICE_PRINCIPAL)}
    table: Table = {}
    governed_by: dict[Securable, str] = {}

    def securable_of(resource_name: str, inputs: dict[str, object]) -> Securable:
        kinds = [k for k in SECURABLE_KINDS if k in inputs]
        assert len(kinds) == 1, f"{resource_name} names {kinds}: a grant resource governs exactly one securable"
        return (kinds[0], str(inputs[kinds[0]]))

    for grants in plan.of_type(GRANTS):
        inputs = reveal(grants.inputs)
        securable = securable_of(grants.name, inputs)
        assert securable not in governed_by, f"{securable} has two Grants resources: grants would not be authoritative"
        governed_by[securable] = "Grants"
        row: dict[str, frozenset[str]] = {}
        for grant in inputs["grants"]:
            principal = names.get(grant["principal"], grant["principal"])
            assert principal not in row, f"{grants.name} lists {principal} twice"
            row[principal] = frozenset(grant["privileges"])
        table[securable] = row
    for grant in plan.of_type(GRANT):
        inputs = reveal(grant.inputs)
        securable = securable_of(grant.name, inputs)
        assert governed_by.setdefault(securable, "Grant") == "Grant", (
            f"{securable} has a Grants and a Grant: the Grants revokes what the Grant gives")
        principal = names.get(inputs["principal"], inputs["principal"])
        row = table.setdefault(securable, {})
        assert principal not in row, f"{securable}: {principal} has two Grant resources"
        row[principal] = frozenset(inputs["privileges"])
    return table


def adr_table(environment: str, sandbox_users: Iterable[str] = (), email_domain: str = "example.com") -> Table:
    """ADR-001 for one stack, written from its text:

    - Service Principal Isolation: `ml-pipelines-<env>` has full access to its environment's catalog (granted on
      the catalog and restated on each schema, so every managed securable has authoritative grants).
    - Sandbox Data Sharing: each sandbox reads `dev.bronze.*` and `dev.silver.*` (USE_CATALOG on dev, USE_SCHEMA +
      SELECT on those two schemas), writes `{username}_sandbox.gold.*`: USE_CATALOG on its catalog, and on `gold`
      what writing tables and volumes there takes (USE_SCHEMA, CREATE_TABLE, MODIFY, SELECT, READ_VOLUME,
      WRITE_VOLUME); nothing that creates schemas or manages grants, no ownership.
      The grantee is the workspace user `<username>@<email_domain>`; the catalog is named after `<username>`.
    - Nothing else: no grant on dev.gold for sandboxes, none on staging or prod but their own principal's.
    """
    sp = f"ml-pipelines-{environment}"
    table: Table = {("catalog", environment): {sp: ALL}}
    for schema in ("bronze", "silver", "gold"):
        table[("schema", f"{environment}.{schema}")] = {sp: ALL}
    for user in sandbox_users:
        email = f"{user}@{email_domain}"
        table[("catalog", environment)][email] = frozenset({"USE_CATALOG"})
        for schema in ("bronze", "silver"):
            table[("schema", f"{environment}.{schema}")][email] = frozenset({"USE_SCHEMA", "SELECT"})
        table[("catalog", f"{user}_sandbox")] = {email: frozenset({"USE_CATALOG"})}
        table[("schema", f"{user}_sandbox.gold")] = {email: frozenset({
            "USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME", "WRITE_VOLUME"})}
    return table


ADR_SCOPE = ("catalog", "schema")
"""What ADR-001's access table governs: data. The storage credential and external location are the deploying
principal's tools (tests/components/databricks/test_catalog_storage.py holds their grants)."""


def table_differences(actual: Table, expected: Table) -> list[str]:
    """Every cell of a catalog or schema where the plan grants more or less than ADR-001, one line each (empty:
    they agree)."""
    problems: list[str] = []
    for securable in sorted(s for s in set(actual) | set(expected) if s[0] in ADR_SCOPE):
        have, want = actual.get(securable, {}), expected.get(securable, {})
        for principal in sorted(set(have) | set(want)):
            extra = sorted(have.get(principal, frozenset()) - want.get(principal, frozenset()))
            missing = sorted(want.get(principal, frozenset()) - have.get(principal, frozenset()))
            if extra:
                problems.append(f"{securable[0]} {securable[1]}: {principal} has {extra} beyond ADR-001")
            if missing:
                problems.append(f"{securable[0]} {securable[1]}: {principal} lacks {missing} that ADR-001 gives")
    return problems


def effective(table: Table, principal: str, catalog: str, schema: str) -> frozenset[str]:
    """Privileges a principal holds on `catalog.schema` and what it contains (catalog grants are inherited)."""
    return (table.get(("catalog", catalog), {}).get(principal, frozenset())
            | table.get(("schema", f"{catalog}.{schema}"), {}).get(principal, frozenset()))


def can_read(table: Table, principal: str, catalog: str, schema: str) -> bool:
    """SELECT on tables of `catalog.schema`: needs USE_CATALOG, USE_SCHEMA and SELECT (or ALL_PRIVILEGES)."""
    on_catalog = table.get(("catalog", catalog), {}).get(principal, frozenset())
    held = effective(table, principal, catalog, schema)
    if "ALL_PRIVILEGES" in held and ("ALL_PRIVILEGES" in on_catalog or "USE_CATALOG" in on_catalog):
        return True
    return bool(on_catalog & {"USE_CATALOG", "ALL_PRIVILEGES"}) and {"USE_SCHEMA", "SELECT"} <= held


def writable_catalogs(table: Table, principal: str, write_privileges: frozenset[str]) -> set[str]:
    """Catalogs in which the principal holds any write privilege, on the catalog or on one of its schemas."""
    found: set[str] = set()
    for (kind, name), row in table.items():
        if row.get(principal, frozenset()) & write_privileges:
            found.add(name.split(".")[0] if kind == "schema" else name)
    return found
