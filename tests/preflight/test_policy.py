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
from typing import Any

import pytest

from preflight.__main__ import main
from preflight.harness import Plan
from preflight.policy import LoadedPack, PolicyConfigError, check_policy_names, evaluate, load_packs, resolve_config
from tests.support import PROJECT_DIR, preflight_plan, run_snippet

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
    pack = next(p for p in load_packs(PROJECT_DIR)
                if any(policy.name == "aws-eks-cluster-endpoint-private" for policy in p.policies))
    with pytest.raises(PolicyConfigError, match=r"\(known: allowedPublicAccessCidrs, exemptions, stacks\)$"):
        resolve_config(pack, {"aws-eks-cluster-endpoint-private": {"allowedCidrs": []}}, SOURCE)


def _kept_and_loose(tmp_path: Path) -> Plan:
    """A plan of two RandomIds: `kept` protected, `loose` not."""
    (tmp_path / "program").mkdir()
    return run_snippet(tmp_path / "program", """
    import pulumi
    import pulumi_random as random
    random.RandomId("kept", byte_length=2, opts=pulumi.ResourceOptions(protect=True))
    random.RandomId("loose", byte_length=2)
    """)


def test_a_resource_policy_sees_the_resources_options(tmp_path: Path) -> None:
    """`args.opts.protect` is the resource's `protect` option: only the unprotected resource is reported."""
    pack = tiny_pack(tmp_path / "pack")
    plan = _kept_and_loose(tmp_path)
    violations = evaluate(tmp_path / "pack", plan, packs=[pack], policy_config={})
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in violations] == [("must-protect", "loose")]


LEVELED_PACK = """
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy

def nothing(args, report_violation):
    pass

PolicyPack("leveled", [
    ResourceValidationPolicy("own-level", "d", nothing, enforcement_level=EnforcementLevel.MANDATORY),
    ResourceValidationPolicy("pack-level", "d", nothing),
], enforcement_level=EnforcementLevel.ADVISORY, initial_config=INITIAL)
"""

STACK_PACK = """
from pulumi_policy import PolicyPack, StackValidationPolicy

def ids_protected(args, report_violation):
    for resource in args.resources:
        if resource.resource_type == "random:index/randomId:RandomId" and not resource.opts.protect:
            report_violation("not protected", resource.urn)

PolicyPack("stacked", [StackValidationPolicy("ids-protected", "d", ids_protected)])
"""


def pack_of(folder: Path, text: str) -> LoadedPack:
    """One pack `folder/policies/<name>` built from `text` (its `__main__.py`)."""
    pack_dir = folder / "policies" / "pack"
    pack_dir.mkdir(parents=True)
    (pack_dir / "PulumiPolicy.yaml").write_text("runtime: python\nversion: 1.0.0\n")
    (pack_dir / "__main__.py").write_text(text)
    (pack,) = load_packs(folder)
    return pack


def test_a_policys_own_level_wins_over_the_packs(tmp_path: Path) -> None:
    """pulumi-policy: a policy's `enforcement_level` overrides its pack's; a policy without one has the pack's."""
    pack = pack_of(tmp_path, LEVELED_PACK.replace("INITIAL", "None"))
    assert resolve_config(pack, {}, SOURCE) == {"own-level": ("mandatory", {}), "pack-level": ("advisory", {})}


def test_the_packs_initial_config_all_sets_every_policys_level(tmp_path: Path) -> None:
    """Pulumi "Policy pack configuration": `all` in a pack's initial config sets the level of each of its policies,
    their own levels included; a policy's own entry there, and the stack's file, still win."""
    pack = pack_of(tmp_path, LEVELED_PACK.replace("INITIAL", "{'all': 'disabled', 'pack-level': 'mandatory'}"))
    assert resolve_config(pack, {}, SOURCE) == {"own-level": ("disabled", {}), "pack-level": ("mandatory", {})}
    assert resolve_config(pack, {"own-level": "advisory"}, SOURCE)["own-level"] == ("advisory", {})


def test_an_unknown_enforcement_level_is_refused_listing_the_levels(tmp_path: Path) -> None:
    """The engine accepts advisory, mandatory, remediate and disabled: the refusal lists them."""
    pack = tiny_pack(tmp_path)
    with pytest.raises(PolicyConfigError) as info:
        resolve_config(pack, {"must-protect": "strict"}, SOURCE)
    assert str(info.value) == ("policies/config/dev.json: must-protect must be one of advisory, mandatory, "
                               "remediate, disabled, got 'strict'")


def test_a_property_of_the_wrong_type_is_refused_naming_its_path(tmp_path: Path) -> None:
    """jsonschema's error for `{"tag": 3}` against `{"tag": {"type": "string"}}` is at path `tag`: written
    `tagged.tag`, as the key reads in the config file."""
    pack = tiny_pack(tmp_path)
    with pytest.raises(PolicyConfigError) as info:
        resolve_config(pack, {"tagged": {"tag": 3}}, SOURCE)
    assert str(info.value) == "policies/config/dev.json: tagged.tag is invalid (tiny): 3 is not of type 'string'"


