"""Unity Catalog access, read back from each stack's plan as a table (principal x securable -> privileges) and
compared with ADR-001's table written out independently (tests/databricks/access.py), cell by cell.

The privileges are written here from the design documents, never imported from grants.py (a list compared with
itself cannot be wrong): ADR-001 "Service Principal Isolation" and "Sandbox Data Sharing" ("Sandbox reads from
dev.bronze.* and dev.silver.* (no data copy); Sandbox writes to {username}_sandbox.gold.* (isolated); implemented
via Unity Catalog permissions"), and the README's "Add a developer sandbox" and Databricks rows, which spell them
out: ALL_PRIVILEGES for `ml-pipelines-<env>` on its own catalog only; for a sandbox user USE_CATALOG on
`<user>_sandbox` and USE_SCHEMA, CREATE_TABLE, MODIFY, SELECT, READ_VOLUME, WRITE_VOLUME on its `gold` ("no
CREATE_SCHEMA, no ALL_PRIVILEGES, no MANAGE"), and read-only dev.bronze and dev.silver (USE_CATALOG on `dev`,
USE_SCHEMA + SELECT). What each privilege allows: Databricks' "Unity Catalog privileges reference"
(MODIFY adds, updates and deletes table data; CREATE_TABLE creates tables; WRITE_VOLUME writes volume files).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from components.databricks.grants import (
    ManagedCatalog,
    Securable,
    UnityCatalogGrantsArgs,
    access_table,
    validate_unity_catalog_grants_args,
)
from preflight.harness import RecordedResource
from tests.databricks.access import ADR_SCOPE, CATALOG, GRANT, GRANTS, adr_table, plan_table, table_differences
from tests.databricks.privileges import PRIVILEGES, unknown_privileges
from tests.databricks.snippets import platform_plan, stack_cfg, stack_plan
from tests.support import STACKS, run_snippet


def shipped_users(stack: str) -> tuple[str, ...]:
    return stack_cfg(stack).sandbox_users


def onboarded(users: tuple[str, ...], count: int) -> tuple[str, ...]:
    """`users` plus `count` user names none of them holds (whatever the stack file ships)."""
    extra = [f"onboarded_{i}" for i in range(len(users) + count) if f"onboarded_{i}" not in users][:count]
    return (*users, *extra)


@pytest.mark.parametrize("added", [0, 1, 3])
def test_the_access_table_is_adr_001s_for_any_list_of_sandbox_users(added: int) -> None:
    """The shipped stack's table (below) is only as strong as the list it runs over: the layer is held to
    ADR-001 for none, the shipped users, and users added to them as the README's onboarding does."""
    for users in {(), shipped_users("dev"), onboarded(shipped_users("dev"), added)}:
        assert table_differences(plan_table(platform_plan("dev", users)), adr_table("dev", users)) == [], users


@pytest.mark.parametrize("stack", STACKS)
def test_the_plans_access_table_is_adr_001s(stack: str) -> None:
    differences = table_differences(plan_table(stack_plan(stack)), adr_table(stack, shipped_users(stack)))
    assert differences == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_granted_privilege_is_one_unity_catalog_defines_for_its_securable(stack: str) -> None:
    unknown = {f"{kind} {name}: {principal}": bad
               for (kind, name), row in plan_table(stack_plan(stack)).items()
               for principal, privileges in row.items() if (bad := unknown_privileges(kind, privileges))}
    assert unknown == {}


@pytest.mark.parametrize("stack", STACKS)
def test_every_managed_securable_has_one_grants_or_one_grant_per_principal_where_sandboxes_share_it(
        stack: str) -> None:
    """`databricks.Grants` is authoritative for all principals of a securable, `databricks.Grant` for one
    principal (pulumi_databricks 1.118.0 grant.py: "authoritative for grants on securables for a given singular
    principal"); both on one securable fight (plan_table refuses that). Grant is used exactly where a sandbox
    user shares a securable with another principal, so an unknown user fails only their own resources."""
    plan = stack_plan(stack)
    managed = {("catalog", c.inputs["name"]) for c in plan.of_type(CATALOG)}
    managed |= {("schema", f"{s.inputs['catalogName']}.{s.inputs['name']}")
                for s in plan.of_type("databricks:index/schema:Schema")}
    table = plan_table(plan)
    assert {s for s in table if s[0] in ("catalog", "schema")} == managed
    users = {f"{u}@example.com" for u in shipped_users(stack)}
    per_principal = {next((k, v) for k, v in g.inputs.items() if k in PRIVILEGES) for g in plan.of_type(GRANT)}
    assert per_principal == {s for s, row in table.items() if len(row) > 1 and set(row) & users}
    assert bool(per_principal) == bool(users)  # dev shares dev, dev.bronze, dev.silver; staging and prod nothing


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_outside_dev_only_the_environments_principal_holds_anything(stack: str) -> None:
    principals = {p for (kind, _), row in plan_table(stack_plan(stack)).items() if kind in ADR_SCOPE for p in row}
    assert principals == {f"ml-pipelines-{stack}"}


