"""Developer sandboxes (ADR-001) in the dev plan: for any list of users, every user reads dev bronze/silver,
writes only their own catalog, no two share one; offboarding drops a catalog with its tables only on opt-in."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from components.databricks.sandbox import sandbox_catalog_name, sandbox_principal
from preflight.harness import Plan, reveal
from tests.databricks.access import CATALOG, GRANT, can_read, plan_table, writable_catalogs
from tests.databricks.privileges import WRITE_PRIVILEGES
from tests.databricks.snippets import WORKSPACE_IDS, platform_plan, principal

SCHEMA = "databricks:index/schema:Schema"
user_lists = st.lists(st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"), min_size=1, max_size=5, unique=True)


# Each example runs the layer under mocks (0.1-0.3 s). Shrinking would rerun it hundreds of times; the lists are
# short enough to read unshrunk, so a failure is reported as generated.
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(users=user_lists)
def test_every_sandbox_reads_dev_and_writes_only_its_own_catalog(users: list[str]) -> None:
    plan = platform_plan("dev", tuple(users))
    table = plan_table(plan)
    catalogs = sorted(c.inputs["name"] for c in plan.of_type(CATALOG))
    assert catalogs == sorted(["dev", *(sandbox_catalog_name(u) for u in users)])
    owners: dict[str, str] = {}
    for user in users:
        who = principal(user)
        assert can_read(table, who, "dev", "bronze") and can_read(table, who, "dev", "silver"), user
        assert not can_read(table, who, "dev", "gold"), f"{user} reads dev.gold"
        written = writable_catalogs(table, who, WRITE_PRIVILEGES)
        assert written == {sandbox_catalog_name(user)}, f"{user} writes {sorted(written)}"
        for catalog in written:
            assert catalog not in owners, f"{user} and {owners[catalog]} share {catalog}"
            owners[catalog] = user
    assert writable_catalogs(table, "ml-pipelines-dev", WRITE_PRIVILEGES) == {"dev"}


def test_a_sandbox_is_catalog_user_sandbox_with_schema_gold_bound_to_the_dev_workspace() -> None:
    plan = platform_plan("dev", ("alice",))
    catalog = plan.one(CATALOG, name="dev-databricks-alice-sandbox")
    assert catalog.inputs["name"] == "alice_sandbox" and catalog.inputs["isolationMode"] == "ISOLATED"
    assert catalog.inputs["storageRoot"].endswith("/unity-catalog/sandboxes/alice_sandbox")
    assert [s.inputs["name"] for s in plan.of_type(SCHEMA) if s.inputs["catalogName"] == "alice_sandbox"] == ["gold"]
    bindings = [b.inputs for b in plan.of_type("databricks:index/workspaceBinding:WorkspaceBinding")
                if b.inputs["securableName"] == "alice_sandbox"]
    assert bindings == [{"securableType": "catalog", "securableName": "alice_sandbox",
                         "workspaceId": WORKSPACE_IDS["dev"], "bindingType": "BINDING_TYPE_READ_WRITE"}]


def test_only_users_listed_for_force_destroy_lose_their_tables_with_the_catalog() -> None:
    plan = platform_plan("dev", ("alice", "bob"), force_destroy=("bob",))
    forced = {r.inputs.get("catalogName", r.inputs["name"]): r.inputs["forceDestroy"]
              for r in [*plan.of_type(CATALOG), *plan.of_type(SCHEMA)] if "sandbox" in r.name}
    assert forced == {"alice_sandbox": False, "bob_sandbox": True}
    schemas = {r.inputs["catalogName"]: r.inputs["forceDestroy"] for r in plan.of_type(SCHEMA)}
    assert schemas["dev"] is False and schemas["bob_sandbox"] is True


def test_removing_a_user_removes_exactly_their_sandbox() -> None:
    before = {r.urn for r in platform_plan("dev", ("alice", "bob", "carol")).registered}
    after = {r.urn for r in platform_plan("dev", ("alice", "carol")).registered}
    removed = before - after
    assert removed and all("bob" in urn for urn in removed)
    assert after < before  # nobody else's resources change identity


def test_a_sandbox_user_is_granted_as_their_email() -> None:
    assert sandbox_principal("alice", "example.com") == "alice@example.com"


@pytest.mark.parametrize("bad", ["Alice", "alice-x", "1alice", "alice\n"])
def test_a_user_name_that_is_no_catalog_name_is_refused_by_the_component(bad: str) -> None:
    from components.databricks.sandbox import SandboxArgs, validate_sandbox_args

    with pytest.raises(ValueError, match="user must be lowercase"):
        validate_sandbox_args(SandboxArgs(user=bad, principal="a@example.com", storage=None,  # type: ignore[arg-type]
                                          workspace_id="1"))


def _failed_with(plan: Plan, missing: str) -> set[str]:
    """URNs that fail when `missing` is not a workspace user: every resource naming them (Unity Catalog refuses a
    grant request with an unknown principal as a whole, PRINCIPAL_DOES_NOT_EXIST), and everything that waits for
    one of those (the engine does not create a resource whose dependency failed)."""
    failed = {r.urn for r in plan.registered if missing in json.dumps(reveal(r.inputs))}
    grew = True
    while grew:
        grew = False
        for resource in plan.registered:
            if resource.urn not in failed and failed & set(resource.options["dependsOn"]):
                failed.add(resource.urn)
                grew = True
    return failed


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow],
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(users=st.lists(st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z"), min_size=2, max_size=5, unique=True),
       data=st.data())
def test_a_sandbox_user_missing_from_the_workspace_fails_only_their_own_grants(users: list[str],
                                                                               data: st.DataObject) -> None:
    # Issue 17: one user not yet provisioned by SCIM must not fail the pipeline principal's or anyone else's grants.
    missing = data.draw(st.sampled_from(users))
    plan = platform_plan("dev", tuple(users))
    failed = _failed_with(plan, principal(missing))
    grant_types = {GRANT, "databricks:index/grants:Grants"}
    assert failed and all(plan.by_urn(urn).type in grant_types for urn in failed)
    still_applied = plan_table(plan)
    for securable, row in still_applied.items():
        for who in row:
            if who == principal(missing):
                continue
            # Whole names only: user `r` is not `unmw5d53r`, catalog `r_sandbox` is not `unmw5d53r_sandbox`.
            carriers = [r.urn for r in plan.registered if r.type in grant_types
                        and _names(who, json.dumps(reveal(r.inputs)).replace(_application_id(plan), "ml-pipelines-dev"))
                        and _names(securable[1], json.dumps(reveal(r.inputs)))]
            assert carriers and not set(carriers) & failed, f"{who} on {securable} fails with {missing}"


def _names(name: str, text: str) -> bool:
    """`name` occurs in `text` as a whole name (not inside a longer user, catalog or schema name)."""
    return re.search(rf"(?<![A-Za-z0-9_@.-]){re.escape(name)}(?![A-Za-z0-9_@-])", text) is not None


def _application_id(plan: Plan) -> str:
    return str(plan.one("databricks:index/servicePrincipal:ServicePrincipal").outputs["applicationId"])
