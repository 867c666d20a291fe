"""Unity Catalog access as data (ADR-001's table), emitted so that one missing user cannot block anyone else.

`access_table()` states the rules and merges them: principal x securable -> privileges. `UnityCatalogGrants`
turns each securable's row into resources:
- a row of the platform's principals only (staging and prod, `dev.gold`, a sandbox's own catalog and schema,
  which name just their developer): one authoritative `databricks.Grants`, which owns every grant on the
  securable, so a grant made by hand is removed on the next `pulumi up`;
- a row shared by the platform and sandbox users (`dev`, `dev.bronze`, `dev.silver`): one
  `databricks.Grant` per principal, each authoritative for its principal on that securable (the pipeline
  principal's privileges there are still reset on every `pulumi up`). Unity Catalog refuses a whole
  grant request naming a principal it does not know (`PRINCIPAL_DOES_NOT_EXIST`), so with one Grants per
  securable a sandbox user not yet provisioned by SCIM would fail `dev`'s grants for everybody, the pipeline
  principal included; split, only that user's resources fail. The price: on those three securables a grant
  made by hand to some other principal is not removed (the `databricks-grants-authoritative` rule allows
  Grant only there, and only to users and service principals).
Every catalog and schema the stack manages gets grants: the pipeline principal's full access is restated on
each schema (the same access it inherits from the catalog) so no managed securable is left ungoverned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pulumi

SecurableKind = Literal["catalog", "schema"]

# ADR-001 "Sandbox Data Sharing": sandboxes read these schemas of the dev catalog in place.
SANDBOX_READABLE_SCHEMAS = ("bronze", "silver")
FULL_ACCESS = frozenset({"ALL_PRIVILEGES"})
READ_CATALOG = frozenset({"USE_CATALOG"})
READ_SCHEMA = frozenset({"USE_SCHEMA", "SELECT"})
# ADR-001 "Sandbox writes to {username}_sandbox.gold.* (isolated)": open the sandbox catalog, and in its schemas
# create, write, read tables and volumes' files. No CREATE_SCHEMA (only gold exists), no MANAGE, no ownership: the
# catalog belongs to the platform (the deploying principal creates and owns it).
SANDBOX_CATALOG = frozenset({"USE_CATALOG"})
SANDBOX_WRITE_SCHEMA = frozenset({"USE_SCHEMA", "CREATE_TABLE", "MODIFY", "SELECT", "READ_VOLUME", "WRITE_VOLUME"})


@dataclass(frozen=True, order=True)
class Securable:
    kind: SecurableKind
    """`catalog` or `schema` (the `databricks.Grants` argument it is given as)."""
    full_name: str
    """`dev` or `dev.bronze`."""


@dataclass(frozen=True)
class ManagedCatalog:
    name: str
    """The catalog's name, e.g. `dev` or `alice_sandbox`."""
    schemas: Sequence[str]
    """Its schemas."""
    full_access: str
    """The environment catalog: the principal with ALL_PRIVILEGES on it (ADR-001: the environment's service
    principal). A sandbox: its developer, who gets SANDBOX_CATALOG and SANDBOX_WRITE_SCHEMA only."""


@dataclass(frozen=True)
class Rule:
    """One line of ADR-001 applied to one securable (each line's comment below says which)."""

    principal: str
    securable: Securable
    privileges: frozenset[str]


AccessTable = dict[Securable, dict[str, frozenset[str]]]


def access_rules(environment_catalog: ManagedCatalog, sandboxes: Iterable[ManagedCatalog] = ()) -> list[Rule]:
    """Every rule of ADR-001 that applies to one stack."""
    rules: list[Rule] = []
    sandboxes = list(sandboxes)
    environment = environment_catalog
    # Full access to its own catalog, restated per schema (every managed securable has grants).
    rules.append(Rule(environment.full_access, Securable("catalog", environment.name), FULL_ACCESS))
    rules += [Rule(environment.full_access, Securable("schema", f"{environment.name}.{schema}"), FULL_ACCESS)
              for schema in environment.schemas]
    for sandbox in sandboxes:
        # A sandbox opens its own catalog and writes its own schemas.
        rules.append(Rule(sandbox.full_access, Securable("catalog", sandbox.name), SANDBOX_CATALOG))
        rules += [Rule(sandbox.full_access, Securable("schema", f"{sandbox.name}.{schema}"), SANDBOX_WRITE_SCHEMA)
                  for schema in sandbox.schemas]
    env = environment_catalog.name
    for sandbox in sandboxes:
        # A sandbox reads <env>.bronze and <env>.silver in place (zero copy): it may open the catalog.
        rules.append(Rule(sandbox.full_access, Securable("catalog", env), READ_CATALOG))
        rules += [Rule(sandbox.full_access, Securable("schema", f"{env}.{schema}"), READ_SCHEMA)
                  for schema in SANDBOX_READABLE_SCHEMAS]
    return rules


def merge(rules: Iterable[Rule]) -> AccessTable:
    """All rules folded into one row per securable (a principal's privileges are the union of its rules)."""
    table: AccessTable = {}
    for rule in rules:
        row = table.setdefault(rule.securable, {})
        row[rule.principal] = row.get(rule.principal, frozenset()) | rule.privileges
    return table


