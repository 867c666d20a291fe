"""The packs as the CLI loads them: names, per-stack enforcement from policies/config/<stack>.json."""

from __future__ import annotations

import json
from typing import Any

import pytest

from preflight.policy import load_packs, read_policy_config, resolve_config
from tests.support import PROJECT_DIR, STACKS


def stack_config(stack: str) -> dict[str, Any]:
    return read_policy_config(PROJECT_DIR, stack)


def test_every_policy_has_a_kebab_case_name_a_description_and_an_exemption_schema() -> None:
    for pack in load_packs(PROJECT_DIR):
        for policy in pack.policies:
            assert policy.name.split("-")[0] in ("aws", "kubernetes", "databricks", "pulumi"), policy.name
            assert policy.name == policy.name.lower() and " " not in policy.name
            assert policy.description.endswith(".")
            assert "exemptions" in policy.config_schema.properties
            # Mandatory by default; the stack's config file relaxes it (dev: advisory).
            assert policy.enforcement_level.value == "mandatory"


@pytest.mark.parametrize(("stack", "level"), [("dev", "advisory"), ("staging", "mandatory"), ("prod", "mandatory")])
def test_enforcement_per_stack(stack: str, level: str) -> None:
    for pack in load_packs(PROJECT_DIR):
        assert {lvl for _name, (lvl, _) in resolve_config(pack, stack_config(stack)).items()} == {level}


@pytest.mark.parametrize("stack", STACKS)
def test_config_files_are_valid_json_objects(stack: str) -> None:
    assert isinstance(json.loads((PROJECT_DIR / "policies" / "config" / f"{stack}.json").read_text()), dict)


def test_pack_requirements_pin_the_programs_versions() -> None:
    program = dict(line.split("==") for line in (PROJECT_DIR / "requirements.txt").read_text().splitlines()
                   if "==" in line)
    for pack in ("least-privilege", "prod-guardrails", "platform-integrity"):
        pins = dict(line.split("==") for line in (PROJECT_DIR / "policies" / pack / "requirements.txt").read_text()
                    .splitlines() if "==" in line and not line.startswith("#"))
        assert pins and all(program[name] == version for name, version in pins.items())


@pytest.mark.parametrize("exemption", [{"resource": "prod-logs-bucket"}, {"resource": "x", "reason": "because"},
                                       {"resource": "x", "reason": "a good long reason", "until": "never"}])
def test_an_exemption_needs_a_resource_and_a_real_reason(exemption: dict[str, str]) -> None:
    from preflight.policy import PolicyConfigError

    pack = next(p for p in load_packs(PROJECT_DIR) if p.name == "prod-guardrails")
    with pytest.raises(PolicyConfigError, match="aws-kms-key-rotation"):
        resolve_config(pack, {"aws-kms-key-rotation": {"exemptions": [exemption]}})
