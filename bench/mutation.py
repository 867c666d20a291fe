"""Mutation testing (issue 21): mutmut, one target at a time, each mutant against its own module's tests.

    venv/bin/python bench/mutation.py                              # every target, in order
    venv/bin/python bench/mutation.py --target policies/rules      # one target
    venv/bin/python bench/mutation.py policies/rules/aws_kms_key_rotation.py   # one module (target inferred)
    venv/bin/python bench/mutation.py stack_config.py --mutants 'stack_config.x__network__*'  # some functions

Prints, per target, killed/survived/total and the time it took, and writes `bench/results/mutation/`:
`summary.md` (the table), `<target>.md` (each surviving mutant with its diff) and `<target>.json` (a sample:
`<target>-seed<N>.md` and `.json`, in a work folder of its own, so two samples of a target can run at once).
Never asserts: a score below the target is reported, not failed. One worker, niced (`--nice`, default 15):
mutation runs are the heaviest thing done on a shared machine.

How a mutant is tested. mutmut copies the project into `mutants/` and runs pytest there, so the tests
import the mutated code (its forced-fail run proves it: mutmut stops if a forced failure passes). It picks
each mutant's tests from a stats run that records which test called which function, but this suite
computes every plan and every verdict once per process (`tests/support.py`, the snippet fixtures, the
rules' action tables): only the first test that built a plan is recorded as reaching the code behind it,
and a mutant would be tried against a test that asserts nothing about it. So this script gives mutmut the
stats itself: a mutant of `<dir>/<module>.py` runs the tests of its mirror (`tests/<dir>/test_<module>.py`,
`tests/<dir>/test_<module>_*.py`; STYLE.md: the test tree mirrors the source tree), and the target's `shared`
files (the components' grammars of IAM documents and Kubernetes objects); a module without one (a shared helper
such as `policies/rules/_support.py`) runs the target's whole test selection. pytest
stops at the first failure, so a killed mutant costs the time to the first failing test, a survivor the
whole selection. A components mutant that survives its mirror then runs against every other test file of the
selection that read a resource its module registers (`Target.readers`; bench/reads.py records, in the run that
measures the durations, which resource types each file reads): a component's guarantee is often asserted where
it is used, and a reviewer's bug meets the whole suite. What the map misses (a derived value cached for the
process is recorded for the first file that computed it) leaves a mutant survived: the score is a lower bound.

Sampling (`--sample N`): a target's mutants are more than a shared machine runs in a session (the components'
tests build plans: seconds a mutant). `--sample N` runs N mutants drawn uniformly at random (`--seed`, default 21,
so a run can be repeated) from those the globs match, and the table gives the sample's score with its 95% Wilson
interval: an estimate of the whole target's score, not the score of every mutant. Random mutant sampling is the
standard way to estimate a mutation score (Wong and Mathur 1995; Zhang et al., ISSTA 2013, found a few percent of
the mutants enough for a close estimate).

Each target runs in its own work folder (`bench/results/mutation/<target>/`: symlinks to the repository
and a pyproject.toml whose `[tool.mutmut]` is the repository's with this target's sources and tests), made
anew each run. mutmut runs twice there: once to generate the mutants (no test is attributed yet, so every
mutant is marked "no tests" without running), then, with the stats written, on every mutant.
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import functools
import json
import math
import os
import random
import re
import shutil
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "mutation"
MUTMUT = Path(sys.executable).parent / "mutmut"
READS_ENV = "MUTATION_READS"
"""Where bench/reads.py writes what each test file read (its `ENV`; not imported: it imports the harness)."""
# Not linked into a work folder: its own pyproject.toml is written there; mutmut makes mutants/.
_NOT_LINKED = {".git", "pyproject.toml", "mutants", "venv", ".venv-checkov", ".pytest_cache", ".hypothesis",
               ".ruff_cache", "__pycache__"}


@dataclass(frozen=True)
class Target:
    name: str
    sources: tuple[str, ...]
    """What is mutated (folders or files, from the repository root)."""
    tests: tuple[str, ...]
    """The target's test selection (pytest paths)."""
    goal: float
    """The share of mutants killed that issue 21 asks for."""
    shared: tuple[str, ...] = ()
    """Test files (or test ids) every mutant of the target runs besides its mirror's: checks of what any
    module may emit. `{module}` stands for the mutated module's name (a test parametrized by module)."""
    readers: bool = False
    """Whether a mutant that survives its mirror runs again against every other test file of the selection that
    reads what its module registers (bench/reads.py): a component's guarantee is often asserted where it is used
    (the cluster's authentication mode by the access entries' tests), and the whole suite is what a change meets."""


