"""A Unity Catalog catalog with its schemas, in ISOLATED mode and bound to one workspace only (ADR-001).

Used for the environment's catalog (`dev`/`staging`/`prod` with bronze, silver, gold) and for each developer
sandbox (`<user>_sandbox` with gold). Catalogs and schemas hold tables: they are stateful, protected and
retained as the caller says, and dropped with their tables only when `force_destroy` says so.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

# Unity Catalog names are case-insensitive and stored lowercase; keep to what needs no quoting in SQL.
_UC_NAME_RE = re.compile(r"^[a-z][a-z0-9_]{0,254}$")


@dataclass(frozen=True)
class CatalogArgs:
    catalog_name: str
    """Name of the catalog in the metastore, e.g. `prod` or `alice_sandbox`."""
    schemas: Sequence[str]
    """Schemas created in it, e.g. `("bronze", "silver", "gold")`. At least one, no duplicates."""
    storage_root: pulumi.Input[str]
    """Managed-storage root (`s3://...`) inside an external location; the catalog waits for it."""
    workspace_id: str
    """The only workspace the catalog is bound to (isolation mode ISOLATED)."""
    comment: str = ""
    """Shown in Catalog Explorer."""
    force_destroy: bool = False
    """Delete the catalog and its schemas even when they still hold tables. Default off."""
    protect: bool = False
    """`protect` on the catalog and its schemas."""
    retain_on_delete: bool = False
    """Keep the catalog and its schemas (and their tables) when the stack is destroyed."""


def validate_catalog_args(args: CatalogArgs) -> None:
    problems: list[str] = []
    if not _UC_NAME_RE.fullmatch(args.catalog_name):
        problems.append(f"catalog_name must be lowercase letters, digits and underscores, got {args.catalog_name!r}")
    if not args.schemas:
        problems.append("schemas must name at least one schema, got none")
    for schema in args.schemas:
        if not _UC_NAME_RE.fullmatch(schema):
            problems.append(f"schemas must be lowercase letters, digits and underscores, got {schema!r}")
    duplicates = sorted({s for s in args.schemas if list(args.schemas).count(s) > 1})
    if duplicates:
        problems.append(f"schemas must be unique, got {duplicates} more than once")
    if not args.workspace_id.isdigit():
        problems.append(f"workspace_id must be numeric, got {args.workspace_id!r}")
    if args.force_destroy and (args.protect or args.retain_on_delete):
        problems.append("force_destroy conflicts with protect/retain_on_delete: a protected catalog is never "
                        "dropped with its tables")
    if problems:
        raise ValueError(f"CatalogArgs {args.catalog_name!r}: " + "; ".join(problems))


class Catalog(pulumi.ComponentResource):
    """One catalog, its schemas, and its binding to a single workspace."""

    name: pulumi.Output[str]
    """The catalog's name, known once it exists (grants on it wait for it)."""
    schema_names: dict[str, pulumi.Output[str]]
    """`schema -> "<catalog>.<schema>"`, known once each schema exists."""

    def __init__(self, name: str, args: CatalogArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_catalog_args(args)
        super().__init__("platform:databricks:Catalog", name, None, opts)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete)

        catalog = databricks.Catalog(
            name,
            name=args.catalog_name,
            comment=args.comment or None,
            storage_root=args.storage_root,
            isolation_mode="ISOLATED",
            force_destroy=args.force_destroy,
            properties={"managed-by": "pulumi"},
            opts=stateful)
        databricks.WorkspaceBinding(
            f"{name}-binding", securable_type="catalog", securable_name=catalog.name,
            workspace_id=args.workspace_id, binding_type="BINDING_TYPE_READ_WRITE",
            opts=pulumi.ResourceOptions(parent=self))

        self.schema_names = {}
        for schema_name in args.schemas:
            schema = databricks.Schema(
                f"{name}-{schema_name}",
                catalog_name=catalog.name,
                name=schema_name,
                force_destroy=args.force_destroy,
                properties={"managed-by": "pulumi"},
                opts=stateful)
            # The provider's id of a schema is its full name, `<catalog>.<schema>`.
            self.schema_names[schema_name] = schema.id
        self.name = catalog.name
        self.register_outputs({"name": catalog.name, "schemas": self.schema_names})
