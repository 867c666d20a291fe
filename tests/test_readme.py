"""README's opening commands stay true: the test command is the one `.ci/run` runs after its install step."""

from __future__ import annotations

import re

from tests.support import PROJECT_DIR


def readme_commands() -> list[str]:
    text = (PROJECT_DIR / "README.md").read_text()
    block = re.search(r"```bash\n(.*?)```", text, re.S)
    assert block, "README opens with a bash block"
    return [line for line in block.group(1).splitlines() if line and not line.startswith("#")]


def ci_step(step: str) -> list[str]:
    """The command lines of one `.ci/run` step (its `case` arm), comments dropped."""
    script = (PROJECT_DIR / ".ci" / "run").read_text()
    arm = re.search(rf"^    {step}\)\n(.*?)^      ;;", script, re.S | re.M)
    assert arm, step
    return [line.strip() for line in arm.group(1).splitlines() if line.strip() and not line.strip().startswith("#")]


def test_readme_opens_with_the_preflight_and_the_test_command() -> None:
    preflight, tests = readme_commands()
    assert preflight.endswith("venv/bin/python -m preflight --stack prod")
    assert tests == f"bash .ci/run install && {' && '.join(ci_step('test'))}"