TARGETS = (
    # A rule that concludes from a value not known yet is wrong for every rule alike; one check for all of them.
    Target("policies/rules", ("policies/rules",), ("tests/policies/rules", "tests/policies/test_unknown_values.py"),
           0.90, shared=("tests/policies/test_unknown_values.py::"
                         "test_a_value_not_known_yet_is_named_and_never_reported[{module}]",)),
    Target("stack_config", ("stack_config.py",),
           tuple(str(p.relative_to(ROOT)) for p in sorted(ROOT.glob("tests/test_stack_config*.py"))), 0.90),
    # An IAM document or a Kubernetes object the service refuses, a resource moved out of its component, or a
    # policy violation fails `up` whichever component caused it; a component's own tests pick statements by Sid
    # and objects by name, so each mutant also runs the grammars, the tree's shape and the shipped stacks' packs.
    # tests/safety and tests/test_main.py judge whole plans (protection, secrets, URNs): the second pass runs them.
    Target("components", ("components",), ("tests/components", "tests/policies/test_shipped_stacks.py",
                                           "tests/safety", "tests/test_main.py"), 0.85,
           shared=("tests/components/test_documents.py", "tests/components/test_resource_tree.py",
                   "tests/policies/test_shipped_stacks.py::test_shipped_stack_has_no_violation"), readers=True),
    Target("preflight", ("preflight",), ("tests/preflight",), 0.85),
)

# mutmut's exit codes, as `mutmut results` names them; a timeout is a detected mutant (the tests did not
# pass), as mutmut's own score counts it.
DETECTED = {"killed", "timeout", "caught by type check", "segfault"}


@dataclass
class Outcome:
    target: Target
    status_by_mutant: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    modules: tuple[str, ...] = ()
    population: int = 0
    """How many mutants the sample was drawn from (0: every mutant matched was run)."""
    by_readers: tuple[str, ...] = ()
    """The mutants that survived their mirror and were killed by another file's tests (`Target.readers`)."""

    def count(self, *statuses: str) -> int:
        return sum(1 for s in self.status_by_mutant.values() if s in statuses)

    @property
    def detected(self) -> int:
        return self.count(*DETECTED)

    @property
    def total(self) -> int:
        return len(self.status_by_mutant)

    @property
    def score(self) -> float:
        return self.detected / self.total if self.total else 0.0

    @property
    def interval(self) -> tuple[float, float]:
        """The 95% Wilson score interval of the share killed (what a sample says of its population)."""
        return wilson(self.detected, self.total)


