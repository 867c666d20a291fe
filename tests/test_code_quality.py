"""Static checks in the test suite: the SDKs' type hints catch a wrong argument name or type that no
provider can catch for us offline; ruff keeps the code to the house style."""

from __future__ import annotations

import json
import subprocess

from tests.support import PROJECT_DIR

VENV_BIN = PROJECT_DIR / "venv" / "bin"


def _tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def test_basedpyright_finds_no_errors() -> None:
    """Scope and settings in pyproject.toml: __main__.py, stack_config.py, components/, preflight/, policies/."""
    done = subprocess.run([_tool("basedpyright"), "--outputjson"], cwd=PROJECT_DIR, capture_output=True, text=True,
                          timeout=600, check=False)
    report = json.loads(done.stdout)
    errors = [f"{d['file'].removeprefix(str(PROJECT_DIR) + '/')}:{d['range']['start']['line'] + 1}: {d['message']}"
              for d in report["generalDiagnostics"] if d["severity"] == "error"]
    assert report["summary"]["filesAnalyzed"] > 0
    assert errors == []


def test_ruff_is_clean() -> None:
    done = subprocess.run([_tool("ruff"), "check", "--output-format", "concise", "."], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_symlink_is_committed() -> None:
    """A committed symlink points at a path of the machine it was made on (one did: components/components ->
    /work/main/components), dangles in every other clone and loops any recursive copy."""
    listed = subprocess.run(["git", "ls-files", "--stage"], cwd=PROJECT_DIR, capture_output=True, text=True,
                            check=True).stdout.splitlines()
    assert listed
    assert [line.split("\t", 1)[1] for line in listed if line.startswith("120000 ")] == []
