"""The privileges Unity Catalog defines, per securable type, written down from the Databricks documentation.

Sources (read 2026-11):
- "Unity Catalog privileges reference", https://docs.databricks.com/aws/en/data-governance/unity-catalog/
  manage-privileges/privileges (which privileges apply to which securable object; BROWSE, CREATE_MODEL,
  CREATE_MATERIALIZED_VIEW, EXTERNAL_USE_SCHEMA, EXTERNAL_USE_LOCATION, CREATE_FOREIGN_SECURABLE come from here).
- The `databricks.Grants` reference shipped with the pinned pulumi-databricks 1.118.0
  (site-packages/pulumi_databricks/grants.py, sections "Metastore grants" ... "Connection grants"), which
  spells privileges with underscores (`USE_CATALOG`, not `USE CATALOG`) as the provider expects. Its
  external-location list prints `CREATE EXTERNAL VOLUME` with spaces; the API name is CREATE_EXTERNAL_VOLUME.

Keys are the `databricks.Grants` inputs as the engine sees them (camelCase). A catalog or schema also accepts
the privileges of the objects it contains (granted there, they apply to every current and future object
inside), so those are listed with the container. A privilege that is not in this table for its securable is a
typo or a privilege of another securable: a test failure, not an error at `pulumi up`.
"""

from __future__ import annotations

from collections.abc import Iterable

# Privileges on objects inside a schema (tables, views, volumes, functions, models) that may be granted on
# the schema or its catalog and are inherited downwards.
_INHERITABLE = frozenset({
    "CREATE_FUNCTION", "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL", "CREATE_TABLE", "CREATE_VOLUME",
    "EXECUTE", "EXTERNAL_USE_SCHEMA", "MODIFY", "READ_VOLUME", "REFRESH", "SELECT", "USE_SCHEMA",
    "WRITE_VOLUME",
})

PRIVILEGES: dict[str, frozenset[str]] = {
    "metastore": frozenset({
        "CREATE_CATALOG", "CREATE_CLEAN_ROOM", "CREATE_CONNECTION", "CREATE_EXTERNAL_LOCATION",
        "CREATE_PROVIDER", "CREATE_RECIPIENT", "CREATE_SERVICE_CREDENTIAL", "CREATE_SHARE",
        "CREATE_STORAGE_CREDENTIAL", "SET_SHARE_PERMISSION", "USE_MARKETPLACE_ASSETS", "USE_PROVIDER",
        "USE_RECIPIENT", "USE_SHARE",
    }),
    "catalog": frozenset({
        "ALL_PRIVILEGES", "APPLY_TAG", "BROWSE", "CREATE_CONNECTION", "CREATE_SCHEMA", "MANAGE", "USE_CATALOG",
    }) | _INHERITABLE,
    "schema": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE"}) | _INHERITABLE,
    "table": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "MODIFY", "SELECT"}),
    "volume": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "MANAGE", "READ_VOLUME", "WRITE_VOLUME"}),
    "function": frozenset({"ALL_PRIVILEGES", "EXECUTE", "MANAGE"}),
    "model": frozenset({"ALL_PRIVILEGES", "APPLY_TAG", "EXECUTE", "MANAGE"}),
    "credential": frozenset({"ALL_PRIVILEGES", "ACCESS", "CREATE_CONNECTION", "MANAGE"}),
    "storageCredential": frozenset({
        "ALL_PRIVILEGES", "CREATE_EXTERNAL_LOCATION", "CREATE_EXTERNAL_TABLE", "MANAGE", "READ_FILES",
        "WRITE_FILES",
    }),
    "externalLocation": frozenset({
        "ALL_PRIVILEGES", "BROWSE", "CREATE_EXTERNAL_TABLE", "CREATE_EXTERNAL_VOLUME", "CREATE_FOREIGN_SECURABLE",
        "CREATE_MANAGED_STORAGE", "EXTERNAL_USE_LOCATION", "MANAGE", "READ_FILES", "WRITE_FILES",
    }),
    "foreignConnection": frozenset({"ALL_PRIVILEGES", "CREATE_FOREIGN_CATALOG", "MANAGE", "USE_CONNECTION"}),
    "share": frozenset({"SELECT"}),
}

# What lets a principal change data or metadata (as opposed to reading it), on a schema or its catalog.
WRITE_PRIVILEGES = frozenset({
    "ALL_PRIVILEGES", "APPLY_TAG", "CREATE_FUNCTION", "CREATE_MATERIALIZED_VIEW", "CREATE_MODEL", "CREATE_SCHEMA",
    "CREATE_TABLE", "CREATE_VOLUME", "MANAGE", "MODIFY", "REFRESH", "WRITE_VOLUME",
})


def unknown_privileges(securable_kind: str, privileges: Iterable[str]) -> list[str]:
    """Privileges not defined for this kind of securable (an unknown kind makes every privilege unknown)."""
    allowed = PRIVILEGES.get(securable_kind, frozenset())
    return sorted(p for p in privileges if p not in allowed)
