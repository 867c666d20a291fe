"""Run the project's real `__main__.py` under the Pulumi SDK's mocks and record every registration.

The SDK's `MockResourceArgs` carries no URN, parent, options or dependencies, so registrations are
recorded at the mock monitor, from the same `RegisterResourceRequest` the engine would receive. Inputs
are kept twice: the raw wire struct (secret wrappers and unknown sentinels intact, what a policy is
handed) and a plain view for assertions. Secret outputs are marked as the engine marks them
(`additionalSecretOutputs`, secret inputs), which plain mocks do not do.
"""

from __future__ import annotations

import gc
import json
import os
import re
import runpy
import sys
import traceback
from collections.abc import Callable, Iterator, Mapping
from contextlib import chdir, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from google.protobuf import json_format, struct_pb2

from . import computed, gojson, invokes, manifests
from .project import StackSettings

SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
STACK_TYPE = "pulumi:pulumi:Stack"


class Unknown:
    """A value not known until the resource is created (as in `pulumi preview`)."""

    def __repr__(self) -> str:
        return "Unknown()"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Unknown)

    def __hash__(self) -> int:
        return hash(UNKNOWN)


class Secret:
    """A secret value in the plain view; `.value` is the placeholder or mock value."""

    def __init__(self, value: Any) -> None:
        self.value = value

    def __repr__(self) -> str:
        return "Secret([secret])"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("secret", repr(self.value)))


def plain(wire: Any) -> Any:
    """The wire form turned into plain Python: secrets as `Secret`, unknowns as `Unknown`, refs as URNs."""
    if isinstance(wire, list):
        return [plain(v) for v in wire]
    if isinstance(wire, dict):
        sig = wire.get(SECRET_SIG_KEY)
        if sig == SECRET_SIG:
            return Secret(plain(wire.get("value")))
        if sig == RESOURCE_SIG:
            return wire.get("id") or wire.get("urn")
        return {k: plain(v) for k, v in wire.items()}
    if wire == UNKNOWN:
        return Unknown()
    return wire


