"""`aws-iam-no-not-action-with-allow`: no `NotAction`, `NotResource` or `NotPrincipal` in an Allow statement.

An Allow with a negation grants everything except a list, including every action and resource AWS adds
later; it is never least privilege.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, allow_statements
from ._support import Resource, Verdict, resource_policy

NAME = "aws-iam-no-not-action-with-allow"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict):
        used = [name for name, present in (("NotAction", st.not_actions), ("NotResource", st.not_resources),
                                           ("NotPrincipal", st.not_principal)) if present]
        if used:
            verdict.violation(f"{st.label()} is an Allow with {', '.join(used)}; allow named actions on named "
                              "resources (use NotAction/NotResource only in Deny statements).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Allow statements must not use NotAction, NotResource or NotPrincipal: list what is allowed.",
    resource_types=DOCUMENT_TYPES,
    check=check,
)