def test_grants_name_the_service_principal_by_application_id_and_users_by_email() -> None:
    plan = stack_plan("dev")
    application_id = plan.one("databricks:index/servicePrincipal:ServicePrincipal").outputs["applicationId"]
    on_dev = [g.inputs["principal"] for g in plan.of_type(GRANT) if g.inputs.get("catalog") == "dev"]
    assert sorted(on_dev) == sorted([application_id, *(f"{u}@example.com" for u in shipped_users("dev"))])


def test_the_comparison_reports_a_widened_grant() -> None:
    # What a widened grant looks like to the access-table test: proven on a copy of the real plan's table.
    users = onboarded((), 2)
    table = plan_table(platform_plan("dev", users))
    first, second = (f"{u}@example.com" for u in users)
    table[("schema", "dev.bronze")][first] |= {"MODIFY"}
    table[("schema", "dev.gold")][second] = frozenset({"SELECT"})
    table[("schema", f"{users[1]}_sandbox.gold")][second] |= {"CREATE_SCHEMA"}
    assert table_differences(table, adr_table("dev", users)) == [
        f"schema dev.bronze: {first} has ['MODIFY'] beyond ADR-001",
        f"schema dev.gold: {second} has ['SELECT'] beyond ADR-001",
        f"schema {users[1]}_sandbox.gold: {second} has ['CREATE_SCHEMA'] beyond ADR-001",
    ]


def test_a_misspelt_or_misplaced_privilege_is_unknown() -> None:
    assert unknown_privileges("schema", ["USE SCHEMA", "USE_SCHEMA", "SELECT"]) == ["USE SCHEMA"]
    assert unknown_privileges("schema", ["USE_CATALOG", "CREATE_SCHEMA"]) == ["CREATE_SCHEMA", "USE_CATALOG"]
    assert unknown_privileges("catalog", ["READ_FILES"]) == ["READ_FILES"]


# ADR-001 / README, literally (see the module docstring).
PIPELINE_FULL_ACCESS = frozenset({"ALL_PRIVILEGES"})
SANDBOX_READS_ENVIRONMENT_CATALOG = frozenset({"USE_CATALOG"})
SANDBOX_READS_SCHEMA = frozenset({"USE_SCHEMA", "SELECT"})
SANDBOX_OPENS_OWN_CATALOG = frozenset({"USE_CATALOG"})
SANDBOX_WRITES_OWN_GOLD = frozenset({"USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME", "WRITE_VOLUME"})
# Unity Catalog privileges reference: what changes data or structure, or hands out control. None of these may be
# in a read grant; a sandbox may hold only the table/volume writes, and only on its own gold schema.
WRITES_DATA = frozenset({"MODIFY", "CREATE_TABLE", "CREATE_VOLUME", "WRITE_VOLUME", "CREATE_FUNCTION",
                         "CREATE_MODEL", "CREATE_MATERIALIZED_VIEW", "REFRESH", "WRITE_FILES"})
CONTROLS = frozenset({"ALL_PRIVILEGES", "MANAGE", "CREATE_SCHEMA", "APPLY_TAG"})


def _dev_table(*users: str) -> dict[Securable, dict[str, frozenset[str]]]:
    return access_table(ManagedCatalog("dev", ("bronze", "silver", "gold"), "ml-pipelines-dev"),
                        [ManagedCatalog(f"{u}_sandbox", ("gold",), f"{u}@example.com") for u in users])


