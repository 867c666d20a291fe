"""`databricks-catalog-prod-isolated`: in prod, catalogs are ISOLATED and bound to the prod workspace only.

`isolationMode: ISOLATED` makes a catalog reachable only from the workspaces it is bound to; the binding
(`databricks.WorkspaceBinding`, or the deprecated `CatalogWorkspaceBinding`) says which. A binding planned in
the prod stack to another environment's workspace would open prod's data to dev or staging users, read-write
or read-only alike, and the same holds for the other bindable securables (external locations, storage
credentials, credentials). The stack's plan knows only its own workspace id (`databricks.workspaceId`), so
the environments' ids come from the pack config, `workspaceIds: {dev: ..., staging: ..., prod: ...}`, which
must equal each `Pulumi.<env>.yaml` (a test compares them). A binding in this stack to a workspace that is
not this stack's own (`workspaceIds[<stack>]`) is refused; without an entry for this stack, a binding to
another environment's configured workspace still is.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import CATALOG
from ._support import Resource, Verdict, is_unknown, resource_policy, stack_of

NAME = "databricks-catalog-prod-isolated"
BINDINGS = ("databricks:index/workspaceBinding:WorkspaceBinding",
            "databricks:index/catalogWorkspaceBinding:CatalogWorkspaceBinding")

WORKSPACE_IDS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"type": "string", "pattern": "^[0-9]{1,20}$"},
    "default": {},
    "description": "Each environment's Databricks workspace id (as in Pulumi.<env>.yaml `databricks.workspaceId`).",
}


def _check_catalog(resource: Resource, verdict: Verdict) -> None:
    mode = resource.props.get("isolationMode")
    if is_unknown(mode):
        verdict.cannot_judge("isolationMode")
    elif mode != "ISOLATED":
        verdict.violation(f"isolationMode is {mode or 'not set (OPEN)'}; set ISOLATED and bind the catalog to the "
                          "prod workspace.")


def _check_binding(resource: Resource, config: Mapping[str, Any], verdict: Verdict) -> None:
    workspace_ids = {env: str(i) for env, i in (config.get("workspaceIds") or {}).items()}
    stack = stack_of(resource.urn)
    workspace = resource.props.get("workspaceId")
    securable = resource.props.get("securableName") or resource.props.get("catalogName")
    kind = resource.props.get("securableType") or "catalog"
    if is_unknown(workspace):
        verdict.cannot_judge("workspaceId")
        return
    workspace = str(workspace)
    own = workspace_ids.get(stack)
    owners = sorted(env for env, i in workspace_ids.items() if i == workspace and env != stack)
    what = f"{kind} {securable if isinstance(securable, str) else '(computed)'}"
    if owners:
        verdict.violation(f"binds {stack}'s {what} to workspace {workspace}, the {'/'.join(owners)} workspace; "
                          f"bind it to {stack}'s own workspace ({own or 'workspaceIds.' + stack}) only.")
    elif own is not None and workspace != own:
        verdict.violation(f"binds {stack}'s {what} to workspace {workspace}, not {stack}'s own ({own}); bind it to "
                          f"{stack}'s workspace only.")


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if resource.type == CATALOG:
        _check_catalog(resource, verdict)
    else:
        _check_binding(resource, config, verdict)
    return verdict


policy = resource_policy(
    name=NAME,
    description="Unity Catalog catalogs in prod must use isolationMode ISOLATED, and prod's workspace bindings "
                "must name the prod workspace only.",
    resource_types=[CATALOG, *BINDINGS],
    check=check,
    stacks=["prod"],
    config_properties={"workspaceIds": WORKSPACE_IDS_SCHEMA},
)
