"""The policy replay does the engine's part: policy names and properties of `policies/config/<stack>.json` checked
against the packs, and each resource handed to the analyzer as the engine marshals it.

Pulumi "Policy pack configuration": a policy's properties are validated against its `config_schema`, an object
schema that admits only the declared properties. pulumi-policy `ResourceValidationArgs.opts`: the resource's
options (`protect`, `ignore_changes`, `parent`, ...) as the engine sends them in `AnalyzeRequest.options`.
The README's preflight: several configuration problems give the first and how many more; `--all-errors` lists
each on its own line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.__main__ import main
from preflight.policy import LoadedPack, PolicyConfigError, check_policy_names, evaluate, load_packs, resolve_config
from tests.support import run_snippet

PACK = """
from pulumi_policy import PolicyConfigSchema, PolicyPack, ResourceValidationPolicy

def must_be_protected(args, report_violation):
    if not args.opts.protect:
        report_violation("not protected")

def nothing(args, report_violation):
    pass

PolicyPack("tiny", [
    ResourceValidationPolicy("must-protect", "d", must_be_protected),
    ResourceValidationPolicy("tagged", "d", nothing,
                             config_schema=PolicyConfigSchema(properties={"tag": {"type": "string",
                                                                                  "default": "owner"}})),
])
"""
SOURCE = "policies/config/dev.json"


def tiny_project(folder: Path, policy_config: str | None = None) -> Path:
    """A project with one pack `tiny` (policies `must-protect` and `tagged`) and, if given, its dev policy config."""
    pack_dir = folder / "policies" / "tiny"
    pack_dir.mkdir(parents=True)
    (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (pack_dir / "__main__.py").write_text(PACK)
    (folder / "Pulumi.yaml").write_text("name: ml-platform\nruntime: python\n")
    (folder / "Pulumi.dev.yaml").write_text("config: {}\n")
    (folder / "__main__.py").write_text("import pulumi\n")
    if policy_config is not None:
        (folder / "policies" / "config").mkdir()
        (folder / "policies" / "config" / "dev.json").write_text(policy_config)
    return folder


def tiny_pack(folder: Path) -> LoadedPack:
    (pack,) = load_packs(tiny_project(folder))
    return pack


def test_an_unknown_policy_name_with_no_near_policy_is_refused_without_a_guess(tmp_path: Path) -> None:
    """A name like no policy of any pack: the one-line refusal names it and the file, and suggests nothing."""
    with pytest.raises(PolicyConfigError) as info:
        check_policy_names([tiny_pack(tmp_path)], {"zzz": "advisory"}, SOURCE)
    assert str(info.value) == "policies/config/dev.json: 'zzz' is not a policy of any pack"


def test_all_errors_lists_every_unknown_policy_name_on_its_own_line(tmp_path: Path,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    project = tiny_project(tmp_path, '{"must-protec": "advisory", "tagget": "advisory"}')
    assert main(["--stack", "dev", "--project-dir", str(project)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: policies/config/dev.json: 'must-protec' is not a policy of any pack; did you mean 'must-protect'? "
        "(and 1 more problem(s): --all-errors lists them)"]
    assert main(["--stack", "dev", "--all-errors", "--project-dir", str(project)]) == 2
    assert capsys.readouterr().err.splitlines() == [
        "error: policies/config/dev.json: 'must-protec' is not a policy of any pack; did you mean 'must-protect'?",
        "error: policies/config/dev.json: 'tagget' is not a policy of any pack; did you mean 'tagged'?"]


def test_a_property_the_policys_schema_does_not_declare_is_refused(tmp_path: Path) -> None:
    """A misspelt property would be ignored by the policy: refused, naming it and the properties the policy knows."""
    pack = tiny_pack(tmp_path)
    assert resolve_config(pack, {"tagged": {"tag": "team"}}, SOURCE)["tagged"] == ("advisory", {"tag": "team"})
    with pytest.raises(PolicyConfigError) as info:
        resolve_config(pack, {"tagged": {"tga": "team"}}, SOURCE)
    assert str(info.value) == ("policies/config/dev.json: tagged is invalid (tiny): Additional properties are not "
                               "allowed ('tga' was unexpected) (known: tag)")


def test_a_resource_policy_sees_the_resources_options(tmp_path: Path) -> None:
    """`args.opts.protect` is the resource's `protect` option: only the unprotected resource is reported."""
    pack = tiny_pack(tmp_path / "pack")
    (tmp_path / "program").mkdir()
    plan = run_snippet(tmp_path / "program", """
    import pulumi
    import pulumi_random as random
    random.RandomId("kept", byte_length=2, opts=pulumi.ResourceOptions(protect=True))
    random.RandomId("loose", byte_length=2)
    """)
    violations = evaluate(tmp_path / "pack", plan, packs=[pack], policy_config={})
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in violations] == [("must-protect", "loose")]
