"""Bad input never half-applies: random mutations of the shipped configs end in one line that names the key,
never a traceback, and nothing is registered before the config is refused."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import stack_config
from preflight.harness import ProgramError, run_program
from preflight.project import load_stack_settings
from tests.support import PROJECT_DIR, STACKS
from tests.test_stack_config import raw_config

Path_ = tuple[str | int, ...]


def leaves(value: Any, path: Path_ = ()) -> list[tuple[Path_, Any]]:
    """Every (path, value) in a config tree, containers included."""
    found: list[tuple[Path_, Any]] = [(path, value)] if path else []
    if isinstance(value, dict):
        for key, child in value.items():
            found += leaves(child, (*path, key))
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += leaves(child, (*path, i))
    return found


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def set_at(tree: dict[str, Any], path: Path_, value: Any) -> None:
    node: Any = tree
    for part in path[:-1]:
        node = node[part]
    if value is _DELETE:
        del node[path[-1]]
    else:
        node[path[-1]] = value


_DELETE = object()


def wrong_type(value: Any) -> st.SearchStrategy[Any]:
    """A value of another JSON type than `value`."""
    options: list[st.SearchStrategy[Any]] = [st.just(None).map(lambda _: ["x"]), st.just({"k": 1})]
    if not isinstance(value, bool):
        options.append(st.booleans())
    if not isinstance(value, int) or isinstance(value, bool):
        options.append(st.integers(-5, 5))
    if not isinstance(value, str):
        options.append(st.text(min_size=1, max_size=5))
    if isinstance(value, list):
        options = [o for o in options if o is not options[0]]
    if isinstance(value, dict):
        options = options[:1] + options[2:]
    return st.one_of(options)


@st.composite
def mutation(draw: st.DrawFn) -> tuple[str, str, dict[str, Any], str]:
    """(kind, stack, mutated raw config, dotted key that must be named)."""
    stack = draw(st.sampled_from(STACKS))
    raw = copy.deepcopy(raw_config(stack))
    kind = draw(st.sampled_from(["type", "missing", "size", "cidr", "name", "duplicate"]))
    if kind == "type":
        path, value = draw(st.sampled_from(leaves(raw)))
        set_at(raw, path, draw(wrong_type(value)))
    elif kind == "missing":
        path, _ = draw(st.sampled_from([(p, v) for p, v in leaves(raw) if not isinstance(p[-1], int)]))
        set_at(raw, path, _DELETE)
    elif kind == "size":
        pool = draw(st.sampled_from(["system", "data", "compute"]))
        field = draw(st.sampled_from(["minSize", "desiredSize", "maxSize"]))
        path = ("nodePools", pool, field)
        set_at(raw, path, draw(st.one_of(st.integers(-1000, -1), st.integers(1001, 10**6))))
    elif kind == "cidr":
        target = draw(st.sampled_from([("network", "cidr"), ("egress", "allowedCidrs", 0)]))
        raw.setdefault("egress", {}).setdefault("allowedCidrs", ["198.51.100.0/24"])
        path = target
        bad = draw(st.sampled_from(["10.0.0.0/33", "10.0.0.1/8", "300.1.1.1/16", "10.0.0.0", "fe80::/129",
                                    "0.0.0.0/0", "cidr", ""]))
        set_at(raw, path, bad)
    elif kind == "name":
        bad = draw(st.text(alphabet="ABCXYZ-. /äé0123", min_size=1, max_size=12))
        if stack == "dev" and draw(st.booleans()):
            path = ("sandboxUsers", 0)
            set_at(raw, path, bad)
        else:
            raw["teams"] = {**raw.get("teams", {}), bad: {"quota": {"cpu": "1", "memory": "1Gi"}}}
            path = ("teams", bad)
    else:
        if stack == "dev":
            users = raw["sandboxUsers"]
            path = ("sandboxUsers", len(users))
            users.append(draw(st.sampled_from(users)))
        else:
            cidrs = raw.setdefault("egress", {}).setdefault("allowedCidrs", ["198.51.100.0/24"])
            path = ("egress", "allowedCidrs", len(cidrs))
            cidrs.append(cidrs[0] if cidrs else "198.51.100.0/24")
            if len(cidrs) == 1:
                cidrs.append(cidrs[0])
                path = ("egress", "allowedCidrs", 1)
    return kind, stack, raw, dotted(path)


def _is_valid(stack: str, raw: dict[str, Any]) -> bool:
    try:
        stack_config.parse(stack, raw)
    except stack_config.ConfigError:
        return False
    return True


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(mutation())
def test_mutated_config_is_refused_in_one_line_before_any_resource(case: tuple[str, str, dict[str, Any], str]) -> None:
    kind, stack, raw, key = case
    if kind == "missing":
        assume(not _is_valid(stack, raw))  # removing an optional key leaves a valid config
    else:
        assert not _is_valid(stack, raw), f"{kind} mutation of {key} was accepted"
    overrides: dict[str, Any] = {k: raw.get(k) for k in set(raw) | set(raw_config(stack))}
    settings_ = load_stack_settings(PROJECT_DIR, stack, overrides)
    with pytest.raises(pulumi.RunError) as info:
        run_program(PROJECT_DIR, settings_)
    assert not isinstance(info.value, ProgramError)
    message = str(info.value)
    assert "\n" not in message and "Traceback" not in message
    assert message.startswith(f"{stack}: "), message
    named = message.removeprefix(f"{stack}: ").split(" ", 1)[0]
    # The key named is the mutated one, or the object that holds it (a whole object refused).
    assert key.startswith(named) or named.startswith(key), (key, message)
    assert info.value.partial_plan.registered == []  # type: ignore[attr-defined]
