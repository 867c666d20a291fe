"""README's opening commands stay true: the test command is the one `.ci/run` runs after its install step."""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType

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



def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("preflight_bench", PROJECT_DIR / "bench" / "preflight_bench.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_readme_performance_table_is_the_one_the_benchmark_prints() -> None:
    """Each row of the README's figures exists in the benchmark's output format (figure and target), in order."""
    text = (PROJECT_DIR / "README.md").read_text()
    section = text.split("## Performance", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    b = bench()
    assert tuple(lines[:2]) == b.README_HEADER
    rows = [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]
    assert [(figure, target) for figure, _, target in rows] == list(b.README_FIGURES)
    for line, (figure, measured, target) in zip(lines[2:], rows, strict=True):
        assert line == b.readme_row(figure, measured, target)
        assert re.search(r"\d", measured), f"no figure measured for {figure!r}"
