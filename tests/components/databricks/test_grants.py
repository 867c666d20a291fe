"""Unity Catalog access, read back from each stack's plan as a table (principal x securable -> privileges) and
compared with ADR-001's table written out independently (tests/databricks/access.py), cell by cell."""

from __future__ import annotations

import pytest

from components.databricks.grants import (
    FULL_ACCESS,
    READ_CATALOG,
    READ_SCHEMA,
    SANDBOX_CATALOG,
    SANDBOX_WRITE_SCHEMA,
    ManagedCatalog,
    Securable,
    access_table,
)
from tests.databricks.access import ADR_SCOPE, CATALOG, GRANT, adr_table, plan_table, table_differences
from tests.databricks.privileges import PRIVILEGES, unknown_privileges
from tests.databricks.snippets import platform_plan, stack_cfg, stack_plan
from tests.support import STACKS


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


def test_the_rule_constants_are_unity_catalog_privileges() -> None:
    assert unknown_privileges("catalog", FULL_ACCESS | READ_CATALOG | SANDBOX_CATALOG) == []
    assert unknown_privileges("schema", FULL_ACCESS | READ_SCHEMA | SANDBOX_WRITE_SCHEMA) == []


def test_rules_merge_into_one_row_per_securable() -> None:
    a, b = "a@example.com", "b@example.com"
    table = access_table(ManagedCatalog("dev", ("bronze", "silver", "gold"), "sp"),
                         [ManagedCatalog("a_sandbox", ("gold",), a), ManagedCatalog("b_sandbox", ("gold",), b)])
    assert table[Securable("catalog", "dev")] == {"sp": FULL_ACCESS, a: READ_CATALOG, b: READ_CATALOG}
    assert table[Securable("schema", "dev.gold")] == {"sp": FULL_ACCESS}
    assert table[Securable("schema", "b_sandbox.gold")] == {b: SANDBOX_WRITE_SCHEMA}
    assert table[Securable("catalog", "b_sandbox")] == {b: SANDBOX_CATALOG}
