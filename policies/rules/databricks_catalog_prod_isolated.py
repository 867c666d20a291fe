"""`databricks-catalog-prod-isolated`: in prod, catalogs are ISOLATED (bound to their own workspace only)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import CATALOG
from ._support import Resource, Verdict, is_unknown, resource_policy

NAME = "databricks-catalog-prod-isolated"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    mode = resource.props.get("isolationMode")
    if is_unknown(mode):
        verdict.cannot_judge("isolationMode")
    elif mode != "ISOLATED":
        verdict.violation(f"isolationMode is {mode or 'not set (OPEN)'}; set ISOLATED and bind the catalog to the "
                          "prod workspace.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Unity Catalog catalogs in prod must use isolationMode ISOLATED.",
    resource_types=[CATALOG],
    check=check,
    stacks=["prod"],
)
