"""What every rule shares: plain data out of pulumi-policy's proxies, unknown values, exemptions, and the thin
wrappers that turn a pure check into a `ResourceValidationPolicy` or a `StackValidationPolicy`.

Unknown values: pulumi-policy hands a policy its props behind `unknown_checking_proxy`, which raises
`UnknownValueError` when a value computed from another resource's output is read during a preview. `plain()`
turns that into the `UNKNOWN` marker, so a check can judge what is known and name what is not. The wrapper
then reports the known violations and raises `UnknownValueError` for the rest: the analyzer turns that into
its advisory note "can't run policy ... during preview: ..." (never a crash, never a silent pass), and the
policy runs again with the real values during `pulumi up`.

Exemptions: every policy takes `exemptions: [{resource, reason}]` in the pack config (resource = URN or
logical name), so one justified exception never disables a whole rule.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
)

_SENTINELS = frozenset({UNKNOWN_BOOLEAN_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE,
                        UNKNOWN_ASSET_VALUE, UNKNOWN_ARCHIVE_VALUE, UNKNOWN_OBJECT_VALUE})


class _Unknown:
    """A value not known until the update (computed from another resource's output)."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


def is_unknown(value: Any) -> bool:
    return value is UNKNOWN


def contains_unknown(value: Any) -> bool:
    if value is UNKNOWN:
        return True
    if isinstance(value, dict):
        return any(contains_unknown(v) for v in value.values())
    if isinstance(value, list):
        return any(contains_unknown(v) for v in value)
    return False


def plain(value: Any) -> Any:
    """Props as plain dicts and lists, with `UNKNOWN` where pulumi-policy's proxy would raise."""
    if isinstance(value, str):
        return UNKNOWN if value in _SENTINELS else value
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        for key in value:
            try:
                out[key] = plain(value[key])
            except UnknownValueError:
                out[key] = UNKNOWN
        return out
    if isinstance(value, Sequence):
        items: list[Any] = []
        for i in range(len(value)):
            try:
                items.append(plain(value[i]))
            except UnknownValueError:
                items.append(UNKNOWN)
        return items
    return value


def dig(value: Any, *path: str | int) -> Any:
    """`value[path[0]][path[1]]...`, None where a key is missing, UNKNOWN where a step is unknown."""
    for step in path:
        if value is UNKNOWN:
            return UNKNOWN
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and -len(value) <= step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
        if value is None:
            return None
    return value


def as_list(value: Any) -> list[Any]:
    """IAM and Kubernetes fields that take one value or a list of them."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def stack_of(urn: str) -> str:
    """`urn:pulumi:<stack>::<project>::...` -> `<stack>` (in this project the stack is the environment)."""
    return urn.split("::", 1)[0].rsplit(":", 1)[-1]


def name_of(urn: str) -> str:
    return urn.rsplit("::", 1)[-1]


@dataclass(frozen=True)
class Resource:
    """One resource as a check sees it: plain props (UNKNOWN where not known yet) and the options rules read."""

    type: str
    name: str
    urn: str
    props: dict[str, Any]
    protect: bool = False
    delete_before_replace: bool = False
    provider_props: Mapping[str, Any] = field(default_factory=dict)
    """The explicit provider's inputs (plain; empty for the default provider); resource policies only."""
    dependencies: tuple[str, ...] = ()
    """URNs this resource depends on (explicit and through its inputs); stack policies only."""


@dataclass(frozen=True)
class Finding:
    message: str
    urn: str | None = None
    """The offending resource (stack policies); None: the resource under evaluation."""


@dataclass
class Verdict:
    """What a check concluded: violations, and the paths it could not judge because they are unknown."""

    findings: list[Finding] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def violation(self, message: str, urn: str | None = None) -> None:
        self.findings.append(Finding(message, urn))

    def cannot_judge(self, path: str) -> None:
        self.unknown.append(path)

    @property
    def messages(self) -> list[str]:
        return [f.message for f in self.findings]


EXEMPTIONS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "default": [],
    "description": "Resources this policy does not apply to, each with the reason (reviewed like code).",
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["resource", "reason"],
        "properties": {
            "resource": {"type": "string", "minLength": 1, "description": "The resource's URN or logical name."},
            "reason": {"type": "string", "minLength": 10, "description": "Why the exception is justified."},
        },
    },
}

STACKS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "description": "Stacks (environments) this policy applies to; elsewhere it is not applicable.",
}


def _schema(properties: Mapping[str, Any], stacks: Sequence[str] | None) -> PolicyConfigSchema:
    props: dict[str, Any] = {"exemptions": EXEMPTIONS_SCHEMA, **properties}
    if stacks is not None:
        props["stacks"] = {**STACKS_SCHEMA, "default": list(stacks)}
    return PolicyConfigSchema(properties=props)


def _config(schema: PolicyConfigSchema, given: Mapping[str, Any] | None) -> dict[str, Any]:
    # The engine fills schema defaults before calling a policy; do the same when run without a Configure call.
    defaults = {k: v["default"] for k, v in (schema.properties or {}).items() if isinstance(v, dict) and "default" in v}
    return {**defaults, **dict(given or {})}