def test_an_applied_exemption_in_json() -> None:
    """README, `--json`: `exemptions` entries hold the pack, policy, resource, reason and the URNs it matched."""
    from preflight.policy import AppliedExemption

    exemption = AppliedExemption("prod-guardrails", "aws-s3-bucket-encryption-kms", "prod-raw-bucket", "legacy",
                                 ("urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-raw-bucket",))
    assert exemption.to_json() == {"pack": "prod-guardrails", "policy": "aws-s3-bucket-encryption-kms",
                                   "resource": "prod-raw-bucket", "reason": "legacy",
                                   "urns": ["urn:pulumi:prod::ml-platform::aws:s3/bucket:Bucket::prod-raw-bucket"]}


def test_a_stack_policy_sees_every_resource_of_the_plan(tmp_path: Path) -> None:
    """pulumi-policy `StackValidationArgs.resources`: every resource of the stack, with its options."""
    pack = pack_of(tmp_path / "pack", STACK_PACK)
    plan = _kept_and_loose(tmp_path)
    violations = evaluate(tmp_path / "pack", plan, packs=[pack], policy_config={})
    assert [(v.policy, v.urn.rsplit("::", 1)[-1]) for v in violations] == [("ids-protected", "loose")]


OPTIONS_PACK = """
from pulumi_policy import PolicyPack, ResourceValidationPolicy

def options(args, report_violation):
    o = args.opts
    report_violation(f"{o.delete_before_replace!r} {o.ignore_changes!r} {o.additional_secret_outputs!r}")

PolicyPack("options", [ResourceValidationPolicy("options", "d", options)])
"""


def test_a_policy_sees_delete_before_replace_ignore_changes_and_secret_outputs_as_set(tmp_path: Path) -> None:
    """pulumi-policy `PolicyResourceOptions`: `delete_before_replace` is None where the resource does not set it
    (aws-eks-nodegroup-replaceable accepts a fixed name only where it is True), `ignore_changes` and
    `additional_secret_outputs` are the resource's lists."""
    pack = pack_of(tmp_path / "pack", OPTIONS_PACK)
    (tmp_path / "program").mkdir()
    plan = run_snippet(tmp_path / "program", """
    import pulumi
    import pulumi_random as random
    random.RandomId("replaced", byte_length=2, opts=pulumi.ResourceOptions(
        delete_before_replace=True, ignore_changes=["byteLength"], additional_secret_outputs=["hex"]))
    random.RandomId("plain", byte_length=2)
    """)
    violations = evaluate(tmp_path / "pack", plan, packs=[pack], policy_config={})
    seen = {v.urn.rsplit("::", 1)[-1]: v.message.splitlines()[-1] for v in violations if "RandomId" in v.urn}
    assert seen == {"replaced": "True ['byteLength'] ['hex']", "plain": "None [] []"}


def test_a_stack_policy_is_handed_each_resources_outputs() -> None:
    """After the update the engine hands stack policies every resource with its final state (outputs, for a
    component its registered outputs): the replay carries them, not just types and names."""
    from google.protobuf.json_format import MessageToDict

    from preflight.policy import _Replay
    from tests.support import preflight_plan

    plan = preflight_plan("dev")
    by_urn = {r.urn: r for r in plan.resources}
    request = _Replay(plan).stack_request()
    assert len(request.resources) == len(plan.resources)
    for res in request.resources:
        recorded = by_urn[res.urn]
        props = MessageToDict(res.properties)
        assert set(props) == set(recorded.wire_outputs if recorded.custom else recorded.component_outputs), res.urn
        assert res.parent == recorded.parent, res.urn  # a stack policy may walk the tree
    bucket = next(r for r in plan.registered if r.type == "aws:s3/bucket:Bucket")
    (sent,) = [r for r in request.resources if r.urn == bucket.urn]
    assert MessageToDict(sent.properties)["bucket"] == bucket.outputs["bucket"]


@pytest.mark.parametrize(("config", "message"), [
    ({"all": {"enforcementLevel": "mandatory", "tag": "x"}},
     "all must be an enforcement level, got {'enforcementLevel': 'mandatory', 'tag': 'x'}"),
    ({"all": "mandatroy"},
     "all must be one of advisory, mandatory, remediate, disabled, got 'mandatroy'; did you mean 'mandatory'?"),
    ({"tagged": 5}, "tagged must be an enforcement level or an object, got 5"),
    ({"must-protect": {"enforcementLevel": "advisory", "tag": "x"}},
     "must-protect has properties ['tag'] but the policy takes none"),
])
def test_a_policy_config_entry_the_engine_would_refuse_is_refused_naming_the_file_and_the_entry(
        tmp_path: Path, config: dict[str, object], message: str) -> None:
    """The engine refuses these entries of a policy config file before any policy runs; each refusal says which
    entry and what it takes."""
    with pytest.raises(PolicyConfigError) as info:
        resolve_config(tiny_pack(tmp_path), config, SOURCE)
    assert str(info.value) == f"{SOURCE}: {message}"


