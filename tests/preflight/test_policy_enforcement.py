"""Per-policy enforcement levels in `policies/config/<stack>.json`: each policy's own key wins over `all`, in the
report, the JSON and the exit status.

Pulumi "Policy pack configuration" (`pulumi up --policy-pack-config`): a file maps `all` and policy names to an
enforcement level, either as a string (`"aws-kms-key-rotation": "mandatory"`) or as an object with
`enforcementLevel` next to the policy's properties; a policy's entry overrides `all`. `advisory` reports and lets
the update go on, `mandatory` fails it, `disabled` does not run the policy. The README's preflight: exit status 1 on
a mandatory violation, 0 without one.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from preflight.__main__ import main
from tests.support import PROJECT_DIR

# One KMS key without rotation (aws-kms-key-rotation, pack prod-guardrails) and one IAM policy allowing s3:* on
# * (aws-iam-no-wildcard-actions and aws-iam-no-wildcard-resource, pack least-privilege): nothing else fires.
PROGRAM = """
import pulumi_aws as aws

aws.kms.Key("loose-key", enable_key_rotation=False, deletion_window_in_days=30)
aws.iam.Policy("loose-policy", policy='{"Version": "2012-10-17", "Statement": '
               '[{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}]}')
"""
ROTATION = "aws-kms-key-rotation"
ACTIONS = "aws-iam-no-wildcard-actions"
RESOURCES = "aws-iam-no-wildcard-resource"


def project(tmp_path: Path, policy_config: dict[str, Any]) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(PROGRAM)
    (tmp_path / "policies" / "config").mkdir(parents=True)
    for pack in (PROJECT_DIR / "policies").glob("*/PulumiPolicy.yaml"):
        (tmp_path / "policies" / pack.parent.name).symlink_to(pack.parent)
    (tmp_path / "policies" / "config" / "dev.json").write_text(json.dumps(policy_config))
    return tmp_path


def run(tmp_path: Path, policy_config: dict[str, Any],
        capsys: pytest.CaptureFixture[str]) -> tuple[int, dict[str, Any]]:
    code = main(["--stack", "dev", "--json", "--project-dir", str(project(tmp_path, policy_config))])
    return code, json.loads(capsys.readouterr().out)


def levels(report: dict[str, Any]) -> dict[str, str]:
    return {v["policy"]: v["enforcement"] for v in report["violations"]}


def test_with_every_policy_advisory_the_violations_are_reported_and_the_preflight_passes(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # The control: the program breaks exactly these three policies.
    code, report = run(tmp_path, {"all": "advisory"}, capsys)
    assert code == 0 and levels(report) == {ROTATION: "advisory", ACTIONS: "advisory", RESOURCES: "advisory"}


def test_a_policy_set_mandatory_fails_the_preflight_while_all_is_advisory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, report = run(tmp_path, {"all": "advisory", ROTATION: {"enforcementLevel": "mandatory"}}, capsys)
    assert levels(report) == {ROTATION: "mandatory", ACTIONS: "advisory", RESOURCES: "advisory"}
    assert code == 1


def test_policies_set_advisory_let_the_preflight_pass_while_all_is_mandatory(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = {"all": "mandatory", ROTATION: {"enforcementLevel": "advisory"}, ACTIONS: "advisory",
              RESOURCES: "advisory"}
    code, report = run(tmp_path, config, capsys)
    assert levels(report) == {ROTATION: "advisory", ACTIONS: "advisory", RESOURCES: "advisory"}
    assert code == 0


def test_each_policy_keeps_its_own_level_in_the_violations_the_packs_and_the_text_report(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # One advisory (object form), one mandatory (string form), one disabled, under an advisory `all`.
    config = {"all": "advisory", ROTATION: "mandatory", ACTIONS: {"enforcementLevel": "advisory"},
              RESOURCES: "disabled"}
    code, report = run(tmp_path, config, capsys)
    assert code == 1
    assert levels(report) == {ROTATION: "mandatory", ACTIONS: "advisory"}  # a disabled policy does not run
    enforcement = {name: level for pack in report["packs"] for name, level in pack["enforcement"].items()}
    assert (enforcement[ROTATION], enforcement[ACTIONS], enforcement[RESOURCES]) == ("mandatory", "advisory",
                                                                                    "disabled")
    assert main(["--stack", "dev", "--project-dir", str(tmp_path)]) == 1
    text = capsys.readouterr().out
    assert f"  [mandatory] prod-guardrails/{ROTATION}  loose-key: " in text
    assert f"  [advisory] least-privilege/{ACTIONS}  loose-policy: " in text
    assert f"/{RESOURCES}  " not in text
    assert "Policy violations: 2 (1 mandatory)" in text


PACK = """
from pulumi_policy import PolicyPack, ResourceValidationPolicy

