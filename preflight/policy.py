"""Evaluate every policy pack under `policies/` on a recorded plan, as `pulumi preview --policy-pack` would.

Each pack's real `__main__.py` is run with `pulumi_policy.PolicyPack` swapped for a recorder, so the
preflight holds exactly the policy objects the CLI would serve. The recorded resources are then replayed
through pulumi-policy's own analyzer servicer (`_PolicyAnalyzerServicer`, private: the pulumi-policy
version is pinned and the replay is tested), which applies its deserialisation, unknown-checking proxy,
enforcement levels, `not_applicable` and `UnknownValueError` handling. The engine's part, merging the
pack's initial config, the stack's config file and the schema defaults, and validating them, is done here.
"""

from __future__ import annotations

import difflib
import functools
import json
import runpy
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .aliases import AliasResolver
from .harness import STACK_TYPE, Plan, RecordedResource, _engine_view


class PolicyConfigError(Exception):
    """The stack's policy config is invalid for a pack; the message is one line (`problems`: every one)."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        self.problems = problems or [message]
        super().__init__(message)


@dataclass(frozen=True)
class Violation:
    pack: str
    policy: str
    enforcement: str
    urn: str
    message: str

    @property
    def is_preview_note(self) -> bool:
        """pulumi-policy's advisory note for a policy that read a value unknown during a preview: no verdict."""
        return self.enforcement == "advisory" and self.message.startswith("can't run policy ")

    def to_json(self) -> dict[str, str]:
        return {"pack": self.pack, "policy": self.policy, "enforcement": self.enforcement, "urn": self.urn,
                "message": self.message}


@dataclass
class LoadedPack:
    folder: Path
    name: str
    version: str
    policies: list[Any]
    enforcement_level: Any
    initial_config: dict[str, Any] | None


@contextmanager
def _capturing_policy_pack() -> Iterator[list[dict[str, Any]]]:
    import pulumi_policy

    captured: list[dict[str, Any]] = []
    original = pulumi_policy.PolicyPack

    class Recorder:
        def __init__(self, name: str, policies: list[Any], enforcement_level: Any = None,
                     initial_config: dict[str, Any] | None = None, **_: Any) -> None:
            captured.append({"name": name, "policies": policies, "enforcement_level": enforcement_level,
                             "initial_config": initial_config})

    pulumi_policy.PolicyPack = Recorder  # type: ignore[misc,assignment]
    try:
        yield captured
    finally:
        pulumi_policy.PolicyPack = original  # type: ignore[misc]


_PACK_CACHE: dict[Path, LoadedPack] = {}


def load_packs(project_dir: Path) -> list[LoadedPack]:
    """Every folder under `policies/` with a PulumiPolicy.yaml, loaded through its own `__main__.py`."""
    packs: list[LoadedPack] = []
    for manifest in sorted((project_dir / "policies").glob("*/PulumiPolicy.yaml")):
        folder = manifest.parent.resolve()
        if folder not in _PACK_CACHE:
            meta = yaml.safe_load(manifest.read_text()) or {}
            if str(project_dir.resolve()) not in sys.path:
                sys.path.insert(0, str(project_dir.resolve()))
            with _capturing_policy_pack() as captured:
                runpy.run_path(str(folder / "__main__.py"), run_name="__main__")
            if len(captured) != 1:
                raise PolicyConfigError(f"{folder.name}/__main__.py must build exactly one PolicyPack, "
                                        f"built {len(captured)}")
            spec = captured[0]
            _PACK_CACHE[folder] = LoadedPack(folder=folder, name=spec["name"], version=str(meta.get("version",
                                             "0.0.1")), policies=spec["policies"],
                                             enforcement_level=spec["enforcement_level"],
                                             initial_config=spec["initial_config"])
        packs.append(_PACK_CACHE[folder])
    return packs


def _level_name(level: Any) -> str:
    return level.value if hasattr(level, "value") else str(level)


LEVELS = ("advisory", "mandatory", "remediate", "disabled")
"""The enforcement levels the engine accepts in a policy config file."""