def wilson(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% for the default z)."""
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / (1 + z * z / trials)
    return (max(0.0, centre - half), min(1.0, centre + half))


def sample(mutants: list[str], globs: tuple[str, ...], size: int, seed: int) -> list[str]:
    """`size` of the mutants the globs match, drawn uniformly at random with `seed` (all of them when fewer)."""
    matched = sorted(m for m in mutants if any(fnmatch.fnmatchcase(m, g) for g in globs))
    if size <= 0 or size >= len(matched):
        return matched
    return sorted(random.Random(seed).sample(matched, size))


def slug(name: str) -> str:
    return name.replace("/", "-")


def module_of(path: str) -> str:
    """`policies/rules/_iam.py` -> `policies.rules._iam` (a package's `__init__.py` -> the package)."""
    dotted = path.removesuffix(".py").replace("/", ".")
    return dotted.removesuffix(".__init__")


def source_files(target: Target, root: Path = ROOT) -> list[str]:
    files: list[str] = []
    for source in target.sources:
        path = root / source
        found = [path] if path.is_file() else sorted(path.rglob("*.py"))
        files += [str(p.relative_to(root)) for p in found if "__pycache__" not in p.parts]
    return files


def mirror_tests(path: str, target: Target, root: Path = ROOT) -> list[str]:
    """The test files that mirror a source module (`components/aws/network.py` ->
    `tests/components/aws/test_network.py`) and the target's shared files, or [] when it has no mirror."""
    source = Path(path)
    folder = root / "tests" / source.parent
    if source.stem == "__init__" or not folder.is_dir():
        return []
    found = [folder / f"test_{source.stem}.py", *sorted(folder.glob(f"test_{source.stem}_*.py"))]
    in_selection = [p for p in found if p.is_file()
                    and any(p.is_relative_to(root / t) or p == root / t for t in target.tests)]
    mirror = [str(p.relative_to(root)) for p in in_selection]
    shared = [f.format(module=source.stem) for f in target.shared]
    return [*mirror, *(f for f in shared if f not in mirror)] if mirror else []


def module_glob(path: str, root: Path = ROOT) -> str:
    """A folder stands for every module under it (mutmut's `only_mutate` takes files or globs)."""
    return f"{path.rstrip('/')}/*" if (root / path).is_dir() else path


def target_of(path: str) -> Target:
    for target in TARGETS:
        if any(path == s or path.startswith(s.rstrip("/") + "/") for s in target.sources):
            return target
    raise SystemExit(f"error: {path} is in no target ({', '.join(t.name for t in TARGETS)})")


def mutmut_section(target: Target, only: list[str], root: Path = ROOT) -> dict[str, object]:
    """The repository's `[tool.mutmut]` with this target's sources and tests; the other targets' sources are
    copied unmutated (the tests import them)."""
    base = dict(tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mutmut"])
    others = [s for t in TARGETS if t is not target for s in t.sources]
    # Folders first: mutmut copies a file of also_copy into a folder it expects to exist.
    also = sorted(set(base.get("also_copy", [])) | set(others), key=lambda p: (not (root / p).is_dir(), p))
    section = {**base, "source_paths": list(target.sources), "also_copy": also,
               "pytest_add_cli_args_test_selection": list(target.tests)}
    if only:
        section["only_mutate"] = only
    return section


def _toml_value(value: object) -> str:
    return json.dumps(value)  # strings, lists of strings, booleans and numbers: TOML reads JSON's spelling


def work_folder(target: Target, only: list[str], suffix: str = "") -> Path:
    """A fresh folder that looks like the repository to mutmut, with this target's configuration."""
    work = RESULTS / (slug(target.name) + suffix)
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    for entry in ROOT.iterdir():
        if entry.name not in _NOT_LINKED:
            (work / entry.name).symlink_to(entry)
    (work / "pyproject.toml").write_text(pyproject_text(target, only))
    return work


def pyproject_text(target: Target, only: list[str], root: Path = ROOT) -> str:
    """The repository's pyproject.toml with its `[tool.mutmut]` (the last section) made this target's."""
    text = (root / "pyproject.toml").read_text()
    head = re.split(r"^\[tool\.mutmut\]\s*$", text, flags=re.MULTILINE)[0].rstrip()
    section = "\n".join(f"{key} = {_toml_value(value)}" for key, value in mutmut_section(target, only, root).items())
    return f"{head}\n\n[tool.mutmut]\n{section}\n"


def test_durations(target: Target, reads: Path | None = None) -> dict[str, float]:
    """Every test of the selection with its duration (mutmut's timeouts are multiples of it), from one plain
    run in the repository; a red selection stops here. With `reads`, the same run writes there which resource
    types each test file reads (bench/reads.py)."""
    plugin = ["-p", "bench.reads"] if reads else []
    env = {**os.environ, READS_ENV: str(reads)} if reads else None
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *plugin,
                           "--durations=0", "--durations-min=0", *target.tests], cwd=ROOT, capture_output=True,
                          text=True, check=False, env=env)
    if done.returncode != 0:
        sys.stdout.write(done.stdout[-4000:] + done.stderr[-2000:])
        raise SystemExit(f"error: the tests of {target.name} do not pass unmutated")
    durations: dict[str, float] = {}
    for line in done.stdout.splitlines():
        match = re.match(r"^(\d+\.\d+)s (?:setup|call|teardown)\s+(\S.*)$", line)
        if match:
            durations[match[2]] = durations.get(match[2], 0.0) + float(match[1])
    return durations


def _mutmut(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(MUTMUT), *args], cwd=work, capture_output=True, text=True, check=False)


def _mutmut_logged(work: Path, log: str, *args: str) -> int:
    """A mutmut run whose output goes to `<work>/<log>.log` as it runs (its progress line is there)."""
    with (work / f"{log}.log").open("w") as out:
        return subprocess.run([str(MUTMUT), *args], cwd=work, stdout=out, stderr=subprocess.STDOUT,
                              check=False).returncode


