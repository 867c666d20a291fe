"""Unity Catalog access as data (ADR-001's table), emitted as one authoritative `databricks.Grants` per securable.

`access_table()` states the rules and merges them: principal x securable -> privileges. `UnityCatalogGrants`
turns each securable's row into one `Grants` resource. A Grants resource owns every grant on its
securable, so a grant made by hand is removed on the next `pulumi up`. Every catalog and schema the stack
manages therefore gets one: the principal with full access is restated on each schema (the same access it
inherits from the catalog) so that no managed securable is left without an authoritative owner of its grants.
"""

from __future__ import annotations

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
    """The principal with ALL_PRIVILEGES on it (ADR-001: the environment's service principal, or the
    sandbox's developer)."""


@dataclass(frozen=True)
class Rule:
    principal: str
    securable: Securable
    privileges: frozenset[str]
    reason: str = field(compare=False)
    """Which line of ADR-001 the rule implements (for reviews and failure messages)."""


AccessTable = dict[Securable, dict[str, frozenset[str]]]


def access_rules(environment_catalog: ManagedCatalog, sandboxes: Iterable[ManagedCatalog] = ()) -> list[Rule]:
    """Every rule of ADR-001 that applies to one stack."""
    rules: list[Rule] = []
    sandboxes = list(sandboxes)
    for catalog in [environment_catalog, *sandboxes]:
        rules.append(Rule(catalog.full_access, Securable("catalog", catalog.name), FULL_ACCESS,
                          "full access to its own catalog"))
        rules += [Rule(catalog.full_access, Securable("schema", f"{catalog.name}.{schema}"), FULL_ACCESS,
                       "full access to its own catalog (restated per schema: authoritative grants)")
                  for schema in catalog.schemas]
    env = environment_catalog.name
    for sandbox in sandboxes:
        rules.append(Rule(sandbox.full_access, Securable("catalog", env), READ_CATALOG,
                          f"sandbox reads {env}.bronze/{env}.silver: may open the catalog"))
        rules += [Rule(sandbox.full_access, Securable("schema", f"{env}.{schema}"), READ_SCHEMA,
                       f"sandbox reads {env}.{schema}.* (zero copy)")
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


def validate_unity_catalog_grants_args(args: UnityCatalogGrantsArgs) -> None:
    problems: list[str] = []
    for securable, row in sorted(args.table.items()):
        if securable not in args.securable_names:
            problems.append(f"{securable.kind} {securable.full_name!r} has grants but no resource")
        if not row:
            problems.append(f"{securable.kind} {securable.full_name!r} has an empty row (Grants needs a grant)")
        problems += [f"{securable.kind} {securable.full_name!r}: {principal!r} has no privileges"
                     for principal, privileges in row.items() if not privileges]
    if problems:
        raise ValueError("UnityCatalogGrantsArgs: " + "; ".join(problems))


def _resource_suffix(securable: Securable) -> str:
    return securable.full_name.replace(".", "-")


class UnityCatalogGrants(pulumi.ComponentResource):
    """One `databricks.Grants` per securable of the access table, each listing every grant it may hold."""

    def __init__(self, name: str, args: UnityCatalogGrantsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        import pulumi_databricks as databricks  # here, so the pure access table costs no SDK import

        validate_unity_catalog_grants_args(args)
        super().__init__("platform:databricks:UnityCatalogGrants", name, None, opts)
        for securable, row in sorted(args.table.items()):
            grants = [databricks.GrantsGrantArgs(principal=args.principal_names.get(principal, principal),
                                                 privileges=sorted(privileges))
                      for principal, privileges in sorted(row.items())]
            target = args.securable_names[securable]
            databricks.Grants(f"{name}-{securable.kind}-{_resource_suffix(securable)}", grants=grants,
                              catalog=target if securable.kind == "catalog" else None,
                              schema=target if securable.kind == "schema" else None,
                              opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"securables": [s.full_name for s in sorted(args.table)]})
