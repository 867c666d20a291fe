"""`python -m preflight`: the public interface (exit status, text report, JSON shape)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.__main__ import main
from tests.support import PROJECT_DIR, STACKS, preflight_plan


def project_copy(tmp_path: Path, stack: str, mutate: Any = None, policy_mutate: Any = None,
                 stack_text: str | None = None) -> Path:
    """The project with its code linked and one stack file rewritten by `mutate(config_dict)` (or replaced by
    `stack_text`), and its policy config by `policy_mutate(config_dict)`."""
    for entry in PROJECT_DIR.iterdir():
        if entry.name in {"venv", ".git"} or entry.name.startswith("Pulumi."):
            continue
        if entry.name == "policies" and policy_mutate is not None:
            (tmp_path / "policies" / "config").mkdir(parents=True)
            for pack in entry.iterdir():
                if pack.name != "config":
                    (tmp_path / "policies" / pack.name).symlink_to(pack)
            policy = json.loads((entry / "config" / f"{stack}.json").read_text())
            policy_mutate(policy)
            (tmp_path / "policies" / "config" / f"{stack}.json").write_text(json.dumps(policy, indent=2))
            continue
        (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    data = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    if mutate is not None:
        mutate(data["config"])
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(stack_text if stack_text is not None else yaml.safe_dump(data))
    return tmp_path


@pytest.mark.parametrize("stack", STACKS)
def test_json_lists_every_resource(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", stack, "--json", "--project-dir", str(PROJECT_DIR)])
    text = capsys.readouterr().out
    report = json.loads(text)
    # The public shape: these fields, never renamed or removed; added ones only.
    assert set(report) == {"stack", "resources", "violations", "notes", "packs", "exemptions"}
    assert report["stack"] == stack
    urns = [r["urn"] for r in report["resources"]]
    assert urns == sorted(r.urn for r in preflight_plan(stack).registered)
    for resource in report["resources"]:
        assert set(resource) >= {"urn", "type", "name", "parent", "inputs", "options"}
    for violation in report["violations"]:
        assert set(violation) == {"pack", "policy", "enforcement", "urn", "message"}
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert code == (1 if mandatory else 0)
    # Whole numbers stay whole: no `3600.0` where the program wrote 3600.
    assert not re.search(r"[0-9]\.0\b", re.sub(r'"(?:[^"\\]|\\.)*"', '""', text))
    roles = [r for r in report["resources"] if r["type"] == "aws:iam/role:Role" and "maxSessionDuration" in r["inputs"]]
    assert roles and all(type(r["inputs"]["maxSessionDuration"]) is int for r in roles)
    if stack == "dev":
        # Byte-identical between two runs of the same commit.
        main(["--stack", stack, "--json", "--project-dir", str(PROJECT_DIR)])
        assert capsys.readouterr().out == text


def test_text_report_shows_the_tree_counts_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--stack", "prod", "--project-dir", str(PROJECT_DIR)])
    out = capsys.readouterr().out
    assert out.startswith("Preflight of stack prod (update mode):")
    assert "Resources by type:" in out and "Policy violations:" in out
    assert '  environment: "prod"' in out


def test_the_tree_indents_each_resource_two_spaces_below_its_parent() -> None:
    from preflight.__main__ import _tree

    plan = preflight_plan("prod")
    parents = {r.urn: r.parent for r in plan.resources}

    def depth(urn: str) -> int:
        return 0 if not parents.get(urn) else 1 + depth(parents[urn])

    expected = {f"{r.type}  {r.name}": 2 * depth(r.urn) for r in plan.resources}
    lines = _tree(plan)
    assert len(lines) == len(plan.resources) == len(expected) and max(expected.values()) >= 4
    for line in lines:
        text = line.lstrip(" ").split("  [")[0]
        assert len(line) - len(line.lstrip(" ")) == expected[text], line


BAD = [
    ("prod", lambda c: c.pop("ml-platform:network"), "prod: network is required"),
    ("prod", lambda c: c["ml-platform:nodePools"]["compute"].update(maxSize=2),
     "prod: nodePools.compute.maxSize must be >= desiredSize (5), got 2"),
    ("dev", lambda c: c.update({"ml-platform:sandboxUsers": ["alice", "Bob-1"]}),
     "dev: sandboxUsers[1] must be a user name valid as a catalog name"),
    ("staging", lambda c: c["ml-platform:network"].update(cidr="10.20.0.0/8"),
     "staging: network.cidr must be a CIDR block"),
    ("prod", lambda c: c["ml-platform:teams"].update(fraud={"quota": {"cpu": "lots", "memory": "32Gi"}}),
     "prod: teams.fraud.quota.cpu must be a CPU quantity"),
    ("dev", lambda c: c.update({"ml-platform:sandboxUsers": ["alice", "alice"]}),
     "dev: sandboxUsers[1] duplicates 'alice'"),
    ("prod", lambda c: c.update({"ml-platfrom:teams": c.pop("ml-platform:teams")}),
     "prod: ml-platfrom:teams is in no known config namespace (ml-platform, aws, databricks, kubernetes, pulumi); "
     "did you mean 'ml-platform:teams'?"),
    ("dev", lambda c: c["ml-platform:network"].update(cidr=""), "dev: network.cidr must not be empty"),
    ("prod", lambda c: c["ml-platform:namespaceQuotas"]["mlops"].update(cpu="two"),
     "prod: namespaceQuotas.mlops.cpu must be a CPU quantity"),
    ("staging", lambda c: c["ml-platform:helm"].update(valuesOverrides={"workers": {"replcas": 3}}),
     "staging: helm.valuesOverrides.workers is refused by charts/ml-platform/values.schema.json: Additional "
     "properties are not allowed ('replcas' was unexpected)"),
]


@pytest.mark.parametrize(("stack", "mutate", "message"), BAD, ids=[m.split(" ")[1] for _, _, m in BAD])
def test_bad_config_exits_2_with_one_line(tmp_path: Path, stack: str, mutate: Any, message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = project_copy(tmp_path, stack, mutate)
    assert main(["--stack", stack, "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), captured.err


POLICY_BAD = [
    (lambda p: p.update(all="mandatry"),
     "policies/config/prod.json: all must be one of advisory, mandatory, remediate, disabled, got 'mandatry'; "
     "did you mean 'mandatory'?"),
    (lambda p: p.update({"aws-s3-bucket-encryption-kmss": p.pop("aws-s3-bucket-encryption-kms", {})}),
     "policies/config/prod.json: 'aws-s3-bucket-encryption-kmss' is not a policy of any pack; did you mean "
     "'aws-s3-bucket-encryption-kms'?"),
    (lambda p: p.setdefault("aws-s3-bucket-encryption-kms", {}).update(exemption=[]),
     "policies/config/prod.json: aws-s3-bucket-encryption-kms is invalid (prod-guardrails): Additional properties "
     "are not allowed ('exemption' was unexpected)"),
    (lambda p: p.setdefault("aws-s3-bucket-encryption-kms", {}).update(exemptions=[{"resource": "prod-raw-bucket"}]),
     "policies/config/prod.json: aws-s3-bucket-encryption-kms.exemptions[0] is invalid (prod-guardrails): "
     "'reason' is a required property"),
    (lambda p: p.update({"aws-kms-key-rotation": {"enforcementLevel": "strict"}}),
     "policies/config/prod.json: aws-kms-key-rotation.enforcementLevel must be one of"),
]


@pytest.mark.parametrize(("mutate", "message"), POLICY_BAD, ids=[m.split(": ")[1][:30] for _, m in POLICY_BAD])
def test_bad_policy_config_exits_2_with_one_line(tmp_path: Path, mutate: Any, message: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    project = project_copy(tmp_path, "prod", policy_mutate=mutate)
    assert main(["--stack", "prod", "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), captured.err


def test_yaml_errors_keep_line_and_column(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = (PROJECT_DIR / "Pulumi.dev.yaml").read_text().replace("ml-platform:teams:\n",
                                                                 "ml-platform:teams: {fraud: [\n", 1)
    project = project_copy(tmp_path, "dev", stack_text=text)
    assert main(["--stack", "dev", "--project-dir", str(project)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert re.fullmatch(r"error: Pulumi\.dev\.yaml:\d+:\d+: not valid YAML: .+", line), line


def test_all_errors_lists_every_problem_one_per_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def mutate(config: dict[str, Any]) -> None:
        config["ml-platform:region"] = "mars"
        config["ml-platform:network"]["cidr"] = ""
        config["ml-platform:nodePools"]["data"]["minSize"] = -1

    project = project_copy(tmp_path, "prod", mutate)
    assert main(["--stack", "prod", "--project-dir", str(project)]) == 2
    (first,) = capsys.readouterr().err.splitlines()
    assert first.startswith("error: prod: ") and first.endswith(
        "(and 2 more problem(s): python -m preflight --stack prod --all-errors lists them)")
    assert main(["--stack", "prod", "--all-errors", "--project-dir", str(project)]) == 2
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(" ")[2] for line in lines] == ["region", "network.cidr", "nodePools.data.minSize"]
    assert all(line.startswith("error: prod: ") for line in lines)


def test_an_exception_inside_an_apply_is_one_line_naming_the_component(tmp_path: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(
        "import pulumi\nimport pulumi_random as random\n\n"
        "class Broken(pulumi.ComponentResource):\n"
        "    def __init__(self, name):\n"
        "        super().__init__('platform:test:Broken', name, None, None)\n"
        "        rid = random.RandomId(f'{name}-id', byte_length=2, opts=pulumi.ResourceOptions(parent=self))\n"
        "        random.RandomId(f'{name}-next', byte_length=rid.hex.apply(lambda h: int('x' + h)),\n"
        "                        opts=pulumi.ResourceOptions(parent=self))\n\n"
        "Broken('prod-broken')\n")
    assert main(["--stack", "prod", "--project-dir", str(tmp_path)]) == 2
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith("error: prod: program error in platform:test:Broken 'prod-broken' at __main__.py:8 "
                           "(inside an Output.apply)"), line
    assert line.endswith("ValueError: invalid literal for int() with base 10: 'x" + line.rsplit("'x", 1)[-1])


def test_text_report_names_packs_levels_and_exemptions(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--stack", "prod", "--project-dir", str(PROJECT_DIR)])
    out = capsys.readouterr().out
    config = json.loads((PROJECT_DIR / "policies" / "config" / "prod.json").read_text())
    assert "Policy packs (config policies/config/prod.json):" in out
    for pack in ("least-privilege", "prod-guardrails"):
        assert re.search(rf"^  {pack}@v[0-9.]+: \d+ policies \(\d+ mandatory\)$", out, re.M), out
    for policy, entry in config.items():
        for exemption in entry.get("exemptions", []) if isinstance(entry, dict) else []:
            assert f"/{policy}  {exemption['resource']}: {exemption['reason']}" in out


def test_preview_notes_are_reported_apart_from_violations() -> None:
    from preflight.__main__ import _text_report
    from tests.support import preflight_violations

    findings = preflight_violations("prod", preview=True)
    notes = [v for v in findings if v.is_preview_note]
    violations = [v for v in findings if not v.is_preview_note]
    assert notes, "a prod preview leaves some values unknown"
    report = _text_report(preflight_plan("prod", preview=True), violations, notes=notes)
    assert f"Policy violations: {len(violations)} (" in report
    assert f"Could not run during preview (no verdict; they run with the real values during up): {len(notes)}" \
        in report
    assert all("can't run policy" not in v.message for v in violations)


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "qa", "--project-dir", str(PROJECT_DIR)]) == 2
    assert capsys.readouterr().err.startswith("error: qa: no stack file Pulumi.qa.yaml")


def test_real_process_exit_status_and_no_traceback(tmp_path: Path) -> None:
    """One real `python -m preflight` process: a bad config gives status 2 and one stderr line."""
    project = project_copy(tmp_path, "prod", lambda c: c["ml-platform:nodePools"]["system"].update(minSize=9))
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    done = subprocess.run([sys.executable, "-m", "preflight", "--stack", "prod", "--project-dir", str(project)],
                          capture_output=True, text=True, env=env, cwd=PROJECT_DIR, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: prod: nodePools.system.desiredSize must be >= minSize (9), got 2"]
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_a_preview_note_is_reported_by_what_the_policy_could_not_read() -> None:
    """pulumi-policy's note reads "can't run policy '<p>' during preview: <reason>"; the report keeps the reason."""
    from preflight.__main__ import _text_report
    from preflight.harness import Plan
    from preflight.policy import Violation

    note = Violation("least-privilege", "aws-iam-no-wildcard-actions", "advisory", "urn:x",
                     "can't run policy 'aws-iam-no-wildcard-actions' during preview: string value at .policy "
                     "can't be known during preview")
    report = _text_report(Plan("dev", "ml-platform", True, [], {}), [], notes=[note])
    assert report.splitlines()[-3:] == [
        "", "Could not run during preview (no verdict; they run with the real values during up): 1",
        "  least-privilege/aws-iam-no-wildcard-actions: string value at .policy can't be known during preview"]
    assert report.splitlines()[:2] == ["Preflight of stack dev (preview mode): 0 resources", ""]  # then a blank line


