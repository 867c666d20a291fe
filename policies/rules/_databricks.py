"""Unity Catalog securables and principals as the Databricks provider passes them."""

from __future__ import annotations

import re
from typing import Any

from ._support import Resource, as_list, dig, is_unknown

CATALOG = "databricks:index/catalog:Catalog"
GRANTS = "databricks:index/grants:Grants"
GRANT = "databricks:index/grant:Grant"
SERVICE_PRINCIPAL = "databricks:index/servicePrincipal:ServicePrincipal"
ENVIRONMENTS = ("dev", "staging", "prod")
ALL_PRIVILEGES = ("ALL_PRIVILEGES", "ALL PRIVILEGES")
# Securable fields whose value starts with the catalog name (`<catalog>[.<schema>[.<object>]]`).
CATALOG_SCOPED = ("catalog", "schema", "table", "volume", "function", "model")
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
SERVICE_PRINCIPAL_NAME = re.compile(r"^ml-pipelines-(dev|staging|prod)$")


def catalog_of(resource: Resource) -> Any:
    """The catalog a Grants/Grant resource's securable lives in; None for securables outside catalogs."""
    for field in CATALOG_SCOPED:
        value = resource.props.get(field)
        if is_unknown(value):
            return value
        if isinstance(value, str) and value:
            return value.split(".", 1)[0].lower()  # Unity Catalog names are case-insensitive
    return None


def securable_name(resource: Resource) -> str:
    """The securable's full name for messages (`prod.silver`)."""
    for field in CATALOG_SCOPED:
        value = resource.props.get(field)
        if isinstance(value, str) and value:
            return value
    return resource.name


def environment_of_catalog(catalog: str) -> str | None:
    """`dev`/`staging`/`prod` for the environments' catalogs, `sandbox` for `<user>_sandbox`."""
    catalog = catalog.lower()
    if catalog in ENVIRONMENTS:
        return catalog
    if catalog.endswith("_sandbox"):
        return "sandbox"
    return None


# Securables outside any catalog: metastore-level, their grants judged by the stack they are planned in.
METASTORE_SCOPED = ("externalLocation", "storageCredential", "metastore", "foreignConnection")


def is_all_privileges(privilege: Any) -> bool:
    """`ALL_PRIVILEGES` in any spelling Unity Catalog accepts (case and a space for the underscore)."""
    return isinstance(privilege, str) and privilege.upper().replace(" ", "_") == "ALL_PRIVILEGES"


def grant_entries(resource: Resource) -> list[tuple[Any, list[Any]]]:
    """(principal, privileges) pairs of an authoritative Grants or an additive Grant."""
    if resource.type == GRANT:
        return [(resource.props.get("principal"), as_list(resource.props.get("privileges")))]
    grants = resource.props.get("grants")
    if is_unknown(grants):
        return [(grants, [])]
    return [(dig(g, "principal"), as_list(dig(g, "privileges"))) for g in as_list(grants)]


def principal_kind(principal: str) -> str:
    """`service-principal` (application id or an `ml-pipelines-<env>` name), `user` (email), `account users`,
    or `group` (any other name: Unity Catalog principals are emails, application ids or group names)."""
    if principal.lower() == "account users":
        return "account users"
    if _UUID.match(principal) or SERVICE_PRINCIPAL_NAME.match(principal):
        return "service-principal"
    if "@" in principal:
        return "user"
    return "group"
