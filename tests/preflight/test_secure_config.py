"""Nested `secure:` config values: the preflight marks the whole key secret, replaces the ciphertext with a
placeholder, and never prints either.

Pulumi "Configuration" / "Secrets": structured config may hold a secret at any depth (`pulumi config set --path
--secret 'db.replicas[0].password'` writes `secure:` inside the map or list); the CLI then passes the key in
PULUMI_CONFIG_SECRET_KEYS, which the SDK reads as `pulumi.runtime.is_config_secret(key)`. What `preflight/project.py`
must do with it: the key is a secret key however deep its `secure:` sits, and only a placeholder travels.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.__main__ import main
from preflight.project import load_stack_settings

CIPHERTEXT = "AAABAKkZ0wNestedCipherText=="
# Two levels deep, in a map of maps and in a list of maps (each shape is one of the loader's recursions).
NESTED = {
    "map-in-map": f"config:\n  demo:db:\n    primary:\n      password:\n        secure: {CIPHERTEXT}\n"
                  "      host: db.internal\n",
    "map-in-list": f"config:\n  demo:db:\n    replicas:\n      - host: db-0.internal\n        password:\n"
                   f"          secure: {CIPHERTEXT}\n",
}
PROGRAM = """
import pulumi
import pulumi_random as random

db = pulumi.Config().require_secret_object("db")
pulumi.export("db_is_secret_config", pulumi.runtime.is_config_secret("demo:db"))
pulumi.export("db", db)
random.RandomString("db-salt", length=8, keepers=db.apply(lambda value: {"db": pulumi.runtime.to_json(value)}))
"""


def project(tmp_path: Path, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\n")
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    (tmp_path / "__main__.py").write_text(PROGRAM)
    return tmp_path


@pytest.mark.parametrize("shape", sorted(NESTED))
def test_a_secure_value_two_levels_deep_makes_its_key_secret_and_leaves_only_a_placeholder(
        tmp_path: Path, shape: str) -> None:
    settings = load_stack_settings(project(tmp_path, NESTED[shape]), "dev")
    assert settings.secret_keys == ("demo:db",)
    assert CIPHERTEXT not in settings.config["demo:db"] and "secure" not in settings.config["demo:db"]
    value = json.loads(settings.config["demo:db"])
    leaf = value["primary"]["password"] if shape == "map-in-map" else value["replicas"][0]["password"]
    assert leaf.startswith("preflight-placeholder-")
    # The rest of the structure is kept as written.
    assert (value["primary"]["host"] if shape == "map-in-map" else value["replicas"][0]["host"]).endswith(".internal")


@pytest.mark.parametrize("shape", sorted(NESTED))
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_the_program_sees_the_nested_key_as_secret_and_the_report_never_prints_it(
        tmp_path: Path, shape: str, as_json: bool, capsys: pytest.CaptureFixture[str]) -> None:
    folder = project(tmp_path, NESTED[shape])
    assert main(["--stack", "dev", "--project-dir", str(folder), *(["--json"] if as_json else [])]) == 0
    out = capsys.readouterr().out
    assert CIPHERTEXT not in out and "preflight-placeholder-" not in out
    if as_json:
        [salt] = [r for r in json.loads(out)["resources"] if r["name"] == "db-salt"]
        assert salt["inputs"]["keepers"] == "[secret]"
    else:
        assert "  db: \"[secret]\"" in out
        assert "  db_is_secret_config: true" in out
