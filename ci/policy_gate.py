"""Fail a prod preview in which a policy could not run.

During `pulumi preview` a policy that reads a value not yet known is skipped, and pulumi-policy reports that
as an advisory diagnostic ("can't run policy '<name>' from policy pack '<pack>@v<version>' during preview:
..."), so the preview itself passes. For prod that is not good enough: an unchecked rule counts as a failure.
The preview workflow hands the preview's output to this script in PREVIEW_OUTPUT (an environment variable,
never interpolated into the shell).

    PREVIEW_OUTPUT="$(pulumi preview ...)" python -m ci.policy_gate
Exit 0 every policy ran, 1 at least one could not (each listed), 2 no output to judge.
"""

from __future__ import annotations

import argparse
import os
import re
import sys

# pulumi_policy/policy.py words it so (tests/ci/test_policy_gate.py checks the pinned version still does).
COULD_NOT_RUN = re.compile(r"can't run policy '(?P<policy>[^']+)' from policy pack '(?P<pack>[^']+)'")


def policies_that_could_not_run(preview_output: str) -> list[str]:
    """`pack/policy` for every policy the preview reports it could not run, in order, without repeats."""
    found: list[str] = []
    for match in COULD_NOT_RUN.finditer(preview_output):
        name = f"{match['pack']}/{match['policy']}"
        if name not in found:
            found.append(name)
    return found


def main(argv: list[str] | None = None, environ: dict[str, str] | None = None) -> int:
    argparse.ArgumentParser(prog="python -m ci.policy_gate", description=(__doc__ or "").splitlines()[0],
                            epilog="Reads the preview output from PREVIEW_OUTPUT.").parse_args(argv)
    output = (os.environ if environ is None else environ).get("PREVIEW_OUTPUT", "")
    if not output.strip():
        print("error: PREVIEW_OUTPUT is empty: no preview to judge", file=sys.stderr)
        return 2
    skipped = policies_that_could_not_run(output)
    for name in skipped:
        print(f"error: policy {name} could not run during the preview (a value it reads is unknown)",
              file=sys.stderr)
    if skipped:
        return 1
    print("every policy ran during the preview")
    return 0


if __name__ == "__main__":
    sys.exit(main())
