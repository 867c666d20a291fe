"""`.ci/run`: each step says its name and how long it took; a usage mistake is one line with exit 2."""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support import PROJECT_DIR


def ci_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["bash", str(PROJECT_DIR / ".ci" / "run"), *args], capture_output=True, text=True,
                          timeout=300, check=False)


@pytest.mark.parametrize(("args", "words"), [
    (("preflight",), "step 'preflight' takes one stack (dev staging prod), got 0 argument(s)"),
    (("preflight", "dev", "prod"), "step 'preflight' takes one stack (dev staging prod), got 2 argument(s)"),
    (("deploy",), "unknown step 'deploy'"),
    (("lint", "now"), "step 'lint' takes no argument, got 'now'"),
])
def test_usage_errors_are_one_line_with_exit_2(args: tuple[str, ...], words: str) -> None:
    done = ci_run(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    (line,) = done.stderr.splitlines()
    assert line.startswith(f"error: {words} (usage: bash .ci/run "), line


def test_a_step_prints_its_name_and_duration() -> None:
    done = ci_run("lint")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "== lint"
    assert re.fullmatch(r"== lint: ok in \d+\.\d s", lines[-1]), lines[-1]