def statuses(work: Path) -> dict[str, str]:
    done = _mutmut(work, "results", "--all", "True")
    found = dict(re.findall(r"^\s+(\S+): (.+)$", done.stdout, re.MULTILINE))
    if not found:
        raise SystemExit(f"error: `mutmut results` listed nothing in {work}:\n{done.stdout}{done.stderr}")
    return found


def mangled(mutant: str) -> str:
    return re.sub(r"__mutmut_\d+$", "", mutant)


def _tests_of(files: list[str], durations: dict[str, float]) -> list[str]:
    return [t for t in durations if any(t.startswith((f + "::", f + "[")) for f in files)]


@functools.cache
def _path_by_module(target: Target) -> dict[str, str]:
    return {module_of(p): p for p in source_files(target)}


def _source_of(mutant: str, target: Target) -> str | None:
    return _path_by_module(target).get(mangled(mutant).rpartition(".")[0])


def _write_tests(work: Path, tests_by_mutant: dict[str, list[str]], durations: dict[str, float]) -> None:
    """mutmut's stats with each mutant's function attributed to the tests given, the other functions' kept (a
    function without stats would make mutmut trace the whole selection again to find its tests)."""
    stats_file = work / "mutants" / "mutmut-stats.json"
    stats = json.loads(stats_file.read_text())
    tests_by_function: dict[str, list[str]] = dict(stats.get("tests_by_mangled_function_name") or {})
    for name, tests in tests_by_mutant.items():
        function = mangled(name)
        tests_by_function[function] = tests
        tests_by_function[function.replace(".__init__.", ".")] = tests
    stats["tests_by_mangled_function_name"] = tests_by_function
    stats["duration_by_test"] = durations
    stats_file.write_text(json.dumps(stats, indent=1))


def write_stats(work: Path, target: Target, mutants: list[str], durations: dict[str, float]) -> None:
    """Attribute each mutated function to the tests of its module's mirror (or the whole selection)."""
    tests_by_mutant: dict[str, list[str]] = {}
    for name in mutants:
        source = _source_of(name, target)
        files = mirror_tests(source, target) if source else []
        tests_by_mutant[name] = _tests_of(files, durations) if files else list(durations)
    _write_tests(work, tests_by_mutant, durations)


def component_types(path: str, root: Path = ROOT) -> set[str]:
    """The component type tokens a module registers (`super().__init__("platform:aws:Network", ...)`)."""
    return set(re.findall(r"super\(\)\.__init__\(\s*\"([^\"]+)\"", (root / path).read_text()))


def reader_files(path: str, reads: dict[str, list[str]], root: Path = ROOT) -> list[str]:
    """The test files that read a resource the module's components registered (a URN under one of its
    types), or every file read when the module registers no component (a helper: its callers are anywhere)."""
    types = component_types(path, root)
    return [f for f, read in reads.items() if not types or types & set(read)]


def reader_tests(mutant: str, target: Target, reads: dict[str, list[str]], durations: dict[str, float]) -> list[str]:
    """The tests of the files that read what the mutant's module registers, less those its mirror ran."""
    source = _source_of(mutant, target)
    if source is None:
        return []
    mirror = mirror_tests(source, target)
    ran = set(_tests_of(mirror, durations) if mirror else durations)
    files = reader_files(source, reads) if mirror else []
    return [t for t in _tests_of(files, durations) if t not in ran]


def generate(target: Target, only: list[str], durations: dict[str, float], workers: int = 1,
             suffix: str = "") -> tuple[Path, list[str]]:
    """A fresh work folder with every mutant of the target generated and none run; its mutants' names."""
    work = work_folder(target, only, suffix)
    (work / "mutants").mkdir()
    # No test attributed yet: the first run generates the mutants and marks each "no tests" without running.
    (work / "mutants" / "mutmut-stats.json").write_text(json.dumps({
        "tests_by_mangled_function_name": {}, "duration_by_test": durations, "stats_time": 0.0,
        "function_hashes": {}, "function_dependencies": {}, "config_fingerprint": {},
        "watched_file_hashes": {}, "git_commit": None}))
    if _mutmut_logged(work, "generate", "run", "--max-children", str(workers)) != 0:
        raise SystemExit(f"error: mutmut could not generate the mutants of {target.name}; see {work}/generate.log")
    return work, sorted(statuses(work))


