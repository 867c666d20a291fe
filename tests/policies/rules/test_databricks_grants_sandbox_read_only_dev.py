"""databricks-grants-sandbox-read-only-dev: sandbox users (owners of `<user>_sandbox`) only read dev."""

from __future__ import annotations

from policies.rules._support import UNKNOWN, StackView, Verdict
from policies.rules.databricks_grants_sandbox_read_only_dev import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource


def test_flags_modify_on_dev_silver(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-dev-silver-sandbox-bad"}
    assert "MODIFY" in hits["grants-dev-silver-sandbox-bad"][0]


CATALOG = "databricks:index/catalog:Catalog"
GRANTS = "databricks:index/grants:Grants"


def _judge(catalogs: list[str], principal: str, privileges: list[str]) -> Verdict:
    """The rule on `catalogs` and one Grants on the dev catalog giving `principal` `privileges`."""
    grants = resource(GRANTS, {"catalog": "dev", "grants": [{"principal": principal, "privileges": privileges}]},
                      name="dev-grants")
    return check(StackView({CATALOG: [resource(CATALOG, {"name": c}, name=c) for c in catalogs],
                            GRANTS: [grants]}), {})


def test_a_sandbox_user_is_the_catalog_name_of_their_email() -> None:
    """A sandbox catalog is `<user>_sandbox`, `<user>` the email's local part with `.` and `-` as `_`, lower case
    (README, onboarding a user): jane.doe-smith@example.com owns jane_doe_smith_sandbox and may not write dev."""
    verdict = _judge(["dev", "jane_doe_smith_sandbox"], "Jane.Doe-Smith@example.com", ["SELECT", "MODIFY"])
    assert verdict.messages == [
        "dev-grants gives sandbox user Jane.Doe-Smith@example.com MODIFY in the dev catalog; sandbox users read dev "
        "(USE_CATALOG, USE_SCHEMA, SELECT) and write only their own <user>_sandbox catalog."]
    assert _judge(["dev", "jane_doe_smith_sandbox"], "Jane.Doe-Smith@example.com", ["SELECT"]).messages == []


def test_without_sandbox_catalogs_no_principal_is_a_sandbox_user() -> None:
    """Only catalogs named `<user>_sandbox` make users: a catalog of another name makes no one a sandbox user, not
    even the principal its name would give less the suffix's length (`marketing_data` less 8 is `market`)."""
    assert _judge(["dev", "marketing_data"], "market", ["MODIFY"]).messages == []
    assert _judge(["dev", "market_sandbox"], "market", ["MODIFY"]).messages != []


def test_every_grants_resource_and_entry_is_judged_whatever_comes_before() -> None:
    """A Grants whose securable is not known yet, one on another catalog, an entry that only reads: none of them
    stops the rule from judging the next one."""
    before = [resource(GRANTS, {"catalog": UNKNOWN, "grants": []}, name="computed-grants"),
              resource(GRANTS, {"catalog": "prod", "grants": [{"principal": "alice@example.com",
                                                                "privileges": ["MODIFY"]}]}, name="prod-grants")]
    dev = resource(GRANTS, {"catalog": "dev", "grants": [
        {"principal": "alice@example.com", "privileges": ["SELECT"]},
        {"principal": "alice@example.com", "privileges": ["MODIFY"]}]}, name="dev-grants")
    verdict = check(StackView({CATALOG: [resource(CATALOG, {"name": "alice_sandbox"}, name="alice_sandbox")],
                               GRANTS: [*before, dev]}), {})
    assert (verdict.messages, verdict.unknown) == ([
        "dev-grants gives sandbox user alice@example.com MODIFY in the dev catalog; sandbox users read dev "
        "(USE_CATALOG, USE_SCHEMA, SELECT) and write only their own <user>_sandbox catalog."],
        ["computed-grants.securable"])
