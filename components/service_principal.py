"""The environment's pipeline identity in Databricks (ADR-001): service principal `ml-pipelines-<env>`.

It gets ALL_PRIVILEGES on its own catalog and nothing else (grants.py), may not create clusters except
through its environment's cluster policy (cluster_policy.py), and has no long-lived secret created here:
an OAuth secret in Pulumi state is a credential to rotate and guard, so none is minted by this program.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

from stack_config import ENVIRONMENTS


def service_principal_name(environment: str) -> str:
    """ADR-001: `ml-pipelines-dev`, `ml-pipelines-staging`, `ml-pipelines-prod`."""
    return f"ml-pipelines-{environment}"


@dataclass(frozen=True)
class PipelineServicePrincipalArgs:
    environment: str
    """`dev`, `staging` or `prod`; names the principal `ml-pipelines-<environment>`."""
    protect: bool = False
    """`protect` on the principal (its application id is in jobs and grants)."""


def validate_pipeline_service_principal_args(args: PipelineServicePrincipalArgs) -> None:
    if args.environment not in ENVIRONMENTS:
        raise ValueError(f"PipelineServicePrincipalArgs: environment must be one of {list(ENVIRONMENTS)}, "
                         f"got {args.environment!r}")


class PipelineServicePrincipal(pulumi.ComponentResource):
    """`ml-pipelines-<env>`: workspace access, no cluster or pool creation outside a policy."""

    display_name: str
    application_id: pulumi.Output[str]
    """The principal's name in grants and permissions."""

    def __init__(self, name: str, args: PipelineServicePrincipalArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        validate_pipeline_service_principal_args(args)
        super().__init__("platform:databricks:PipelineServicePrincipal", name, None, opts)
        self.display_name = service_principal_name(args.environment)
        principal = databricks.ServicePrincipal(
            f"{name}-principal",
            display_name=self.display_name,
            active=True,
            workspace_access=True,
            databricks_sql_access=True,
            # Least privilege: clusters only through a policy it may use (CAN_USE), never unrestricted.
            allow_cluster_create=False,
            allow_instance_pool_create=False,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect))
        self.application_id = principal.application_id
        self.register_outputs({"displayName": self.display_name, "applicationId": principal.application_id})
