"""Reading a policy's verdict on a snippet plan: which resources it flagged, and its preview notes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from policies.rules._support import Resource
from preflight.harness import Plan
from preflight.policy import Violation
from tests.policies import verdicts
from tests.support import run_snippet, violations_of

PREVIEW_NOTE = "during preview"


# Keyed by id(plan) and holding the plan itself: while an entry lives its plan cannot be collected, so a later
# plan can never reuse the id and be handed an earlier plan's verdicts (it happened: a preview snippet was
# judged with the verdicts of the update snippet built just before it, once that one had been freed).
_VERDICTS: dict[tuple[int, str], tuple[Plan, list[Violation]]] = {}
# The pinned-verdicts key of each snippet plan (tests/policies/verdicts.py), held the same way.
_SNIPPET_KEYS: dict[int, tuple[Plan, str]] = {}


def of_policy(plan: Plan, policy: str, config: dict[str, Any] | None = None) -> list[Violation]:
    """The policy's diagnostics on the plan (every pack evaluated once per plan and config, then reused)."""
    key = (id(plan), json.dumps(config, sort_keys=True))
    cached = _VERDICTS.get(key)
    if cached is None or cached[0] is not plan:
        with verdicts.pack_evaluation():
            cached = _VERDICTS[key] = (plan, violations_of(plan, config))
        snippet = _SNIPPET_KEYS.get(id(plan))
        if snippet is not None and snippet[0] is plan:
            verdicts.compare(f"{snippet[1]} config {key[1]}", sorted(
                [v.policy, v.enforcement, v.urn.rsplit("::", 1)[-1], v.message] for v in cached[1]))
    return [v for v in cached[1] if v.policy == policy]


def flagged(plan: Plan, policy: str, config: dict[str, Any] | None = None) -> dict[str, list[str]]:
    """Resource name -> the policy's violation messages (without preview notes), as the engine reports them."""
    out: dict[str, list[str]] = {}
    for v in of_policy(plan, policy, config):
        if PREVIEW_NOTE not in v.message:
            out.setdefault(v.urn.rsplit("::", 1)[-1] or "(stack)", []).append(v.message)
    return out


def notes(plan: Plan, policy: str, config: dict[str, Any] | None = None) -> dict[str, str]:
    """Resource name -> the analyzer's "can't run policy during preview" note (advisory)."""
    return {v.urn.rsplit("::", 1)[-1]: v.message for v in of_policy(plan, policy, config)
            if PREVIEW_NOTE in v.message and v.enforcement == "advisory"}


def snippet_plan(tmp_path_factory: pytest.TempPathFactory, code: str, stack: str = "prod",
                 preview: bool = False, extra_files: dict[str, str] | None = None) -> Plan:
    path: Path = tmp_path_factory.mktemp("snippet")
    for name in extra_files or {}:
        (path / name).parent.mkdir(parents=True, exist_ok=True)
    plan = run_snippet(path, code, stack=stack, preview=preview, extra_files=extra_files)
    _SNIPPET_KEYS[id(plan)] = (plan, verdicts.snippet_key(code, stack, preview, extra_files))
    return plan


def resource(type_: str, props: dict[str, Any], name: str = "r", stack: str = "prod") -> Resource:
    """One resource as a rule's pure `check` receives it (props in the engine's camelCase wire names)."""
    return Resource(type_, name, f"urn:pulumi:{stack}::ml-platform::{type_}::{name}", props)
