"""The preflight harness records what the engine would see: URNs, parents, options, wire inputs, secrets."""

from __future__ import annotations

from pathlib import Path

import pytest

from preflight.harness import ProgramError, Secret, Unknown, run_program
from preflight.project import load_stack_settings
from tests.support import PROJECT_DIR, run_snippet

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
    """
    outputs = run_snippet(tmp_path, code).plain_outputs
    assert outputs["account"] == "123456789012"
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


def test_stacks_do_not_leak_into_each_other() -> None:
    """Two stacks run in one process: each sees only its own config and registers only its own resources."""
    dev = run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, "dev"))
    prod = run_program(PROJECT_DIR, load_stack_settings(PROJECT_DIR, "prod"))
    assert all(r.urn.startswith("urn:pulumi:dev::") for r in dev.resources)
    assert all(r.urn.startswith("urn:pulumi:prod::") for r in prod.resources)
    assert dev.plain_outputs["environment"] == "dev" and prod.plain_outputs["environment"] == "prod"


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
