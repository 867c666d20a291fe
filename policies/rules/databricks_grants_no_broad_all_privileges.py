"""`databricks-grants-no-broad-all-privileges`: no ALL_PRIVILEGES to `account users`, nor to a group on a
prod securable.

ALL_PRIVILEGES includes every privilege Databricks adds later; in prod only a service principal (or a named
user) may hold it. A principal that is neither an application id, an `ml-pipelines-<env>` name nor an email is
taken to be a group (Unity Catalog's three kinds of principal). Names are compared case-insensitively, as Unity
Catalog does (`PROD.silver` is `prod.silver`); grants on external locations, storage credentials and the
metastore are prod securables in the prod stack; a catalog's, external location's or storage credential's
`owner` holds ALL_PRIVILEGES and is judged like a grant of it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import (
    CATALOG,
    GRANT,
    GRANTS,
    METASTORE_SCOPED,
    catalog_of,
    environment_of_catalog,
    grant_entries,
    is_all_privileges,
    principal_kind,
    securable_name,
)
from ._support import Resource, Verdict, is_unknown, resource_policy, stack_of

# Securables whose `owner` holds every privilege on them (Databricks docs, "Manage Unity Catalog object
# ownership": the owner has all privileges and can grant them).
OWNED = (CATALOG, "databricks:index/externalLocation:ExternalLocation",
         "databricks:index/storageCredential:StorageCredential")

NAME = "databricks-grants-no-broad-all-privileges"


def _in_prod(resource: Resource, catalog: Any) -> bool:
    if isinstance(catalog, str):
        return environment_of_catalog(catalog) == "prod"
    # An external location, storage credential or the metastore: prod when planned by the prod stack.
    return any(resource.props.get(f) for f in METASTORE_SCOPED) and stack_of(resource.urn) == "prod"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if resource.type in OWNED:
        return _check_owner(resource)
    catalog = catalog_of(resource)
    for principal, privileges in grant_entries(resource):
        if any(is_unknown(p) for p in privileges):
            verdict.cannot_judge("grants.privileges")
            continue
        if not any(is_all_privileges(p) for p in privileges):
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
            elif _in_prod(resource, catalog):
                verdict.violation(f"grants ALL_PRIVILEGES on prod securable {securable_name(resource)} to group "
                                  f"{principal}; grant the privileges the group needs (USE_CATALOG, SELECT, ...).")
    return verdict


def _check_owner(resource: Resource) -> Verdict:
    verdict = Verdict()
    owner, name = resource.props.get("owner"), resource.props.get("name")
    if is_unknown(owner) or is_unknown(name):
        verdict.cannot_judge("owner")
        return verdict
    if not isinstance(owner, str) or not owner:
        return verdict  # the creator (the pipeline's service principal) owns it
    kind = principal_kind(owner)
    prod = (environment_of_catalog(str(name)) == "prod" if resource.type == CATALOG
            else stack_of(resource.urn) == "prod")
    if kind == "account users" or (kind == "group" and prod):
        verdict.violation(f"owner is {owner}: the owner holds every privilege on {name}; leave ownership with the "
                          "service principal and grant the group what it needs.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="ALL_PRIVILEGES (or ownership) must not go to account users, nor to any group on a prod securable.",
    resource_types=[GRANTS, GRANT, *OWNED],
    check=check,
)