# mutmut's own steps before its first test run (`mutmut run` goes on to collect stats, which runs the suite).
_GENERATE_ONLY = """
import os
import mutmut.__main__ as m
m.set_mutant_under_test("mutant_generation")
os.makedirs("mutants", exist_ok=True)
m.copy_src_dir(); m.copy_also_copy_files(); m.setup_source_paths(); m.store_lines_covered_by_tests()
m.create_mutants(1)
"""


def show_target(target: Target, only: list[str], globs: tuple[str, ...] = ("*",), sample_size: int = 0,
                seed: int = 21) -> str:
    """The diff of each mutant the same arguments would run, running none (to read a run's survivors again, or
    to see what a sample will draw)."""
    work = work_folder(target, only, "-show")  # beside a run's folder, which may be in use
    subprocess.run([sys.executable, "-c", _GENERATE_ONLY], cwd=work, check=True, capture_output=True)
    mutants = sorted(statuses(work))
    chosen = sample(mutants, globs, sample_size, seed) if sample_size else \
        [m for m in mutants if any(fnmatch.fnmatchcase(m, g) for g in globs)]
    return "\n".join(f"### `{m}`\n\n```diff\n{_mutmut(work, 'show', m).stdout.strip()}\n```\n" for m in chosen)


def run_target(target: Target, only: list[str], workers: int = 1, globs: tuple[str, ...] = ("*",),
               sample_size: int = 0, seed: int = 21) -> Outcome:
    start = time.monotonic()
    # A sample runs in a folder of its seed's, so two samples of one target can run at once.
    stem = slug(target.name) + (f"-seed{seed}" if sample_size else "")
    reads_file = RESULTS / f"{stem}-reads.json" if target.readers else None
    durations = test_durations(target, reads_file)
    work, mutants = generate(target, only, durations, workers, stem.removeprefix(slug(target.name)))
    write_stats(work, target, mutants, durations)
    # mutmut's workers write no bytecode: without it each one compiles the copy anew (the mutated stack_config.py
    # is 24 MB: 4 s a worker, 0.4 s from bytecode). The files are not touched again, so the bytecode stays valid.
    subprocess.run([sys.executable, "-m", "compileall", "-q", "mutants"], cwd=work, check=True)
    # The mutants named (all: "*"): mutmut re-runs named mutants whatever their recorded result.
    chosen = sample(mutants, globs, sample_size, seed) if sample_size else []
    names = chosen or list(globs)
    if _mutmut_logged(work, "run", "run", "--max-children", str(workers), *names) != 0:
        raise SystemExit(f"error: mutmut failed on {target.name}; see {work}/run.log")
    found = statuses(work)
    tried = ({m: found[m] for m in chosen} if chosen
             else {m: s for m, s in found.items() if any(fnmatch.fnmatchcase(m, g) for g in globs)})
    by_readers: tuple[str, ...] = ()
    if reads_file:
        by_readers = second_pass(work, target, tried, json.loads(reads_file.read_text()), durations, workers)
    population = sum(1 for m in mutants if any(fnmatch.fnmatchcase(m, g) for g in globs)) if chosen else 0
    outcome = Outcome(target, tried, time.monotonic() - start,
                      tuple(sorted({module_of(p) for p in (only or source_files(target))})), population, by_readers)
    write_report(work, outcome, stem)
    return outcome


def second_pass(work: Path, target: Target, tried: dict[str, str], reads: dict[str, list[str]],
                durations: dict[str, float], workers: int) -> tuple[str, ...]:
    """Each survivor against the other test files that read what its module registers; `tried` takes the new
    statuses. Returns the survivors those tests killed."""
    extra = {m: reader_tests(m, target, reads, durations) for m, s in tried.items() if s == "survived"}
    extra = {m: tests for m, tests in extra.items() if tests}  # none: mutmut would mark it "no tests"
    if not extra:
        return ()
    _write_tests(work, extra, durations)
    if _mutmut_logged(work, "readers", "run", "--max-children", str(workers), *sorted(extra)) != 0:
        raise SystemExit(f"error: mutmut failed on {target.name}'s second pass; see {work}/readers.log")
    found = statuses(work)
    tried.update({m: found[m] for m in extra})
    return tuple(sorted(m for m in extra if found[m] in DETECTED))


