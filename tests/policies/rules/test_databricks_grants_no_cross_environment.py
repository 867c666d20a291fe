"""databricks-grants-no-cross-environment: service principals joined by application id to their environment."""

from __future__ import annotations

import pytest
import yaml

from policies.rules._support import StackView
from policies.rules.databricks_grants_no_cross_environment import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, resource
from tests.policies.rules.test_packs import stack_config
from tests.support import PROJECT_DIR, STACKS


def test_flags_dev_principal_on_prod_schema(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-prod-cross-env-bad", "grants-prod-adopted-staging-bad"}
    assert "dev service principal" in hits["grants-prod-cross-env-bad"][0]


def test_unknown_application_ids_in_preview_get_a_note(access_preview_plan: Plan) -> None:
    # A created principal's application id is computed; an adopted one's is known.
    assert set(flagged(access_preview_plan, NAME)) == {"grants-prod-adopted-staging-bad"}
    assert "during preview" in notes(access_preview_plan, NAME)[""]


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_class_application_id(mode: str, access_plan: Plan, access_preview_plan: Plan) -> None:
    """A prod securable granted by application id (any case) to another environment's principal: one the plan
    adopts, or a CI principal of the pack config (each stack file's); prod's own id and an id nobody resolves
    pass (the latter: a limitation the rule's docstring names)."""
    plan = access_plan if mode == "up" else access_preview_plan
    hits = flagged(plan, NAME, stack_config("prod"))
    found = {n for n in hits if n.startswith(("grants-prod-adopted", "grants-prod-dev-deployer", "grants-prod-own",
                                                 "grants-prod-unresolved"))}
    assert found == {"grants-prod-adopted-staging-bad", "grants-prod-dev-deployer-bad"}
    assert "staging service principal" in hits["grants-prod-adopted-staging-bad"][0]


@pytest.mark.parametrize("stack", STACKS)
def test_every_ci_principal_of_every_stack_file_is_in_each_stack_s_config(stack: str) -> None:
    """The rule resolves other environments' CI principals only through principalEnvironments."""
    expected = {}
    for env in STACKS:
        ci = yaml.safe_load((PROJECT_DIR / f"Pulumi.{env}.yaml").read_text())["config"]["ml-platform:ci"]
        expected |= {ci["databricksDeployerClientId"]: env, ci["databricksPreviewerClientId"]: env}
    assert stack_config(stack)[NAME]["principalEnvironments"] == expected


GRANTS = "databricks:index/grants:Grants"


def test_a_grant_on_a_securable_outside_any_catalog_is_not_this_rules() -> None:
    """An external location belongs to no environment's catalog (it is metastore-level): a grant on it to another
    environment's principal is not judged here, and the stack's catalog grants still are."""
    location = resource(GRANTS, {"externalLocation": "prod-raw", "grants": [
        {"principal": "ml-pipelines-dev", "privileges": ["READ_FILES"]}]}, name="location-grants")
    catalog = resource(GRANTS, {"catalog": "prod", "grants": [
        {"principal": "ml-pipelines-dev", "privileges": ["USE_CATALOG"]}]}, name="catalog-grants")
    assert check(StackView({GRANTS: [location]}), {}).findings == []
    verdict = check(StackView({GRANTS: [location, catalog]}), {})
    assert [(f.message, f.urn) for f in verdict.findings] == [(
        "catalog-grants grants the dev service principal ml-pipelines-dev access to catalog prod (prod); each "
        "environment's principal gets only its own catalog.", catalog.urn)]
