"""Every problem names the key it is about, as the user wrote it (`ci.stateBucket`, `teams.<name>.quota`): for
every key the shipped stack files hold, a value of the wrong kind is refused naming that key, and an unknown key
next to it is refused naming the unknown key. An error that names another key (or none) sends the user to the
wrong line of `Pulumi.<stack>.yaml`."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import pytest

from stack_config import ConfigError, parse
from tests.support import STACKS
from tests.test_stack_config import raw_config

WRONG_KIND: dict[str, Any] = {"wrong": ["kind"]}
# Mappings whose keys are free-form (names the user chooses, or a chart's values): an extra key there is an entry,
# not a typo. Their entries' own keys are still walked.
FREE_FORM = {"teams", "helm.valuesOverrides", "egress.allowedDomains"}


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict) and value and "secure" not in value:
        if path:
            yield path, value
        for key, child in value.items():
            yield from _leaves(child, f"{path}.{key}" if path else str(key))
    elif path:
        yield path, value


def _set(raw: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(raw)
    *parents, last = path.split(".")
    node = changed
    for key in parents:
        node = node[key]
    node[last] = value
    return changed


def _problems(stack: str, raw: dict[str, Any]) -> list[str]:
    try:
        parse(stack, raw)
    except ConfigError as error:
        return error.problems
    return []


def _names(problem: str, path: str) -> bool:
    return problem.startswith((f"{path} ", f"{path}.", f"{path}["))


def _cases(kind: str) -> list[tuple[str, str]]:
    out = []
    for stack in STACKS:
        for path, value in _leaves(raw_config(stack)):
            if path.startswith("helm.valuesOverrides."):
                continue  # checked against the chart's schema, with its own paths (tests/charts)
            if (kind == "leaf") != isinstance(value, dict):
                out.append((stack, path))
    return out


@pytest.mark.parametrize(("stack", "path"), _cases("leaf"))
def test_a_value_of_the_wrong_kind_is_refused_naming_its_key(stack: str, path: str) -> None:
    problems = _problems(stack, _set(raw_config(stack), path, WRONG_KIND))
    assert any(_names(p, path) for p in problems), problems


@pytest.mark.parametrize(("stack", "path"), [c for c in _cases("mapping") if c[1] not in FREE_FORM])
def test_an_unknown_key_is_refused_naming_it(stack: str, path: str) -> None:
    raw = raw_config(stack)
    node: Any = raw
    for key in path.split("."):
        node = node[key]
    problems = _problems(stack, _set(raw, path, {**node, "bogusKey": 1}))
    assert any(p.startswith(f"{path}.bogusKey is not a known key") for p in problems), problems


def test_every_stack_file_has_keys_to_check() -> None:
    assert all(any(s == stack for s, _ in _cases("leaf")) for stack in STACKS)


@pytest.mark.parametrize(("stack", "path"), _cases("mapping"))
def test_a_mapping_given_as_a_list_is_refused_naming_its_key(stack: str, path: str) -> None:
    problems = _problems(stack, _set(raw_config(stack), path, ["wrong", "kind"]))
    assert any(_names(p, path) for p in problems), problems