def write_report(work: Path, outcome: Outcome, stem: str) -> None:
    survivors = sorted(m for m, s in outcome.status_by_mutant.items() if s not in DETECTED)
    lines = [f"# Mutation testing: {outcome.target.name}", "", table([outcome]), ""]
    if outcome.by_readers:
        lines += ["## Killed by another file's tests (survived their mirror)", "",
                  *(f"- `{m}`" for m in outcome.by_readers), ""]
    lines += ["## Not killed", ""]
    for mutant in survivors:
        diff = _mutmut(work, "show", mutant).stdout.strip()
        lines += [f"### `{mutant}` ({outcome.status_by_mutant[mutant]})", "", "```diff", diff, "```", ""]
    (RESULTS / f"{stem}.md").write_text("\n".join(lines))
    (RESULTS / f"{stem}.json").write_text(json.dumps(
        {"target": outcome.target.name, "seconds": round(outcome.seconds, 1), "modules": outcome.modules,
         "population": outcome.population, "status_by_mutant": outcome.status_by_mutant,
         "killed_by_readers": outcome.by_readers}, indent=1))


def table(outcomes: list[Outcome]) -> str:
    rows = ["| target | killed | of which timeouts | of which by other files | survived | no tests | total | "
            "sampled from | score | 95% interval | goal | time |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: | ---: |"]
    for o in outcomes:
        low, high = o.interval
        rows.append(f"| {o.target.name} | {o.detected} | {o.count('timeout')} | {len(o.by_readers)} | "
                    f"{o.count('survived')} | "
                    f"{o.count('no tests')} | {o.total} | {o.population or 'all'} | {o.score:.1%} | "
                    f"{low:.1%} to {high:.1%} | {o.target.goal:.0%} | {o.seconds / 60:.1f} min |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/mutation.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--target", choices=[t.name for t in TARGETS], help="one target (default: all)")
    parser.add_argument("modules", nargs="*", help="only these source files or folders (paths from the repository "
                                                    "root)")
    parser.add_argument("--mutants", default="*", metavar="GLOB[,GLOB]",
                        help="only the mutants whose name matches one, e.g. 'stack_config.x__network__*' "
                             "(default: all); the table counts only those")
    parser.add_argument("--tests", nargs="+", metavar="PATH",
                        help="run the mutants against these of the target's tests only (the score then says what "
                             "they kill), e.g. the network's tests for the network's functions")
    parser.add_argument("--sample", type=int, default=0, metavar="N",
                        help="run N of the matched mutants, drawn at random (default 0: all); the score is then an "
                             "estimate with its 95%% interval")
    parser.add_argument("--seed", type=int, default=21, help="the sample's random seed (default 21)")
    parser.add_argument("--workers", type=int, default=1, help="mutants tested at once (default 1: a shared machine)")
    parser.add_argument("--nice", type=int, default=15, help="niceness of the run (default 15)")
    parser.add_argument("--show", action="store_true",
                        help="print the diff of each mutant the other arguments choose, and run none")
    args = parser.parse_args(argv)
    if args.nice:
        os.nice(args.nice)
    args.modules = [module_glob(m) for m in args.modules]
    if args.modules:
        targets = {target_of(m).name for m in args.modules}
        if len(targets) > 1 or (args.target and {args.target} != targets):
            parser.error(f"modules of one target at a time (these are of {', '.join(sorted(targets))})")
        chosen = [next(t for t in TARGETS if t.name in targets)]
    else:
        chosen = [t for t in TARGETS if args.target in (None, t.name)]
    RESULTS.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for target in chosen:
        if args.tests:
            target = dataclasses.replace(target, tests=tuple(args.tests))
        if args.show:
            print(show_target(target, list(args.modules), tuple(args.mutants.split(",")), args.sample, args.seed))
            continue
        print(f"== {target.name}" + (f" (tests: {' '.join(target.tests)})" if args.tests else ""), flush=True)
        outcomes.append(run_target(target, list(args.modules), args.workers, tuple(args.mutants.split(",")),
                                   args.sample, args.seed))
        print(table(outcomes[-1:]), flush=True)
    if args.show:
        return 0
    summary = table(outcomes)
    (RESULTS / "summary.md").write_text(summary + "\n")
    print(summary)
    return 0


if __name__ == "__main__":
    sys.exit(main())
