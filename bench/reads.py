"""A pytest plugin for bench/mutation.py: which test files read what each component registers.

    venv/bin/python -m pytest -p bench.reads tests/components      # with MUTATION_READS=<file.json>

Records, for each test file, the resource types of every URN whose inputs, outputs or options a test (or its
fixtures) read from a plan (`preflight.harness.RecordedResource`), each URN's type chain included: a URN names its
ancestors' types (`platform:kubernetes:EksCluster$aws:eks/cluster:Cluster`), so a file that reads the cluster has
read something `EksCluster` registers. Written at the session's end as `{test file: [type, ...]}`.

What it misses makes the mutation score lower, never higher: data a test derives once and caches for the process
(the shipped stacks' verdicts, `tests/support.py`) is recorded for the file whose test computed it first.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from preflight.harness import RecordedResource

ENV = "MUTATION_READS"  # bench/mutation.py READS_ENV
_DATA = frozenset({"wire_inputs", "wire_outputs", "component_outputs", "options"})
_types_by_file: dict[str, set[str]] = {}
_current: set[str] | None = None
_plain_getattribute = RecordedResource.__getattribute__


def _recording_getattribute(self: RecordedResource, name: str) -> Any:
    if name in _DATA and _current is not None:
        _current.update(types_of_urn(_plain_getattribute(self, "urn")))
    return _plain_getattribute(self, name)


def types_of_urn(urn: str) -> list[str]:
    """`urn:pulumi:dev::p::a$b::n` -> ["a", "b"]: the resource's type and its ancestors'."""
    return urn.split("::")[2].split("$")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    global _current
    _current = _types_by_file.setdefault(item.nodeid.split("::")[0], set())
    try:
        return (yield)
    finally:
        _current = None


def pytest_configure(config: pytest.Config) -> None:
    if os.environ.get(ENV):
        RecordedResource.__getattribute__ = _recording_getattribute  # type: ignore[method-assign]


def pytest_unconfigure(config: pytest.Config) -> None:
    RecordedResource.__getattribute__ = _plain_getattribute  # type: ignore[method-assign]
    if path := os.environ.get(ENV):
        Path(path).write_text(json.dumps({f: sorted(t) for f, t in sorted(_types_by_file.items())}, indent=1))