def access_table(environment_catalog: ManagedCatalog, sandboxes: Iterable[ManagedCatalog] = ()) -> AccessTable:
    return merge(access_rules(environment_catalog, sandboxes))


@dataclass(frozen=True)
class UnityCatalogGrantsArgs:
    table: Mapping[Securable, Mapping[str, frozenset[str]]]
    """The merged access table: securable -> principal key -> privileges."""
    securable_names: Mapping[Securable, pulumi.Input[str]]
    """Each securable's name as its resource outputs it (so each Grants waits for its securable)."""
    principal_names: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    """Principal key -> the name Unity Catalog knows (a service principal's application id). Keys not
    listed are used as they are (user and group names)."""
    sandbox_principals: frozenset[str] = frozenset()
    """Principal keys of sandbox users: a row shared between one of them and anyone else becomes one
    `databricks.Grant` per principal. Default none: one `databricks.Grants` per securable."""


def validate_unity_catalog_grants_args(args: UnityCatalogGrantsArgs) -> None:
    problems: list[str] = []
    for securable, row in sorted(args.table.items()):
        if securable not in args.securable_names:
            problems.append(f"{securable.kind} {securable.full_name!r} has grants but no resource")
        if not row:
            problems.append(f"{securable.kind} {securable.full_name!r} has an empty row (Grants needs a grant)")
        problems += [f"{securable.kind} {securable.full_name!r}: {principal!r} has no privileges"
                     for principal, privileges in row.items() if not privileges]
        if is_shared(row, args.sandbox_principals):
            by_suffix: dict[str, list[str]] = {}
            for principal in row:
                by_suffix.setdefault(_principal_suffix(principal), []).append(principal)
            problems += [f"{securable.kind} {securable.full_name!r}: principals {sorted(same)} would share the "
                         f"resource name suffix {suffix!r}" for suffix, same in sorted(by_suffix.items())
                         if len(same) > 1]
    if problems:
        raise ValueError("UnityCatalogGrantsArgs: " + "; ".join(problems))


def _resource_suffix(securable: Securable) -> str:
    return securable.full_name.replace(".", "-")


def _principal_suffix(principal: str, kept: str = "_") -> str:
    """A principal key as part of a resource name: `alice@example.com` -> `alice-at-example-com`, `j_doe@...`
    -> `j_doe-at-...`. Underscores are kept: sandbox users are `[a-z][a-z0-9_]*` at one domain, so `g` and `g_`
    must not both become `g-at-...` (two resources of one URN fail the whole `pulumi up`)."""
    return re.sub(f"[^a-z0-9{kept}]+", "-", principal.lower().replace("@", "-at-")).strip("-")


def _earlier_suffix(principal: str) -> str:
    """The suffix before underscores were kept (an alias: renaming a `Grant` must not delete it, which revokes)."""
    return _principal_suffix(principal, kept="")


def is_shared(row: Mapping[str, frozenset[str]], sandbox_principals: frozenset[str]) -> bool:
    """A row a sandbox user shares with another principal: one Grant per principal, so none blocks the others."""
    return len(row) > 1 and any(principal in sandbox_principals for principal in row)


class UnityCatalogGrants(pulumi.ComponentResource):
    """Per securable of the access table: one `databricks.Grants`, or one `databricks.Grant` per principal where
    sandbox users share the securable (see the module docstring)."""

    def __init__(self, name: str, args: UnityCatalogGrantsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        import pulumi_databricks as databricks  # here, so the pure access table costs no SDK import

        validate_unity_catalog_grants_args(args)
        super().__init__("platform:databricks:UnityCatalogGrants", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        for securable, row in sorted(args.table.items()):
            target = args.securable_names[securable]
            catalog, schema = (target, None) if securable.kind == "catalog" else (None, target)
            resource_name = f"{name}-{securable.kind}-{_resource_suffix(securable)}"
            if is_shared(row, args.sandbox_principals):
                earlier, suffixes = [_earlier_suffix(p) for p in row], {_principal_suffix(p) for p in row}
                for principal, privileges in sorted(row.items()):
                    suffix, old = _principal_suffix(principal), _earlier_suffix(principal)
                    # Aliased only where the old name was this principal's alone and no resource takes it now.
                    renamed = old != suffix and earlier.count(old) == 1 and old not in suffixes
                    opts = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                        aliases=[pulumi.Alias(name=f"{resource_name}-{old}")])) if renamed else child
                    databricks.Grant(f"{resource_name}-{suffix}",
                                     principal=args.principal_names.get(principal, principal),
                                     privileges=sorted(privileges), catalog=catalog, schema=schema, opts=opts)
                continue
            grants = [databricks.GrantsGrantArgs(principal=args.principal_names.get(principal, principal),
                                                 privileges=sorted(privileges))
                      for principal, privileges in sorted(row.items())]
            databricks.Grants(resource_name, grants=grants, catalog=catalog, schema=schema, opts=child)
        self.register_outputs({"securables": [s.full_name for s in sorted(args.table)]})
