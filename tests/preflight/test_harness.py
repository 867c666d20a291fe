"""The preflight harness records what the engine would see: URNs, parents, options, wire inputs, secrets."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from preflight.harness import ProgramError, Secret, Unknown, run_program
from preflight.project import load_stack_settings
from tests.support import PROJECT_DIR, preflight_plan, run_snippet

PASSWORD_AND_ID = """
import pulumi
import pulumi_random as random

class Pair(pulumi.ComponentResource):
    def __init__(self, name, opts=None):
        super().__init__("platform:test:Pair", name, None, opts)
        self.password = random.RandomPassword(f"{name}-pw", length=24,
                                              opts=pulumi.ResourceOptions(parent=self, protect=True))
        self.id = random.RandomId(f"{name}-id", byte_length=4,
                                  opts=pulumi.ResourceOptions(parent=self, depends_on=[self.password]))
        self.register_outputs({"hex": self.id.hex})

pair = Pair("p")
pulumi.export("password", pair.password.result)
pulumi.export("hex", pair.id.hex)
"""


def test_records_urn_parent_options_and_camelcase_inputs(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, PASSWORD_AND_ID, stack="prod")
    component = plan.one("platform:test:Pair", "p")
    password = plan.one("random:index/randomPassword:RandomPassword", "p-pw")
    rid = plan.one("random:index/randomId:RandomId", "p-id")
    # The engine's URN: parent type chain joined by "$", the root stack left out.
    assert component.urn == "urn:pulumi:prod::ml-platform::platform:test:Pair::p"
    assert password.urn == ("urn:pulumi:prod::ml-platform::platform:test:Pair$"
                            "random:index/randomPassword:RandomPassword::p-pw")
    assert password.parent == component.urn and rid.parent == component.urn
    assert password.options["protect"] is True and rid.options["protect"] is False
    assert rid.options["dependsOn"] == [password.urn]
    assert rid.inputs == {"byteLength": 4.0}  # engine names, numbers as floats, as a policy sees them
    assert plan.descendants(component) == [password, rid]


def test_secret_outputs_are_marked_as_the_engine_marks_them(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, PASSWORD_AND_ID)
    outputs = plan.plain_outputs
    assert isinstance(outputs["password"], Secret)  # additionalSecretOutputs of RandomPassword honoured
    assert isinstance(outputs["hex"], str) and len(outputs["hex"]) == 8


def test_preview_leaves_computed_values_unknown(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, PASSWORD_AND_ID, preview=True)
    assert plan.plain_outputs["hex"] == Unknown()
    assert plan.one("random:index/randomId:RandomId", "p-id").inputs == {"byteLength": 4.0}


def test_invokes_without_a_mock_fail_loudly(tmp_path: Path) -> None:
    code = """
    import pulumi_aws as aws
    aws.get_billing_service_account()
    """
    with pytest.raises(ProgramError, match=r"Mock not implemented: aws:index/getBillingServiceAccount:"):
        run_snippet(tmp_path, code)


def test_invokes_answer_in_the_account_and_region_of_their_provider(tmp_path: Path) -> None:
    """Data sources read through an explicit provider answer for that provider's account and region."""
    code = """
    import pulumi
    import pulumi_aws as aws
    member = aws.Provider("member", region="eu-central-1",
                          assume_roles=[aws.ProviderAssumeRoleArgs(role_arn="arn:aws:iam::123456789012:role/Deployer")])
    invoke = pulumi.InvokeOptions(provider=member)
    pulumi.export("account", aws.get_caller_identity(opts=invoke).account_id)
    pulumi.export("zones", aws.get_availability_zones(state="available", opts=invoke).names)
    pulumi.export("ambient", aws.get_caller_identity().account_id)
    # a plain dict keeps its snake_case key on the wire
    plain = aws.Provider("plain", region="eu-central-1",
                         assume_roles=[{"role_arn": "arn:aws:iam::210987654321:role/D"}])
    pulumi.export("plain", aws.get_caller_identity(opts=pulumi.InvokeOptions(provider=plain)).account_id)
    """
    outputs = run_snippet(tmp_path, code).plain_outputs
    assert outputs["account"] == "123456789012" and outputs["plain"] == "210987654321"
    assert outputs["zones"] == ["eu-central-1a", "eu-central-1b", "eu-central-1c"]
    assert outputs["ambient"] != "123456789012"


