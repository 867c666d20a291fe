"""`python -m preflight --stack <stack> [--json] [--preview] [--all-errors]`: the offline check of one stack.

Runs the program under mocks, prints the plan, evaluates every policy pack. Exit status: 0 no mandatory
violation, 1 a mandatory violation, 2 bad configuration or an error in the program (one line each).

Numbers in the report: the wire protocol carries every number as a double (protobuf `Value.number_value`),
so after registration the program's `3600` and `3600.0` are the same value. The report writes a number with
an integral value (|x| < 2**53, exactly representable) as an integer, as the Pulumi CLI's own JSON does
(Go's encoding/json prints the float64 3600 as `3600`); any other number stays a float.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from .harness import Plan, ProgramError, RecordedResource, run_program
from .policy import (
    AppliedExemption,
    PackSummary,
    PolicyConfigError,
    Violation,
    evaluate,
    summarize,
    validate_policy_config,
)
from .project import ProjectError, load_stack_settings

_EXACT_INTEGERS = 2**53


def integral(value: Any) -> Any:
    """The report's numbers: a float with an integral value becomes an int (see the module docstring)."""
    if isinstance(value, float) and value.is_integer() and abs(value) < _EXACT_INTEGERS:
        return int(value)
    if isinstance(value, list):
        return [integral(v) for v in value]
    if isinstance(value, dict):
        return {k: integral(v) for k, v in value.items()}
    return value


def _violation_order(v: Violation) -> tuple[str, str, str, str]:
    # Registration order depends on when outputs resolve; the report must not.
    return (v.pack, v.urn, v.policy, v.message)


def _tree(plan: Plan) -> list[str]:
    children: dict[str, list[RecordedResource]] = {}
    for r in plan.resources:
        children.setdefault(r.parent, []).append(r)
    lines: list[str] = []

    def walk(urn: str, depth: int) -> None:
        for r in children.get(urn, []):
            flags = [f for f, on in (("protected", r.options["protect"]),
                                     ("retained", r.options["retainOnDelete"])) if on]
            suffix = f"  [{', '.join(flags)}]" if flags else ""
            lines.append(f"{'  ' * depth}{r.type}  {r.name}{suffix}")
            walk(r.urn, depth + 1)

    for root in children.get("", []):
        lines.append(f"{root.type}  {root.name}")
        walk(root.urn, 1)
    return lines


def _policy_lines(packs: list[PackSummary], exemptions: list[AppliedExemption], stack: str) -> list[str]:
    out = ["", f"Policy packs (config policies/config/{stack}.json):"]
    for pack in packs:
        counts = Counter(pack.levels.values())
        levels = ", ".join(f"{n} {level}" for level, n in sorted(counts.items()))
        out.append(f"  {pack.name}@v{pack.version}: {len(pack.levels)} policies ({levels})")
    out += ["", f"Exemptions applied: {sum(1 for e in exemptions if e.urns)}"]
    for e in exemptions:
        status = "" if e.urns else "  [matches no resource of this plan]"
        out.append(f"  {e.pack}/{e.policy}  {e.resource}: {e.reason}{status}")
    return out


def _text_report(plan: Plan, violations: list[Violation], packs: list[PackSummary] | None = None,
                 exemptions: list[AppliedExemption] | None = None, notes: list[Violation] | None = None) -> str:
    registered = plan.registered
    counts = Counter(r.type for r in registered)
    out = [f"Preflight of stack {plan.stack} ({'preview' if plan.preview else 'update'} mode): "
           f"{len(registered)} resources", ""]
    out += _tree(plan)
    out += ["", "Resources by type:"]
    out += [f"  {n:4d}  {t}" for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    if plan.outputs:
        out += ["", "Outputs:"]
        for key, value in sorted(plan.plain_outputs.items()):
            out.append(f"  {key}: {json.dumps(integral(_redact(value)))}")
    if packs is not None:
        out += _policy_lines(packs, exemptions or [], plan.stack)
    mandatory = [v for v in violations if v.enforcement == "mandatory"]
    out += ["", f"Policy violations: {len(violations)} ({len(mandatory)} mandatory)"]
    for v in violations:
        first = v.message.splitlines()
        detail = " ".join(first[1:]) if len(first) > 1 else first[0]
        out.append(f"  [{v.enforcement}] {v.pack}/{v.policy}  {v.urn.split('::')[-1] or '(stack)'}: {detail}")
    if notes:
        out += ["", f"Could not run during preview (no verdict; they run with the real values during up): {len(notes)}"]
        for n in notes:
            out.append(f"  {n.pack}/{n.policy}: {n.message.split(' during preview: ', 1)[-1]}")
    return "\n".join(out)


def _redact(value: Any) -> Any:
    from .harness import Secret, Unknown

    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, Unknown):
        return "[unknown]"
    if isinstance(value, list):
        return [_redact(v) for v in value]
    if isinstance(value, dict):
        return {k: _redact(v) for k, v in value.items()}
    return value


