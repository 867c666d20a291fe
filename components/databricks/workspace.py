"""The Databricks workspace provider of an environment: every workspace-level Databricks resource goes through it.

Auth is OAuth M2M (a service principal's client id and a Pulumi-secret client secret) when configured, else
the ambient Databricks auth (environment variables or the CLI profile). A personal access token is never
accepted here, so none can end up in a stack file or in state.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

_HOST_RE = re.compile(r"^https://[a-z0-9.-]+$")
_WORKSPACE_ID_RE = re.compile(r"^\d{1,20}$")


@dataclass(frozen=True)
class DatabricksWorkspaceArgs:
    host: str
    """Workspace URL, `https://<deployment>.cloud.databricks.com`."""
    workspace_id: str
    """Numeric id of the workspace; catalogs and storage objects are bound to it."""
    client_id: str | None = None
    """OAuth M2M client (application) id. Default None: ambient auth. Requires `client_secret`."""
    client_secret: pulumi.Output[str] | None = None
    """OAuth M2M secret, a Pulumi secret. Required with `client_id`, refused without it."""


def validate_databricks_workspace_args(args: DatabricksWorkspaceArgs) -> None:
    problems: list[str] = []
    if not _HOST_RE.fullmatch(args.host):
        problems.append(f"host must be an https:// workspace URL, got {args.host!r}")
    if not _WORKSPACE_ID_RE.fullmatch(args.workspace_id):
        problems.append(f"workspace_id must be numeric, got {args.workspace_id!r}")
    if (args.client_id is None) != (args.client_secret is None):
        problems.append("client_id and client_secret must be given together (OAuth M2M) or both left out "
                        f"(ambient auth), got client_id={args.client_id!r} and "
                        f"client_secret {'set' if args.client_secret is not None else 'missing'}")
    if problems:
        raise ValueError("DatabricksWorkspaceArgs: " + "; ".join(problems))


class DatabricksWorkspace(pulumi.ComponentResource):
    """The workspace-level provider of one environment's Databricks workspace."""

    provider: databricks.Provider
    workspace_id: str
    host: str

    def __init__(self, name: str, args: DatabricksWorkspaceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_databricks_workspace_args(args)
        super().__init__("platform:databricks:DatabricksWorkspace", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.client_id is not None and args.client_secret is not None:
            self.provider = databricks.Provider(
                f"{name}-provider", host=args.host, auth_type="oauth-m2m", client_id=args.client_id,
                client_secret=pulumi.Output.secret(args.client_secret), opts=child)
        else:
            # Ambient auth: DATABRICKS_CLIENT_ID/SECRET in the environment or the CLI profile for this host.
            self.provider = databricks.Provider(f"{name}-provider", host=args.host, opts=child)
        self.workspace_id = args.workspace_id
        self.host = args.host
        self.register_outputs({"host": args.host, "workspaceId": args.workspace_id})
