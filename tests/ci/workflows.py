"""The repository's GitHub workflows as data, for the CI tests."""

from __future__ import annotations

from functools import cache
from typing import Any

import yaml

from tests.support import PROJECT_DIR

WORKFLOWS = PROJECT_DIR / ".github" / "workflows"
WORKFLOW_FILES = sorted(p.name for p in WORKFLOWS.glob("*.yml"))


@cache
def workflow(name: str) -> dict[str, Any]:
    data = yaml.safe_load((WORKFLOWS / name).read_text())
    data["on"] = data.pop(True, data.get("on"))  # YAML 1.1 reads the key `on` as True
    return data


def jobs() -> list[tuple[str, str, dict[str, Any]]]:
    return [(name, job_id, job) for name in WORKFLOW_FILES for job_id, job in workflow(name)["jobs"].items()]


def steps_using(job: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in job.get("steps", []) if s.get("uses", "").startswith(f"{action}@")]
