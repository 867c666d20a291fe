"""Developer sandboxes (ADR-001) in the dev plan: for any list of users, every user reads dev bronze/silver,
writes only their own catalog, no two share one; offboarding drops a catalog with its tables only on opt-in."""

from __future__ import annotations

import gc
import logging

import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st

from components.databricks.sandbox import sandbox_catalog_name, sandbox_principal
from preflight.harness import Plan, reveal
from tests.databricks.access import CATALOG, GRANT, GRANTS, SECURABLE_KINDS, can_read, plan_table, writable_catalogs
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
    # What the component registers is what `pulumi stack` shows of it: whose sandbox, and its catalog.
    sandbox = plan.one("platform:databricks:Sandbox", name="dev-databricks-alice-sandbox")
    assert reveal(sandbox.component_outputs) == {"user": "alice", "catalogName": "alice_sandbox"}
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


def test_every_problem_of_a_sandbox_is_named_in_one_message() -> None:
    from components.databricks.sandbox import SandboxArgs, validate_sandbox_args

    with pytest.raises(ValueError) as raised:
        validate_sandbox_args(SandboxArgs(user="Alice", principal="alice", storage=None,  # type: ignore[arg-type]
                                          workspace_id="1"))
    assert str(raised.value) == (
        "SandboxArgs: user must be lowercase letters, digits and underscores (at most 50), got 'Alice'; "
        "principal must be the user's email (their Databricks user name), got 'alice'")


def _principals(resource_inputs: dict[str, object]) -> set[str]:
    """The principals a Grant or Grants names, exactly (never a substring: `b@x` is not `hrtb@x`)."""
    rows = resource_inputs.get("grants") or [resource_inputs]
    return {str(row["principal"]) for row in rows if isinstance(row, dict) and "principal" in row}  # type: ignore[index]


def _securable(resource_inputs: dict[str, object]) -> str:
    """The name of the one securable a Grant or Grants governs."""
    return next(str(resource_inputs[kind]) for kind in SECURABLE_KINDS if kind in resource_inputs)


def _failed_with(plan: Plan, missing: str) -> set[str]:
    """URNs that fail when `missing` is not a workspace user: every grant resource naming them (Unity Catalog
    refuses a grant request with an unknown principal as a whole, PRINCIPAL_DOES_NOT_EXIST), and everything that
    waits for one of those (the engine does not create a resource whose dependency failed)."""
    failed = {r.urn for r in plan.registered if r.type in (GRANT, GRANTS) and missing in _principals(reveal(r.inputs))}
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
       which=st.integers(min_value=0, max_value=4))
@example(users=["b", "hrtb"], which=1)  # a user name that ends another one (found by hypothesis)
def test_a_sandbox_user_missing_from_the_workspace_fails_only_their_own_grants(users: list[str], which: int) -> None:
    # Issue 17: one user not yet provisioned by SCIM must not fail the pipeline principal's or anyone else's grants.
    missing = users[which % len(users)]
    plan = platform_plan("dev", tuple(users))
    failed = _failed_with(plan, principal(missing))
    assert failed and all(plan.by_urn(urn).type in (GRANT, GRANTS) for urn in failed)
    application_id = _application_id(plan)
    for securable, row in plan_table(plan).items():
        for who in row:
            if who == principal(missing):
                continue
            carriers = [r.urn for r in plan.registered if r.type in (GRANT, GRANTS)
                        and _securable(reveal(r.inputs)) == securable[1]
                        and who in {"ml-pipelines-dev" if p == application_id else p
                                    for p in _principals(reveal(r.inputs))}]
            assert carriers and not set(carriers) & failed, f"{who} on {securable} fails with {missing}"


def _application_id(plan: Plan) -> str:
    return str(plan.one("databricks:index/servicePrincipal:ServicePrincipal").outputs["applicationId"])


def _up_with_user_missing(monkeypatch: pytest.MonkeyPatch, users: tuple[str, ...], missing: str) -> Plan:
    """The dev layer's `up` against a workspace that does not know `missing`: the mocked provider refuses, as
    Unity Catalog does, every grant request naming them (PRINCIPAL_DOES_NOT_EXIST fails the request as a whole).
    Returns what the engine had created when the program failed (a resource created has an id)."""
    from preflight import computed
    from preflight.harness import ProgramError

    real_compute = computed.compute

    def compute(type_: str, name: str, inputs: dict[str, object], ctx: computed.Context) -> object:
        if type_ in (GRANT, GRANTS) and missing in _principals(inputs):
            raise RuntimeError(f"PRINCIPAL_DOES_NOT_EXIST: Could not find principal with name {missing}")
        return real_compute(type_, name, inputs, ctx)

    monkeypatch.setattr(computed, "compute", compute)
    with pytest.raises(ProgramError, match="PRINCIPAL_DOES_NOT_EXIST") as failure:
        platform_plan.__wrapped__("dev", users)  # not the cached plan: this one fails
    partial = failure.value.partial_plan
    assert partial is not None
    # The failed resource's output futures are never awaited by anyone: collected now, without asyncio's
    # "Future exception was never retrieved" noise in later tests' output.
    failure = None  # type: ignore[assignment]
    asyncio_logger = logging.getLogger("asyncio")
    level, asyncio_logger.level = asyncio_logger.level, logging.CRITICAL
    try:
        gc.collect()
    finally:
        asyncio_logger.setLevel(level)
    return partial


def _applied(plan: Plan) -> set[tuple[str, str, str]]:
    """(securable, principal, privilege) of every grant resource the engine created."""
    names = {reveal(sp.outputs).get("applicationId"): reveal(sp.inputs)["displayName"]
             for sp in plan.of_type("databricks:index/servicePrincipal:ServicePrincipal") if sp.id}
    applied: set[tuple[str, str, str]] = set()
    for resource in plan.registered:
        if resource.type not in (GRANT, GRANTS) or not resource.id:
            continue
        inputs = reveal(resource.inputs)
        securable = _securable(inputs)
        rows = inputs["grants"] if resource.type == GRANTS else [inputs]
        applied |= {(securable, names.get(row["principal"], row["principal"]), privilege)
                    for row in rows for privilege in row["privileges"]}
    return applied


def test_a_missing_user_fails_their_grants_and_the_mocked_engine_still_creates_everyone_elses(
        monkeypatch: pytest.MonkeyPatch) -> None:
    users = ("alice", "bob", "carol")
    expected = {(securable[1], who, privilege) for securable, row in plan_table(platform_plan("dev", users)).items()
                for who, privileges in row.items() for privilege in privileges}
    partial = _up_with_user_missing(monkeypatch, users, principal("bob"))
    applied = _applied(partial)
    assert not {grant for grant in applied if grant[1] == principal("bob")}
    assert applied == {grant for grant in expected if grant[1] != principal("bob")}
    assert ("dev", "ml-pipelines-dev", "ALL_PRIVILEGES") in applied


def test_with_one_grants_per_securable_the_missing_user_would_take_the_pipeline_principal_down(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The control: the same failure against the design the split replaced (one authoritative Grants on dev).
    import components.databricks.grants as grants_module

    monkeypatch.setattr(grants_module, "is_shared", lambda row, sandbox_principals: False)
    applied = _applied(_up_with_user_missing(monkeypatch, ("alice", "bob"), principal("bob")))
    assert ("dev", "ml-pipelines-dev", "ALL_PRIVILEGES") not in applied
    assert ("dev", principal("alice"), "USE_CATALOG") not in applied
