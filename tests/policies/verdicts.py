"""Every verdict the rule tests see, pinned in `tests/snapshots/rule_verdicts.json`.

A rule test asserts what it is about (this resource flagged, that one not, the message names the key to fix);
everything else a rule says on the way (the rest of each message, the paths it could not judge, the verdicts on
the other resources of a shared snippet) would drift unnoticed: mutation testing found a message's advice
changed, a `cannot_judge` path dropped, a role named `None`, each with every test green. So each verdict is
compared with the one pinned when the test was written, and a changed one fails the test that saw it:

- a snippet plan's evaluation (every pack, one config): its violations, keyed by the snippet's text and config
  (shared by the tests that read it, whichever of them evaluates it first);
- a test that calls a rule's `check` itself: each `violation` and `cannot_judge` call it caused, in order,
  keyed by the test.

A message is part of the product (CrossGuard prints it, and it says what to fix), so a change to one is reviewed
like code: `UPDATE_RULE_VERDICTS=1 venv/bin/python -m pytest tests/policies` rewrites the file from a run of
every policy test (run it whole: the file is replaced by what that run saw), and the diff shows what changed.
"""

from __future__ import annotations

import atexit
import difflib
import hashlib
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "rule_verdicts.json"
UPDATE = os.environ.get("UPDATE_RULE_VERDICTS") == "1"
_HOW = "UPDATE_RULE_VERDICTS=1 venv/bin/python -m pytest tests/policies (then review the diff)"

_pinned: dict[str, Any] | None = None
_seen: dict[str, Any] = {}
_in_pack = False


def snippet_key(code: str, stack: str, preview: bool, extra_files: dict[str, str] | None) -> str:
    text = json.dumps([code, stack, preview, extra_files or {}], sort_keys=True)
    return "snippet " + hashlib.sha256(text.encode()).hexdigest()[:16]


def evaluating_packs() -> bool:
    """True while a snippet's packs are evaluated: their verdicts are pinned by snippet, not by test."""
    return _in_pack


@contextmanager
def pack_evaluation() -> Iterator[None]:
    global _in_pack
    _in_pack = True
    try:
        yield
    finally:
        _in_pack = False


def _load() -> dict[str, Any]:
    global _pinned
    if _pinned is None:
        _pinned = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}
    return _pinned


def _lines(value: Any) -> list[str]:
    return json.dumps(value, indent=1).splitlines()


def is_pinned(key: str) -> bool:
    return not UPDATE and key in _load()


def compare(key: str, verdicts: Any) -> None:
    """Fail when `verdicts` is not what was pinned under `key` (in update mode, pin it)."""
    if UPDATE:
        if os.environ.get("PYTEST_XDIST_WORKER"):  # each worker would write the file with only its own share
            raise RuntimeError("UPDATE_RULE_VERDICTS needs one process: run it without -n")
        _seen[key] = verdicts
        return
    pinned = _load()
    if key not in pinned:
        raise AssertionError(f"no verdicts pinned for {key!r}: a new test or snippet; run {_HOW}")
    if pinned[key] != verdicts:
        diff = "\n".join(difflib.unified_diff(_lines(pinned[key]), _lines(verdicts), "pinned", "now", lineterm=""))
        raise AssertionError(f"the verdicts for {key!r} changed (if on purpose, run {_HOW}):\n{diff}")


def _write() -> None:
    if UPDATE and _seen:
        SNAPSHOT.write_text(json.dumps(dict(sorted(_seen.items())), indent=1, ensure_ascii=False) + "\n")


atexit.register(_write)
