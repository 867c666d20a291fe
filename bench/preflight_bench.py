"""Benchmark of the offline preflight: what the program costs per run, against the SDK's own floor.

    venv/bin/python bench/preflight_bench.py [--runs 5] [--quick]

Prints tables (never asserts): per stack the wall time and peak memory of `python -m preflight`, split into
imports, program evaluation and policy evaluation (median of --runs fresh processes); the floor (as many
trivial `RandomId`s under the same mocks in the same process layout) and our per-resource overhead as a
ratio of it; scaling of the dev stack with 10/100/1,000 sandbox users and 1/10/50 teams; policy cost per
resource per pack; the import cost of each SDK.
"""

from __future__ import annotations

import argparse
import functools
import json
import os
import statistics
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable

# Runs inside a fresh interpreter and prints one JSON line: phases of one preflight run.
_MEASURE = textwrap.dedent("""
    import json, resource, sys, time
    t0 = time.perf_counter()
    import importlib
    sys.path.insert(0, {root!r})
    # Every module a run of this program ends up importing (the SDKs load submodules lazily, on first use):
    # imports are one phase, evaluation another.
    # Packages only: each imports its own submodules in its own order. Importing a leaf module first (say
    # pulumi_aws.eks.access_policy_association before pulumi_aws.eks) left the program waiting forever.
    import importlib.util
    for module in {modules!r}:
        if "." not in module or importlib.util.find_spec(module).submodule_search_locations is not None:
            importlib.import_module(module)
    from preflight.harness import run_program
    from preflight.policy import evaluate, load_packs
    from preflight.project import load_stack_settings
    import stack_config  # noqa
    t1 = time.perf_counter()
    project = __import__("pathlib").Path({project!r})
    settings = load_stack_settings(project, {stack!r}, {overrides!r})
    plan = run_program(project, settings)
    t2 = time.perf_counter()
    first = t2 - t1
    __import__("gc").freeze()  # as `python -m preflight` does before the policies
    packs = load_packs(__import__("pathlib").Path({root!r})) if {policies!r} else []
    per_pack, per_pack_warm = {{}}, {{}}
    # One pack at a time, each with its part of the stack's policy config (the whole config names policies of
    # the other packs too, which evaluating one pack refuses as unknown).
    from preflight.policy import read_policy_config
    full_config = read_policy_config(__import__("pathlib").Path({root!r}), {stack!r}) if packs else {{}}
    configs = {{pack.name: {{k: v for k, v in full_config.items()
                            if k == "all" or k in {{p.name for p in pack.policies}}}} for pack in packs}}
    for pack in packs:
        s = time.perf_counter()
        evaluate(__import__("pathlib").Path({root!r}), plan, [pack], policy_config=configs[pack.name])
        per_pack[pack.name] = time.perf_counter() - s
    t3 = time.perf_counter()
    for pack in packs:  # again: what each further evaluation costs once the packs' caches are warm
        s = time.perf_counter()
        evaluate(__import__("pathlib").Path({root!r}), plan, [pack], policy_config=configs[pack.name])
        per_pack_warm[pack.name] = time.perf_counter() - s
    # The program again, warm (after the policies, as the CLI runs them right after the program): what a
    # run costs without first-use caches.
    t4 = time.perf_counter()
    run_program(project, settings)
    warm = time.perf_counter() - t4
    print(json.dumps({{"imports": t1 - t0, "program": first, "warm": warm,
                      "policies": t3 - t2, "per_pack": per_pack, "per_pack_warm": per_pack_warm,
                      "resources": len(plan.registered),
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}}))
""")