def _checked_level(level: Any, where: str) -> str:
    name = _level_name(level)
    if name not in LEVELS:
        near = difflib.get_close_matches(str(name), LEVELS, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise PolicyConfigError(f"{where} must be one of {', '.join(LEVELS)}, got {name!r}{hint}")
    return name


def _normalize(entry: Any, where: str = "policy config entry") -> tuple[str | None, dict[str, Any]]:
    if entry is None:
        return None, {}
    if isinstance(entry, str) or hasattr(entry, "value"):
        return _checked_level(entry, where), {}
    if isinstance(entry, dict):
        props = {k: v for k, v in entry.items() if k != "enforcementLevel"}
        level = entry.get("enforcementLevel")
        return (_checked_level(level, f"{where}.enforcementLevel") if level is not None else None), props
    raise PolicyConfigError(f"{where} must be an enforcement level or an object, got {entry!r}")


def resolve_config(pack: LoadedPack, stack_config: dict[str, Any],
                   source: str = "policy config") -> dict[str, tuple[str, dict[str, Any]]]:
    """The engine's reconciliation: per policy, (enforcement level, properties) from the policy's own
    level, the pack default, `initial_config`, the stack file's `all` and per-policy entries, then schema
    defaults; properties are validated against the policy's config schema."""
    from jsonschema.exceptions import best_match

    initial = pack.initial_config or {}
    all_level, _ = _normalize(initial.get("all"))
    file_all_level, all_props = _normalize(stack_config.get("all"), f"{source}: all")
    if all_props:
        raise PolicyConfigError(f"{source}: all must be an enforcement level, got {stack_config['all']!r}")
    resolved: dict[str, tuple[str, dict[str, Any]]] = {}
    for policy in pack.policies:
        level = _level_name(policy.enforcement_level) if policy.enforcement_level is not None else None
        level = level or (_level_name(pack.enforcement_level) if pack.enforcement_level is not None else "advisory")
        level = all_level or level
        init_level, props = _normalize(initial.get(policy.name))
        level = init_level or level
        level = file_all_level or level
        file_level, file_props = _normalize(stack_config.get(policy.name), f"{source}: {policy.name}")
        level = file_level or level
        props = {**props, **file_props}
        schema = getattr(policy, "config_schema", None)
        if schema is not None:
            full = {"type": "object", "properties": schema.properties or {},
                    "required": schema.required or [], "additionalProperties": False}
            for key, prop_schema in (schema.properties or {}).items():
                if key not in props and isinstance(prop_schema, dict) and "default" in prop_schema:
                    props[key] = prop_schema["default"]
            error = best_match(_validator(json.dumps(full, sort_keys=True)).iter_errors(props))
            if error is not None:
                path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
                message = " ".join(error.message.split())
                if error.validator == "additionalProperties":
                    known = sorted((schema.properties or {}).keys())
                    message += f" (known: {', '.join(known)})"
                raise PolicyConfigError(f"{source}: {policy.name}{path} is invalid ({pack.name}): {message}")
        elif props:
            raise PolicyConfigError(f"{source}: {policy.name} has properties {sorted(props)} but the policy "
                                    "takes none")
        resolved[policy.name] = (level, props)
    return resolved


@functools.cache
def _validator(schema_json: str) -> Any:
    """A checked validator per distinct schema: `jsonschema.validate` re-checks the schema on every call,
    which cost more than the policies themselves once per pack and plan."""
    from jsonschema.validators import validator_for

    schema = json.loads(schema_json)
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def read_policy_config(project_dir: Path, stack: str) -> dict[str, Any]:
    """`policies/config/<stack>.json`, the file passed as `--policy-pack-config` for every pack."""
    path = project_dir / "policies" / "config" / f"{stack}.json"
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))  # JSON is UTF-8 (RFC 8259), whatever the locale
    except json.JSONDecodeError as exc:
        raise PolicyConfigError(f"{path.relative_to(project_dir)}:{exc.lineno}:{exc.colno}: not valid JSON: "
                                f"{exc.msg}") from exc
    except (OSError, ValueError) as exc:
        raise PolicyConfigError(f"{path.relative_to(project_dir)} cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise PolicyConfigError(f"{path.relative_to(project_dir)} must hold a JSON object")
    return data


def _struct(value: dict[str, Any]) -> Any:
    from google.protobuf import struct_pb2

    s = struct_pb2.Struct()
    s.update(value)
    return s


class _Replay:
    """Builds analyzer requests from the plan, the way the engine marshals resources for analyzers."""

    def __init__(self, plan: Plan) -> None:
        from pulumi.runtime.proto import analyzer_pb2

        self.pb = analyzer_pb2
        self.plan = plan
        self.by_urn = {r.urn: r for r in plan.resources}
        self.aliases = AliasResolver(plan)

    def options(self, r: RecordedResource) -> Any:
        return self.pb.AnalyzerResourceOptions(
            protect=r.options["protect"], ignoreChanges=r.options["ignoreChanges"],
            deleteBeforeReplace=r.options["deleteBeforeReplace"],
            deleteBeforeReplaceDefined=r.options["deleteBeforeReplace"],
            additionalSecretOutputs=r.options["additionalSecretOutputs"],
            aliases=self.aliases.aliases(r), parent=r.parent)

    def provider(self, r: RecordedResource) -> Any:
        prov = self.by_urn.get(r.provider)
        if prov is None:
            return None
        return self.pb.AnalyzerProviderResource(type=prov.type, properties=_struct(_engine_view(prov.wire_inputs)),
                                                urn=prov.urn, name=prov.name)

    def analyze_request(self, r: RecordedResource) -> Any:
        return self.pb.AnalyzeRequest(type=r.type, properties=_struct(_engine_view(r.wire_inputs)), urn=r.urn,
                                      name=r.name, options=self.options(r), provider=self.provider(r))

    def stack_request(self) -> Any:
        resources = []
        for r in self.plan.resources:
            # After the update the engine hands stack policies each resource's outputs (its final state).
            props = r.wire_outputs if r.custom else r.component_outputs
            resources.append(self.pb.AnalyzerResource(
                type=r.type, properties=_struct(_engine_view(props)), urn=r.urn, name=r.name,
                options=self.options(r), provider=self.provider(r), parent=r.parent,
                dependencies=r.options["dependsOn"]))
        return self.pb.AnalyzeStackRequest(resources=resources)


def evaluate(project_dir: Path, plan: Plan, packs: list[LoadedPack] | None = None,
             policy_config: dict[str, Any] | None = None) -> list[Violation]:
    """Replay the plan through every pack; violations in pack, resource order."""
    from pulumi.runtime.proto import analyzer_pb2
    from pulumi_policy.policy import _PolicyAnalyzerServicer

    packs = load_packs(project_dir) if packs is None else packs
    stack_config = read_policy_config(project_dir, plan.stack) if policy_config is None else policy_config
    source = f"policies/config/{plan.stack}.json" if policy_config is None else "policy config"
    check_policy_names(packs, stack_config, source)
    replay = _Replay(plan)
    requests = [(r, replay.analyze_request(r)) for r in plan.resources if r.type != STACK_TYPE]
    stack_request = replay.stack_request()
    level_names = {v: k for k, v in analyzer_pb2.EnforcementLevel.items()}
    violations: list[Violation] = []
    for pack in packs:
        servicer = _PolicyAnalyzerServicer(pack.name, pack.version, pack.policies,
                                           pack.enforcement_level or _advisory(), pack.initial_config)
        levels = analyzer_pb2.EnforcementLevel
        resolved = resolve_config(pack, stack_config, source)
        servicer.Configure(analyzer_pb2.ConfigureAnalyzerRequest(policyConfig={
            name: analyzer_pb2.PolicyConfig(enforcementLevel=levels.Value(level.upper()), properties=_struct(props))
            for name, (level, props) in resolved.items()}), None)
        servicer.ConfigureStack(analyzer_pb2.AnalyzerStackConfigureRequest(
            stack=plan.stack, project=plan.project, dry_run=plan.preview), None)

        def collect(response: Any, default_urn: str, pack_name: str = pack.name) -> None:
            for d in response.diagnostics:
                violations.append(Violation(pack=pack_name, policy=d.policyName,
                                            enforcement=level_names[d.enforcementLevel].lower(),
                                            urn=d.urn or default_urn, message=d.message))

        for resource, request in requests:
            collect(servicer.Analyze(request, None), resource.urn)
        collect(servicer.AnalyzeStack(stack_request, None), "")
    for urn, reason in plan.unread:
        # No pack saw these objects: say so as the analyzer says it of an unknown value, never a silent pass.
        violations.append(Violation(pack="preflight", policy="kubernetes-manifests", enforcement="advisory", urn=urn,
                                    message=f"can't run policy on the objects of {urn.rsplit('::', 1)[-1]} offline: "
                                            f"{reason}; `pulumi preview` renders them and every pack judges them."))
    return violations


def validate_policy_config(project_dir: Path, stack: str) -> None:
    """The stack's policy config checked against every pack before the program runs (a typo fails fast)."""
    packs = load_packs(project_dir)
    stack_config = read_policy_config(project_dir, stack)
    source = f"policies/config/{stack}.json"
    check_policy_names(packs, stack_config, source)
    for pack in packs:
        resolve_config(pack, stack_config, source)


def check_policy_names(packs: list[LoadedPack], stack_config: dict[str, Any], source: str) -> None:
    """Every top-level key is `all` or a policy of some pack: the engine ignores an unknown name, and with it
    the exemptions or settings written under it (a misspelt name silently drops an exemption)."""
    known = {"all"} | {policy.name for pack in packs for policy in pack.policies}
    problems: list[str] = []
    for key in sorted(stack_config):
        if key not in known:
            near = difflib.get_close_matches(key, sorted(known), n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            problems.append(f"{source}: {key!r} is not a policy of any pack{hint}")
    if problems:
        more = f" (and {len(problems) - 1} more problem(s): --all-errors lists them)" if len(problems) > 1 else ""
        raise PolicyConfigError(problems[0] + more, problems)


def _advisory() -> Any:
    from pulumi_policy import EnforcementLevel

    return EnforcementLevel.ADVISORY


@dataclass(frozen=True)
class AppliedExemption:
    pack: str
    policy: str
    resource: str
    """As written in the config: a URN or a logical name."""
    reason: str
    urns: tuple[str, ...]
    """The plan's resources it matches (empty: it matches nothing, a stale exemption)."""

    def to_json(self) -> dict[str, Any]:
        return {"pack": self.pack, "policy": self.policy, "resource": self.resource, "reason": self.reason,
                "urns": list(self.urns)}


@dataclass(frozen=True)
class PackSummary:
    name: str
    version: str
    levels: dict[str, str]
    """Policy name -> its enforcement level for this stack, after the config file."""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "version": self.version, "enforcement": dict(sorted(self.levels.items()))}


def summarize(project_dir: Path, plan: Plan) -> tuple[list[PackSummary], list[AppliedExemption]]:
    """Which packs ran at which levels for the stack, and every exemption of its config with what it matched."""
    packs = load_packs(project_dir)
    stack_config = read_policy_config(project_dir, plan.stack)
    source = f"policies/config/{plan.stack}.json"
    by_name: dict[str, list[str]] = {}
    for r in plan.resources:
        by_name.setdefault(r.name, []).append(r.urn)
        by_name.setdefault(r.urn, []).append(r.urn)
    summaries: list[PackSummary] = []
    exemptions: list[AppliedExemption] = []
    for pack in packs:
        resolved = resolve_config(pack, stack_config, source)
        summaries.append(PackSummary(pack.name, pack.version, {name: level for name, (level, _) in resolved.items()}))
        for name, (_, props) in sorted(resolved.items()):
            for exemption in props.get("exemptions") or []:
                resource = str(exemption.get("resource", ""))
                exemptions.append(AppliedExemption(pack.name, name, resource, str(exemption.get("reason", "")),
                                                   tuple(sorted(set(by_name.get(resource, []))))))
    return sorted(summaries, key=lambda p: p.name), sorted(exemptions, key=lambda e: (e.pack, e.policy, e.resource))
