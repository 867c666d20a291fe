"""ruff in the test suite keeps the code to the house style. The type check (basedpyright, whose run over the
SDKs' stubs costs most of a minute) is the `lint` step of `.ci/run`, beside ruff."""

from __future__ import annotations

import subprocess

from tests.support import PROJECT_DIR

VENV_BIN = PROJECT_DIR / "venv" / "bin"


def _tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def test_ruff_is_clean() -> None:
    done = subprocess.run([_tool("ruff"), "check", "--output-format", "concise", "."], cwd=PROJECT_DIR,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
