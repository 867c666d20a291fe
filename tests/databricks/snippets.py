"""A small program that builds only the Databricks layer from stand-in AWS values (bucket names, key and role
ARNs), so component tests do not depend on the other layers. Runs in well under a second once
pulumi_databricks is imported (the first run in a process pays the 2-3 s import)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from pathlib import Path

from preflight.harness import Plan
from tests.support import run_snippet

PROGRAM = """
import pulumi
from components.databricks_platform import DatabricksPlatform, DatabricksPlatformArgs
from components.databricks_workspace import DatabricksWorkspaceArgs

secret = pulumi.Output.secret("stand-in-oauth-secret") if {client!r} else None
platform = DatabricksPlatform("{environment}-databricks", DatabricksPlatformArgs(
    environment="{environment}",
    workspace=DatabricksWorkspaceArgs(host="https://dbc-{environment}.cloud.databricks.com",
                                      workspace_id="{workspace_id}",
                                      client_id="0a1b2c3d-1111-2222-3333-444455556666" if {client!r} else None,
                                      client_secret=secret),
    account_id="0a1b2c3d-0000-4000-8000-00000000d0ab",
    region="eu-west-1",
    processed_bucket="ml-platform-{environment}-processed",
    processed_key_arn="arn:aws:kms:eu-west-1:111111111111:key/0000-{environment}",
    storage_role_arn="arn:aws:iam::111111111111:role/ml-platform-{environment}-unity-catalog",
    storage_buckets=[f"ml-platform-{environment}-{{kind}}"
                     for kind in ("raw", "processed", "artifacts", "enriched", "logs")],
    node_types={node_types!r},
    max_workers={max_workers!r},
    autotermination_minutes=30,
    sandbox_users={users!r},
    sandbox_force_destroy={force_destroy!r},
    restrict_serverless_egress={restricted!r},
    egress_allowed_domains={domains!r},
    protect={protect!r},
    retain_on_delete={protect!r},
))
pulumi.export("catalog", platform.catalog_name)
pulumi.export("sandbox_catalogs", platform.sandbox_catalog_names)
pulumi.export("service_principal_application_id", platform.service_principal_application_id)
"""

WORKSPACE_IDS = {"dev": "1111111111111111", "staging": "2222222222222222", "prod": "3333333333333333"}


def platform_plan(environment: str = "dev", users: Sequence[str] = (), force_destroy: Sequence[str] = (),
                  restricted: bool = False, domains: Sequence[str] = (), protect: bool = False,
                  client: bool = False, node_types: Sequence[str] = ("m6i.large",), max_workers: int = 4,
                  tmp_path: Path | None = None, preview: bool = False) -> Plan:
    """The Databricks layer alone, for one environment, under the preflight mocks."""
    code = PROGRAM.format(environment=environment, workspace_id=WORKSPACE_IDS[environment], users=list(users),
                          force_destroy=list(force_destroy), restricted=restricted, domains=list(domains),
                          protect=protect, client=client, node_types=list(node_types), max_workers=max_workers)
    folder = tmp_path or Path(tempfile.mkdtemp(prefix="databricks-snippet-"))
    return run_snippet(folder, code, stack=environment, preview=preview)
