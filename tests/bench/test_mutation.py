"""bench/mutation.py: each target's mutmut configuration, and which tests a mutant of a module runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from bench import mutation
from tests.support import PROJECT_DIR


def test_targets_are_the_issues_four_with_their_goals() -> None:
    """Issue 21: 90% killed in the rules and the config validation, 85% in the components and the preflight."""
    assert {t.name: (t.sources, t.goal) for t in mutation.TARGETS} == {
        "policies/rules": (("policies/rules",), 0.90), "stack_config": (("stack_config.py",), 0.90),
        "components": (("components",), 0.85), "preflight": (("preflight",), 0.85)}
    for target in mutation.TARGETS:
        assert all((PROJECT_DIR / p.split("::")[0]).exists() for p in (*target.sources, *target.tests, *target.shared))
        # a shared file runs only if it is in the target's selection (mutmut records durations of those alone)
        assert all(any(p.startswith(t) for t in target.tests) for p in target.shared), target.name


def test_pyproject_mutmut_section_covers_every_target() -> None:
    section = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())["tool"]["mutmut"]
    assert section["source_paths"] == [s for t in mutation.TARGETS for s in t.sources]
    assert section["pytest_add_cli_args_test_selection"] == [s for t in mutation.TARGETS for s in t.tests]
    # Workers must not inherit plans that mutmut's own process built from the unmutated code.
    assert section["process_isolation"] == "forkserver"


UNKNOWNS = "tests/policies/test_unknown_values.py::test_a_value_not_known_yet_is_named_and_never_reported"


@pytest.mark.parametrize(("source", "tests"), [
    ("policies/rules/aws_kms_key_rotation.py", ["tests/policies/rules/test_aws_kms_key_rotation.py",
                                                "tests/policies/rules/test_aws_kms_key_rotation_variants.py",
                                                f"{UNKNOWNS}[aws_kms_key_rotation]"]),
    ("policies/rules/aws_kms_key_policy_wildcard_root_only.py",
     ["tests/policies/rules/test_aws_kms_key_policy_wildcard_root_only.py",
      f"{UNKNOWNS}[aws_kms_key_policy_wildcard_root_only]"]),
    ("stack_config.py", ["tests/test_stack_config.py", "tests/test_stack_config_boundaries.py",
                         "tests/test_stack_config_every_key.py", "tests/test_stack_config_load.py",
                         "tests/test_stack_config_messages.py",
                         "tests/test_stack_config_network.py", "tests/test_stack_config_network_boundaries.py",
                         "tests/test_stack_config_paths.py"]),
    ("components/aws/network.py", ["tests/components/aws/test_network.py", "tests/components/test_documents.py",
                                   "tests/components/test_resource_tree.py",
                                   "tests/policies/test_shipped_stacks.py::test_shipped_stack_has_no_violation"]),
    ("preflight/harness.py", ["tests/preflight/test_harness.py"]),
    ("policies/rules/_support.py", []),       # a shared helper: the target's whole selection
    ("components/aws/__init__.py", []),
])
def test_a_module_runs_the_tests_of_its_mirror(source: str, tests: list[str]) -> None:
    assert mutation.mirror_tests(source, mutation.target_of(source)) == tests


def test_a_path_outside_every_target_is_refused() -> None:
    with pytest.raises(SystemExit, match="in no target"):
        mutation.target_of("ci/lock.py")


def test_module_names_are_mutmuts() -> None:
    assert mutation.module_of("policies/rules/_iam.py") == "policies.rules._iam"
    assert mutation.module_of("components/aws/__init__.py") == "components.aws"
    assert mutation.mangled("stack_config.x__network__mutmut_12") == "stack_config.x__network"
    assert mutation.mangled("preflight.harness.xǁPlanǁone__mutmut_3") == "preflight.harness.xǁPlanǁone"


@pytest.mark.parametrize("name", [t.name for t in mutation.TARGETS])
def test_work_folder_config_is_read_by_mutmut_as_the_target(name: str, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """mutmut's own reader, on the pyproject.toml a target's work folder gets."""
    from mutmut import configuration

    target = next(t for t in mutation.TARGETS if t.name == name)
    for source in mutation.source_files(target)[:1] + [s for s in target.sources]:
        (tmp_path / source).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / "pyproject.toml").write_text(mutation.pyproject_text(target, []))
    monkeypatch.chdir(tmp_path)
    configuration.reset_config()
    try:
        config = configuration.config()
    finally:
        configuration.reset_config()
    assert config.source_paths == [Path(s) for s in target.sources]
    assert config.pytest_add_cli_args_test_selection == list(target.tests)
    others = {s for t in mutation.TARGETS if t is not target for s in t.sources}
    copied = [str(p) for p in config.also_copy]
    assert others <= set(copied) and not set(target.sources) & set(copied)
    # mutmut copies a file of also_copy into a folder that an earlier entry made.
    listed = copied[:copied.index("tests")]
    folders = [p for p in listed if (PROJECT_DIR / p).is_dir()]
    assert listed[:len(folders)] == folders
    assert config.pytest_add_cli_args == ["-p", "no:cacheprovider"]
    # Above mutmut's 1 s: a fresh process builds the stacks' plans before its first test (pyproject.toml says why).
    assert config.timeout_constant == tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())[
        "tool"]["mutmut"]["timeout_constant"] > 1


def test_mutants_folders_are_ignored_by_git() -> None:
    for path in ("mutants/stack_config.py", "bench/results/mutation/stack_config/mutants/x.py"):
        done = subprocess.run(["git", "check-ignore", "-q", path], cwd=PROJECT_DIR, check=False)
        assert done.returncode == 0, path


def test_a_sample_is_drawn_from_the_matched_mutants_and_repeats_with_its_seed() -> None:
    mutants = [f"m.x_f__mutmut_{i}" for i in range(1, 201)] + [f"m.x_g__mutmut_{i}" for i in range(1, 51)]
    drawn = mutation.sample(mutants, ("m.x_f__*",), 20, seed=7)
    assert len(drawn) == len(set(drawn)) == 20
    assert all(m.startswith("m.x_f__") for m in drawn)
    assert drawn == mutation.sample(mutants, ("m.x_f__*",), 20, seed=7)
    assert drawn != mutation.sample(mutants, ("m.x_f__*",), 20, seed=8)
    assert mutation.sample(mutants, ("m.x_g__*",), 60, seed=7) == sorted(m for m in mutants if "x_g" in m)


def test_the_interval_is_wilsons() -> None:
    # Wilson's 95% interval of 90 successes in 100 trials (Newcombe 1998, method 3): 0.8256 to 0.9448.
    low, high = mutation.wilson(90, 100)
    assert (round(low, 4), round(high, 4)) == (0.8256, 0.9448)
    low, high = mutation.wilson(10, 10)  # all killed: the upper bound is 1, the lower z^2/(n+z^2) = 0.7225
    assert (round(low, 4), round(high, 4)) == (0.7225, 1.0)
    assert mutation.wilson(0, 0) == (0.0, 1.0)


def test_a_folder_stands_for_its_modules() -> None:
    assert mutation.module_glob("components/aws") == "components/aws/*"
    assert mutation.module_glob("components/aws/") == "components/aws/*"
    assert mutation.module_glob("components/aws/network.py") == "components/aws/network.py"
    assert mutation.target_of(mutation.module_glob("components/aws")).name == "components"


def test_a_components_mutant_runs_its_mirror_and_the_shared_checks(tmp_path: Path) -> None:
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "mutmut-stats.json").write_text("{}")
    components = next(t for t in mutation.TARGETS if t.name == "components")
    durations = {test: 1.0 for test in [
        "tests/components/aws/test_network.py::test_a[dev]", "tests/components/aws/test_network_x.py::test_b",
        "tests/components/test_documents.py::test_c[prod]", "tests/components/test_resource_tree.py::test_d",
        "tests/policies/test_shipped_stacks.py::test_shipped_stack_has_no_violation[prod]",
        "tests/policies/test_shipped_stacks.py::test_every_exemption_names_a_resource_of_the_stack[prod]",
        "tests/components/aws/test_registries.py::test_e"]}
    mutation.write_stats(tmp_path, components, ["components.aws.network.x_subnet_layout__mutmut_3"], durations)
    stats = json.loads((tmp_path / "mutants" / "mutmut-stats.json").read_text())
    assert stats["tests_by_mangled_function_name"]["components.aws.network.x_subnet_layout"] == [
        "tests/components/aws/test_network.py::test_a[dev]", "tests/components/test_documents.py::test_c[prod]",
        "tests/components/test_resource_tree.py::test_d",
        "tests/policies/test_shipped_stacks.py::test_shipped_stack_has_no_violation[prod]"]


def test_a_module_registers_the_component_types_its_source_names() -> None:
    assert mutation.component_types("components/aws/network.py") == {"platform:network:Network"}
    assert mutation.component_types("components/kubernetes/eks_cluster.py") == {"platform:kubernetes:EksCluster"}
    assert mutation.component_types("components/kubernetes/capacity.py") == set()  # a helper, no component


READS = {"tests/components/kubernetes/test_access_entries.py": ["aws:eks/cluster:Cluster",
                                                                 "platform:kubernetes:EksCluster"],
         "tests/components/databricks/test_sandbox.py": ["databricks:index/catalog:Catalog",
                                                          "platform:databricks:DatabricksPlatform",
                                                          "platform:databricks:Sandbox"],
         "tests/components/aws/test_network.py": ["aws:ec2/vpc:Vpc", "platform:network:Network"]}


def test_the_readers_of_a_module_are_the_files_that_read_what_it_registers() -> None:
    assert mutation.reader_files("components/kubernetes/eks_cluster.py", READS) == [
        "tests/components/kubernetes/test_access_entries.py"]
    assert mutation.reader_files("components/databricks/catalog.py", READS) == []
    assert mutation.reader_files("components/kubernetes/capacity.py", READS) == list(READS)  # a helper: anywhere


def test_a_survivors_second_pass_runs_the_readers_tests_its_mirror_did_not() -> None:
    components = next(t for t in mutation.TARGETS if t.name == "components")
    assert components.readers and not any(t.readers for t in mutation.TARGETS if t is not components)
    durations = {test: 1.0 for test in [
        "tests/components/kubernetes/test_eks_cluster.py::test_a", "tests/components/test_documents.py::test_c",
        "tests/components/kubernetes/test_access_entries.py::test_mode[dev]",
        "tests/components/databricks/test_sandbox.py::test_s", "tests/components/aws/test_network.py::test_n"]}
    reads = {**READS, "tests/components/test_documents.py": ["platform:kubernetes:EksCluster"]}
    assert mutation.reader_tests("components.kubernetes.eks_cluster.xǁEksClusterǁ__init____mutmut_210", components,
                                 reads, durations) == [
        "tests/components/kubernetes/test_access_entries.py::test_mode[dev]"]
    # A module without a mirror ran the whole selection already.
    assert mutation.reader_tests("components.aws.x_f__mutmut_1", components, reads, durations) == []


def test_a_second_pass_reruns_only_survivors_with_readers_and_reports_their_kills(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    components = next(t for t in mutation.TARGETS if t.name == "components")
    (tmp_path / "mutants").mkdir()
    (tmp_path / "mutants" / "mutmut-stats.json").write_text(json.dumps(
        {"tests_by_mangled_function_name": {"components.aws.network.x_f": ["tests/components/aws/test_network.py::t"]}}
    ))
    killed, kept, lonely = ("components.kubernetes.eks_cluster.xǁEksClusterǁ__init____mutmut_210",
                            "components.databricks.platform.xǁDatabricksPlatformǁ__init____mutmut_188",
                            "components.databricks.sandbox.xǁSandboxǁ__init____mutmut_7")
    durations = {"tests/components/kubernetes/test_access_entries.py::test_mode": 1.0,
                 "tests/components/databricks/test_sandbox.py::test_s": 1.0}
    runs: list[tuple[str, ...]] = []
    monkeypatch.setattr(mutation, "_mutmut_logged", lambda work, log, *args: runs.append(args) or 0)
    monkeypatch.setattr(mutation, "statuses", lambda work: {killed: "killed", kept: "survived", lonely: "survived"})
    tried = {killed: "survived", kept: "survived", lonely: "survived",
             "components.aws.network.x_f__mutmut_1": "killed"}
    assert mutation.second_pass(tmp_path, components, tried, READS, durations, 1) == (killed,)
    # lonely: only its mirror reads what the sandbox registers, and the mirror ran
    assert runs == [("run", "--max-children", "1", kept, killed)]
    assert tried[killed] == "killed" and tried[kept] == tried[lonely] == "survived"
    stats = json.loads((tmp_path / "mutants" / "mutmut-stats.json").read_text())
    assert stats["tests_by_mangled_function_name"]["components.kubernetes.eks_cluster.xǁEksClusterǁ__init__"] == [
        "tests/components/kubernetes/test_access_entries.py::test_mode"]
    # the first pass's attribution of every other function stays: mutmut would otherwise trace the selection again
    assert stats["tests_by_mangled_function_name"]["components.aws.network.x_f"] == [
        "tests/components/aws/test_network.py::t"]


def test_the_reads_plugin_records_the_types_of_what_a_test_file_reads(tmp_path: Path) -> None:
    from bench import reads

    assert reads.ENV == mutation.READS_ENV
    assert reads.types_of_urn("urn:pulumi:dev::p::platform:kubernetes:EksCluster$aws:eks/cluster:Cluster::c") == [
        "platform:kubernetes:EksCluster", "aws:eks/cluster:Cluster"]
    (tmp_path / "test_reading.py").write_text(
        "from preflight.harness import RecordedResource\n"
        "def made(t):\n"
        "    return RecordedResource(urn=f'urn:pulumi:dev::p::platform:a:B${t}::n', type=t, name='n', custom=True,\n"
        "                            parent='', provider='', wire_inputs={'x': 1}, options={})\n"
        "def test_reads():\n"
        "    assert made('aws:s3/bucket:Bucket').inputs == {'x': 1}\n"
        "def test_names_only():\n"
        "    assert made('aws:kms/key:Key').name == 'n'\n")
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    assert made_nothing() is None\n"
                                              "def made_nothing():\n    return None\n")
    out = tmp_path / "reads.json"
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "bench.reads",
                           "--rootdir", str(tmp_path), str(tmp_path)], cwd=PROJECT_DIR, capture_output=True,
                          text=True, check=False, env={**os.environ, reads.ENV: str(out)})
    assert done.returncode == 0, done.stdout + done.stderr
    read = {Path(f).name: types for f, types in json.loads(out.read_text()).items()}
    assert read == {"test_reading.py": ["aws:s3/bucket:Bucket", "platform:a:B"], "test_nothing.py": []}