def test_program_error_names_component_and_line(tmp_path: Path) -> None:
    code = """
    import pulumi

    class Broken(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("platform:test:Broken", name, None, None)
            raise ValueError("no subnets given")

    Broken("prod-broken")
    """
    with pytest.raises(ProgramError) as info:
        run_snippet(tmp_path, code)
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith("prod: program error in platform:test:Broken 'prod-broken' at __main__.py:")
    assert message.endswith("ValueError: no subnets given")


@pytest.mark.parametrize(("component", "where"), [
    # the component named by its registered name, whatever its parameter is called
    ("""
    class Broken(pulumi.ComponentResource):
        def __init__(self, resource_name):
            super().__init__("platform:test:Broken", resource_name, None, None)
            rid = random.RandomId(f"{resource_name}-id", byte_length=2, opts=pulumi.ResourceOptions(parent=self))
            random.RandomId(f"{resource_name}-next", byte_length=rid.hex.apply(lambda h: int("x" + h)),
                            opts=pulumi.ResourceOptions(parent=self))
    """, "platform:test:Broken 'prod-broken' at __main__.py:8 (inside an Output.apply)"),
    # failing before its own registration: named by its class and its `name` argument
    ("""
    class Broken(pulumi.ComponentResource):
        def __init__(self, name):
            raise ValueError("invalid literal for int() with base 10: 'x'")
    """, "Broken 'prod-broken' at __main__.py:6:"),
])
def test_a_program_error_names_the_component_and_the_line_in_the_project(tmp_path: Path, component: str,
                                                                         where: str) -> None:
    code = "import pulumi\nimport pulumi_random as random\n" + textwrap.dedent(component) + "\nBroken('prod-broken')\n"
    with pytest.raises(ProgramError) as info:
        run_snippet(tmp_path, code)
    assert str(info.value).startswith(f"prod: program error in {where}"), info.value
    assert re.search(r"ValueError: invalid literal for int\(\) with base 10: 'x[0-9a-f]*'$", str(info.value))


def test_stacks_do_not_leak_into_each_other() -> None:
    """Two stacks run in one process: each sees only its own config and registers only its own resources."""
    dev = run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, "dev"))
    prod = run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, "prod"))
    assert all(r.urn.startswith("urn:pulumi:dev::") for r in dev.resources)
    assert all(r.urn.startswith("urn:pulumi:prod::") for r in prod.resources)
    assert dev.plain_outputs["environment"] == "dev" and prod.plain_outputs["environment"] == "prod"