def reveal(value: Any) -> Any:
    """A plain value with secrets replaced by their contents (for assertions on values, not secrecy)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, list):
        return [reveal(v) for v in value]
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    return value


def _engine_view(wire: Any) -> Any:
    """What the engine hands an analyzer: resource references become their id (custom) or URN."""
    if isinstance(wire, list):
        return [_engine_view(v) for v in wire]
    if isinstance(wire, dict):
        if wire.get(SECRET_SIG_KEY) == RESOURCE_SIG:
            return wire.get("id") or wire.get("urn", "")
        return {k: _engine_view(v) for k, v in wire.items()}
    return wire


@dataclass
class RecordedResource:
    urn: str
    type: str
    name: str
    custom: bool
    parent: str
    provider: str
    """URN of the explicit provider, or "" for the default provider."""
    wire_inputs: dict[str, Any]
    options: dict[str, Any]
    id: str = ""
    wire_outputs: dict[str, Any] = field(default_factory=dict)
    component_outputs: dict[str, Any] = field(default_factory=dict)

    @property
    def inputs(self) -> dict[str, Any]:
        return plain(self.wire_inputs)

    @property
    def outputs(self) -> dict[str, Any]:
        return plain(self.wire_outputs)

    def to_json(self) -> dict[str, Any]:
        return {"urn": self.urn, "type": self.type, "name": self.name, "parent": self.parent,
                "provider": self.provider, "inputs": _jsonable(self.inputs), "options": self.options}


def _jsonable(value: Any) -> Any:
    if isinstance(value, Secret):
        return "[secret]"
    if isinstance(value, Unknown):
        return "[unknown]"
    if isinstance(value, list):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    return value


@dataclass
class Plan:
    stack: str
    project: str
    preview: bool
    resources: list[RecordedResource]
    outputs: dict[str, Any]
    """Stack exports, wire form (secret wrappers kept)."""
    unread: list[tuple[str, str]] = field(default_factory=list)
    """(URN, reason) of yaml/v2 manifests not rendered offline: their objects are not in the plan."""
    invokes: list[RecordedInvoke] = field(default_factory=list)
    """Every function the program called, in order, with the provider it went through."""

    def __iter__(self) -> Iterator[RecordedResource]:
        return iter(self.resources)

    def of_type(self, type_: str) -> list[RecordedResource]:
        return [r for r in self.resources if r.type == type_]

    def by_urn(self, urn: str) -> RecordedResource:
        for r in self.resources:
            if r.urn == urn:
                return r
        raise KeyError(urn)

    def one(self, type_: str, name: str | None = None) -> RecordedResource:
        found = [r for r in self.of_type(type_) if name is None or r.name == name]
        if len(found) != 1:
            names = sorted(r.name for r in self.of_type(type_))
            raise AssertionError(f"expected one {type_} named {name!r}, found {len(found)} (names: {names})")
        return found[0]

    def children(self, parent: RecordedResource | str) -> list[RecordedResource]:
        urn = parent if isinstance(parent, str) else parent.urn
        return [r for r in self.resources if r.parent == urn]

    def descendants(self, parent: RecordedResource | str) -> list[RecordedResource]:
        out: list[RecordedResource] = []
        todo = [parent if isinstance(parent, str) else parent.urn]
        while todo:
            urn = todo.pop()
            for r in self.children(urn):
                out.append(r)
                todo.append(r.urn)
        return out

    @property
    def plain_outputs(self) -> dict[str, Any]:
        return plain(self.outputs)

    @property
    def registered(self) -> list[RecordedResource]:
        """Everything the program registered, without the stack itself."""
        return [r for r in self.resources if r.type != STACK_TYPE]


@dataclass(frozen=True)
class RecordedInvoke:
    token: str
    provider: str
    """URN of the explicit provider, or "" for the default provider."""


DISABLE_DEFAULT_PROVIDERS = "pulumi:disable-default-providers"


def denied_default_providers(config: Mapping[str, str]) -> frozenset[str]:
    """The packages whose default provider the engine refuses: `pulumi:disable-default-providers`, a JSON list of
    package names or `*` (the engine's `shouldDenyRequest`: each entry trimmed; an empty value denies nothing)."""
    text = config.get(DISABLE_DEFAULT_PROVIDERS, "")
    if not text:
        return frozenset()
    try:
        entries = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProgramError(f"{DISABLE_DEFAULT_PROVIDERS} is not a JSON list: {text}") from exc
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        raise ProgramError(f"{DISABLE_DEFAULT_PROVIDERS} must be a list of strings, not {text}")
    return frozenset(e.strip() for e in entries)


def _provider_urn(reference: str) -> str:
    """The URN of a provider reference `<urn>::<id>`, or "" for none (the default provider)."""
    return reference.rsplit("::", 1)[0] if reference else ""


def default_provider_refusal(denied: frozenset[str], token: str, what: str) -> str | None:
    """The engine's error for a resource or invoke of `token` that names no provider, or None when allowed.

    The `pulumi` package (stacks, stack references, providers themselves) is always allowed."""
    package = token.split(":", 1)[0]
    if package == "pulumi" or not ({"*", package} & denied):
        return None
    return f"Default provider for '{package}' disabled. '{what}' must use an explicit provider."


class ProgramError(Exception):
    """An exception inside the program; the message says which component and resource failed."""

    partial_plan: Plan | None = None
    """What the program had registered when it failed."""


def _struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    return json_format.MessageToDict(struct) if struct is not None else {}


def _secret_wrap(value: Any) -> dict[str, Any]:
    return {SECRET_SIG_KEY: SECRET_SIG, "value": value}


def _is_secret(value: Any) -> bool:
    return isinstance(value, dict) and value.get(SECRET_SIG_KEY) == SECRET_SIG


def _rendered_document(wire: Any) -> Any:
    """An object input the provider stores as a JSON string: unknown if any part is, secret if any part is."""
    text = json.dumps(wire)
    if UNKNOWN in text:
        return UNKNOWN
    rendered = gojson.go_json(reveal(plain(wire)))
    return _secret_wrap(rendered) if SECRET_SIG in text else rendered


def _build_monitor(project: str, stack: str, preview: bool, denied: frozenset[str] = frozenset()) -> Any:
    """A MockMonitor subclass that records requests; built lazily so importing preflight stays cheap."""
    from pulumi.runtime.mocks import MockMonitor, Mocks
    from pulumi.runtime.proto import resource_pb2

    from .aliases import urn_of

    class FailLoudMocks(Mocks):
        def new_resource(self, args: Any) -> tuple[str, dict[str, Any]]:  # pragma: no cover - unused
            raise NotImplementedError("registrations go through RecordingMonitor")

        def __init__(self, context_of: Callable[[str], computed.Context]) -> None:
            self.context_of = context_of
            """The monitor's: maps an invoke's provider reference to the account and region it runs in."""
            self.invokes: list[RecordedInvoke] = []

        def call(self, args: Any) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            provider = args.provider or ""
            self.invokes.append(RecordedInvoke(args.token, _provider_urn(provider)))
            if not provider and (refusal := default_provider_refusal(denied, args.token, args.token)):
                raise RuntimeError(refusal)
            return invokes.answer(args.token, reveal(plain(args.args)), self.context_of(provider)), []

    class RecordingMonitor(MockMonitor):
        def __init__(self, project: str, stack: str) -> None:
            super().__init__(FailLoudMocks(self._context))
            self.project = project
            self.stack = stack
            self.recorded: dict[str, RecordedResource] = {}
            self.order: list[str] = []
            self.contexts: dict[str, computed.Context] = {}
            self.project_dir = Path.cwd()
            self.unread: list[tuple[str, str]] = []
            """(component URN, reason) of manifests the preflight could not render offline."""

        def make_urn(self, parent: str, type_: str, name: str) -> str:
            return urn_of(self.stack, self.project, parent, type_, name)

        def _context(self, provider_ref: str) -> computed.Context:
            # The provider reference is "<urn>::<id>"; its inputs say which account and region.
            return self.contexts.get(provider_ref.rsplit("::", 1)[0],
                                     computed.Context(computed.DEFAULT_ACCOUNT_ID, computed.DEFAULT_REGION))

        def _provider_context(self, inputs: Mapping[str, Any]) -> computed.Context:
            region = inputs.get("region")
            account = computed.DEFAULT_ACCOUNT_ID
            roles = inputs.get("assumeRoles") or []
            if isinstance(roles, str):
                # Provider inputs travel as strings on the wire; structured ones as JSON text.
                roles = json.loads(roles)
            if not isinstance(roles, list):
                roles = []  # unknown during a preview (the member account does not exist yet)
            # A chain ends in the account it acts in: the last role is the one that counts.
            last = roles[-1] if roles and isinstance(roles[-1], dict) else {}
            role_arn = last.get("roleArn") or last.get("role_arn")  # a plain dict keeps its snake_case key
            if isinstance(role_arn, str) and role_arn.startswith("arn:") and role_arn.count(":") >= 5:
                account = role_arn.split(":")[4] or account
            return computed.Context(account, region if isinstance(region, str) else computed.DEFAULT_REGION)

        def RegisterResource(self, request: Any) -> Any:
            urn = self.make_urn(request.parent, request.type, request.name)
            if urn in self.recorded and request.type != STACK_TYPE:  # set_mocks registers its own stack first
                # The engine refuses a second registration of one URN (two resources of a type given one name
                # under one parent): the whole update fails. With its message.
                raise RuntimeError(f"Duplicate resource URN '{urn}'; try giving it a unique name")
            wire_inputs = _struct_to_dict(request.object)
            options = {
                "protect": bool(request.protect),
                "retainOnDelete": bool(request.retainOnDelete),
                "deleteBeforeReplace": bool(request.deleteBeforeReplace),
                "ignoreChanges": list(request.ignoreChanges),
                "replaceOnChanges": list(request.replaceOnChanges),
                "dependsOn": sorted(request.dependencies),  # the engine keeps no order: sorted, for byte-stable JSON
                "additionalSecretOutputs": list(request.additionalSecretOutputs),
                "aliases": [json_format.MessageToDict(a) for a in request.aliases] + list(request.aliasURNs),
                "deletedWith": request.deletedWith,
                "importId": request.importId,
            }
            record = RecordedResource(
                urn=urn, type=request.type, name=request.name, custom=bool(request.custom),
                parent=request.parent, provider=_provider_urn(request.provider),
                wire_inputs=wire_inputs, options=options)
            if urn not in self.recorded:
                self.order.append(urn)
            self.recorded[urn] = record
            # A custom resource, or a remote component its package's provider constructs, goes through a provider.
            package = request.type.split(":", 1)[0]
            explicit = bool(request.provider) or (request.remote and package in request.providers)
            if (request.custom or request.remote) and not explicit and (
                    refusal := default_provider_refusal(denied, request.type, urn)):
                raise RuntimeError(refusal)
            if request.type in manifests.YAML_V2:
                self._render_manifests(urn, request, wire_inputs)
            if request.type == STACK_TYPE or not request.custom:
                return resource_pb2.RegisterResourceResponse(urn=urn)

            plain_inputs = reveal(plain(wire_inputs))
            if request.type.startswith("pulumi:providers:"):
                self.contexts[urn] = self._provider_context(plain_inputs)
                ctx = self.contexts[urn]
            else:
                ctx = self._context(request.provider)
            id_, extra = computed.compute(request.type, request.name, plain_inputs, ctx)
            outputs = dict(wire_inputs)
            for key in computed.POLICY_DOCUMENT_INPUTS.get(request.type, ()):
                if isinstance(outputs.get(key), (dict, list)) and not _is_secret(outputs[key]):
                    outputs[key] = _rendered_document(outputs[key])
            for key, value in extra.items():
                if key not in outputs or outputs[key] == UNKNOWN:
                    # During a preview, what the provider computes is not known yet.
                    outputs[key] = UNKNOWN if preview else value
                elif isinstance(outputs[key], dict) and isinstance(value, dict):
                    # A block the provider completes (an EKS vpcConfig gains its security group, a storage
                    # credential's role its external id): inputs win; in a preview the completed keys are unknown.
                    outputs[key] = {**({k: UNKNOWN for k in value} if preview else value), **outputs[key]}
            for key in request.additionalSecretOutputs:
                if key in outputs and not _is_secret(outputs[key]):
                    outputs[key] = _secret_wrap(outputs[key])
            if preview:
                id_ = ""
            record.id = id_
            record.wire_outputs = outputs
            self.resources[urn] = MockMonitor.ResourceRegistration(urn, id_, plain_inputs)
            obj = struct_pb2.Struct()
            obj.update(outputs)
            return resource_pb2.RegisterResourceResponse(urn=urn, id=id_, object=obj)

        def _render_manifests(self, urn: str, request: Any, wire_inputs: dict[str, Any]) -> None:
            """Register a yaml/v2 component's objects as its children, as the provider's Construct does."""
            rendered = manifests.render(request.type, request.name, wire_inputs, self.project_dir, UNKNOWN)
            self.unread.extend((urn, reason) for reason in rendered.unread)
            provider = request.providers.get("kubernetes") or request.provider
            for type_, name, obj in rendered.objects:
                body = struct_pb2.Struct()
                body.update(obj)
                self.RegisterResource(resource_pb2.RegisterResourceRequest(
                    type=type_, name=name, parent=urn, custom=True, object=body, provider=provider))

        def RegisterResourceOutputs(self, request: Any) -> Any:
            if request.urn in self.recorded:
                self.recorded[request.urn].component_outputs = _struct_to_dict(request.outputs)
            return super().RegisterResourceOutputs(request)

    return RecordingMonitor(project, stack)


_PROCESSING = re.compile(r"While processing (?P<what>resource|input): '(?P<name>[^']*)'(?:, type:? '(?P<type>[^']*)')?")


def _component_and_line(frames: list[tuple[Any, int]], project_dir: Path) -> tuple[str, str]:
    """The innermost ComponentResource being built (`self` of a frame of ours) and our innermost line."""
    import pulumi

    sdk = str(Path(pulumi.__file__).parent)
    component = ""
    location = ""
    for frame, lineno in frames:
        filename = Path(frame.f_code.co_filename)
        ours = project_dir in filename.parents and "preflight" not in filename.parts \
            and "site-packages" not in filename.parts
        if not ours:
            continue
        owner = frame.f_locals.get("self")
        if isinstance(owner, pulumi.ComponentResource) and not frame.f_code.co_filename.startswith(sdk):
            token = getattr(owner, "_type", None) or type(owner).__name__
            name = getattr(owner, "_name", "") or frame.f_locals.get("name", "")
            component = f"{token} '{name}'" if name else str(token)
        if ours:
            location = f"{filename.relative_to(project_dir)}:{lineno}"
    return component, location


def _blame(tb: TracebackType | None, project_dir: Path) -> str:
    """Which component (innermost ComponentResource being constructed) and which line of ours failed."""
    component, location = _component_and_line(list(traceback.walk_tb(tb)), project_dir)
    parts = [p for p in (f"in {component}" if component else "", f"at {location}" if location else "") if p]
    return " ".join(parts)


@contextmanager
def _applies_blamed(project_dir: Path, failures: list[tuple[list[str], BaseException]]) -> Iterator[None]:
    """Remember where each `Output.apply` of the program was called (component and line), so an exception its
    callback raises later, when the component's constructor has long returned, still names them: the SDK's
    own report points into its RPC code and spans lines."""
    import pulumi

    original = pulumi.Output.apply

    def apply(self: Any, func: Any, run_with_unknowns: bool = False) -> Any:
        frames: list[tuple[Any, int]] = []
        frame = sys._getframe(1)
        while frame is not None:
            frames.append((frame, frame.f_lineno))
            frame = frame.f_back  # type: ignore[assignment]
        frames.reverse()  # outermost first, as a traceback reads
        where = list(_component_and_line(frames, project_dir))  # now: the frames are gone when it fails
        del frames

        def blamed(value: Any) -> Any:
            try:
                return func(value)
            except Exception as exc:
                # The SDK re-raises it as a new exception without the original: keep it here.
                failures.append((where, exc))
                raise

        return original(self, blamed, run_with_unknowns)

    pulumi.Output.apply = apply  # type: ignore[method-assign]
    try:
        yield
    finally:
        pulumi.Output.apply = original  # type: ignore[method-assign]


def _program_error_message(exc: BaseException, project_dir: Path,
                           failures: list[tuple[list[str], BaseException]]) -> str:
    """One line: the component and line that failed, the resource and input it was for, the original error."""
    chain: list[BaseException] = []
    current: BaseException | None = exc
    while current is not None and current not in chain:
        chain.append(current)
        current = current.__cause__ or current.__context__
    resource = ""
    for link in chain:
        for match in _PROCESSING.finditer(str(link)):
            if match["what"] == "resource" and not resource:
                resource = f"resource '{match['name']}'" + (f" ({match['type']})" if match["type"] else "")
    if failures:
        (component, location), origin = failures[0]
        parts = [f"in {component}" if component else "", f"at {location}" if location else "",
                 "(inside an Output.apply)", f"for {resource}" if resource else ""]
        where = " ".join(p for p in parts if p)
    else:
        origin = chain[-1] if _PROCESSING.search(str(exc)) else exc
        where = " ".join(p for p in (_blame(exc.__traceback__, project_dir), f"for {resource}" if resource else "")
                         if p)
    text = "; ".join(line.strip() for line in str(origin).splitlines() if line.strip())
    return f"program error {where}: {type(origin).__name__}: {text}"


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while the program runs. Every collection of the oldest generation
    re-scans the millions of objects of the SDK modules the program has just imported: measured, that was
    more than half of a run (953 resources: 2.9 ms per resource with it, 1.3 without; 7,253: 3.1 against 1.1).
    Reference counting still frees what the program drops; the collector resumes when the program ends."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def run_program(project_dir: Path, settings: StackSettings, preview: bool = False) -> Plan:
    """Run `project_dir/__main__.py` for one stack under mocks and return what it registered.

    Raises the program's own ConfigError (a pulumi.RunError) unchanged, and ProgramError for any other
    exception, naming the failing component and line.
    """
    import pulumi
    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.config import set_all_config
    from pulumi.runtime.stack import run_in_stack
    from pulumi.runtime.sync_await import _sync_await

    project_dir = project_dir.resolve()
    if str(project_dir) not in sys.path:
        sys.path.insert(0, str(project_dir))
    # Nothing from an earlier run (another stack, another test) may leak into this one.
    runtime_settings.ROOT.set(None)
    os.environ.pop("PULUMI_CONFIG", None)
    set_all_config(dict(settings.config), list(settings.secret_keys))
    monitor = _build_monitor(settings.project, settings.stack, preview, denied_default_providers(settings.config))
    monitor.project_dir = project_dir
    pulumi.runtime.set_mocks(monitor.mocks, project=settings.project, stack=settings.stack, preview=preview,
                             monitor=monitor)
    runtime_settings.ROOT.set(None)  # set_mocks made a finished root; the program gets a fresh one
    _forget_earlier_runs()
    main = project_dir / "__main__.py"
    def recorded_plan() -> Plan:
        resources = [monitor.recorded[urn] for urn in monitor.order]
        # The stack is always there: set_mocks registers it before the program starts.
        outputs = next(r.component_outputs for r in resources if r.type == STACK_TYPE)
        return Plan(stack=settings.stack, project=settings.project, preview=preview, resources=resources,
                    outputs=outputs, unread=list(monitor.unread), invokes=list(monitor.mocks.invokes))

    def program() -> None:
        runpy.run_path(str(main), run_name="__main__")

    apply_failures: list[tuple[list[str], BaseException]] = []
    _quiet_unawaited_failures()
    try:
        # The language host runs a program in its project directory: relative paths (a ConfigFile's `file`)
        # resolve there.
        with _collector_paused(), _applies_blamed(project_dir, apply_failures), chdir(project_dir):
            _sync_await(run_in_stack(program))
    except pulumi.RunError as exc:
        exc.partial_plan = recorded_plan()  # type: ignore[attr-defined] - what was registered before it
        raise
    except Exception as exc:
        message = _program_error_message(exc, project_dir, apply_failures)
        error = ProgramError(f"{settings.stack}: {message}".replace("  ", " "))
        error.partial_plan = recorded_plan()
        raise error from exc
    finally:
        _settle_in_flight()
        runtime_settings.ROOT.set(None)
    return recorded_plan()


_UNRETRIEVED = ("Future exception was never retrieved", "Task exception was never retrieved")


def _quiet_unawaited_failures() -> None:
    """A failed run leaves output futures holding its error that nobody awaits; when the collector frees them,
    asyncio's default handler logs each with its traceback. Python 3.11 formats a traceback's carets with
    `ast.parse`, and a collection can run inside another `ast.parse` (pytest rewriting a module it imports): the
    interpreter-wide AST recursion counter is then left off and every later parse in the process fails with
    "SystemError: AST constructor recursion depth mismatch" (seen in this suite). The run's error is reported
    once, as the run's; these copies are dropped. Anything else goes to asyncio's default handler."""
    from pulumi.runtime.sync_await import _ensure_event_loop

    def handler(loop: Any, context: dict[str, Any]) -> None:
        if context.get("message") not in _UNRETRIEVED:
            loop.default_exception_handler(context)

    _ensure_event_loop().set_exception_handler(handler)


def _settle_in_flight(timeout: float = 60.0) -> None:
    """A failed run stops at its first failed output, with the program's other registrations still in flight
    (the engine too lets in-flight steps finish after a failure). Left pending they would finish during the next
    run of the process, and that run would await them and fail with this run's error (seen: a test of a
    PRINCIPAL_DOES_NOT_EXIST failure made the next test on its worker fail with it). They finish here, against
    this run's monitor; their errors are this run's. A run that succeeded has nothing in flight."""
    import asyncio

    from pulumi.runtime import settings as runtime_settings
    from pulumi.runtime.sync_await import _ensure_event_loop

    sdk_settings: Any = runtime_settings.SETTINGS  # `lock` and `outputs` are set at run time, not declared
    rpcs: list[Any] = runtime_settings._get_rpc_manager().rpcs  # futures (`asyncio.ensure_future` of each RPC)
    loop = _ensure_event_loop()
    while True:
        with sdk_settings.lock:
            pending = {task for task in sdk_settings.outputs if not task.done()}
        pending |= {rpc for rpc in rpcs if not rpc.done()}
        if not pending:
            break
        done, _ = loop.run_until_complete(asyncio.wait(pending, timeout=timeout))
        if not done:
            break  # nothing moves: what is still pending is left (the next run drops only what finished)
    _forget_earlier_runs()  # what finished is dropped now: collected with this run, not during the next


def _forget_earlier_runs() -> None:
    """A run that failed inside an apply leaves its failed output tasks and the RPC manager's recorded
    exception in the SDK's process-wide settings: the next run of the process (another stack, the next test)
    would await them and fail with the earlier run's error."""
    from pulumi.runtime import settings as runtime_settings

    sdk_settings: Any = runtime_settings.SETTINGS  # `lock` and `outputs` are set at run time, not declared
    with sdk_settings.lock:
        finished = {task for task in sdk_settings.outputs if task.done()}
        for task in finished:
            if not task.cancelled():
                task.exception()  # retrieved: no "exception was never retrieved" noise at exit
        sdk_settings.outputs -= finished
    runtime_settings._get_rpc_manager().clear()


__all__ = [
    "Plan",
    "ProgramError",
    "RecordedResource",
    "Secret",
    "Unknown",
    "_engine_view",
    "plain",
    "reveal",
    "run_program",
]
