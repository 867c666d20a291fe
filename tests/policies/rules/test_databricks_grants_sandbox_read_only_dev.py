"""databricks-grants-sandbox-read-only-dev: sandbox users (owners of `<user>_sandbox`) only read dev."""

from __future__ import annotations

from policies.rules._support import StackView, Verdict
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