def measure(stack: str, overrides: dict[str, Any] | None = None, project: Path = ROOT, policies: bool = True,
            runs: int = 3) -> dict[str, Any]:
    """Median of `runs` fresh processes, each phase timed inside the process."""
    samples = []
    for _ in range(runs):
        code = _MEASURE.format(root=str(ROOT), project=str(project), stack=stack, overrides=overrides or {},
                               policies=policies, modules=program_modules(project, stack))
        done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True,
                              env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
        samples.append(json.loads(done.stdout.strip().splitlines()[-1]))
    keys = ("imports", "program", "warm", "policies", "peak_mib")
    result: dict[str, Any] = {k: statistics.median(s[k] for s in samples) for k in keys}
    result["resources"] = samples[0]["resources"]
    for key in ("per_pack", "per_pack_warm"):
        result[key] = {name: statistics.median(s[key][name] for s in samples) for name in samples[0][key]}
    return result


_MODULES = textwrap.dedent("""
    import json, sys
    sys.path.insert(0, {root!r})
    from pathlib import Path
    from preflight.harness import run_program
    from preflight.policy import evaluate
    from preflight.project import load_stack_settings
    project = Path({project!r})
    evaluate(Path({root!r}), run_program(project, load_stack_settings(project, {stack!r})))
    print(json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in {packages!r})))
""")
_PACKAGES = ("pulumi", "pulumi_aws", "pulumi_kubernetes", "pulumi_databricks", "pulumi_random", "pulumi_policy",
             "policy_sentry", "jsonschema", "yaml", "preflight", "components", "stack_config", "policies")


@functools.cache
def program_modules(project: Path, stack: str) -> tuple[str, ...]:
    """The modules a preflight of this stack imports, found by running it once."""
    code = _MODULES.format(root=str(ROOT), project=str(project), stack=stack, packages=_PACKAGES)
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return tuple(json.loads(done.stdout.strip().splitlines()[-1]))


def cli_wall(stack: str, runs: int) -> float:
    """Median wall time of the real command, `python -m preflight --stack <stack>`."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "preflight", "--stack", stack], cwd=ROOT, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def floor(resources: int, tmp: Path, runs: int) -> dict[str, Any]:
    """The same number of trivial resources under the same mocks, in the same process layout."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp / "Pulumi.floor.yaml").write_text("config: {}\n")
    (tmp / "__main__.py").write_text(
        "import pulumi_random as random\n"
        f"for i in range({resources}):\n"
        "    random.RandomId(f'id-{i}', byte_length=4)\n")
    return measure("floor", project=tmp, policies=False, runs=runs)


# The SDK's own cost of one resource depends on its type (futures per declared output property, input
# serialisation): the same count of a few of the plan's types, registered flat, shows the spread.
_TYPE_FLOORS = {
    "random.RandomId": "import pulumi_random as r\nfor i in range({n}): r.RandomId(f'x{{i}}', byte_length=4)\n",
    "aws.iam.Role": "import pulumi_aws as aws\nfor i in range({n}): "
                    "aws.iam.Role(f'x{{i}}', assume_role_policy='{{}}')\n",
    "aws.s3.Bucket": "import pulumi_aws as aws\nfor i in range({n}): aws.s3.Bucket(f'x{{i}}')\n",
    "aws.eks.NodeGroup": "import pulumi_aws as aws\nfor i in range({n}): "
                         "aws.eks.NodeGroup(f'x{{i}}', cluster_name='c', "
                         "node_role_arn='a', subnet_ids=['s'], scaling_config={{'desired_size': 1, 'max_size': 1, "
                         "'min_size': 1}})\n",
}


