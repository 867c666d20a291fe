"""Plans for tests: run the real program (or a small snippet program) under the preflight's mocks.

Each stack's plan is computed once per test process and shared; a test that needs another config or
another program asks for it explicitly (`plan_with`, `run_snippet`). Never mutate a shared plan.
"""

from __future__ import annotations

import functools
import textwrap
from pathlib import Path
from typing import Any

from preflight.harness import Plan, run_program
from preflight.policy import Violation, evaluate
from preflight.project import load_stack_settings

PROJECT_DIR = Path(__file__).resolve().parents[1]
STACKS = ("dev", "staging", "prod")


@functools.cache
def preflight_plan(stack: str, preview: bool = False) -> Plan:
    """The plan of the real program for a shipped stack (cached per process: read it, never change it)."""
    return run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, stack), preview=preview)


@functools.cache
def _violations(stack: str, preview: bool) -> tuple[Violation, ...]:
    return tuple(evaluate(PROJECT_DIR, preflight_plan(stack, preview)))


def preflight_violations(stack: str, preview: bool = False) -> list[Violation]:
    """Every policy pack's verdict on the shipped stack's plan."""
    return list(_violations(stack, preview))


def plan_with(stack: str, overrides: dict[str, Any], preview: bool = False) -> Plan:
    """The real program with some config keys replaced (`None` removes a key). Not cached."""
    return run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, stack, overrides), preview=preview)


def run_snippet(tmp_path: Path, code: str, stack: str = "prod", preview: bool = False,
                extra_files: dict[str, str] | None = None) -> Plan:
    """Run a small program (`code` is the body of its __main__.py) as project `ml-platform`, stack `stack`.

    The project's own modules (components, stack_config) are importable, so a snippet can build one
    component, or one deliberately noncompliant resource, and hand the plan to a policy or an assertion.
    """
    (tmp_path / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp_path / f"Pulumi.{stack}.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(textwrap.dedent(code))
    for name, text in (extra_files or {}).items():
        (tmp_path / name).write_text(textwrap.dedent(text))
    import sys

    if str(PROJECT_DIR) not in sys.path:
        sys.path.insert(0, str(PROJECT_DIR))
    return run_program(tmp_path, load_stack_settings(tmp_path, stack), preview=preview)


def violations_of(plan: Plan, policy_config: dict[str, Any] | None = None) -> list[Violation]:
    """Every shipped policy pack's verdict on any plan (e.g. a snippet's), with the given pack config."""
    return evaluate(PROJECT_DIR, plan, policy_config=policy_config if policy_config is not None else {})
