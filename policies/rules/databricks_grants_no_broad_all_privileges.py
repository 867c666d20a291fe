"""`databricks-grants-no-broad-all-privileges`: no ALL_PRIVILEGES to `account users`, nor to a group on a
prod securable.

ALL_PRIVILEGES includes every privilege Databricks adds later; in prod only a service principal (or a named
user) may hold it. A principal that is neither an application id, an `ml-pipelines-<env>` name nor an email is
taken to be a group (Unity Catalog's three kinds of principal).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import (
    ALL_PRIVILEGES,
    GRANT,
    GRANTS,
    catalog_of,
    environment_of_catalog,
    grant_entries,
    principal_kind,
    securable_name,
)
from ._support import Resource, Verdict, is_unknown, resource_policy

NAME = "databricks-grants-no-broad-all-privileges"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    catalog = catalog_of(resource)
    for principal, privileges in grant_entries(resource):
        if any(is_unknown(p) for p in privileges):
            verdict.cannot_judge("grants.privileges")
            continue
        if not any(p in ALL_PRIVILEGES for p in privileges):
            continue
        if is_unknown(principal):
            verdict.cannot_judge("grants.principal")
            continue
        kind = principal_kind(str(principal))
        if kind == "account users":
            verdict.violation("grants ALL_PRIVILEGES to account users; grant named privileges to a group.")
        elif kind == "group":
            if is_unknown(catalog):
                verdict.cannot_judge("securable")
            elif isinstance(catalog, str) and environment_of_catalog(catalog) == "prod":
                verdict.violation(f"grants ALL_PRIVILEGES on prod securable {securable_name(resource)} to group "
                                  f"{principal}; grant the privileges the group needs (USE_CATALOG, SELECT, ...).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="ALL_PRIVILEGES must not go to account users, nor to any group on a prod securable.",
    resource_types=[GRANTS, GRANT],
    check=check,
)
