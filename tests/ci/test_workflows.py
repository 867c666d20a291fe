"""The GitHub Actions workflows, checked offline: GitHub's workflow schema, zizmor's audit, action pins, least
permissions, deploy locks, the promotion chain, and that the credential-free job runs exactly `.ci/run`.

Offline means: nothing here proves a workflow runs on GitHub. zizmor's online audits (impostor commits,
known-vulnerable actions, whether a pinned SHA matches its `# vX` tag) cannot run; the pins were checked
against public records by hand (see README.md, CI section).
"""

from __future__ import annotations

import fnmatch
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench import mutation
from tests.ci.workflows import WORKFLOW_FILES, WORKFLOWS, jobs, steps_using, workflow
from tests.support import PROJECT_DIR, STACKS

ZIZMOR_CONFIG = PROJECT_DIR / ".github" / "zizmor.yml"
VENV_BIN = PROJECT_DIR / "venv" / "bin"
PACKS = ["policies/least-privilege", "policies/platform-integrity", "policies/prod-guardrails"]
SHA_PIN = re.compile(r"^\s*(?:-\s+)?uses:\s+(?P<action>[\w.-]+/[\w./-]+)@(?P<ref>\S+)(?P<comment>.*)$")


def _tool(name: str) -> str:
    path = VENV_BIN / name
    return str(path) if path.exists() else name


def test_the_three_workflows_exist() -> None:
    assert {"preview.yml", "deploy.yml", "drift.yml"} <= set(WORKFLOW_FILES)


