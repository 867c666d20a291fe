"""The names of the per-principal `databricks.Grant` resources (the securables sandbox users share): one resource
per principal, never two of one name, and a rename that keeps the resource.

Found by hypothesis once the preflight refused a URN registered twice (as the engine does): sandbox users `g` and
`g_` both became `...-g-at-example-com`, so in a real `pulumi up` the dev stack failed with "Duplicate resource
URN", and under the old mocks the second grant silently replaced the first (user `g` could not read dev.bronze).
"""

from __future__ import annotations

import pytest

from components.databricks.grants import (
    Securable,
    UnityCatalogGrantsArgs,
    validate_unity_catalog_grants_args,
)
from tests.databricks.access import GRANT
from tests.databricks.snippets import platform_plan

SHARED = ("dev", "dev.bronze", "dev.silver")  # README: the securables sandbox users share with the platform


def _grants_of(user: str, users: tuple[str, ...]) -> dict[str, list[dict[str, object]]]:
    """Securable -> aliases of the Grant resources of `user@example.com` in the dev plan with `users`."""
    plan = platform_plan("dev", users)
    found: dict[str, list[dict[str, object]]] = {}
    for grant in plan.of_type(GRANT):
        if grant.inputs["principal"] == f"{user}@example.com":
            found[str(grant.inputs.get("catalog") or grant.inputs.get("schema"))] = grant.options["aliases"]
    return found


def test_users_whose_names_differ_by_an_underscore_each_get_their_grants() -> None:
    plan = platform_plan("dev", ("g", "g_"))
    names = [g.name for g in plan.of_type(GRANT)]
    assert len(names) == len(set(names))
    for user in ("g", "g_"):
        assert set(_grants_of(user, ("g", "g_"))) == set(SHARED), user
    assert "dev-databricks-grants-schema-dev-bronze-g-at-example-com" in names
    assert "dev-databricks-grants-schema-dev-bronze-g_-at-example-com" in names


def test_a_grant_renamed_by_the_underscore_fix_keeps_its_resource_through_an_alias() -> None:
    """`j_doe`'s grants were named `...-j-doe-at-example-com`: without an alias the rename is a delete of the old
    Grant, and deleting a `databricks.Grant` revokes its privileges (from the new one too: same principal)."""
    aliases = _grants_of("j_doe", ("j_doe", "alice"))
    old = "j-doe-at-example-com"
    assert aliases == {
        securable: [{"spec": {"name": f"dev-databricks-grants-{kind}-{securable.replace('.', '-')}-{old}",
                              "parentUrn": ""}}]
        for securable, kind in (("dev", "catalog"), ("dev.bronze", "schema"), ("dev.silver", "schema"))}
    assert all(a == [] for a in _grants_of("alice", ("j_doe", "alice")).values())  # a name that did not change


def test_no_alias_where_the_old_name_was_two_principals_or_is_taken() -> None:
    """With `g` and `g_`, the old name `...-g-at-example-com` was both users' (that update failed) and is `g`'s
    now: an alias to it would claim another resource."""
    assert all(a == [] for a in _grants_of("g_", ("g", "g_")).values())
    assert all(a == [] for a in _grants_of("g", ("g", "g_")).values())


def test_principals_that_would_share_a_resource_name_are_refused_naming_both() -> None:
    bronze = Securable("schema", "dev.bronze")
    row = {"a.b@example.com": frozenset({"SELECT"}), "a-b@example.com": frozenset({"SELECT"})}
    args = UnityCatalogGrantsArgs(table={bronze: row}, securable_names={bronze: "dev.bronze"},
                                  sandbox_principals=frozenset({"a.b@example.com"}))
    with pytest.raises(ValueError, match=r"^UnityCatalogGrantsArgs: schema 'dev.bronze': principals "
                                         r"\['a-b@example.com', 'a.b@example.com'\] would share the resource name "
                                         r"suffix 'a-b-at-example-com'$"):
        validate_unity_catalog_grants_args(args)
