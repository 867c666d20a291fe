"""`databricks-grants-authoritative`: grants are made with the authoritative `Grants`, never the additive `Grant`.

`databricks.Grants` owns every grant on its securable, so a privilege added by hand is removed on the next
`pulumi up`; `databricks.Grant` leaves such drift in place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import GRANT
from ._support import Resource, Verdict, resource_policy

NAME = "databricks-grants-authoritative"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    verdict.violation(f"{resource.name} is an additive databricks.Grant; use one databricks.Grants per securable.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Use the authoritative databricks.Grants (one per securable), never the additive databricks.Grant.",
    resource_types=[GRANT],
    check=check,
)
