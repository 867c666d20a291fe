"""Property tests over sandbox user lists (ADR-001): every user reads dev bronze/silver, writes only their own
catalog, no two share one; a name that cannot be a catalog name is refused by config validation."""

from __future__ import annotations

import copy
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stack_config
from tests.databricks.access import can_read, plan_table, writable_catalogs
from tests.databricks.privileges import WRITE_PRIVILEGES
from tests.databricks.snippets import platform_plan
from tests.test_stack_config import raw_config

VALID_USER = re.compile(r"[a-z][a-z0-9_]{0,49}")
user_names = st.from_regex(r"\A[a-z][a-z0-9_]{0,15}\Z")
user_lists = st.lists(user_names, min_size=1, max_size=5, unique=True)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(users=user_lists)
def test_every_sandbox_reads_dev_and_writes_only_its_own_catalog(users: list[str]) -> None:
    plan = platform_plan("dev", users)
    table = plan_table(plan)
    catalogs = sorted(c.inputs["name"] for c in plan.of_type("databricks:index/catalog:Catalog"))
    assert catalogs == sorted(["dev", *(f"{u}_sandbox" for u in users)])
    owners: dict[str, str] = {}
    for user in users:
        assert can_read(table, user, "dev", "bronze") and can_read(table, user, "dev", "silver"), user
        assert not can_read(table, user, "dev", "gold"), f"{user} reads dev.gold"
        written = writable_catalogs(table, user, WRITE_PRIVILEGES)
        assert written == {f"{user}_sandbox"}, f"{user} writes {sorted(written)}"
        for catalog in written:
            assert catalog not in owners, f"{user} and {owners[catalog]} share {catalog}"
            owners[catalog] = user
    assert writable_catalogs(table, "ml-pipelines-dev", WRITE_PRIVILEGES) == {"dev"}


invalid_user_names = st.one_of(
    st.from_regex(r"\A[A-Z][a-zA-Z0-9_]{0,10}\Z"),        # capitals
    st.from_regex(r"\A[0-9_][a-z0-9_]{0,10}\Z"),           # must start with a letter
    st.from_regex(r"\A[a-z]{1,8}[-. @/][a-z]{1,8}\Z"),     # characters a catalog name cannot hold unquoted
    st.from_regex(r"\A[a-z][a-z0-9_]{50,60}\Z"),            # too long
    st.text(min_size=0, max_size=12).filter(lambda s: not VALID_USER.fullmatch(s)),
)


@settings(max_examples=60, deadline=None)
@given(bad=invalid_user_names)
def test_a_user_name_that_is_no_catalog_name_is_refused(bad: str) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["sandboxUsers"] = ["alice", bad]
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse("dev", raw)
    message = str(info.value)
    assert message.startswith("dev: sandboxUsers[1] must be a user name valid as a catalog name"), message
    assert "\n" not in message.replace(repr(bad), "")


@settings(max_examples=40, deadline=None)
@given(users=user_lists)
def test_every_valid_list_of_distinct_names_is_accepted(users: list[str]) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["sandboxUsers"] = users
    assert stack_config.parse("dev", raw).sandbox_users == tuple(users)
