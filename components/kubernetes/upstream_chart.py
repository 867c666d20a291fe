"""Values we pass to upstream Helm charts, checked against schemas of our own (`schemas/<chart>.json`) that
name exactly the keys we set: a misspelt or unexpected key fails the program before Helm ignores it. The
upstream charts themselves are never copied here; their releases pin a version.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"


def schema(chart: str) -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / f"{chart}.json").read_text())


def values_problems(chart: str, values: Mapping[str, Any]) -> list[str]:
    """Every way `values` breaks our schema for `chart`, one line each naming the key path."""
    from jsonschema.validators import validator_for

    document = schema(chart)
    validator = validator_for(document)(document)
    return sorted(f"{chart} values {'.'.join(str(p) for p in error.absolute_path) or '(root)'}: {error.message}"
                  for error in validator.iter_errors(dict(values)))


def checked_values(chart: str, values: Mapping[str, Any]) -> dict[str, Any]:
    """`values`, or a ValueError naming every problem (used inside `Output.apply` once outputs are known)."""
    problems = values_problems(chart, values)
    if problems:
        raise ValueError("; ".join(problems))
    return dict(values)