def test_workflows_match_githubs_schema() -> None:
    """One check-jsonschema run for all files (it starts in ~0.6 s); its output names any failing file."""
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows",
                           *(str(WORKFLOWS / name) for name in WORKFLOW_FILES)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_dependabot_config_matches_its_schema() -> None:
    done = subprocess.run([_tool("check-jsonschema"), "--builtin-schema", "vendor.dependabot",
                           str(PROJECT_DIR / ".github" / "dependabot.yml")], capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def _zizmor(*extra: str) -> list[dict[str, Any]]:
    done = subprocess.run([_tool("zizmor"), "--offline", "--format", "json", "--config", str(ZIZMOR_CONFIG),
                           *extra, str(PROJECT_DIR / ".github")], capture_output=True, text=True, timeout=300,
                          check=False)
    assert done.stdout.strip(), done.stderr
    return json.loads(done.stdout)


def _where(finding: dict[str, Any]) -> str:
    key = finding["locations"][0]["symbolic"]["key"]
    return f"{finding['ident']} ({finding['determinations']['severity']}) at {key}"


def test_zizmor_finds_nothing_of_medium_or_higher_even_without_the_ignore_list() -> None:
    findings = _zizmor("--no-ignores", "--persona", "pedantic")
    serious = [_where(f) for f in findings if f["determinations"]["severity"] not in ("Informational", "Low")]
    assert serious == []


def test_zizmor_finds_nothing_beyond_the_reasoned_ignore_list() -> None:
    """Every low finding that remains is listed, with its reason, in .github/zizmor.yml."""
    assert [_where(f) for f in _zizmor("--persona", "pedantic")] == []


def test_every_action_is_pinned_to_a_full_commit_sha_with_its_tag_in_a_comment() -> None:
    pins: dict[str, set[str]] = {}
    for name in WORKFLOW_FILES:
        for line in (WORKFLOWS / name).read_text().splitlines():
            match = SHA_PIN.match(line)
            if match is None:
                continue
            assert re.fullmatch(r"[0-9a-f]{40}", match["ref"]), f"{name}: {line.strip()}"
            assert re.fullmatch(r"\s+# v\d+(\.\d+){1,2}", match["comment"]), f"{name}: tag comment: {line.strip()}"
            pins.setdefault(match["action"], set()).add(match["ref"] + match["comment"].strip())
    assert set(pins) == {"actions/checkout", "actions/setup-python", "actions/upload-artifact",
                         "aws-actions/configure-aws-credentials", "pulumi/actions"}
    assert {action: len(refs) for action, refs in pins.items()} == dict.fromkeys(pins, 1), "one pin per action"


def test_readme_ci_lists_exactly_the_pins_in_use() -> None:
    in_use = {(m["action"], m["comment"].strip().removeprefix("# "), m["ref"])
              for name in WORKFLOW_FILES for line in (WORKFLOWS / name).read_text().splitlines()
              if (m := SHA_PIN.match(line))}
    table = set(re.findall(r"^\| `([\w/-]+)` \| (v[\d.]+) \| `([0-9a-f]{40})` \|$",
                           (PROJECT_DIR / "README.md").read_text(), re.MULTILINE))
    assert table == in_use


def test_remote_uses_lines_are_all_seen_by_the_pin_check() -> None:
    """The regex above must not skip a differently written `uses:` (a test that sees nothing proves nothing)."""
    for name in WORKFLOW_FILES:
        text = (WORKFLOWS / name).read_text()
        remote = [u for u in re.findall(r"uses:\s*(\S+)", text) if not u.startswith("./")]
        assert len(remote) == sum(1 for line in text.splitlines() if SHA_PIN.match(line)), name


# --- the credential-free job is `.ci/run` -------------------------------------------------------------------

def ci_run_steps() -> list[str]:
    done = subprocess.run(["bash", str(PROJECT_DIR / ".ci" / "run"), "steps"], capture_output=True, text=True,
                          timeout=30, check=True)
    return done.stdout.splitlines()


def workflow_ci_run_calls(job: dict[str, Any]) -> list[list[str]]:
    """`bash .ci/run ...` calls of each instance of a job (one per matrix value), with a matrix-valued env var
    expanded as the runner would."""
    instances: list[list[str]] = []
    for stack in job.get("strategy", {}).get("matrix", {}).get("stack", [None]):
        calls: list[str] = []
        for step in job["steps"]:
            command = step.get("run", "")
            if not command.startswith("bash .ci/run"):
                continue
            for var, value in step.get("env", {}).items():
                if value == "${{ matrix.stack }}":
                    command = command.replace(f'"${{{var}}}"', str(stack))
            calls.append(command.removeprefix("bash .ci/run").strip())
        instances.append(calls)
    return instances


def test_checks_workflow_runs_exactly_the_steps_of_ci_run() -> None:
    steps = ci_run_steps()
    assert steps == ["install", "lint", "test", *(f"preflight {stack}" for stack in STACKS)]
    instances = [calls for job in workflow("checks.yml")["jobs"].values() for calls in workflow_ci_run_calls(job)]
    for calls in instances:
        # Each runner installs everything from scratch first, then runs its share in `.ci/run`'s order.
        assert calls[0] == "install" and "install" not in calls[1:]
        assert calls[1:] == [step for step in steps if step in calls[1:]]
    # Together they run every other step of `.ci/run` exactly once, and nothing else.
    assert sorted(step for calls in instances for step in calls[1:]) == sorted(steps[1:])


def test_only_checks_yml_calls_ci_run_and_both_triggers_use_it() -> None:
    for name, _, job in jobs():
        if name != "checks.yml" and "steps" in job:
            assert workflow_ci_run_calls(job) in ([[]], [[]] * len(STACKS)), name
    for name in ("preview.yml", "deploy.yml"):
        assert workflow(name)["jobs"]["checks"]["uses"] == "./.github/workflows/checks.yml"
    assert workflow("checks.yml")["on"] == {"workflow_call": None}


def test_every_matrix_covers_every_stack() -> None:
    """Every matrix over stacks; the mutation workflow's matrix is over its targets, not stacks."""
    matrices = [job["strategy"]["matrix"] for _, _, job in jobs() if "strategy" in job]
    by_stack = [m["stack"] for m in matrices if "stack" in m]
    assert len(by_stack) == 3  # preflight, preview, drift
    assert all(m == list(STACKS) for m in by_stack)
    (parts,) = [m["include"] for m in matrices if "stack" not in m]
    assert {p["target"] for p in parts} == {t.name for t in mutation.TARGETS}


def test_the_mutation_parts_mutate_every_module_once() -> None:
    """A part is a target, or some of its modules (the components' layers: one runner could not finish them);
    together they mutate every module of every target exactly once."""
    (job,) = [job for name, _, job in jobs() if name == "mutation.yml"]
    mutated: list[str] = []
    for part in job["strategy"]["matrix"]["include"]:
        target = next(t for t in mutation.TARGETS if t.name == part["target"])
        modules = [mutation.module_glob(m) for m in part["modules"].split()]
        assert all(mutation.target_of(m) is target for m in modules), part
        files = mutation.source_files(target)
        mutated += [f for f in files if not modules or any(fnmatch.fnmatch(f, m) for m in modules)]
    every = [f for t in mutation.TARGETS for f in mutation.source_files(t)]
    assert sorted(mutated) == sorted(every)


# --- permissions --------------------------------------------------------------------------------------------

def test_workflows_grant_nothing_by_default_and_every_job_says_what_it_needs() -> None:
    for name in WORKFLOW_FILES:
        assert workflow(name)["permissions"] == {}, name
    for name, job_id, job in jobs():
        assert "permissions" in job, f"{name}:{job_id}"
        assert job["permissions"].get("contents") == "read", f"{name}:{job_id}"


def test_write_scopes_only_where_needed() -> None:
    for name, job_id, job in jobs():
        writes = {scope for scope, level in job["permissions"].items() if level == "write"}
        aws = bool(steps_using(job, "aws-actions/configure-aws-credentials")) or job.get("uses") == \
            "./.github/workflows/up.yml"
        expected = {"id-token"} if aws else set()
        if (name, job_id) == ("preview.yml", "preview"):
            expected = {"id-token", "pull-requests"}  # the PR comment
        assert writes == expected, f"{name}:{job_id}"


def _role(job: dict[str, Any]) -> str:
    (step,) = steps_using(job, "aws-actions/configure-aws-credentials")
    assert "aws-access-key-id" not in step["with"] and "aws-secret-access-key" not in step["with"]
    return step["with"]["role-to-assume"]


@pytest.mark.parametrize(("name", "job_id", "role"), [
    ("preview.yml", "preview", "preview"), ("drift.yml", "drift", "preview"), ("up.yml", "up", "deploy")])
def test_oidc_roles_are_the_stacks_ci_roles(name: str, job_id: str, role: str) -> None:
    """The CI roles live in the management account (components/aws/ci_identities.py), one pair per stack."""
    key = "inputs.stack" if name == "up.yml" else "matrix.stack"
    assert _role(workflow(name)["jobs"][job_id]) == (
        f"arn:aws:iam::${{{{ vars.AWS_MANAGEMENT_ACCOUNT_ID }}}}:role/ml-platform-${{{{ {key} }}}}-ci-{role}")


# --- pulumi -------------------------------------------------------------------------------------------------

def sdk_version() -> str:
    return pins(PROJECT_DIR / "requirements.txt")["pulumi"]


@pytest.mark.parametrize(("name", "job_id"), [("preview.yml", "preview"), ("up.yml", "up"), ("drift.yml", "drift")])
def test_pulumi_cli_is_pinned_to_the_sdk_version(name: str, job_id: str) -> None:
    assert workflow(name)["env"]["PULUMI_VERSION"] == sdk_version()
    (step,) = steps_using(workflow(name)["jobs"][job_id], "pulumi/actions")
    assert step["with"]["pulumi-version"] == "${{ env.PULUMI_VERSION }}"


@pytest.mark.parametrize(("name", "key", "command"), [("preview.yml", "matrix.stack", "preview"),
                                                       ("up.yml", "inputs.stack", "up")])
def test_both_policy_packs_run_with_the_stacks_policy_config(name: str, key: str, command: str) -> None:
    (job,) = workflow(name)["jobs"].values() if name == "up.yml" else [workflow(name)["jobs"]["preview"]]
    (step,) = steps_using(job, "pulumi/actions")
    assert step["with"]["command"] == command
    assert step["with"]["stack-name"] == f"${{{{ {key} }}}}"
    assert step["with"]["policyPacks"].splitlines() == PACKS
    assert step["with"]["policyPackConfigs"].splitlines() == [f"policies/config/${{{{ {key} }}}}.json"] * len(PACKS)


def test_policy_pack_list_matches_the_packs_in_the_repository() -> None:
    if not (PROJECT_DIR / "policies").is_dir():
        pytest.skip("policies/ has not landed on this branch yet")
    on_disk = sorted(f"policies/{p.parent.name}" for p in (PROJECT_DIR / "policies").glob("*/PulumiPolicy.yaml"))
    assert on_disk == PACKS


def test_preview_comments_once_per_stack_and_keeps_the_summary() -> None:
    job = workflow("preview.yml")["jobs"]["preview"]
    (step,) = steps_using(job, "pulumi/actions")
    assert step["with"]["comment-on-pr"] is True
    assert step["with"]["edit-pr-comment"] is True       # the heading names project and stack: one comment each
    assert step["with"]["always-include-summary"] is True
    assert job["needs"] == "checks"


def test_a_failed_preview_rewrites_its_comment_last() -> None:
    steps = workflow("preview.yml")["jobs"]["preview"]["steps"]
    assert steps[-1]["if"] == "failure()"
    assert steps[-1]["run"].startswith("python3 -m ci.preview_comment --pr ")
    assert steps[-1]["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_prod_preview_fails_when_a_policy_could_not_run() -> None:
    steps = workflow("preview.yml")["jobs"]["preview"]["steps"]
    (gate,) = [s for s in steps if s.get("run") == "python3 -m ci.policy_gate"]
    assert gate["if"] == "matrix.stack == 'prod'"
    assert gate["env"]["PREVIEW_OUTPUT"] == "${{ steps.preview.outputs.output }}"
    assert steps.index(gate) > next(i for i, s in enumerate(steps) if s.get("id") == "preview")


# --- deploy -------------------------------------------------------------------------------------------------

def test_deploy_promotes_dev_then_staging_then_prod() -> None:
    deploy = workflow("deploy.yml")
    assert deploy["on"] == {"push": {"branches": ["main"]}}
    chain = {job_id: job for job_id, job in deploy["jobs"].items() if job_id != "checks"}
    assert list(chain) == list(STACKS)
    assert [chain[s]["needs"] for s in STACKS] == ["checks", "dev", "staging"]
    for stack, job in chain.items():
        assert job["uses"] == "./.github/workflows/up.yml"
        assert job["with"]["stack"] == stack
    assert "promote-from" not in chain["dev"]["with"] and "change-window" not in chain["dev"]["with"]
    assert chain["staging"]["with"] == {"stack": "staging", "promote-from": "dev"}
    assert chain["prod"]["with"] == {"stack": "prod", "promote-from": "staging", "change-window": True}


def test_up_job_runs_in_the_stacks_environment_under_its_deploy_lock() -> None:
    (job,) = workflow("up.yml")["jobs"].values()
    assert job["environment"] == "${{ inputs.stack }}"   # required reviewers live on the environment
    assert job["concurrency"] == {"group": "deploy-${{ inputs.stack }}", "cancel-in-progress": False}
    others = [job.get("concurrency", {}).get("group", "") for _, _, job in jobs()]
    assert sum(group.startswith("deploy-") for group in others) == 1, "nothing else may take a deploy lock"


def test_gates_run_before_any_credential_or_change() -> None:
    (job,) = workflow("up.yml")["jobs"].values()
    steps = job["steps"]
    names = [s.get("name") or s.get("uses", "").split("@")[0] for s in steps]
    window = names.index("Inside the change window")
    promotion = names.index("Forward-only promotion")
    assert steps[window]["run"] == "python3 -m ci.change_window"
    assert steps[window]["if"] == "inputs.change-window"
    assert steps[promotion]["run"] == ('python3 -m ci.promotion --commit "${COMMIT}" --source "${SOURCE}" '
                                       '--target "${TARGET}"')
    assert steps[promotion]["env"]["COMMIT"] == "${{ github.sha }}"
    assert max(window, promotion) < names.index("aws-actions/configure-aws-credentials") < names.index(
        "pulumi/actions")
    (checkout,) = steps_using(job, "actions/checkout")
    assert checkout["with"]["fetch-depth"] == 0           # git merge-base needs the history


def test_no_step_interpolates_an_expression_into_a_shell() -> None:
    for name, job_id, job in jobs():
        for step in job.get("steps", []):
            assert "${{" not in step.get("run", ""), f"{name}:{job_id}: {step.get('run')}"


def test_checkouts_do_not_persist_the_token() -> None:
    for name, job_id, job in jobs():
        for step in steps_using(job, "actions/checkout"):
            assert step["with"]["persist-credentials"] is False, f"{name}:{job_id}"


# --- drift --------------------------------------------------------------------------------------------------

def test_drift_runs_at_least_weekly_and_reports_into_the_job_summary() -> None:
    drift = workflow("drift.yml")
    (schedule,) = drift["on"]["schedule"]
    minute, hour, day_of_month, month, day_of_week = schedule["cron"].split()
    assert (day_of_month, month) == ("*", "*") and day_of_week != "*" and minute.isdigit() and hour.isdigit()
    (step,) = [s for s in drift["jobs"]["drift"]["steps"] if "pulumi refresh" in s.get("run", "")]
    # --run-program: the refresh takes its providers from the program (the read-only chain), not the state.
    assert "--run-program --preview-only --expect-no-changes" in step["run"]
    assert step["env"]["ML_PLATFORM_ACCESS"] == "preview"
    assert 'exit "${status}"' in step["run"] and '>> "${GITHUB_STEP_SUMMARY}"' in step["run"]


def test_drift_step_fails_and_reports_on_drift(tmp_path: Path) -> None:
    """The drift step's shell, run with a fake `pulumi` that reports drift (exit 1), then one that does not."""
    (step,) = [s for s in workflow("drift.yml")["jobs"]["drift"]["steps"] if "pulumi refresh" in s.get("run", "")]
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for status, expect_summary in ((1, True), (0, False)):
        fake = bin_dir / "pulumi"
        fake.write_text(f'#!/bin/sh\n[ "$1" = login ] && exit 0\necho "~ aws:s3/bucket:Bucket raw update"\n'
                        f"exit {status}\n")
        fake.chmod(0o755)
        summary = tmp_path / f"summary-{status}.md"
        env = {"PATH": f"{bin_dir}:/usr/bin:/bin", "STACK": "prod", "BACKEND_URL": "s3://state",
               "GITHUB_STEP_SUMMARY": str(summary)}
        done = subprocess.run(["bash", "-e", "-c", step["run"]], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=30, check=False)
        assert done.returncode == status
        assert "~ aws:s3/bucket:Bucket raw update" in done.stdout
        if expect_summary:
            assert "### prod: drift" in summary.read_text() and "aws:s3/bucket:Bucket raw" in summary.read_text()
        else:
            assert not summary.exists()


@pytest.mark.parametrize(("name", "job_id"), [("preview.yml", "preview"), ("up.yml", "up"), ("drift.yml", "drift")])
def test_cloud_jobs_install_the_program_and_put_its_venv_first_on_path(name: str, job_id: str) -> None:
    steps = workflow(name)["jobs"][job_id]["steps"]
    (install,) = [i for i, s in enumerate(steps) if "-r requirements.txt" in s.get("run", "")]
    assert 'echo "${PWD}/venv/bin" >> "${GITHUB_PATH}"' in steps[install]["run"]
    assert install < next(i for i, s in enumerate(steps) if s.get("uses", "").startswith("pulumi/actions@"))


def test_policy_packs_install_what_the_program_pins() -> None:
    """Each pack runs in its own virtualenv, which the CLI fills from the pack's requirements.txt (issue 6: a
    pinned requirements file per pack); those pins must equal the program's, so the pack that CI runs is the
    pack the preflight and the tests evaluate."""
    manifests = sorted((PROJECT_DIR / "policies").glob("*/PulumiPolicy.yaml"))
    assert manifests, "no policy pack under policies/"
    program = pins(PROJECT_DIR / "requirements.txt")
    for manifest in manifests:
        runtime = (yaml.safe_load(manifest.read_text()) or {}).get("runtime", {})
        virtualenv = runtime.get("options", {}).get("virtualenv") if isinstance(runtime, dict) else None
        assert virtualenv == "venv", manifest
        pack = pins(manifest.parent / "requirements.txt")
        assert pack, manifest
        assert {name: program.get(name) for name in pack} == pack, manifest


def pins(requirements: Path) -> dict[str, str]:
    """`name==version` of a requirements or lock file (hash and comment lines skipped), names normalised."""
    found = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s\\;]+)", requirements.read_text(), re.MULTILINE)
    return {re.sub(r"[-_.]+", "-", name).lower(): version for name, version in found}


def test_running_pulumi_jobs_are_never_cancelled() -> None:
    """A cancelled `pulumi` run can leave the state lock behind: every job that runs pulumi queues instead."""
    for name, job_id, job in jobs():
        if steps_using(job, "pulumi/actions"):
            assert job["concurrency"]["cancel-in-progress"] is False, f"{name}:{job_id}"
    for name in WORKFLOW_FILES:
        assert workflow(name).get("concurrency", {}).get("cancel-in-progress") is not True, name


def test_every_script_a_workflow_runs_exists_and_starts() -> None:
    """`python3 -m ci.<script>` from the repository root, as the runner calls it (--help: no side effects)."""
    import sys

    modules = sorted({m for name in WORKFLOW_FILES for m in re.findall(r"python3 -m (ci\.\w+)",
                                                                         (WORKFLOWS / name).read_text())})
    assert modules == ["ci.change_window", "ci.policy_gate", "ci.preview_comment", "ci.promotion"]
    for module in modules:
        done = subprocess.run([sys.executable, "-m", module, "--help"], cwd=PROJECT_DIR, capture_output=True,
                              text=True, timeout=60, check=False)
        assert done.returncode == 0 and done.stdout.startswith("usage: "), module + done.stderr