def test_a_preview_notes_reason_may_itself_say_during_preview() -> None:
    """The reason is everything after pulumi-policy's first "during preview: ", whatever the reason says."""
    from preflight.__main__ import _text_report
    from preflight.harness import Plan
    from preflight.policy import Violation

    note = Violation("prod-guardrails", "aws-s3-bucket-encryption-kms", "advisory", "urn:x",
                     "can't run policy 'aws-s3-bucket-encryption-kms' during preview: the key's ARN is unknown "
                     "during preview: it is computed when the key is created")
    report = _text_report(Plan("prod", "ml-platform", True, [], {}), [], notes=[note])
    assert report.splitlines()[-1] == ("  prod-guardrails/aws-s3-bucket-encryption-kms: the key's ARN is unknown "
                                       "during preview: it is computed when the key is created")


def test_preview_flag_runs_the_program_as_pulumi_preview(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`--preview`: the report says preview mode and what the providers compute is unknown, as during
    `pulumi preview`; without it, as during `pulumi up`, the values are known."""
    (tmp_path / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\nimport pulumi_random as random\n\n"
                                          "pulumi.export('suffix', random.RandomId('suffix', byte_length=4).hex)\n")
    assert main(["--stack", "dev", "--preview", "--project-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Preflight of stack dev (preview mode): 1 resources")
    assert '  suffix: "[unknown]"' in out
    assert main(["--stack", "dev", "--project-dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Preflight of stack dev (update mode): 1 resources")
    assert re.search(r'^  suffix: "[0-9a-f]{8}"$', out, re.M), out


def test_the_cli_reports_preview_notes_apart_from_violations(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """What the packs return is split by the CLI: a preview note is no violation (it neither counts nor fails
    the run) and is reported in its own section of the text report and under "notes" in the JSON."""
    from preflight import __main__ as cli
    from preflight.policy import Violation

    (tmp_path / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text("import pulumi\n\npulumi.export('n', 1)\n")
    note = Violation("least-privilege", "b", "advisory", "urn:x",
                     "can't run policy 'b' during preview: string value at .policy can't be known during preview")
    advice = Violation("least-privilege", "c", "advisory", "urn:y", "Keys rotate.\nkey: rotation is off")
    monkeypatch.setattr(cli, "evaluate", lambda *_: [note, advice])
    assert main(["--stack", "dev", "--preview", "--project-dir", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[-5:] == [
        "Policy violations: 1 (0 mandatory)", "  [advisory] least-privilege/c  urn:y: key: rotation is off", "",
        "Could not run during preview (no verdict; they run with the real values during up): 1",
        "  least-privilege/b: string value at .policy can't be known during preview"], lines
    assert main(["--stack", "dev", "--preview", "--json", "--project-dir", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert [v["policy"] for v in report["violations"]] == ["c"] and [v["policy"] for v in report["notes"]] == ["b"]


def test_an_exemption_that_matches_nothing_is_marked_stale() -> None:
    """A stale exemption (its resource renamed or removed) would silently exempt a future resource of that name."""
    from preflight.__main__ import _policy_lines
    from preflight.policy import AppliedExemption

    reason = "migrated next quarter"
    lines = _policy_lines([], [AppliedExemption("p", "r", "legacy", reason, ("urn:x",)),
                               AppliedExemption("p", "r", "gone", reason, ())], "dev")
    assert lines[-3:] == ["Exemptions applied: 1", f"  p/r  legacy: {reason}",
                          f"  p/r  gone: {reason}  [matches no resource of this plan]"]


def test_the_help_says_what_each_option_takes(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = " ".join(capsys.readouterr().out.split())
    from preflight import __main__ as cli

    for text in ("--stack STACK dev, staging or prod", "--json print one JSON object instead of the text report",
                 "--preview computed values are unknown, as during `pulumi preview`",
                 "--all-errors list every configuration problem, one per line (default: the first, and how many more)",
                 " ".join(str(cli.__doc__).splitlines()[0].split())):
        assert text in out, out


def test_a_failure_of_the_preflight_itself_is_one_line_on_stderr(monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """A bug of the preflight or of a policy (not of the user's config) still ends in one line and status 2, on
    stderr, saying how to see the traceback."""
    from preflight import __main__ as cli

    def broken(*_: object, **__: object) -> None:
        raise KeyError("x")

    monkeypatch.delenv("PREFLIGHT_TRACEBACK", raising=False)
    monkeypatch.setattr(cli, "validate_policy_config", broken)
    assert main(["--stack", "dev", "--project-dir", str(PROJECT_DIR)]) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.splitlines() == [
        "error: dev: preflight failed: KeyError: 'x' (PREFLIGHT_TRACEBACK=1 shows the traceback)"]


def test_preflight_traceback_lets_a_failure_of_the_preflight_raise(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the one line promises: with `PREFLIGHT_TRACEBACK=1` the same failure raises, with its traceback."""
    from preflight import __main__ as cli

    def broken(*_: object, **__: object) -> None:
        raise KeyError("x")

    monkeypatch.setenv("PREFLIGHT_TRACEBACK", "1")
    monkeypatch.setattr(cli, "validate_policy_config", broken)
    with pytest.raises(KeyError, match="x"):
        main(["--stack", "dev", "--project-dir", str(PROJECT_DIR)])


def test_a_number_is_written_as_an_integer_only_below_two_to_the_53() -> None:
    """The module docstring: an integral value with |x| < 2**53 is written as an integer; any other number, 2**53
    itself included, stays a float."""
    from preflight.__main__ import integral

    below = 9007199254740991.0  # 2**53 - 1
    assert integral({"n": [below, -below, 3600.0, 0.5]}) == {"n": [9007199254740991, -9007199254740991, 3600, 0.5]}
    assert all(isinstance(v, int) for v in integral([below, -below, 3600.0]))
    for edge in (9007199254740992.0, -9007199254740992.0, 1e300):
        assert isinstance(integral(edge), float)


def test_secrets_and_unknowns_are_redacted_at_any_depth() -> None:
    from preflight.__main__ import _redact
    from preflight.harness import Secret, Unknown

    assert _redact({"db": {"password": Secret("p"), "hosts": [Unknown(), "h"]}, "n": 1}) == {
        "db": {"password": "[secret]", "hosts": ["[unknown]", "h"]}, "n": 1}


def _recorded(type_: str, name: str, parent: str = "", custom: bool = True, **options: bool) -> Any:
    from preflight.aliases import urn_of
    from preflight.harness import RecordedResource

    flags = {"protect": False, "retainOnDelete": False, **options}
    return RecordedResource(urn=urn_of("dev", "ml-platform", parent, type_, name), type=type_, name=name,
                            custom=custom, parent=parent, provider="", wire_inputs={}, options=flags)


def test_the_whole_text_report_of_a_small_plan() -> None:
    """The text report, line by line, of a plan built by hand: the header, the tree (two spaces a level, the
    protect and retain flags), the counts by type (most first, then by name), the outputs (integral numbers as
    integers, secrets and unknowns redacted, by key), the packs and exemptions, each violation with what its
    message says after the policy's description line (a one-line message whole; the stack's own as `(stack)`),
    and the preview notes by their reason."""
    from preflight.__main__ import _text_report
    from preflight.harness import UNKNOWN, Plan, _secret_wrap
    from preflight.policy import AppliedExemption, PackSummary, Violation

    stack = _recorded("pulumi:pulumi:Stack", "ml-platform-dev", custom=False)
    box = _recorded("platform:storage:Box", "box", stack.urn, custom=False)
    bucket = _recorded("aws:s3/bucket:Bucket", "data", box.urn, protect=True, retainOnDelete=True)
    key = _recorded("aws:kms/key:Key", "key", box.urn, protect=True)
    other = _recorded("aws:s3/bucket:Bucket", "other", stack.urn)  # two buckets, one key: count order is not name order
    plan = Plan("dev", "ml-platform", False, [stack, box, bucket, key, other],
                {"name": "data", "count": 3.0, "ratio": 0.5, "password": _secret_wrap("hunter2"), "later": UNKNOWN})
    packs = [PackSummary("least-privilege", "1.2.0", {"a": "mandatory", "b": "advisory", "c": "mandatory"})]
    exemptions = [AppliedExemption("least-privilege", "a", "data", "legacy bucket", (bucket.urn,))]
    violations = [
        Violation("least-privilege", "a", "mandatory", key.urn, "Keys rotate.\nkey: rotation is off"),
        Violation("least-privilege", "b", "advisory", other.urn, "Keys rotate.\nfirst line\nsecond line"),
        Violation("least-privilege", "c", "mandatory", "", "one line only"),  # a stack policy's: no URN
    ]
    notes = [Violation("least-privilege", "b", "advisory", key.urn,
                       "can't run policy 'b' during preview: string value at .policy can't be known during preview")]
    report = _text_report(plan, violations, packs, exemptions, notes)
    assert report.splitlines() == [
        "Preflight of stack dev (update mode): 4 resources",
        "",
        "pulumi:pulumi:Stack  ml-platform-dev",
        "  platform:storage:Box  box",
        "    aws:s3/bucket:Bucket  data  [protected, retained]",
        "    aws:kms/key:Key  key  [protected]",
        "  aws:s3/bucket:Bucket  other",
        "",
        "Resources by type:",
        "     2  aws:s3/bucket:Bucket",
        "     1  aws:kms/key:Key",
        "     1  platform:storage:Box",
        "",
        "Outputs:",
        "  count: 3",
        '  later: "[unknown]"',
        '  name: "data"',
        '  password: "[secret]"',
        "  ratio: 0.5",
        "",
        "Policy packs (config policies/config/dev.json):",
        "  least-privilege@v1.2.0: 3 policies (1 advisory, 2 mandatory)",
        "",
        "Exemptions applied: 1",
        "  least-privilege/a  data: legacy bucket",
        "",
        "Policy violations: 3 (2 mandatory)",
        "  [mandatory] least-privilege/a  key: key: rotation is off",
        "  [advisory] least-privilege/b  other: first line second line",
        "  [mandatory] least-privilege/c  (stack): one line only",
        "",
        "Could not run during preview (no verdict; they run with the real values during up): 1",
        "  least-privilege/b: string value at .policy can't be known during preview",
    ]
    assert "Outputs:" not in _text_report(Plan("dev", "ml-platform", True, [stack], {}), [])
