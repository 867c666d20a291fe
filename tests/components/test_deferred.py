"""A deferred output never leaves the program waiting: if the block that should resolve it raises, the program's
error is reported (components/deferred.py). The SDK waits for every outstanding output before it reports an error,
so a raw `pulumi.deferred_output()` left unresolved hangs `pulumi up` and the preflight."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

from tests.support import PROJECT_DIR

# Run in a child process: if the guarantee breaks, the program hangs, and only a timeout can say so.
_CHILD = textwrap.dedent("""
    import sys, tempfile
    from pathlib import Path
    sys.path.insert(0, {root!r})
    from preflight.harness import ProgramError
    from tests.support import run_snippet
    code = '''
    import pulumi_random as random
    from components.deferred import deferred_output
    with deferred_output("the length") as (length, resolve):
        random.RandomId("waits-for-the-length", byte_length=length)
        {body}
    '''
    with tempfile.TemporaryDirectory() as folder:
        try:
            plan = run_snippet(Path(folder), code, stack="dev")
            print("OK", [r.name for r in plan.registered])
        except ProgramError as error:
            print("ERROR", error)
""")


def _run(body: str) -> str:
    done = subprocess.run([sys.executable, "-c", _CHILD.format(root=str(PROJECT_DIR), body=body)],
                          capture_output=True, text=True, timeout=120, cwd=PROJECT_DIR)
    return done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr


def test_resolved_in_its_block_it_carries_the_value() -> None:
    assert _run("resolve(random.RandomId('source', byte_length=4).byte_length)").startswith("OK")


def test_an_error_before_it_is_resolved_is_reported_instead_of_waited_on() -> None:
    result = _run("raise ValueError('the component refused its arguments')")
    assert result.startswith("ERROR") and "the component refused its arguments" in result, result


def test_a_block_that_forgets_to_resolve_it_is_an_error() -> None:
    result = _run("pass")
    assert result.startswith("ERROR") and "the length was never resolved" in result, result


@pytest.mark.parametrize("path", ["__main__.py"])
def test_the_program_uses_no_raw_deferred_output(path: str) -> None:
    # Every deferred output of the program goes through the guarded helper.
    assert "pulumi.deferred_output(" not in (PROJECT_DIR / path).read_text()