def _exempt(config: Mapping[str, Any], urn: str) -> bool:
    return any(e.get("resource") in (urn, name_of(urn)) for e in config.get("exemptions") or [])


def _report(verdict: Verdict, config: Mapping[str, Any], report_violation: ReportViolation, urn: str) -> None:
    for finding in verdict.findings:
        if not _exempt(config, finding.urn or urn):
            report_violation(finding.message, finding.urn)
    if verdict.unknown:
        # The analyzer's own handling: an advisory "can't run policy ... during preview" note, not a pass.
        raise UnknownValueError(UNKNOWN_STRING_VALUE, verdict.unknown[0].split("."))


ResourceCheck = Callable[[Resource, Mapping[str, Any]], Verdict]


def resource_policy(*, name: str, description: str, resource_types: Iterable[str], check: ResourceCheck,
                    config_properties: Mapping[str, Any] | None = None, stacks: Sequence[str] | None = None,
                    enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY) -> ResourceValidationPolicy:
    """A ResourceValidationPolicy that runs `check` on the resources of `resource_types` (in `stacks` if given)."""
    types = frozenset(resource_types)
    schema = _schema(config_properties or {}, stacks)

    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type not in types:
            return
        config = _config(schema, args.get_config())
        if stacks is not None and stack_of(args.urn) not in config["stacks"]:
            args.not_applicable(f"applies to stacks {', '.join(config['stacks'])}")
        if _exempt(config, args.urn):
            return
        resource = Resource(type=args.resource_type, name=args.name, urn=args.urn, props=plain(args.props),
                            protect=bool(args.opts.protect),
                            delete_before_replace=bool(args.opts.delete_before_replace),
                            provider_props=plain(args.provider.props) if args.provider is not None else {})
        _report(check(resource, config), config, report_violation, args.urn)

    return ResourceValidationPolicy(name=name, description=description, validate=validate, config_schema=schema,
                                    enforcement_level=enforcement_level)


@dataclass(frozen=True)
class StackView:
    """The stack's resources of the types a stack policy asked for, indexed once."""

    by_type: Mapping[str, Sequence[Resource]]

    def of(self, *types: str) -> list[Resource]:
        return [r for t in types for r in self.by_type.get(t, ())]


StackCheck = Callable[[StackView, Mapping[str, Any]], Verdict]


def stack_policy(*, name: str, description: str, resource_types: Iterable[str], check: StackCheck,
                 config_properties: Mapping[str, Any] | None = None, stacks: Sequence[str] | None = None,
                 enforcement_level: EnforcementLevel = EnforcementLevel.MANDATORY) -> StackValidationPolicy:
    """A StackValidationPolicy that hands `check` the stack's resources of `resource_types`, indexed by type."""
    types = frozenset(resource_types)
    schema = _schema(config_properties or {}, stacks)

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        config = _config(schema, args.get_config())
        if stacks is not None and args.resources and stack_of(args.resources[0].urn) not in config["stacks"]:
            args.not_applicable(f"applies to stacks {', '.join(config['stacks'])}")
        by_type: dict[str, list[Resource]] = {}
        for r in args.resources:
            if r.resource_type in types:
                by_type.setdefault(r.resource_type, []).append(Resource(
                    type=r.resource_type, name=r.name, urn=r.urn, props=plain(r.props), protect=bool(r.opts.protect),
                    delete_before_replace=bool(r.opts.delete_before_replace),
                    dependencies=tuple(d.urn for d in r.dependencies)))
        _report(check(StackView(by_type), config), config, report_violation, "")

    return StackValidationPolicy(name=name, description=description, validate=validate, config_schema=schema,
                                 enforcement_level=enforcement_level)


def join_by_reference(targets: Sequence[Resource], target_key: Callable[[Resource], Any],
                      dependents: Sequence[Resource], reference: Callable[[Resource], Any],
                      ) -> tuple[dict[str, list[Resource]], list[Resource]]:
    """Attach each dependent (e.g. a bucket's encryption config) to the target it references (the bucket).

    By value when both the reference and the target's key are known (`bucket` = the bucket's name); during a
    preview, when either is unknown, by the engine's dependency edge from the dependent to the target (never
    when both are known and differ). Returns
    target URN -> dependents, and the dependents whose target is not in the stack.
    """
    keys = [target_key(t) for t in targets]
    by_key = {key: t.urn for t, key in zip(targets, keys, strict=True) if key is not None and not is_unknown(key)}
    all_keys_known = len(by_key) == len(targets)
    target_urns = {t.urn for t in targets}
    attached: dict[str, list[Resource]] = {t.urn: [] for t in targets}
    orphans: list[Resource] = []
    for dep in dependents:
        ref = reference(dep)
        urn = by_key.get(ref) if isinstance(ref, str) else None
        if urn is None and not (isinstance(ref, str) and all_keys_known):
            # The edge only stands in for a value not known yet: a known reference to another name (a
            # NetworkPolicy without a namespace lands in `default`) is not attached by what it depends on.
            linked = [u for u in dep.dependencies if u in target_urns]
            urn = linked[0] if len(linked) == 1 else None
        if urn is None:
            orphans.append(dep)
        else:
            attached[urn].append(dep)
    return attached, orphans
