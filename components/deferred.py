"""A deferred output that cannot hang the program: `pulumi.deferred_output`, failed if the block meant to resolve
it raises first.

After a program raises, the SDK waits for every outstanding output before it reports the error
(pulumi/runtime/stack.py: `run_pulumi_func` awaits `wait_for_rpcs` and only then re-raises). A deferred output that
is never resolved never completes, so `pulumi up`, `pulumi preview` and the preflight wait forever instead of
printing the program's error. Resolved here with a failure, everything waiting on it fails too and the wait ends.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pulumi


class DeferredOutputNotResolved(RuntimeError):
    """The block that should resolve a deferred output ended without doing so."""


def _failed(message: str, cause: BaseException | None = None) -> pulumi.Output[Any]:
    async def fail() -> Any:
        raise DeferredOutputNotResolved(message) from cause

    return pulumi.Output.from_input(fail())


@contextmanager
def deferred_output(what: str) -> Iterator[tuple[pulumi.Output[Any], Callable[[pulumi.Output[Any]], None]]]:
    """`(output, resolve)` for the duration of the block, which must call `resolve` exactly once."""
    output, resolve = pulumi.deferred_output()
    resolved = False

    def resolve_once(value: pulumi.Output[Any]) -> None:
        nonlocal resolved
        resolved = True
        resolve(value)

    try:
        yield output, resolve_once
    except BaseException as error:
        if not resolved:
            # Whichever of the two errors the SDK reports first, it names the program's own.
            resolve(_failed(f"{what} was not resolved: the program failed before it with "
                            f"{type(error).__name__}: {error}", error))
        raise
    if not resolved:
        resolve(_failed(f"{what} was never resolved"))
        raise DeferredOutputNotResolved(f"{what} was never resolved (call its resolve in the block)")
