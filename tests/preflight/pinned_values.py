"""The mocks' values pinned across commits (`tests/snapshots/mocked_values.json`).

The preflight's values are a pure function of a resource's type, name, inputs, account and region (computed.py),
and of an invoke's token and arguments (invokes.py): two commits' `--json` of one stack differ only where the
program does, so a CI job can diff them. Which digest seeds a value is built from is invisible to every shape test
(mutation testing renamed seeds and dropped them, each test green), so the values themselves are pinned, on fixed
inputs that reach every branch. A deliberate change is reviewed like code:
`UPDATE_MOCKED_VALUES=1 venv/bin/python -m pytest tests/preflight/test_computed.py tests/preflight/test_invokes.py`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "mocked_values.json"
UPDATE = os.environ.get("UPDATE_MOCKED_VALUES") == "1"


def check_pinned(section: str, values: dict[str, Any]) -> None:
    """`values` equal the pinned section (rewritten instead with UPDATE_MOCKED_VALUES=1)."""
    values = json.loads(json.dumps(values))  # tuples as lists, as the file holds them
    pinned = json.loads(SNAPSHOT.read_text()) if SNAPSHOT.exists() else {}
    if UPDATE:
        pinned[section] = values
        SNAPSHOT.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
        return
    assert section in pinned, f"{SNAPSHOT.name} has no {section!r}: run with UPDATE_MOCKED_VALUES=1"
    changed = sorted(key for key in values.keys() | pinned[section].keys()
                     if values.get(key) != pinned[section].get(key))
    assert changed == [], (f"mocked values changed for {changed}: if deliberate, UPDATE_MOCKED_VALUES=1 and review "
                           "the diff")