def test_a_pack_is_run_as_the_cli_runs_it_as_main(tmp_path: Path) -> None:
    """The Pulumi CLI runs a Python pack's `__main__.py` as `__main__`; a pack that guards its `PolicyPack(...)` with
    `if __name__ == "__main__":` is loaded too."""
    project = tiny_project(tmp_path)
    main_py = project / "policies" / "tiny" / "__main__.py"
    main_py.write_text(PACK.replace('PolicyPack("tiny"', 'if __name__ == "__main__":\n    PolicyPack("tiny"'))
    (pack,) = load_packs(project)
    assert [p.name for p in pack.policies] == ["must-protect", "tagged"]


def test_a_policy_is_handed_each_resources_alias_urns_and_provider(tmp_path: Path) -> None:
    """The engine hands analyzers a resource's aliases as URNs (its state's `Aliases`: a spec such as
    `Alias(name="old")` resolved against the resource) and its provider resource; both reach resource and stack
    policies."""
    from google.protobuf.json_format import MessageToDict

    from preflight.policy import _Replay

    plan = run_snippet(tmp_path, """
    import pulumi
    import pulumi_random as random
    explicit = random.Provider("explicit")
    random.RandomId("renamed", byte_length=2, opts=pulumi.ResourceOptions(
        provider=explicit, aliases=[pulumi.Alias(name="before"), "urn:pulumi:dev::ml-platform::x:y:Z::older"]))
    """, stack="dev")
    replay = _Replay(plan)
    renamed = plan.one("random:index/randomId:RandomId", "renamed")
    expected = ["urn:pulumi:dev::ml-platform::random:index/randomId:RandomId::before",
                "urn:pulumi:dev::ml-platform::x:y:Z::older"]
    assert list(replay.analyze_request(renamed).options.aliases) == expected
    (sent,) = [r for r in replay.stack_request().resources if r.urn == renamed.urn]
    assert list(sent.options.aliases) == expected
    provider = plan.one("pulumi:providers:random", "explicit")
    for request in (sent, replay.analyze_request(renamed)):
        assert (request.provider.urn, request.provider.type, request.provider.name) == (
            provider.urn, "pulumi:providers:random", "explicit")
        assert MessageToDict(request.provider.properties) == MessageToDict(_Replay(plan).provider(renamed).properties)


def test_an_unreadable_policy_config_is_refused_naming_the_file(tmp_path: Path) -> None:
    """JSON is UTF-8 (RFC 8259): bytes that are not are refused with the file's name, whatever the locale."""
    from preflight.policy import read_policy_config

    project = tiny_project(tmp_path, policy_config="{}")
    (project / "policies" / "config" / "dev.json").write_bytes(b'{"must-protect": "advisory \xff"}')
    with pytest.raises(PolicyConfigError) as info:
        read_policy_config(project, "dev")
    assert str(info.value) == ("policies/config/dev.json cannot be read: 'utf-8' codec can't decode byte 0xff in "
                               "position 27: invalid start byte")
    (project / "policies" / "config" / "dev.json").write_text('{"must-protect": "advisory \u00e9"}', encoding="utf-8")
    assert read_policy_config(project, "dev") == {"must-protect": "advisory \u00e9"}


def test_summarize_lists_an_exemption_that_names_no_resource_with_no_urns(tmp_path: Path) -> None:
    """An exemption whose resource is not in the plan matched nothing (the report marks it stale); one naming a
    resource by name or by URN matched it."""
    from preflight.policy import AppliedExemption, summarize
    from tests.preflight.test_cli import project_copy

    plan = preflight_plan("prod")
    bucket = next(r for r in plan.registered if r.type == "aws:s3/bucket:Bucket")
    reasons = {"no-such-resource": "removed last quarter", bucket.name: "exempt by its name",
               bucket.urn: "exempt by its URN"}

    def exempt(config: dict[str, Any]) -> None:
        config["aws-s3-bucket-encryption-kms"] = {
            "exemptions": [{"resource": resource, "reason": reason} for resource, reason in reasons.items()]}

    project = project_copy(tmp_path, "prod", policy_mutate=exempt)
    _, applied = summarize(project, plan)
    mine = [e for e in applied if e.policy == "aws-s3-bucket-encryption-kms"]
    matched = {"no-such-resource": (), bucket.name: (bucket.urn,), bucket.urn: (bucket.urn,)}
    assert mine == sorted((AppliedExemption("prod-guardrails", "aws-s3-bucket-encryption-kms", resource, reason,
                                            matched[resource]) for resource, reason in reasons.items()),
                          key=lambda e: e.resource)
