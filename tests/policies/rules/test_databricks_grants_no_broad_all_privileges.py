"""databricks-grants-no-broad-all-privileges: account users anywhere, groups on prod securables."""

from __future__ import annotations

import pytest

from policies.rules._support import UNKNOWN, Verdict
from policies.rules.databricks_grants_no_broad_all_privileges import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource, snippet_plan


def test_flags_account_users_and_group_on_prod(access_plan: Plan) -> None:
    hits = flagged(access_plan, NAME)
    assert set(hits) == {"grants-prod-group-all-bad", "grants-account-users-bad"}
    assert "prod.silver" in hits["grants-prod-group-all-bad"][0]


UC_CLASSES = """
import pulumi_databricks as databricks

databricks.Grants("upper-case-prod-bad", schema="PROD.silver", grants=[
    {"principal": "data-engineers", "privileges": ["all privileges"]}])
databricks.Grants("external-location-bad", external_location="prod-raw", grants=[
    {"principal": "data-engineers", "privileges": ["ALL_PRIVILEGES"]}])
databricks.Grants("external-location-read-good", external_location="prod-raw", grants=[
    {"principal": "data-engineers", "privileges": ["READ_FILES"]}])
databricks.Grants("account-users-mixed-case-bad", catalog="shared", grants=[
    {"principal": "Account Users", "privileges": ["ALL_PRIVILEGES"]}])
databricks.Catalog("owner-group-bad", name="Prod", owner="data-engineers", isolation_mode="ISOLATED")
databricks.Catalog("owner-unset-good", name="prod_archive", isolation_mode="ISOLATED")
databricks.StorageCredential("credential-owner-bad", name="prod-uc", owner="data-engineers",
                             aws_iam_role={"role_arn": "arn:aws:iam::111122223333:role/uc"})
"""


def test_class_unity_catalog_names_securables_and_owners(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Unity Catalog names are case-insensitive; external locations and storage credentials are securables of the
    stack that plans them; an owner holds every privilege (Databricks docs, "Manage Unity Catalog object
    ownership")."""
    plan = snippet_plan(tmp_path_factory, UC_CLASSES)
    assert set(flagged(plan, NAME)) == {"upper-case-prod-bad", "external-location-bad",
                                        "account-users-mixed-case-bad", "owner-group-bad", "credential-owner-bad"}
    dev = snippet_plan(tmp_path_factory, UC_CLASSES, stack="dev")
    assert set(flagged(dev, NAME)) == {"upper-case-prod-bad", "account-users-mixed-case-bad", "owner-group-bad"}


@pytest.mark.parametrize(("catalog", "messages", "unknown"), [
    (UNKNOWN, [], ["securable"]),
    ("prod", ["grants ALL_PRIVILEGES on prod securable prod to group data-engineers; grant the privileges the group "
              "needs (USE_CATALOG, SELECT, ...)."], []),
    ("dev", [], []),
], ids=["unknown", "prod", "dev"])
def test_a_groups_all_privileges_on_a_securable_not_known_yet_is_named_not_passed(
        catalog: object, messages: list[str], unknown: list[str]) -> None:
    """Whether the securable is prod's decides a group's ALL_PRIVILEGES; a catalog computed during a preview is
    reported as not judged."""
    grants = resource("databricks:index/grants:Grants", {"catalog": catalog, "grants": [
        {"principal": "data-engineers", "privileges": ["ALL_PRIVILEGES"]}]})
    verdict = check(grants, {})
    assert verdict.messages == messages and verdict.unknown == unknown


def test_all_privileges_to_account_users_is_refused_anywhere_with_the_fix() -> None:
    """`account users` is every user of the account: ALL_PRIVILEGES to it is refused on any catalog (here a shared,
    non-prod one) with what to grant instead; the same grant to a group there passes."""
    def grants(principal: str) -> Verdict:
        return check(resource("databricks:index/grants:Grants", {"catalog": "shared", "grants": [
            {"principal": principal, "privileges": ["ALL_PRIVILEGES"]}]}), {})
    assert grants("account users").messages == [
        "grants ALL_PRIVILEGES to account users; grant named privileges to a group."]
    assert grants("data-engineers").messages == []


def test_privileges_or_a_principal_not_known_yet_are_named_not_judged() -> None:
    """A computed privilege might be ALL_PRIVILEGES; a computed principal might be `account users`: both named."""
    grants = "databricks:index/grants:Grants"
    privileges = resource(grants, {"catalog": "prod", "grants": [{"principal": "analysts", "privileges": [UNKNOWN]}]})
    verdict = check(privileges, {})
    assert (verdict.messages, verdict.unknown) == ([], ["grants.privileges"])
    principal = resource(grants, {"catalog": "prod", "grants": [{"principal": UNKNOWN,
                                                                 "privileges": ["ALL_PRIVILEGES"]}]})
    verdict = check(principal, {})
    assert (verdict.messages, verdict.unknown) == ([], ["grants.principal"])


def test_an_owner_or_a_name_not_known_yet_is_named_not_judged() -> None:
    """The owner decides (a group owning a prod catalog holds every privilege), and so does the name (which
    environment): either unknown, the owner is named as not judged."""
    for props in ({"owner": UNKNOWN, "name": "prod"}, {"owner": "data-engineers", "name": UNKNOWN}):
        verdict = check(resource("databricks:index/catalog:Catalog", props, name="c"), {})
        assert (verdict.messages, verdict.unknown) == ([], ["owner"])
