"""databricks-grants-authoritative."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.databricks_grants_authoritative import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource, snippet_plan

# Per-principal grants where sandboxes share the dev catalog with the platform (issue 17), and the cases that
# must stay a Grants: a group anywhere, a user outside the shared catalogs.
SHARED_SNIPPET = """
import pulumi_databricks as databricks

databricks.Grant("user-on-dev-schema-good", schema="dev.bronze", principal="alice@example.com",
                 privileges=["USE_SCHEMA", "SELECT"])
databricks.Grant("service-principal-on-dev-good", catalog="dev",
                 principal="0a1b2c3d-1111-2222-3333-444455556666", privileges=["ALL_PRIVILEGES"])
databricks.Grant("group-on-dev-bad", catalog="dev", principal="data-analysts", privileges=["USE_CATALOG"])
databricks.Grant("user-on-prod-bad", schema="prod.gold", principal="alice@example.com", privileges=["SELECT"])
databricks.Grant("user-on-sandbox-bad", catalog="alice_sandbox", principal="alice@example.com",
                 privileges=["USE_CATALOG"])
"""


@pytest.fixture(scope="module")
def shared_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, SHARED_SNIPPET)


def test_flags_additive_grant_only(access_plan: Plan) -> None:
    assert set(flagged(access_plan, NAME)) == {"grant-additive-bad"}


def test_per_principal_grants_only_for_users_and_service_principals_on_the_shared_catalog(shared_plan: Plan) -> None:
    assert set(flagged(shared_plan, NAME)) == {"group-on-dev-bad", "user-on-prod-bad", "user-on-sandbox-bad"}


def test_the_shared_catalogs_are_configurable(shared_plan: Plan) -> None:
    config = {NAME: {"sharedCatalogs": []}}
    assert set(flagged(shared_plan, NAME, config)) == {
        "user-on-dev-schema-good", "service-principal-on-dev-good", "group-on-dev-bad", "user-on-prod-bad",
        "user-on-sandbox-bad"}


def test_an_unknown_securable_or_principal_is_named_not_judged() -> None:
    """During a preview a Grant's principal (a service principal's application id) or schema may be computed."""
    grant = "databricks:index/grant:Grant"
    for props in ({"catalog": "dev", "principal": UNKNOWN}, {"schema": UNKNOWN, "principal": "alice@example.com"}):
        verdict = check(resource(grant, {**props, "privileges": ["USE_CATALOG"]}), {})
        assert verdict.messages == [] and verdict.unknown == ["securable/principal"]
    assert check(resource(grant, {"catalog": "prod", "principal": "alice@example.com"}), {}).messages != []