def _error_lines(exc: BaseException, all_errors: bool) -> list[str]:
    """One line per problem with --all-errors, else the one line whose end says how many more there are."""
    problems = getattr(exc, "problems", None)
    stack = getattr(exc, "stack", None)
    if all_errors and isinstance(problems, list) and problems:
        return [f"error: {stack}: {p}" if stack else f"error: {p}" for p in problems]
    return [f"error: {' '.join(str(exc).split())}"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m preflight", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--stack", required=True, help="dev, staging or prod")
    parser.add_argument("--json", action="store_true", help="print one JSON object instead of the text report")
    parser.add_argument("--preview", action="store_true",
                        help="computed values are unknown, as during `pulumi preview` (default: as during up)")
    parser.add_argument("--all-errors", action="store_true",
                        help="list every configuration problem, one per line (default: the first, and how many more)")
    parser.add_argument("--project-dir", type=Path, default=Path.cwd(), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    import pulumi  # after argument parsing, so --help stays instant

    try:
        settings = load_stack_settings(args.project_dir, args.stack)
        validate_policy_config(args.project_dir, args.stack)
        plan = run_program(args.project_dir, settings, preview=args.preview)
        # The plan and the SDKs' objects live until exit: keep the collector from re-scanning them while the
        # policies allocate (measured: a quarter of policy time at 7,000 resources, growing with the plan).
        gc.freeze()
        findings = sorted(evaluate(args.project_dir, plan), key=_violation_order)
        packs, exemptions = summarize(args.project_dir, plan)
    except (ProjectError, ProgramError, PolicyConfigError, pulumi.RunError) as exc:
        # RunError: the program's own clean failure, e.g. a ConfigError.
        for line in _error_lines(exc, args.all_errors):
            print(line, file=sys.stderr)
        return 2
    except Exception as exc:  # a bug of the preflight or a policy, not of the user: still one line, never 1
        if os.environ.get("PREFLIGHT_TRACEBACK"):
            raise
        print(f"error: {args.stack}: preflight failed: {type(exc).__name__}: {' '.join(str(exc).split())} "
              "(PREFLIGHT_TRACEBACK=1 shows the traceback)", file=sys.stderr)
        return 2

    violations = [v for v in findings if not v.is_preview_note]
    notes = [v for v in findings if v.is_preview_note]
    if args.json:
        print(json.dumps({
            "stack": plan.stack,
            # Sorted by URN: registration order depends on when outputs resolve, and the report must diff cleanly.
            "resources": [integral(r.to_json()) for r in sorted(plan.registered, key=lambda r: r.urn)],
            "violations": [v.to_json() for v in violations],
            # Added fields (the shape above is unchanged): preview notes, packs and their levels, exemptions.
            "notes": [v.to_json() for v in notes],
            "packs": [p.to_json() for p in packs],
            "exemptions": [e.to_json() for e in exemptions],
        }, indent=2, sort_keys=False))
    else:
        print(_text_report(plan, violations, packs, exemptions, notes))
    return 1 if any(v.enforcement == "mandatory" for v in violations) else 0


if __name__ == "__main__":
    sys.exit(main())
