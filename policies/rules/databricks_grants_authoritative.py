"""`databricks-grants-authoritative`: grants are made with the authoritative `Grants`; the per-principal `Grant` only
where sandbox users share a securable with the platform (the `dev` catalog), and only to users and service principals.

`databricks.Grants` owns every grant on its securable, so a privilege added by hand is removed on the next
`pulumi up`. `databricks.Grant` owns one principal's privileges on one securable (still reset on every
`pulumi up`) and leaves other principals alone. The program uses it on `dev`, `dev.bronze` and `dev.silver`,
where one sandbox user unknown to the workspace would otherwise fail the one Grants request and with it the
pipeline principal's grants (issue 17). Groups get no per-principal Grant anywhere: a group always exists, so
it can always go into a Grants.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import GRANT, catalog_of, principal_kind
from ._support import Resource, Verdict, is_unknown, resource_policy

NAME = "databricks-grants-authoritative"
SHARED_CATALOGS = ("dev",)
"""Catalogs whose securables sandbox users share with the platform (ADR-001: sandboxes read dev in place)."""


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    catalog, principal = catalog_of(resource), resource.props.get("principal")
    if is_unknown(catalog) or is_unknown(principal):
        verdict.cannot_judge("securable/principal")
        return verdict
    shared = catalog in config.get("sharedCatalogs", SHARED_CATALOGS)
    if not shared or not isinstance(principal, str) or principal_kind(principal) not in ("user", "service-principal"):
        verdict.violation(f"{resource.name} is a per-principal databricks.Grant; use one databricks.Grants per "
                          "securable (Grant only for users and service principals on the shared dev catalog).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Use the authoritative databricks.Grants (one per securable); databricks.Grant only for users and "
                "service principals on securables of the shared catalogs (dev).",
    resource_types=[GRANT],
    check=check,
    config_properties={"sharedCatalogs": {"type": "array", "items": {"type": "string"},
                                          "default": list(SHARED_CATALOGS)}},
)
