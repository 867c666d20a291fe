"""The environment's pipeline identity in Databricks (ADR-001): service principal `ml-pipelines-<env>`.

It gets ALL_PRIVILEGES on its own catalog and nothing else (grants.py), may not create clusters except
through its environment's cluster policy (cluster_policy.py), and authenticates with an OAuth M2M secret
made here: a Pulumi secret (the provider marks it secret in state, it is no output of any component), stored
by the Databricks layer in AWS Secrets Manager for the environment's pipelines and dbt.

Rotation: the secret lives 90 days (`lifetime`; the provider replaces an expired one on the next `pulumi up`,
but jobs would fail in between). pulumi-databricks 1.118.0 offers `time_rotating` ("Changing this argument
forces recreation of the secret"); its documented partner, the `time` provider's `Rotating`, is not a
dependency of this project, so the rotation key is config (`databricks.pipelineSecretRotation`, a date):
changing it makes `pulumi up` create a new secret, store it, then delete the old one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pulumi
import pulumi_databricks as databricks

from components.databricks.rotation import SECRET_LIFETIME_DAYS
from stack_config import ENVIRONMENTS

_LIFETIME_RE = re.compile(r"^[1-9]\d*s$")


def service_principal_name(environment: str) -> str:
    """ADR-001: `ml-pipelines-dev`, `ml-pipelines-staging`, `ml-pipelines-prod`."""
    return f"ml-pipelines-{environment}"


@dataclass(frozen=True)
class PipelineServicePrincipalArgs:
    environment: str
    """`dev`, `staging` or `prod`; names the principal `ml-pipelines-<environment>`."""
    oauth_secret_lifetime: str | None = f"{SECRET_LIFETIME_DAYS * 86400}s"
    """Lifetime of the OAuth M2M secret, `<seconds>s`. Default 90 days. None: no secret is created."""
    protect: bool = False
    """`protect` on the principal (its application id is in jobs and grants)."""
    rotation: str | None = None
    """Rotation key (the date of the last rotation): a new value replaces the secret. Default none."""


def validate_pipeline_service_principal_args(args: PipelineServicePrincipalArgs) -> None:
    problems: list[str] = []
    if args.environment not in ENVIRONMENTS:
        problems.append(f"environment must be one of {list(ENVIRONMENTS)}, got {args.environment!r}")
    if args.oauth_secret_lifetime is not None and not _LIFETIME_RE.fullmatch(args.oauth_secret_lifetime):
        problems.append(f"oauth_secret_lifetime must be seconds like '7776000s', got {args.oauth_secret_lifetime!r}")
    if problems:
        raise ValueError("PipelineServicePrincipalArgs: " + "; ".join(problems))


class PipelineServicePrincipal(pulumi.ComponentResource):
    """`ml-pipelines-<env>`: workspace access, no cluster or pool creation outside a policy, an OAuth secret."""

    display_name: str
    application_id: pulumi.Output[str]
    """The principal's name in grants and permissions, and its OAuth client id."""
    oauth_secret: pulumi.Output[str] | None
    """The OAuth M2M client secret, always a Pulumi secret; None when no secret is created."""

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
        self.oauth_secret = None
        if args.oauth_secret_lifetime is not None:
            secret = databricks.ServicePrincipalSecret(
                f"{name}-oauth-secret",
                service_principal_id=principal.id,  # the SCIM id, not the application id
                lifetime=args.oauth_secret_lifetime,
                time_rotating=None if args.rotation is None else f"rotated {args.rotation}",
                opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["secret"]))
            # Secret whatever the provider schema says: a credential never leaves as plaintext.
            self.oauth_secret = pulumi.Output.secret(secret.secret.apply(lambda value: value or ""))
        # Nothing secret among the outputs: the secret reaches Secrets Manager through `oauth_secret` only.
        self.register_outputs({"displayName": self.display_name, "applicationId": principal.application_id})
