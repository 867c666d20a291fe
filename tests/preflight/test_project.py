"""Stack settings are merged as the Pulumi CLI merges them: project defaults, then the stack file, key by key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from preflight.project import ProjectError, load_stack_settings

PROJECT = """
name: demo
runtime: python
config:
  region:
    type: string
    default: eu-west-1
  owner: team@example.com
  aws:region: us-east-1
"""


def write(tmp_path: Path, stack_yaml: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    return tmp_path


def test_stack_values_replace_project_defaults_key_by_key(tmp_path: Path) -> None:
    write(tmp_path, "config:\n  demo:region: us-west-2\n  demo:pools: {a: {min: 1}}\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert settings.config["demo:region"] == "us-west-2"  # stack wins
    assert settings.config["demo:owner"] == "team@example.com"  # short-form project default kept
    assert settings.config["aws:region"] == "us-east-1"  # namespaced project keys stay namespaced
    assert json.loads(settings.config["demo:pools"]) == {"a": {"min": 1}}  # objects travel as JSON text
    assert settings.secret_keys == ()


def test_secure_values_become_secret_placeholders(tmp_path: Path) -> None:
    write(tmp_path, "config:\n  demo:token:\n    secure: AAABAKkZ0w==\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert settings.secret_keys == ("demo:token",)
    assert settings.config["demo:token"].startswith("preflight-placeholder-")
    assert "AAABAKkZ0w" not in settings.config["demo:token"]


def test_overrides_replace_and_remove_keys(tmp_path: Path) -> None:
    write(tmp_path, "config:\n  demo:region: us-west-2\n")
    settings = load_stack_settings(tmp_path, "dev", {"region": None, "teams": {"x": 1}})
    assert "demo:region" not in settings.config
    assert json.loads(settings.config["demo:teams"]) == {"x": 1}


@pytest.mark.parametrize(("stack_yaml", "message"), [
    (None, "dev: no stack file Pulumi.dev.yaml"),
    ("config: [1, 2]\n", "dev: `config` in Pulumi.dev.yaml must be a mapping"),
    ("config: {a: [\n", "Pulumi.dev.yaml:2:1: not valid YAML: expected the node content, but found '<stream end>' "
                       "(while parsing a flow node)"),
    ("config:\n  demo:a: 1\n   demo:b: 2\n",
     "Pulumi.dev.yaml:3:10: not valid YAML: mapping values are not allowed here"),
])
def test_unreadable_stack_files_are_one_line(tmp_path: Path, stack_yaml: str | None, message: str) -> None:
    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    if stack_yaml is not None:
        (tmp_path / "Pulumi.dev.yaml").write_text(stack_yaml)
    with pytest.raises(ProjectError) as info:
        load_stack_settings(tmp_path, "dev")
    assert str(info.value).startswith(message) and "\n" not in str(info.value)


def test_a_yaml_error_marked_only_where_its_context_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PyYAML marks some errors only with where the construct began (context_mark, no problem_mark)."""
    import yaml

    (tmp_path / "Pulumi.yaml").write_text(PROJECT)
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    mark = yaml.Mark("Pulumi.dev.yaml", 0, 4, 2, "", 0)
    error = yaml.MarkedYAMLError(context="while constructing a mapping", context_mark=mark)

    load = yaml.safe_load

    def fail(text: str) -> object:
        if text == "config: {}\n":
            raise error
        return load(text)

    monkeypatch.setattr(yaml, "safe_load", fail)
    with pytest.raises(ProjectError) as info:
        load_stack_settings(tmp_path, "dev")
    assert str(info.value) == "Pulumi.dev.yaml:5:3: not valid YAML: while constructing a mapping"


def test_a_missing_stack_file_names_the_stacks_there(tmp_path: Path) -> None:
    write(tmp_path, "config: {}\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("config: {}\n")
    with pytest.raises(ProjectError) as info:
        load_stack_settings(tmp_path, "qa")
    assert str(info.value) == "qa: no stack file Pulumi.qa.yaml (stacks here: dev, prod)"


def test_a_stack_key_without_a_namespace_is_the_projects(tmp_path: Path) -> None:
    """Pulumi: a config key without `<namespace>:` belongs to the project (`owner` is `demo:owner`)."""
    write(tmp_path, "config:\n  owner: ml@example.com\n  aws:region: eu-west-2\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert settings.config["demo:owner"] == "ml@example.com" and settings.config["aws:region"] == "eu-west-2"
    assert "owner" not in settings.config


def test_booleans_reach_the_program_as_the_engine_writes_them(tmp_path: Path) -> None:
    """The CLI hands a YAML boolean over as the text `true`/`false` (what `pulumi config get` prints and what
    `Config.get_bool` parses)."""
    write(tmp_path, "config:\n  demo:enabled: true\n  demo:paused: false\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert settings.config["demo:enabled"] == "true"
    assert settings.config["demo:paused"] == "false"


def test_the_settings_name_their_project_and_stack(tmp_path: Path) -> None:
    """The run's project and stack (URNs are `urn:pulumi:<stack>::<project>::...`) come from the files read."""
    write(tmp_path, "config: {}\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert (settings.project, settings.stack) == ("demo", "dev")


def test_removing_a_key_the_stack_does_not_set_is_no_error(tmp_path: Path) -> None:
    """An override of `None` removes the key if present; a key set nowhere stays absent, without an error."""
    write(tmp_path, "config:\n  demo:region: us-west-2\n")
    settings = load_stack_settings(tmp_path, "dev", {"teams": None, "aws:profile": None})
    assert "demo:teams" not in settings.config and "aws:profile" not in settings.config
    assert settings.config["demo:region"] == "us-west-2"


def test_a_project_value_declared_with_value_is_set_under_its_qualified_key(tmp_path: Path) -> None:
    """Pulumi.yaml's `config`: a key may be declared `{value: ...}` instead of `{default: ...}`; a key without a
    namespace is the project's, a namespaced one stays as written; the stack file still wins."""
    (tmp_path / "Pulumi.yaml").write_text("name: demo\nruntime: python\nconfig:\n  tier:\n    value: gold\n"
                                          "  aws:profile:\n    value: ci\n  owner:\n    value: a@example.com\n")
    (tmp_path / "Pulumi.dev.yaml").write_text("config:\n  demo:owner: b@example.com\n")
    settings = load_stack_settings(tmp_path, "dev")
    assert settings.config == {"demo:tier": "gold", "aws:profile": "ci", "demo:owner": "b@example.com"}


@pytest.mark.parametrize("project", ["runtime: python\n", "name: ''\nruntime: python\n",
                                     "name: [a]\nruntime: python\n"])
def test_a_project_file_without_a_name_is_one_line(tmp_path: Path, project: str) -> None:
    """Pulumi's project schema requires `name` (a non-empty string): without it no stack can be selected."""
    (tmp_path / "Pulumi.yaml").write_text(project)
    (tmp_path / "Pulumi.dev.yaml").write_text("config: {}\n")
    with pytest.raises(ProjectError) as info:
        load_stack_settings(tmp_path, "dev")
    assert str(info.value) == "Pulumi.yaml has no project name"
