"""The README's onboarding steps (a sandbox user, a team) never turn the project's own tests red.

Performed on a copy of the project, as a user would in their clone: the stack file edited as the README
says, then the test modules that read the stack files run against the copy, in their own pytest process.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support import PROJECT_DIR

# The modules whose tests iterate what the stack files list (users, teams, stateful URNs).
MODULES = (
    "tests/test_stack_config.py",
    "tests/test_stack_config_every_key.py",
    "tests/test_main.py",
    "tests/components/databricks/test_grants.py",
    "tests/components/kubernetes/test_team_namespace.py",
    "tests/safety/test_urn_guard.py",
)


def onboarded_copy(tmp_path: Path) -> tuple[Path, str, str]:
    """The project with its code linked, its tests copied (they locate the project from their own path), and
    stack files edited as the README says: the user in Pulumi.dev.yaml ("Add a developer sandbox"), the team in each
    stack file ("Add a team")."""
    copy = tmp_path / "clone"
    copy.mkdir()
    for entry in PROJECT_DIR.iterdir():
        if entry.name in {".git", "tests"} or entry.name.startswith("Pulumi.") or entry.name.startswith("."):
            continue
        (copy / entry.name).symlink_to(entry)
    shutil.copytree(PROJECT_DIR / "tests", copy / "tests", ignore=shutil.ignore_patterns("__pycache__"))
    for stack_file in PROJECT_DIR.glob("Pulumi.*yaml"):
        shutil.copy(stack_file, copy / stack_file.name)
    data = yaml.safe_load((copy / "Pulumi.dev.yaml").read_text())
    config = data["config"]
    users = config.setdefault("ml-platform:sandboxUsers", [])
    user = next(f"newcomer{i}" for i in range(len(users) + 1) if f"newcomer{i}" not in users)
    users.append(user)  # README: add the user name to ml-platform:sandboxUsers
    (copy / "Pulumi.dev.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    stack_files = sorted(copy.glob("Pulumi.*.yaml"))
    taken = set().union(*(yaml.safe_load(f.read_text())["config"].get("ml-platform:teams", {}) for f in stack_files))
    team = next(f"search{i}" for i in range(len(taken) + 1) if f"search{i}" not in taken)
    for stack_file in stack_files:  # README "Add a team": one entry under ml-platform:teams in each stack file
        data = yaml.safe_load(stack_file.read_text())
        data["config"].setdefault("ml-platform:teams", {})[team] = {"quota": {"cpu": "4", "memory": "16Gi"}}
        stack_file.write_text(yaml.safe_dump(data, sort_keys=False))
    return copy, user, team


@pytest.mark.onboarding
def test_onboarding_a_user_and_a_team_keeps_the_tests_green(tmp_path: Path) -> None:
    copy, user, _team = onboarded_copy(tmp_path)
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:xdist", "-p", "no:cacheprovider", *MODULES]
    done = subprocess.run(command, cwd=copy, env=env, capture_output=True, text=True, timeout=1500, check=False)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    # The run tested the newcomers, not the shipped list: the URN guard reported the new user's catalog.
    assert f"dev-databricks-{user}-sandbox" in done.stdout, done.stdout[-4000:]