def test_a_failed_runs_registrations_in_flight_do_not_fail_the_next_run(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A run fails at its first failed registration while another is still in flight; that one fails later.
    The next run of the process must neither await it nor see its resource: it finishes inside the failed run."""
    import time

    from preflight import computed

    real_compute = computed.compute

    def compute(type_: str, name: str, inputs: dict[str, object], ctx: computed.Context) -> object:
        if name == "fails-now":
            raise RuntimeError("refused at once")
        if name == "fails-late":
            time.sleep(0.5)
            raise RuntimeError("refused late")
        return real_compute(type_, name, inputs, ctx)

    monkeypatch.setattr(computed, "compute", compute)
    failing = """
    import pulumi_random as random
    random.RandomId("fails-late", byte_length=2)
    random.RandomId("fails-now", byte_length=2)
    """
    (tmp_path / "first").mkdir()
    (tmp_path / "second").mkdir()
    with pytest.raises(ProgramError, match="refused"):
        run_snippet(tmp_path / "first", failing)
    plan = run_snippet(tmp_path / "second", 'import pulumi_random as random\nrandom.RandomId("ok", byte_length=2)\n')
    assert [r.name for r in plan.registered] == ["ok"]


def test_a_failed_runs_unawaited_outputs_are_freed_without_a_logged_traceback(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """Their error is the run's, reported once. Logged again as they are freed, each traceback would be formatted
    with Python 3.11's `ast.parse` from inside the collector, which can corrupt the interpreter's AST counter
    ("SystemError: AST constructor recursion depth mismatch" in every later parse of the process)."""
    import gc

    code = """
    import pulumi_random as random
    first = random.RandomId("first", byte_length=2)
    random.RandomId("second", byte_length=first.hex.apply(lambda _: int("x")))
    random.RandomId("third", byte_length=first.hex.apply(lambda _: 2))
    """
    with pytest.raises(ProgramError):
        run_snippet(tmp_path, code)
    with caplog.at_level("ERROR", logger="asyncio"):
        gc.collect()
    assert [r.getMessage() for r in caplog.records if "never retrieved" in r.getMessage()] == []


def test_a_urn_registered_twice_fails_the_run_as_the_engine_does(tmp_path: Path) -> None:
    code = """
    import pulumi_random as random
    random.RandomId("same", byte_length=2)
    random.RandomId("same", byte_length=4)
    """
    with pytest.raises(ProgramError, match=r"Duplicate resource URN 'urn:pulumi:prod::ml-platform::"
                                           r"random:index/randomId:RandomId::same'; try giving it a unique name"):
        run_snippet(tmp_path, code)


def test_nested_components_carry_the_whole_type_chain(tmp_path: Path) -> None:
    code = """
    import pulumi
    import pulumi_random as random

    class Outer(pulumi.ComponentResource):
        def __init__(self, name):
            super().__init__("platform:test:Outer", name, None, None)
            inner = pulumi.ComponentResource("platform:test:Inner", f"{name}-inner", None,
                                             pulumi.ResourceOptions(parent=self))
            random.RandomId(f"{name}-id", byte_length=2, opts=pulumi.ResourceOptions(parent=inner))

    Outer("o")
    """
    plan = run_snippet(tmp_path, code)
    assert plan.one("random:index/randomId:RandomId").urn == (
        "urn:pulumi:prod::ml-platform::platform:test:Outer$platform:test:Inner$random:index/randomId:RandomId::o-id")


def test_every_resource_option_is_recorded_under_the_engines_name(tmp_path: Path) -> None:
    """The options a policy and the plan tests read, named as the engine's RegisterResourceRequest names them."""
    code = """
    import pulumi
    import pulumi_random as random
    first = random.RandomId("first", byte_length=2)
    random.RandomId("second", byte_length=2, opts=pulumi.ResourceOptions(
        ignore_changes=["byteLength"], replace_on_changes=["prefix"], deleted_with=first, retain_on_delete=True,
        delete_before_replace=True, additional_secret_outputs=["hex"], aliases=["urn:pulumi:prod::p::t::old"]))
    random.RandomId("adopted", byte_length=2, opts=pulumi.ResourceOptions(import_="AAE"))
    """
    plan = run_snippet(tmp_path, code)
    first = plan.one("random:index/randomId:RandomId", "first")
    options = plan.one("random:index/randomId:RandomId", "second").options
    assert options["ignoreChanges"] == ["byteLength"] and options["replaceOnChanges"] == ["prefix"]
    assert options["deletedWith"] == first.urn and options["additionalSecretOutputs"] == ["hex"]
    assert options["retainOnDelete"] is True and options["deleteBeforeReplace"] is True
    assert {"urn": "urn:pulumi:prod::p::t::old"} in options["aliases"]
    assert first.options["ignoreChanges"] == [] and first.options["deletedWith"] == ""
    assert plan.one("random:index/randomId:RandomId", "adopted").options["importId"] == "AAE"
    # the plan's JSON (`--json`) shows these keys, and only these
    assert set(first.options) == {"protect", "retainOnDelete", "deleteBeforeReplace", "ignoreChanges",
                                  "replaceOnChanges", "dependsOn", "additionalSecretOutputs", "aliases",
                                  "deletedWith", "importId"} and first.options["importId"] == ""


def test_a_yaml_v2_config_group_registers_its_objects_as_children_on_its_provider(tmp_path: Path) -> None:
    code = """
    import pulumi
    import pulumi_kubernetes as k8s
    cluster = k8s.Provider("cluster", kubeconfig="{}")
    k8s.yaml.v2.ConfigGroup("group", objs=[
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "ml"}}],
        opts=pulumi.ResourceOptions(providers=[cluster]))
    """
    plan = run_snippet(tmp_path, code)
    group = plan.one("kubernetes:yaml/v2:ConfigGroup", "group")
    (child,) = plan.children(group)
    # yaml/v2: objects are named `<resourcePrefix>-<namespace>/<name>`, the prefix defaulting to the group's name.
    assert (child.type, child.name) == ("kubernetes:core/v1:ConfigMap", "group-ml/conf")
    assert child.provider == plan.one("pulumi:providers:kubernetes", "cluster").urn


def test_a_policy_document_given_as_an_object_is_stored_as_the_providers_json(tmp_path: Path) -> None:
    """pulumi-aws marshals an object given to a `str | PolicyDocumentArgs` input with Go's json.Marshal:
    compact, keys sorted."""
    code = """
    import pulumi_aws as aws
    aws.iam.Policy("p", policy={"Version": "2012-10-17",
                                "Statement": [{"Resource": "*", "Effect": "Allow", "Action": "s3:GetObject"}]})
    """
    policy = run_snippet(tmp_path, code).one("aws:iam/policy:Policy", "p").outputs["policy"]
    assert policy == '{"Statement":[{"Action":"s3:GetObject","Effect":"Allow","Resource":"*"}],"Version":"2012-10-17"}'


def test_resource_references_become_their_id_or_urn() -> None:
    """A reference to a custom resource is its id, to a component its URN: in the plain view and in what the
    engine hands a policy."""
    from preflight.harness import RESOURCE_SIG, SECRET_SIG_KEY, _engine_view, plain

    custom = {SECRET_SIG_KEY: RESOURCE_SIG, "urn": "urn:a", "id": "i-1"}
    component = {SECRET_SIG_KEY: RESOURCE_SIG, "urn": "urn:b"}
    for view in (plain, _engine_view):
        assert view([custom, {"k": component}]) == ["i-1", {"k": "urn:b"}]
    assert _engine_view({SECRET_SIG_KEY: RESOURCE_SIG, "urn": "urn:c", "id": ""}) == "urn:c"


def test_a_secret_never_shows_its_value() -> None:
    secret = Secret("hunter2")
    assert repr(secret) == str(secret) == "Secret([secret])" and f"{[secret]}" == "[Secret([secret])]"
    assert secret == Secret("hunter2") and secret != Secret("other") and secret != "hunter2"


def test_the_plan_names_its_stack_and_project(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, "import pulumi\n", stack="staging")
    assert (plan.stack, plan.project, plan.preview) == ("staging", "ml-platform", False)


def test_an_error_inside_an_apply_without_a_line_of_ours_says_so() -> None:
    from preflight.harness import _program_error_message

    message = _program_error_message(RuntimeError("wrapped"), PROJECT_DIR, [(["", ""], KeyError("subnets"))])
    assert message == "program error (inside an Output.apply): KeyError: 'subnets'"
    message = _program_error_message(RuntimeError("wrapped"), PROJECT_DIR,
                                     [(["platform:x 'n'", "components/x.py:3"], ValueError("a\n  b"))])
    assert message == "program error in platform:x 'n' at components/x.py:3 (inside an Output.apply): ValueError: a; b"


def test_a_secret_on_the_wire_keeps_its_value_in_the_plain_view() -> None:
    from preflight.harness import SECRET_SIG, SECRET_SIG_KEY, plain, reveal

    wire = {"a": {SECRET_SIG_KEY: SECRET_SIG, "value": {"b": "hunter2"}}}
    assert plain(wire) == {"a": Secret({"b": "hunter2"})} and reveal(plain(wire)) == {"a": {"b": "hunter2"}}


def test_a_yaml_v2_groups_objects_are_custom_resources_with_their_ids(tmp_path: Path) -> None:
    """The provider's Construct registers each object as a custom resource: it gets an id (`<namespace>/<name>`,
    as pulumi-kubernetes names it) and its outputs, and a policy sees it as a resource, not as a component."""
    code = """
    import pulumi_kubernetes as k8s
    k8s.yaml.v2.ConfigGroup("group", objs=[
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "ml"}}])
    """
    plan = run_snippet(tmp_path, code)
    (child,) = plan.children(plan.one("kubernetes:yaml/v2:ConfigGroup", "group"))
    assert child.custom is True
    assert child.id == "ml/conf"
    assert child.outputs["metadata"]["name"] == "conf"


def test_settling_a_failed_run_gives_up_on_what_does_not_move_within_the_timeout() -> None:
    """What is still in flight after a failed run is waited for at most `timeout` (nothing moves: it is left),
    so one registration that never finishes cannot hang the preflight."""
    import time

    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.sync_await import _ensure_event_loop

    from preflight.harness import _settle_in_flight

    loop = _ensure_event_loop()
    stuck = loop.create_future()
    # Finishes only if the loop is still waiting 5 s later: it bounds how long a wrong wait would hang this test.
    handle = loop.call_later(5.0, stuck.set_result, None)
    sdk_settings: Any = runtime_settings.SETTINGS
    with sdk_settings.lock:
        sdk_settings.outputs.add(stuck)
    try:
        started = time.monotonic()
        _settle_in_flight(timeout=0.2)
        elapsed = time.monotonic() - started
    finally:
        handle.cancel()
        with sdk_settings.lock:
            sdk_settings.outputs.discard(stuck)
    assert elapsed < 3.0
    assert not stuck.done()  # left pending, not awaited to the end


def test_the_program_imports_its_own_modules_from_its_project_directory(tmp_path: Path,
                                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """As the Python language host does, the project directory is on `sys.path`: `__main__.py` imports a module
    next to it."""
    import sys

    monkeypatch.setattr(sys, "path", [p for p in sys.path if p not in {str(tmp_path.resolve()), "", "."}])
    module = "preflight_test_helper_module"
    monkeypatch.delitem(sys.modules, module, raising=False)
    (tmp_path / f"{module}.py").write_text("VALUE = 'from the project directory'\n")
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    (tmp_path / "__main__.py").write_text(f"import pulumi\nimport {module}\npulumi.export('value', {module}.VALUE)\n")
    plan = run_program(tmp_path, load_stack_settings(tmp_path, "dev"))
    assert plan.plain_outputs == {"value": "from the project directory"}
    sys.modules.pop(module, None)


def test_the_json_view_of_inputs_writes_unknowns_and_secrets_as_placeholders(tmp_path: Path) -> None:
    """README, `--json`: inputs under the engine's names, a secret as "[secret]"; a value unknown during a preview
    is "[unknown]", as the text report writes it."""
    code = """
    import pulumi_random as random
    password = random.RandomPassword("pw", length=16)
    first = random.RandomId("first", byte_length=2)
    random.RandomId("second", byte_length=2, prefix=first.hex, keepers={"password": password.result})
    """
    (tmp_path / "preview").mkdir()
    (tmp_path / "up").mkdir()
    previewed = run_snippet(tmp_path / "preview", code, preview=True).one("random:index/randomId:RandomId", "second")
    assert previewed.to_json()["inputs"]["prefix"] == "[unknown]"
    updated = run_snippet(tmp_path / "up", code).one("random:index/randomId:RandomId", "second")
    assert updated.to_json()["inputs"]["keepers"] == {"password": "[secret]"}
    assert updated.to_json()["inputs"]["prefix"] == updated.inputs["prefix"]  # a known value is itself


def test_a_program_error_names_the_resource_the_sdk_was_processing() -> None:
    """The SDK re-raises an error preparing a resource as `While processing resource: '<name>', type: '<type>'`
    with the original as its cause: the message names that resource and keeps the original error."""
    from preflight.harness import _program_error_message

    original = ValueError("unexpected input of type object")
    wrapped = ValueError("While processing resource: 'prod-db', type: 'aws:rds/instance:Instance'\n"
                         f"ValueError has risen: {original}")
    wrapped.__cause__ = original  # `raise ... from e`, as the SDK does
    message = _program_error_message(wrapped, PROJECT_DIR, [])
    assert message == ("program error for resource 'prod-db' (aws:rds/instance:Instance): ValueError: unexpected "
                       "input of type object")


def test_the_programs_own_run_error_carries_what_was_registered_before_it(tmp_path: Path) -> None:
    """A `pulumi.RunError` (a ConfigError) is raised unchanged, with the plan registered up to that point."""
    import pulumi

    code = """
    import pulumi
    import pulumi_random as random
    random.RandomId("before", byte_length=2)
    pulumi.Config().require("missing")
    """
    with pytest.raises(pulumi.RunError) as info:
        run_snippet(tmp_path, code)
    partial = info.value.partial_plan  # type: ignore[attr-defined]
    assert [r.name for r in partial.registered] == ["before"]


@pytest.mark.parametrize("preview", [False, True])
def test_a_block_the_provider_completes_keeps_its_inputs_and_gains_the_computed_keys(preview: bool) -> None:
    """An EKS cluster's `vpcConfig` as the provider returns it: the subnets given, plus the security group and VPC
    EKS made (EKS API, "DescribeCluster": resourcesVpcConfig); during a preview the computed keys are unknown."""
    cluster = preflight_plan("dev", preview=preview).one("aws:eks/cluster:Cluster")
    given, returned = cluster.inputs["vpcConfig"], cluster.outputs["vpcConfig"]
    assert {k: v for k, v in returned.items() if k in given} == given
    computed = {returned["clusterSecurityGroupId"], returned["vpcId"]}
    if preview:
        assert all(isinstance(v, Unknown) for v in computed)
    else:
        assert all(isinstance(v, str) and v.startswith(("sg-", "vpc-")) for v in computed)


def test_an_object_document_with_a_secret_stays_secret(tmp_path: Path) -> None:
    code = """
    import pulumi, pulumi_aws as aws
    aws.iam.Policy("p", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": pulumi.Output.secret("arn:aws:s3:::b/*")}]})
    """
    wire = run_snippet(tmp_path, code).one("aws:iam/policy:Policy", "p").wire_outputs["policy"]
    # the harness renders an object document as the provider's JSON text, kept secret with its value
    assert isinstance(wire, dict) and "arn:aws:s3:::b/*" in wire["value"]


def test_a_program_that_exports_nothing_has_no_outputs_and_its_stack_is_recorded(tmp_path: Path) -> None:
    """The stack resource is always in the plan (set_mocks registers it first), with the program's exports as its
    outputs: none here."""
    plan = run_snippet(tmp_path, "import pulumi_random as random\nrandom.RandomId('a', byte_length=2)\n")
    assert plan.outputs == {} and plan.plain_outputs == {}
    (stack,) = [r for r in plan.resources if r.type == "pulumi:pulumi:Stack"]
    assert stack.urn == "urn:pulumi:prod::ml-platform::pulumi:pulumi:Stack::ml-platform-prod"
    assert [r.name for r in plan.registered] == ["a"]


def test_each_run_sees_its_own_secret_keys_as_pulumi_passes_them(tmp_path: Path) -> None:
    """The CLI passes a stack's secret keys (PULUMI_CONFIG_SECRET_KEYS), which the SDK answers as
    `is_config_secret`: a run sees its own keys, and none from the run before it."""
    from preflight.project import StackSettings

    (tmp_path / "__main__.py").write_text("import pulumi\n\npulumi.export('secret', "
                                          "pulumi.runtime.is_config_secret('ml-platform:token'))\n")
    config = {"ml-platform:token": "preflight-placeholder-1"}
    secret = StackSettings(project="ml-platform", stack="dev", config=config, secret_keys=("ml-platform:token",))
    plain = StackSettings(project="ml-platform", stack="dev", config=config, secret_keys=())
    assert run_program(tmp_path, secret).plain_outputs["secret"] is True
    assert run_program(tmp_path, plain).plain_outputs["secret"] is False


def test_a_resource_on_the_default_provider_is_computed_in_the_ambient_account_and_region(tmp_path: Path) -> None:
    """A resource without an explicit provider is created with the ambient credentials: the mocks answer in the
    management account (`000000000000`) and the default region (`eu-west-1`), as for an explicit provider that
    names neither, never in a region of `None`."""
    plan = run_snippet(tmp_path, """
    import pulumi
    import pulumi_aws as aws
    aws.kms.Key("ambient")
    named = aws.Provider("unnamed")
    aws.kms.Key("explicit", opts=pulumi.ResourceOptions(provider=named))
    """)
    for name in ("ambient", "explicit"):
        arn = plan.one("aws:kms/key:Key", name).outputs["arn"]
        assert re.fullmatch(r"arn:aws:kms:eu-west-1:000000000000:key/[0-9a-f-]{36}", arn), arn


DENY_ALL = "name: ml-platform\nruntime: python\nconfig:\n  pulumi:disable-default-providers: ['*']\n"


def test_with_default_providers_disabled_a_resource_without_a_provider_fails_the_run(tmp_path: Path) -> None:
    """`pulumi:disable-default-providers` (the engine's `shouldDenyRequest`): a custom resource that names no
    provider fails `up` with "Default provider for 'aws' disabled. '<urn>' must use an explicit provider." One
    under a component that was handed the provider inherits it and passes."""
    body = """
    import pulumi
    import pulumi_aws as aws
    member = aws.Provider("member", region="eu-west-1")
    parent = pulumi.ComponentResource("platform:test:Holder", "holder", None,
                                      pulumi.ResourceOptions(providers=[member]))
    aws.kms.Key("inherited", opts=pulumi.ResourceOptions(parent=parent))
    aws.kms.Key("ambient")
    """
    with pytest.raises(ProgramError, match=re.escape(
            "Default provider for 'aws' disabled. 'urn:pulumi:prod::ml-platform::aws:kms/key:Key::ambient' "
            "must use an explicit provider.")):
        run_snippet(tmp_path, body, extra_files={"Pulumi.yaml": DENY_ALL})
    explicit = run_snippet(tmp_path, body.replace('aws.kms.Key("ambient")', ""),
                           extra_files={"Pulumi.yaml": DENY_ALL})
    assert explicit.one("aws:kms/key:Key", "inherited").provider.endswith("::pulumi:providers:aws::member")


def test_with_default_providers_disabled_an_invoke_without_a_provider_fails_the_run(tmp_path: Path) -> None:
    """The engine refuses a default provider to an invoke as to a resource (`getProviderFromSource`); an invoke
    whose parent was handed the provider inherits it (the SDK's `invoke`), and every invoke is in the plan."""
    body = """
    import pulumi
    import pulumi_aws as aws
    member = aws.Provider("member", region="eu-west-1")
    parent = pulumi.ComponentResource("platform:test:Holder", "holder", None,
                                      pulumi.ResourceOptions(providers=[member]))
    aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=parent))
    aws.get_caller_identity_output()
    """
    with pytest.raises(ProgramError, match=re.escape(
            "Default provider for 'aws' disabled. 'aws:index/getCallerIdentity:getCallerIdentity' must use an "
            "explicit provider.")):
        run_snippet(tmp_path, body, extra_files={"Pulumi.yaml": DENY_ALL})
    allowed = run_snippet(tmp_path, body)
    assert sorted(i.provider for i in allowed.invokes) == [
        "", "urn:pulumi:prod::ml-platform::pulumi:providers:aws::member"]
    assert {i.token for i in allowed.invokes} == {"aws:index/getCallerIdentity:getCallerIdentity"}


def test_disabling_one_package_leaves_the_others_default_providers(tmp_path: Path) -> None:
    """The list names packages (each entry trimmed, as the engine trims it); `*` is every package."""
    only_kubernetes = DENY_ALL.replace("'*'", "' kubernetes '")
    plan = run_snippet(tmp_path, """
    import pulumi_aws as aws
    aws.kms.Key("ambient")
    aws.get_caller_identity_output()
    """, extra_files={"Pulumi.yaml": only_kubernetes})
    assert plan.one("aws:kms/key:Key", "ambient").provider == ""
    with pytest.raises(ProgramError, match="Default provider for 'kubernetes' disabled"):
        run_snippet(tmp_path, """
        import pulumi_kubernetes as k8s
        k8s.core.v1.Namespace("ambient")
        """, extra_files={"Pulumi.yaml": only_kubernetes})


@pytest.mark.parametrize(("text", "denied"), [("", frozenset()), ('["*"]', frozenset({"*"})),
                                               ('[" aws", "kubernetes "]', frozenset({"aws", "kubernetes"}))])
def test_the_disabled_packages_are_read_as_the_engine_reads_them(text: str, denied: frozenset[str]) -> None:
    from preflight.harness import denied_default_providers

    assert denied_default_providers({"pulumi:disable-default-providers": text}) == denied


@pytest.mark.parametrize("text", ["*", '"*"', "[1]", '{"aws": true}'])
def test_a_disabled_packages_value_that_is_not_a_list_of_strings_is_refused(text: str) -> None:
    from preflight.harness import denied_default_providers

    with pytest.raises(ProgramError, match="pulumi:disable-default-providers"):
        denied_default_providers({"pulumi:disable-default-providers": text})


def test_with_default_providers_disabled_a_remote_component_without_its_provider_fails_the_run(tmp_path: Path) -> None:
    """A yaml/v2 ConfigGroup is constructed by the kubernetes provider (a remote component): with default providers
    denied, one that was handed no kubernetes provider fails as a custom resource does; one handed it passes."""
    body = """
    import pulumi
    import pulumi_kubernetes as k8s
    cluster = k8s.Provider("cluster", kubeconfig="{}")
    k8s.yaml.v2.ConfigGroup("given", objs=[
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "conf", "namespace": "ml"}}],
        opts=pulumi.ResourceOptions(providers=[cluster]))
    """
    assert run_snippet(tmp_path, body, extra_files={"Pulumi.yaml": DENY_ALL}).one("kubernetes:yaml/v2:ConfigGroup")
    bare = body + """
    k8s.yaml.v2.ConfigGroup("bare", objs=[
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "other", "namespace": "ml"}}])
    """
    with pytest.raises(ProgramError, match=re.escape(
            "Default provider for 'kubernetes' disabled. 'urn:pulumi:prod::ml-platform::kubernetes:yaml/v2:ConfigGroup"
            "::bare' must use an explicit provider.")):
        run_snippet(tmp_path, bare, extra_files={"Pulumi.yaml": DENY_ALL})
