"""Plans of the Databricks layer: the shipped stacks' (the whole program) and variants of the layer alone, built
from stand-in AWS values (bucket names, key and role ARNs) under the preflight mocks. A variant takes 0.1-0.3 s
once pulumi_databricks is imported (once per process); all plans are cached per process, so read them, never
change them.
"""

from __future__ import annotations

import functools
import tempfile
from collections.abc import Sequence
from pathlib import Path

import stack_config
from preflight.harness import Plan
from tests.support import preflight_plan, run_snippet
from tests.test_stack_config import raw_config

PROGRAM = """
import pulumi
import pulumi_aws as aws
from components.databricks.platform import DatabricksPlatform, DatabricksPlatformArgs
from components.databricks.workspace import DatabricksWorkspaceArgs

secret = pulumi.Output.secret("stand-in-oauth-secret") if {client!r} else None
# Stand-ins for the AWS layer's Unity Catalog role and its policy, which the external location waits for.
role = aws.iam.Role("stand-in-unity-catalog-role", name="ml-platform-{environment}-unity-catalog",
                    assume_role_policy="{{}}")
role_policy = aws.iam.RolePolicy("stand-in-unity-catalog-access", role=role.id, policy="{{}}")
member = aws.Provider("stand-in-member-account", region="eu-west-1",
                      assume_roles=[{{"role_arn": "arn:aws:iam::111111111111:role/OrganizationAccountAccessRole"}}])
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
    storage_role_ready=[role, role_policy],
    storage_buckets=[f"ml-platform-{environment}-{{kind}}"
                     for kind in ("raw", "processed", "artifacts", "enriched", "logs")],
    node_types={node_types!r},
    max_workers={max_workers!r},
    autotermination_minutes={autotermination!r},
    metastore_id="5e1f7a2b-0000-4000-8000-00000000e0a1",
    metastore_pre_assigned={pre_assigned!r},
    aws_provider=member,
    aws_account_id="111111111111",
    aws_administrator_role_arn="arn:aws:iam::111111111111:role/OrganizationAccountAccessRole",
    secret_reader_role_arns={readers!r},
    pipeline_secret_rotation="2026-11-20",
    sandbox_users={users!r},
    user_email_domain="example.com",
    sandbox_force_destroy={force_destroy!r},
    restrict_serverless_egress={restricted!r},
    egress_allowed_domains={domains!r},
    protect={protect!r},
    retain_on_delete={retain!r},
))
pulumi.export("catalog", platform.catalog_name)
pulumi.export("sandbox_catalogs", platform.sandbox_catalog_names)
pulumi.export("service_principal_application_id", platform.service_principal_application_id)
pulumi.export("service_principal_secret_arn", platform.service_principal_secret_arn)
"""

WORKSPACE_IDS = {"dev": "1111111111111111", "staging": "2222222222222222", "prod": "3333333333333333"}
EMAIL_DOMAIN = "example.com"


@functools.cache
def platform_plan(environment: str = "dev", users: Sequence[str] = (), force_destroy: Sequence[str] = (),
                  restricted: bool = False, domains: Sequence[str] = (), protect: bool = False,
                  retain: bool = False, client: bool = False, node_types: Sequence[str] = ("m6i.large",),
                  max_workers: int = 4, autotermination: int = 30, preview: bool = False,
                  pre_assigned: bool = True,
                  readers: Sequence[str] = ("arn:aws:iam::111111111111:role/ml-platform-dbt",)) -> Plan:
    """The Databricks layer alone, for one environment (sequences must be tuples: the plan is cached)."""
    code = PROGRAM.format(environment=environment, workspace_id=WORKSPACE_IDS[environment], users=list(users),
                          force_destroy=list(force_destroy), restricted=restricted, domains=list(domains),
                          protect=protect, retain=retain, client=client, node_types=list(node_types),
                          max_workers=max_workers, autotermination=autotermination, pre_assigned=pre_assigned,
                          readers=list(readers))
    with tempfile.TemporaryDirectory(prefix="databricks-snippet-") as folder:
        return run_snippet(Path(folder), code, stack=environment, preview=preview)


def stack_cfg(stack: str) -> stack_config.StackConfig:
    """The shipped stack's parsed configuration."""
    return stack_config.parse(stack, raw_config(stack))


def stack_plan(stack: str) -> Plan:
    """The whole program's plan of a shipped stack (the cached `preflight_plan`): the layer as wired."""
    return preflight_plan(stack)


def principal(user: str) -> str:
    """A sandbox user's Databricks user name, as the snippet and the shipped dev stack configure it."""
    return f"{user}@{EMAIL_DOMAIN}"