def type_floors(resources: int, tmp: Path, runs: int) -> dict[str, float]:
    """ms per resource of `resources` flat resources of one type, warm, best of `runs`, in one process."""
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp / "Pulumi.floor.yaml").write_text("config: {}\n")
    code = textwrap.dedent(f"""
        import json, sys, time
        from pathlib import Path
        sys.path.insert(0, {str(ROOT)!r})
        from preflight.harness import run_program
        from preflight.project import load_stack_settings
        project, result = Path({str(tmp)!r}), {{}}
        for label, program in {_TYPE_FLOORS!r}.items():
            (project / "__main__.py").write_text(program.format(n={resources}))
            settings = load_stack_settings(project, "floor")
            run_program(project, settings)
            times = []
            for _ in range({max(runs, 2)}):
                start = time.perf_counter()
                run_program(project, settings)
                times.append(time.perf_counter() - start)
            result[label] = min(times) / {resources} * 1000
        print(json.dumps(result))
    """)
    done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def import_costs() -> dict[str, float]:
    """Seconds to import each SDK in a fresh process, after `pulumi` itself (paid by all)."""
    costs = {}
    for module in ("pulumi", "pulumi_random", "pulumi_aws", "pulumi_kubernetes", "pulumi_databricks",
                   "pulumi_policy", "policy_sentry"):
        code = ("import time; import pulumi; t=time.perf_counter(); import " + module +
                "; print(time.perf_counter()-t)") if module != "pulumi" else \
               "import time; t=time.perf_counter(); import pulumi; print(time.perf_counter()-t)"
        done = subprocess.run([PYTHON, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
        costs[module] = float(done.stdout.strip())
    return costs


def dev_with(users: int | None = None, teams: int | None = None) -> dict[str, Any]:
    overrides: dict[str, Any] = {}
    if users is not None:
        overrides["sandboxUsers"] = [f"user{i:04d}" for i in range(users)]
    if teams is not None:
        overrides["teams"] = {f"team{i:02d}": {"quota": {"cpu": "1", "memory": "4Gi"}} for i in range(teams)}
    return overrides


def table(title: str, header: list[str], rows: list[list[str]]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  " + "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True)))
    for row in rows:
        print("  " + "  ".join(str(c).rjust(w) for c, w in zip(row, widths, strict=True)))


# The README's performance table, row by row: (figure, target). The benchmark prints this table last, in the
# README's Markdown form, so the README is refreshed by pasting it; tests/test_readme.py keeps the two equal.
README_FIGURES: tuple[tuple[str, str], ...] = (
    ("`python -m preflight --stack prod`, wall, imports included", "< 10 s"),
    ("program per resource vs the floor (prod resources vs as many `RandomId`s), first run", "<= 1.5x"),
    ("policy evaluation per resource, prod", "< 1 ms"),
    ("dev with 1,000 sandbox users vs 100", "<= 12x"),
    ("dev with 50 teams vs 10", "linear"),
    ("full test suite (`pytest -n 2`)", "< 3 min"),
)
README_HEADER = ("| figure | measured | target |", "|---|---|---|")


def readme_row(figure: str, measured: str, target: str) -> str:
    return f"| {figure} | {measured} | {target} |"


