"""A developer's sandbox (ADR-001): the catalog `<user>_sandbox` with schema `gold`, in the dev workspace.

The sandbox reads `dev.bronze` and `dev.silver` in place (zero copy; the grants live with all other grants)
and writes only here. Its managed storage is a folder of its own under the dev external location.

Offboarding a developer whose sandbox still holds tables takes two `pulumi up --stack dev`:
1. add the user to `ml-platform:sandboxForceDestroy` and deploy: the catalog and schema now carry
   `force_destroy` in state (the provider reads it from state when it deletes);
2. remove the user from `sandboxUsers` and `sandboxForceDestroy` and deploy: the catalog is dropped with its
   tables. Without step 1, step 2 stops at the catalog with Unity Catalog's "not empty" error and nothing
   is lost.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from components.databricks.catalog import Catalog, CatalogArgs
from components.databricks.catalog_storage import CatalogStorage
from components.patterns import EMAIL as _EMAIL_RE
from components.patterns import SANDBOX_USER as _USER_RE

SANDBOX_SCHEMAS = ("gold",)


def sandbox_catalog_name(user: str) -> str:
    """ADR-001: `{username}_sandbox`."""
    return f"{user}_sandbox"


@dataclass(frozen=True)
class SandboxArgs:
    user: str
    """The developer's user name (lowercase letters, digits, underscore); names the catalog."""
    principal: str
    """The developer's Databricks user name (their email), whom the grants name."""
    storage: CatalogStorage
    """The dev environment's external location; the sandbox's managed storage is a folder in it."""
    workspace_id: str
    """The dev workspace (ADR-001's `ref-dev`), the only one the sandbox is bound to."""
    force_destroy: bool = False
    """Drop the catalog with its tables when it is removed (step 1 of offboarding). Default off."""
    protect: bool = False
    """`protect` on the catalog and its schema (the dev stack's protection choice)."""
    retain_on_delete: bool = False
    """Keep the catalog when the stack is destroyed (the dev stack's choice)."""


def sandbox_principal(user: str, email_domain: str) -> str:
    """The workspace user behind a sandbox user name: `alice` -> `alice@<email_domain>`."""
    return f"{user}@{email_domain}"


def validate_sandbox_args(args: SandboxArgs) -> None:
    problems: list[str] = []
    if not _USER_RE.fullmatch(args.user):
        problems.append(f"user must be lowercase letters, digits and underscores (at most 50), got {args.user!r}")
    if not _EMAIL_RE.fullmatch(args.principal):
        problems.append(f"principal must be the user's email (their Databricks user name), got {args.principal!r}")
    if problems:
        raise ValueError("SandboxArgs: " + "; ".join(problems))


class Sandbox(pulumi.ComponentResource):
    """`<user>_sandbox` with schema `gold`, bound to the dev workspace."""

    user: str
    principal: str
    catalog_name: str
    catalog: Catalog

    def __init__(self, name: str, args: SandboxArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_sandbox_args(args)
        super().__init__("platform:databricks:Sandbox", name, None, opts)
        self.user = args.user
        self.principal = args.principal
        self.catalog_name = sandbox_catalog_name(args.user)
        self.catalog = Catalog(name, CatalogArgs(
            catalog_name=self.catalog_name,
            schemas=SANDBOX_SCHEMAS,
            storage_root=args.storage.root_for(f"sandboxes/{self.catalog_name}"),
            workspace_id=args.workspace_id,
            comment=f"Sandbox of {args.user} (ADR-001); reads dev.bronze and dev.silver",
            force_destroy=args.force_destroy,
            protect=args.protect,
            retain_on_delete=args.retain_on_delete,
        ), opts=pulumi.ResourceOptions(parent=self))
        self.register_outputs({"user": args.user, "catalogName": self.catalog.name})