def nothing(args, report_violation):
    pass

PolicyPack("tiny", [ResourceValidationPolicy("p-default", "d", nothing),
                    ResourceValidationPolicy("p-initial", "d", nothing)],
           initial_config={"p-initial": "disabled"})
"""


def test_a_pack_without_levels_is_advisory_and_its_initial_config_applies(tmp_path: Path) -> None:
    """Pulumi's policy packs: a pack and policy without an enforcement level are advisory; the pack's
    initial_config sets a policy's level before the stack's config file."""
    from preflight.policy import load_packs, resolve_config

    pack_dir = tmp_path / "policies" / "tiny"
    pack_dir.mkdir(parents=True)
    (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.2.0\n")
    (pack_dir / "__main__.py").write_text(PACK)
    (pack,) = load_packs(tmp_path)
    assert (pack.name, pack.version, pack.enforcement_level) == ("tiny", "1.2.0", None)
    assert pack.initial_config == {"p-initial": "disabled"}
    assert resolve_config(pack, {}) == {"p-default": ("advisory", {}), "p-initial": ("disabled", {})}
    assert resolve_config(pack, {"p-initial": "mandatory"})["p-initial"] == ("mandatory", {})


def test_an_unknown_policy_name_is_refused_naming_where_it_was_written(tmp_path: Path) -> None:
    """Given as an argument, the config is "policy config"; read from the stack's file, the file's path."""
    from preflight.harness import run_program
    from preflight.policy import PolicyConfigError, evaluate
    from preflight.project import load_stack_settings

    folder = project(tmp_path, {"aws-kms-key-rotaton": "advisory"})
    plan = run_program(folder, load_stack_settings(folder, "dev"))
    with pytest.raises(PolicyConfigError, match=r"^policy config: 'aws-kms-key-rotaton' is not a policy of any "
                                                r"pack; did you mean 'aws-kms-key-rotation'\?$"):
        evaluate(folder, plan, policy_config={"aws-kms-key-rotaton": "advisory"})
    with pytest.raises(PolicyConfigError, match=r"^policies/config/dev\.json: 'aws-kms-key-rotaton' is not"):
        evaluate(folder, plan)


def test_every_exemption_of_a_stack_is_summarized_with_its_reason_and_matches() -> None:
    """The report's "Exemptions applied": each exemption of policies/config/<stack>.json as written (resource,
    reason), with the plan's resources it names by logical name or URN."""
    from preflight.policy import summarize
    from tests.support import STACKS, preflight_plan

    summarized = 0
    for stack in STACKS:
        config = json.loads((PROJECT_DIR / "policies" / "config" / f"{stack}.json").read_text())
        written = sorted((policy, e["resource"], e["reason"]) for policy, entry in config.items()
                         if isinstance(entry, dict) for e in entry.get("exemptions", []))
        plan = preflight_plan(stack)
        _, exemptions = summarize(PROJECT_DIR, plan)
        assert sorted((e.policy, e.resource, e.reason) for e in exemptions) == written
        for e in exemptions:
            named = sorted({r.urn for r in plan.resources if e.resource in (r.name, r.urn)})
            assert list(e.urns) == named
        summarized += len(exemptions)
    assert summarized, "no stack's policy config holds an exemption: this test would check nothing"


def test_a_pack_summary_in_json_and_unread_manifests_reported_by_the_preflight(tmp_path: Path) -> None:
    """The JSON report's `packs` entries; objects the preflight could not render are the preflight's own note."""
    from preflight.policy import PackSummary, evaluate
    from tests.support import run_snippet

    summary = PackSummary("tiny", "1.0.0", {"b": "advisory", "a": "mandatory"})
    assert summary.to_json() == {"name": "tiny", "version": "1.0.0",
                                 "enforcement": {"a": "mandatory", "b": "advisory"}}
    plan = run_snippet(tmp_path, """
    import pulumi_kubernetes as k8s
    k8s.yaml.v2.ConfigFile("remote", file="https://example.com/crds.yaml")
    """)
    (note,) = [v for v in evaluate(PROJECT_DIR, plan, policy_config={}) if v.policy == "kubernetes-manifests"]
    assert (note.pack, note.enforcement) == ("preflight", "advisory")
    assert note.message.startswith("can't run policy on the objects of remote offline: https://example.com/crds.yaml")
