"""`databricks-grants-sandbox-read-only-dev`: sandbox users only read the dev catalog (ADR-001).

A stack policy: the sandbox users are the owners of the stack's `<user>_sandbox` catalogs; a grant principal
is that user when it is the user name or an email whose local part is it. On `dev` and anything inside it
they may hold only read privileges.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import CATALOG, GRANT, GRANTS, catalog_of, grant_entries
from ._support import StackView, Verdict, is_unknown, stack_policy

NAME = "databricks-grants-sandbox-read-only-dev"
READ_PRIVILEGES = frozenset({"USE_CATALOG", "USE_SCHEMA", "SELECT", "BROWSE", "READ_VOLUME", "EXECUTE",
                             "READ_FILES"})
SUFFIX = "_sandbox"


def _user(principal: str) -> str:
    return principal.split("@", 1)[0].replace(".", "_").replace("-", "_").lower()


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    users = {str(c.props.get("name"))[: -len(SUFFIX)] for c in stack.of(CATALOG)
             if isinstance(c.props.get("name"), str) and str(c.props.get("name")).endswith(SUFFIX)}
    if not users:
        return verdict
    for grants in stack.of(GRANTS, GRANT):
        catalog = catalog_of(grants)
        if is_unknown(catalog):
            verdict.cannot_judge(f"{grants.name}.securable")
            continue
        if catalog != "dev":
            continue
        for principal, privileges in grant_entries(grants):
            writes = sorted(str(p) for p in privileges if p not in READ_PRIVILEGES)
            if not writes:
                continue
            if is_unknown(principal) or any(is_unknown(p) for p in privileges):
                verdict.cannot_judge(f"{grants.name}.grants")
            elif _user(str(principal)) in users:
                verdict.violation(f"{grants.name} gives sandbox user {principal} {', '.join(writes)} in the dev "
                                  "catalog; sandbox users read dev (USE_CATALOG, USE_SCHEMA, SELECT) and write only "
                                  "their own <user>_sandbox catalog.", grants.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Sandbox users must get only read privileges on the dev catalog.",
    resource_types=[CATALOG, GRANTS, GRANT],
    check=check,
)
