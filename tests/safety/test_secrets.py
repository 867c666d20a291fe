"""Secrets stay secret: never plaintext in a stack file, always secret-marked in the plan's inputs and outputs."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.harness import Plan, Secret, Unknown
from tests.support import PROJECT_DIR, STACKS, plan_with, preflight_plan

# Property names that carry a credential: passwords, tokens, client secrets, private keys.
SECRET_KEY = re.compile(r"(?i)(password|passwd|passphrase|secret|token|private_?key|credentials?)$")
# Keys whose value names a secret or credential object (a reference, never the credential itself).
SECRET_REFERENCE_KEYS = frozenset({
    "existingSecret",
    "storageCredential",  # databricks.Grants(storage_credential=...): the storage credential's name (grants.py)
})
# Values that look like a credential whatever their key (AWS access key, Databricks PAT, PEM, GitHub token).
SECRET_VALUE = re.compile(r"^(AKIA[0-9A-Z]{16}|dapi[0-9a-f]{32}|-----BEGIN [A-Z ]*PRIVATE KEY-----|gh[pousr]_\w{20,})")


def plaintext_secrets(config: Any, path: str = "") -> list[str]:
    """Keys of a stack file's `config` that hold a credential in plaintext (anything but `{secure: ...}`)."""
    found: list[str] = []
    if isinstance(config, dict):
        if set(config) == {"secure"}:
            return []
        for key, value in config.items():
            where = f"{path}.{key}" if path else str(key)
            name = str(key).split(":")[-1]
            if SECRET_KEY.search(name) and not (isinstance(value, dict) and set(value) == {"secure"}):
                found.append(where)
            else:
                found += plaintext_secrets(value, where)
    elif isinstance(config, list):
        for i, value in enumerate(config):
            found += plaintext_secrets(value, f"{path}[{i}]")
    elif isinstance(config, str) and SECRET_VALUE.match(config):
        found.append(path)
    return found


@pytest.mark.parametrize("stack_file", sorted(PROJECT_DIR.glob("Pulumi.*.yaml")), ids=lambda p: p.name)
def test_stack_files_hold_secrets_only_as_ciphertext(stack_file: Path) -> None:
    config = (yaml.safe_load(stack_file.read_text()) or {}).get("config") or {}
    assert plaintext_secrets(config) == []


def test_the_scanner_finds_plaintext_secrets() -> None:
    config = {
        "ml-platform:databricksClientSecret": "s3cr3t",
        "ml-platform:mlflowDbPassword": {"secure": "v1:abc"},
        "ml-platform:helm": {"valuesOverrides": {"grafana": {"adminPassword": "admin"}}},
        "ml-platform:note": "AKIAABCDEFGHIJKLMNOP",
    }
    assert plaintext_secrets(config) == ["ml-platform:databricksClientSecret",
                                         "ml-platform:helm.valuesOverrides.grafana.adminPassword",
                                         "ml-platform:note"]


def exposed_secrets(value: Any, path: str) -> list[str]:
    """Paths under `value` where a credential-named property holds a value that is not secret-marked."""
    found: list[str] = []
    if isinstance(value, Secret | Unknown):
        return []
    if isinstance(value, dict):
        for key, child in value.items():
            where = f"{path}.{key}"
            # A boolean (automountServiceAccountToken) is a setting, never a credential.
            if SECRET_KEY.search(str(key)) and str(key) not in SECRET_REFERENCE_KEYS and isinstance(
                    child, str | int | float) and not isinstance(child, bool) and child != "":
                found.append(where)
            else:
                found += exposed_secrets(child, where)
    elif isinstance(value, list):
        for i, child in enumerate(value):
            found += exposed_secrets(child, f"{path}[{i}]")
    return found


def plan_exposures(plan: Plan) -> list[str]:
    found: list[str] = []
    for r in plan.registered:
        found += exposed_secrets(r.inputs, f"{r.name}.inputs")
        found += exposed_secrets(r.outputs, f"{r.name}.outputs")
        if r.type == "kubernetes:core/v1:Secret":
            for field in ("data", "stringData"):
                values = r.inputs.get(field) or {}
                if isinstance(values, Secret | Unknown):
                    continue  # pulumi_kubernetes makes the whole map secret: every value in it is
                for key, value in values.items():
                    if not isinstance(value, Secret | Unknown):
                        found.append(f"{r.name}.inputs.{field}.{key}")
    found += exposed_secrets(plan.plain_outputs, "stack.outputs")
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_no_credential_is_plaintext_in_the_plan(stack: str) -> None:
    assert plan_exposures(preflight_plan(stack)) == []


def test_configured_secrets_stay_secret_through_the_program() -> None:
    """`pulumi config set --secret` values reach every resource that uses them as secrets."""
    plan = plan_with("prod", {
        "databricks": {**yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())["config"][
            "ml-platform:databricks"], "clientId": "0a1b2c3d-1111-2222-3333-444455556666"},
        "databricksClientSecret": {"secure": "v1:ciphertext"},
    })
    assert plan_exposures(plan) == []
    placeholders = [r.name for r in plan.registered
                    if "preflight-placeholder" in repr(r.inputs) or "preflight-placeholder" in repr(r.outputs)]
    assert placeholders == [], "a secret config value reached a resource unmarked"


def test_the_plan_scan_finds_an_unmarked_password(tmp_path: Path) -> None:
    from tests.support import run_snippet

    plan = run_snippet(tmp_path, """
    import pulumi
    import pulumi_random as random
    pw = random.RandomPassword("db", length=20)
    pulumi.export("dbPassword", pulumi.Output.unsecret(pw.result))
    pulumi.export("keptPassword", pw.result)
    pulumi.export("leakedPassword", "hunter22")
    """)
    assert sorted(plan_exposures(plan)) == ["stack.outputs.dbPassword", "stack.outputs.leakedPassword"]
