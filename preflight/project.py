"""Read a Pulumi project's configuration for one stack, merged exactly as the CLI merges it.

Project-level defaults from `Pulumi.yaml` first, then `Pulumi.<stack>.yaml`, key by key (a stack value
replaces the default whole). `secure:` values become placeholders that the runtime treats as secrets.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


class ProjectError(Exception):
    """The project or stack files cannot be read; the message is one line for the user."""


@dataclass(frozen=True)
class StackSettings:
    project: str
    stack: str
    config: dict[str, str]
    """`<namespace>:<key>` -> the string the engine passes (JSON text for objects and lists)."""
    secret_keys: tuple[str, ...]
    """Keys whose values were `secure:` in the stack file; given placeholders here."""


def _engine_string(value: Any) -> str:
    # The engine hands scalars over as their plain text and structured values as JSON.
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value)


def _is_secure(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"secure"}


def _contains_secure(value: Any) -> bool:
    if _is_secure(value):
        return True
    if isinstance(value, dict):
        return any(_contains_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_contains_secure(v) for v in value)
    return False


def _placeholder(value: Any, key: str) -> Any:
    if _is_secure(value):
        return f"preflight-placeholder-{key.replace(':', '-')}"
    if isinstance(value, dict):
        return {k: _placeholder(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_placeholder(v, key) for v in value]
    return value


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = yaml.safe_load(path.read_text()) or {}
    except OSError as exc:
        raise ProjectError(f"cannot read {path.name}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        # Keep where it is: `Pulumi.dev.yaml:12:5: not valid YAML: mapping values are not allowed here`.
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        where = f"{path.name}:{mark.line + 1}:{mark.column + 1}" if mark is not None else path.name
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context", None)
        detail = f"{problem} ({context})" if context and getattr(exc, "problem", None) else problem
        raise ProjectError(f"{where}: not valid YAML: {' '.join(str(detail).split())}") from exc
    if not isinstance(data, dict):
        raise ProjectError(f"{path.name} must be a YAML mapping")
    return data


def _qualify(project: str, key: str) -> str:
    return key if ":" in key else f"{project}:{key}"


def load_stack_settings(project_dir: Path, stack: str, overrides: dict[str, Any] | None = None) -> StackSettings:
    """Merge project defaults and the stack file; `overrides` (key -> value) replace keys last, for tests."""
    project_file = project_dir / "Pulumi.yaml"
    if not project_file.exists():
        raise ProjectError(f"no Pulumi.yaml in {project_dir}")
    project_data = _read_yaml(project_file)
    project = project_data.get("name")
    if not isinstance(project, str) or not project:
        raise ProjectError("Pulumi.yaml has no project name")

    merged: dict[str, Any] = {}
    for key, decl in (project_data.get("config") or {}).items():
        # Short form `key: value`, or a declaration `{type, default, ...}` whose default applies.
        if isinstance(decl, dict):
            if "default" in decl:
                merged[_qualify(project, key)] = decl["default"]
            elif "value" in decl:
                merged[_qualify(project, key)] = decl["value"]
        else:
            merged[_qualify(project, key)] = decl

    stack_file = project_dir / f"Pulumi.{stack}.yaml"
    if not stack_file.exists():
        raise ProjectError(f"{stack}: no stack file Pulumi.{stack}.yaml (stacks here: "
                           f"{', '.join(sorted(p.name[7:-5] for p in project_dir.glob('Pulumi.*.yaml')))})")
    stack_config = _read_yaml(stack_file).get("config") or {}
    if not isinstance(stack_config, dict):
        raise ProjectError(f"{stack}: `config` in Pulumi.{stack}.yaml must be a mapping")
    for key, value in stack_config.items():
        merged[_qualify(project, str(key))] = value
    for key, value in (overrides or {}).items():
        qualified = _qualify(project, key)
        if value is None:
            merged.pop(qualified, None)
        else:
            merged[qualified] = value

    secret_keys = tuple(sorted(k for k, v in merged.items() if _contains_secure(v)))
    config = {k: _engine_string(_placeholder(v, k)) for k, v in merged.items()}
    return StackSettings(project=project, stack=stack, config=config, secret_keys=secret_keys)