def test_the_access_table_is_adr_001s_cell_by_cell_written_out() -> None:
    """Two sandboxes against ADR-001's table, every cell literal: a privilege added to or dropped from any rule
    (a read set that gains MODIFY, a sandbox that gains CREATE_SCHEMA) changes a cell and fails here."""
    a, b = "a@example.com", "b@example.com"
    assert _dev_table("a", "b") == {
        Securable("catalog", "dev"): {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"}),
                                      a: frozenset({"USE_CATALOG"}), b: frozenset({"USE_CATALOG"})},
        Securable("schema", "dev.bronze"): {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"}),
                                            a: frozenset({"USE_SCHEMA", "SELECT"}),
                                            b: frozenset({"USE_SCHEMA", "SELECT"})},
        Securable("schema", "dev.silver"): {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"}),
                                            a: frozenset({"USE_SCHEMA", "SELECT"}),
                                            b: frozenset({"USE_SCHEMA", "SELECT"})},
        Securable("schema", "dev.gold"): {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"})},
        Securable("catalog", "a_sandbox"): {a: frozenset({"USE_CATALOG"})},
        Securable("schema", "a_sandbox.gold"): {a: frozenset({
            "USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME", "WRITE_VOLUME"})},
        Securable("catalog", "b_sandbox"): {b: frozenset({"USE_CATALOG"})},
        Securable("schema", "b_sandbox.gold"): {b: frozenset({
            "USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME", "WRITE_VOLUME"})},
    }


def test_without_sandboxes_the_pipeline_principal_alone_has_full_access_to_its_catalog() -> None:
    """ADR-001 Service Principal Isolation: `ml-pipelines-<env>` has full access to its own catalog, and nobody
    else holds anything on it (staging and prod have no sandboxes)."""
    for env in ("staging", "prod"):
        table = access_table(ManagedCatalog(env, ("bronze", "silver", "gold"), f"ml-pipelines-{env}"))
        assert table == {Securable("catalog", env): {f"ml-pipelines-{env}": PIPELINE_FULL_ACCESS},
                         **{Securable("schema", f"{env}.{s}"): {f"ml-pipelines-{env}": PIPELINE_FULL_ACCESS}
                            for s in ("bronze", "silver", "gold")}}


def test_a_sandbox_only_reads_dev_bronze_and_silver_and_nothing_in_dev_can_be_written_by_it() -> None:
    """ADR-001: the sandbox *reads* dev.bronze.* and dev.silver.*, and nothing of dev.gold; a read grant that
    gains MODIFY or CREATE_TABLE (or becomes the sandbox's write set) lets a developer change dev's data."""
    table = _dev_table("a")
    user = "a@example.com"
    assert table[Securable("catalog", "dev")][user] == SANDBOX_READS_ENVIRONMENT_CATALOG
    for schema in ("dev.bronze", "dev.silver"):
        assert table[Securable("schema", schema)][user] == SANDBOX_READS_SCHEMA, schema
    assert user not in table[Securable("schema", "dev.gold")]
    on_dev = {privilege for securable, row in table.items() if securable.full_name.split(".")[0] == "dev"
              for privilege in row.get(user, frozenset())}
    assert on_dev & (WRITES_DATA | CONTROLS) == set()


def test_a_sandbox_writes_its_own_gold_and_controls_nothing() -> None:
    """ADR-001 "writes to {username}_sandbox.gold.* (isolated)"; README: no CREATE_SCHEMA, no ALL_PRIVILEGES, no
    MANAGE (the platform owns the catalog)."""
    table = _dev_table("a")
    user = "a@example.com"
    assert table[Securable("catalog", "a_sandbox")] == {user: SANDBOX_OPENS_OWN_CATALOG}
    assert table[Securable("schema", "a_sandbox.gold")] == {user: SANDBOX_WRITES_OWN_GOLD}
    assert {p for row in table.values() for p in row.get(user, frozenset())} & CONTROLS == set()


def test_the_written_out_sets_are_unity_catalog_privileges() -> None:
    # The literals above must be spelt as the provider spells them, or the tests compare nonsense.
    assert unknown_privileges("catalog", PIPELINE_FULL_ACCESS | SANDBOX_READS_ENVIRONMENT_CATALOG
                              | SANDBOX_OPENS_OWN_CATALOG | CONTROLS) == []
    assert unknown_privileges("schema", PIPELINE_FULL_ACCESS | SANDBOX_READS_SCHEMA | SANDBOX_WRITES_OWN_GOLD) == []


@pytest.mark.parametrize("stack", STACKS)
def test_in_the_plan_the_pipeline_principal_holds_exactly_all_privileges_on_its_catalog_and_schemas(
        stack: str) -> None:
    """README's Databricks row: `ml-pipelines-<env>` has ALL_PRIVILEGES on its own catalog only."""
    table = plan_table(stack_plan(stack))
    held = {securable: row[f"ml-pipelines-{stack}"] for securable, row in table.items()
            if f"ml-pipelines-{stack}" in row}
    assert held == {("catalog", stack): frozenset({"ALL_PRIVILEGES"}),
                    **{("schema", f"{stack}.{s}"): frozenset({"ALL_PRIVILEGES"}) for s in ("bronze", "silver", "gold")}}


def test_in_the_dev_plan_a_sandbox_user_holds_exactly_the_readme_privileges() -> None:
    table = plan_table(platform_plan("dev", ("alice",)))
    held = {securable: row["alice@example.com"] for securable, row in table.items() if "alice@example.com" in row}
    assert held == {
        ("catalog", "dev"): frozenset({"USE_CATALOG"}),
        ("schema", "dev.bronze"): frozenset({"USE_SCHEMA", "SELECT"}),
        ("schema", "dev.silver"): frozenset({"USE_SCHEMA", "SELECT"}),
        ("catalog", "alice_sandbox"): frozenset({"USE_CATALOG"}),
        ("schema", "alice_sandbox.gold"): frozenset({"USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME",
                                                     "WRITE_VOLUME"}),
    }


DEV = Securable("catalog", "dev")
BRONZE = Securable("schema", "dev.bronze")


@pytest.mark.parametrize(("args", "message"), [
    (UnityCatalogGrantsArgs(table={DEV: {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"})}}, securable_names={}),
     "UnityCatalogGrantsArgs: catalog 'dev' has grants but no resource"),
    (UnityCatalogGrantsArgs(table={BRONZE: {}}, securable_names={BRONZE: "dev.bronze"}),
     "UnityCatalogGrantsArgs: schema 'dev.bronze' has an empty row (Grants needs a grant)"),
    (UnityCatalogGrantsArgs(table={DEV: {"alice@example.com": frozenset()}}, securable_names={DEV: "dev"}),
     "UnityCatalogGrantsArgs: catalog 'dev': 'alice@example.com' has no privileges"),
    (UnityCatalogGrantsArgs(
        table={DEV: {"g@example.com": frozenset({"USE_CATALOG"}), "G@example.com": frozenset({"USE_CATALOG"})}},
        securable_names={DEV: "dev"}, sandbox_principals=frozenset({"g@example.com"})),
     "UnityCatalogGrantsArgs: catalog 'dev': principals ['G@example.com', 'g@example.com'] would share the "
     "resource name suffix 'g-at-example-com'"),
    (UnityCatalogGrantsArgs(table={BRONZE: {}, DEV: {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"})}},
                            securable_names={BRONZE: "dev.bronze"}),
     "UnityCatalogGrantsArgs: catalog 'dev' has grants but no resource; "
     "schema 'dev.bronze' has an empty row (Grants needs a grant)"),
])
def test_each_bad_grants_arg_is_refused_with_its_whole_message(args: UnityCatalogGrantsArgs, message: str) -> None:
    with pytest.raises(ValueError) as info:
        validate_unity_catalog_grants_args(args)
    assert str(info.value) == message
    validate_unity_catalog_grants_args(UnityCatalogGrantsArgs(
        table={DEV: {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"}), "g@example.com": frozenset({"USE_CATALOG"})}},
        securable_names={DEV: "dev"}, sandbox_principals=frozenset({"g@example.com"})))


def test_a_row_splits_into_grants_exactly_when_a_sandbox_user_shares_it_with_another_principal(tmp_path: Path) -> None:
    """The module's rule: a row of platform principals only is one authoritative `databricks.Grants`; a row a
    sandbox user shares with any other principal (the platform's, or another sandbox user's) is one
    `databricks.Grant` per principal, since Unity Catalog refuses a whole grant request naming a principal it does
    not know (`PRINCIPAL_DOES_NOT_EXIST`) and one user not yet provisioned would block the others."""
    plan = run_snippet(tmp_path, """
        from components.databricks.grants import Securable, UnityCatalogGrants, UnityCatalogGrantsArgs

        platform_only, sandboxes_only = Securable("catalog", "dev"), Securable("schema", "dev.bronze")
        UnityCatalogGrants("dev-grants", UnityCatalogGrantsArgs(
            table={platform_only: {"ml-pipelines-dev": frozenset({"ALL_PRIVILEGES"}),
                                   "data-engineers": frozenset({"USE_CATALOG"})},
                   sandboxes_only: {"alice@example.com": frozenset({"USE_SCHEMA"}),
                                    "bob@example.com": frozenset({"USE_SCHEMA"})}},
            securable_names={platform_only: "dev", sandboxes_only: "dev.bronze"},
            sandbox_principals=frozenset({"alice@example.com", "bob@example.com"})))
    """, stack="dev")
    def on(grant: RecordedResource) -> str:
        return grant.inputs.get("catalog") or grant.inputs["schema"]

    assert [(on(g), sorted(e["principal"] for e in g.inputs["grants"])) for g in plan.of_type(GRANTS)] == [
        ("dev", ["data-engineers", "ml-pipelines-dev"])]
    assert sorted((on(g), g.inputs["principal"]) for g in plan.of_type(GRANT)) == [
        ("dev.bronze", "alice@example.com"), ("dev.bronze", "bob@example.com")]
