"""`stack_config.load()`: the stack's configuration as the Pulumi runtime hands it over (`ml-platform:<key>` ->
plain text for scalars, JSON text for objects and lists). It reads every key the stack file holds whichever keys it
leaves out, and a configuration with several problems is refused with every one of them in the report."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any

import pulumi
import pytest
from pulumi.runtime.config import _SECRET_KEYS, CONFIG, set_all_config

import stack_config
from tests.test_stack_config import raw_config

Given = Callable[[str, dict[str, Any]], None]


def _engine_config(raw: dict[str, Any]) -> dict[str, str]:
    """What the engine passes for a stack file's values: plain text for strings, JSON text for the rest."""
    return {f"ml-platform:{key}": value if isinstance(value, str) else json.dumps(value) for key, value in raw.items()}


@pytest.fixture
def given(monkeypatch: pytest.MonkeyPatch) -> Iterator[Given]:
    """Sets the running stack and the runtime's config (restored afterwards)."""
    saved_config, saved_secrets = dict(CONFIG.get()), set(_SECRET_KEYS.get())
    monkeypatch.delenv("PULUMI_CONFIG", raising=False)
    monkeypatch.delenv("ML_PLATFORM_ACCESS", raising=False)
    monkeypatch.setattr(pulumi.log, "warn", lambda *args, **kwargs: None)  # no engine to log to

    def configure(stack: str, config: dict[str, Any]) -> None:
        monkeypatch.setattr(pulumi, "get_stack", lambda: stack)
        set_all_config(config, [])

    yield configure
    set_all_config(saved_config, list(saved_secrets))


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> date:
    """One date for load() and the parse() it is compared with (the version calendar is judged by it)."""
    fixed = stack_config.utc_today()
    monkeypatch.setattr(stack_config, "utc_today", lambda: fixed)
    return fixed


def _load_problems() -> list[str]:
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.load()
    return info.value.problems


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_load_reads_every_key_the_stack_file_holds(given: Given, today: date, stack: str) -> None:
    """Each shipped stack leaves some optional keys out (staging and prod: `cluster`; dev and staging: `egress`):
    the keys after a missing one are read all the same."""
    raw = raw_config(stack)
    given(stack, _engine_config(raw))
    assert stack_config.load() == stack_config.parse(stack, raw, today=today)


def test_load_reads_the_keys_after_a_missing_optional_one(given: Given, today: date) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    del raw["cluster"]  # optional (no public endpoint): everything after it is still read
    raw["sandboxUsers"] = ["alice", "bob"]
    given("dev", _engine_config(raw))
    cfg = stack_config.load()
    assert cfg.cluster.public_access_cidrs == ()
    assert cfg.sandbox_users == ("alice", "bob")
    assert cfg.helm.image_tag == "2026.11.1"
    assert cfg.database.backup_retention_days == 1


def test_load_refuses_keys_in_unknown_namespaces_naming_each(given: Given) -> None:
    config = {**_engine_config(raw_config("dev")), "ml-platfrom:teams": "{}", "awz:region": "eu-west-1"}
    given("dev", config)
    assert _load_problems() == [
        "awz:region is in no known config namespace (ml-platform, aws, databricks, kubernetes, pulumi); did you mean "
        "'aws:region'?",
        "ml-platfrom:teams is in no known config namespace (ml-platform, aws, databricks, kubernetes, pulumi); did "
        "you mean 'ml-platform:teams'?",
    ]


def test_load_reports_every_problem_of_a_config(given: Given) -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["region"] = "mars"
    raw["nodePools"]["compute"]["instanceTypes"] = ["m5zn.metal"]
    raw["protection"]["forceDestroyBuckets"] = "yes"
    config = {**_engine_config(raw), "ml-platform:teamz": "{}", "ml-platform:network": "{not json"}
    given("dev", config)
    problems = _load_problems()
    assert "region must be an AWS region like 'eu-west-1', got 'mars'" in problems
    assert "network must be an object, got '{not json'" in problems  # unreadable JSON: the wrong type, by name
    assert "protection.forceDestroyBuckets must be true or false, got 'yes'" in problems
    assert any(p.startswith("teamz is not a known key; did you mean 'teams'? (known: ") for p in problems), problems
    unknown_type = [p for p in problems if p.startswith("nodePools.compute.instanceTypes ")]
    assert len(unknown_type) == 1 and unknown_type[0].endswith("), got ['m5zn.metal']"), problems
    assert unknown_type[0].startswith("nodePools.compute.instanceTypes must be instance types of the capacity "
                                      "table (known: ")


def test_unknown_project_keys_are_the_project_keys_nobody_reads(given: Given) -> None:
    given("dev", {"ml-platform:teams": "{}", "ml-platform:teamz": "{}", "ml-platform:zz": "1", "aws:region": "x",
                  "other:teamz": "{}"})
    assert stack_config._unknown_project_keys() == ["teamz", "zz"]