def suite_seconds() -> float:
    start = time.perf_counter()
    subprocess.run([PYTHON, "-m", "pytest", "-q", "-n", "2"], cwd=ROOT, capture_output=True, check=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="processes per figure (median)")
    parser.add_argument("--quick", action="store_true", help="1 run per figure, smaller scaling steps")
    parser.add_argument("--suite", action="store_true", help="also time the full test suite (pytest -n 2) once")
    args = parser.parse_args()
    runs = 1 if args.quick else args.runs
    print(f"machine: {os.cpu_count()} cores, python {sys.version.split()[0]}, runs per figure: {runs}")

    rows, stacks, walls = [], {}, {}
    for stack in ("dev", "staging", "prod"):
        m = stacks[stack] = measure(stack, runs=runs)
        wall = walls[stack] = cli_wall(stack, runs)
        rows.append([stack, m["resources"], f"{wall:.2f}", f"{m['imports']:.2f}", f"{m['program']:.2f}",
                     f"{m['policies']:.2f}", f"{m['peak_mib']:.0f}"])
    table("Preflight per stack (seconds; peak MiB)", ["stack", "resources", "wall", "imports", "program",
                                                     "policies", "peak"], rows)

    prod = stacks["prod"]
    base = floor(prod["resources"], ROOT / "bench" / "results" / "floor", runs)
    rows, ratios = [], {}
    for label, key in (("first run", "program"), ("warm run", "warm")):
        ours = prod[key] / prod["resources"] * 1000
        theirs = base[key] / base["resources"] * 1000
        rows.append([label, prod["resources"], f"{ours:.2f}", f"{theirs:.2f}", f"{ours / theirs:.2f}x"])
        ratios[key] = (ours, theirs)
    table("Program overhead per resource vs the floor (prod; ms per resource)",
          ["run", "resources", "ours", "floor", "ratio"], rows)

    floors = type_floors(prod["resources"], ROOT / "bench" / "results" / "types", runs)
    table("The SDK's own cost per resource by type (flat, warm; ms per resource)", list(floors),
          [[f"{ms:.2f}" for ms in floors.values()]])

    rows = []
    for pack, seconds in prod["per_pack"].items():
        rows.append([pack, prod["resources"], f"{seconds * 1000 / prod['resources']:.3f}",
                     f"{prod['per_pack_warm'][pack] * 1000 / prod['resources']:.3f}"])
    table("Policy evaluation per resource (prod; ms per resource)", ["pack", "resources", "first", "warm"], rows)

    scaling: dict[str, dict[int, tuple[int, float]]] = {}
    for label, steps, make in (("sandbox users", (10, 100) if args.quick else (10, 100, 1000),
                                lambda n: dev_with(users=n)),
                               ("teams", (1, 10, 50), lambda n: dev_with(teams=n))):
        rows, previous = [], None
        for n in steps:
            m = measure("dev", make(n), runs=runs)
            total = m["warm"] + m["policies"]
            scaling.setdefault(label, {})[n] = (m["resources"], total)
            growth = f"{total / previous[1]:.1f}x for {n / previous[0]:.0f}x" if previous else "-"
            rows.append([n, m["resources"], f"{m['warm']:.2f}", f"{m['policies']:.2f}", f"{m['peak_mib']:.0f}",
                         growth])
            previous = (n, total)
        table(f"Scaling of dev with {label} (program warm)", [label, "resources", "program s", "policies s", "peak MiB",
                                                "growth"], rows)

    costs = import_costs()
    table("Import cost per SDK (seconds, fresh process, after pulumi)", ["module", "seconds"],
          [[k, f"{v:.2f}"] for k, v in costs.items()])

    def growth(label: str, big: int, small: int) -> str:
        if big not in scaling.get(label, {}) or small not in scaling[label]:
            return "not measured (without --quick)"
        (r_big, t_big), (r_small, t_small) = scaling[label][big], scaling[label][small]
        return (f"{t_big:.1f} s vs {t_small:.1f} s ({r_big:,} vs {r_small:,} resources): {t_big / t_small:.1f}x "
                f"for {r_big / r_small:.1f}x the resources")

    ours, theirs = ratios["program"]
    packs = ", ".join(f"{pack} {seconds * 1000 / prod['resources']:.2f} ms"
                      for pack, seconds in prod["per_pack"].items())
    measured = [
        f"{walls['prod']:.1f} s (imports {prod['imports']:.1f}, program {prod['program']:.1f}, policies "
        f"{prod['policies']:.1f}, in-process)",
        f"{ours:.2f} vs {theirs:.2f} ms: {ours / theirs:.2f}x ({prod['resources']} resources)",
        packs,
        growth("sandbox users", 1000, 100),
        growth("teams", 50, 10),
        f"{suite_seconds():.0f} s" if args.suite else "not measured (--suite)",
    ]
    print(f"\nREADME table ({time.strftime('%Y-%m-%d')}, runs per figure: {runs})")
    print("\n".join(README_HEADER))
    for (figure, target), value in zip(README_FIGURES, measured, strict=True):
        print(readme_row(figure, value, target))


if __name__ == "__main__":
    main()
