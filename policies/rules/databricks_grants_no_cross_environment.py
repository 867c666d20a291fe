"""`databricks-grants-no-cross-environment`: a service principal of one environment gets nothing on another's
catalogs (ADR-001: `ml-pipelines-<env>` has access to its own catalog only).

A stack policy: grants name a service principal by its application id, so the service principals of the
stack are indexed once (application id -> environment from the display name `ml-pipelines-<env>`); a grant
principal that is itself such a name counts too. Sandbox catalogs (`<user>_sandbox`) belong to no service
principal's environment.

Application ids (UUIDs, compared case-insensitively) resolve to an environment from what is knowable offline:
the service principals this plan creates or adopts (`databricks.ServicePrincipal` with its `displayName`), and
the pack config's `principalEnvironments` (application id -> environment), which holds every environment's CI
deployer and previewer principals (`ci.databricksDeployerClientId`/`databricksPreviewerClientId` of each
`Pulumi.<env>.yaml`; a test keeps them equal). What cannot be resolved: another stack's `ml-pipelines-<env>`
principal, whose application id Databricks assigns when that stack creates it, and an id read through
`databricks.get_service_principal` (policies see resources, not invokes): add such an id to
`principalEnvironments` once it exists. A grant to an unresolved application id is not judged by this rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._databricks import (
    ENVIRONMENTS,
    GRANT,
    GRANTS,
    SERVICE_PRINCIPAL,
    SERVICE_PRINCIPAL_NAME,
    catalog_of,
    environment_of_catalog,
    grant_entries,
)
from ._support import StackView, Verdict, is_unknown, stack_policy

NAME = "databricks-grants-no-cross-environment"


PRINCIPAL_ENVIRONMENTS_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {"enum": list(ENVIRONMENTS)},
    "default": {},
    "description": "Application id -> environment of service principals the plan does not create (each "
                   "environment's CI deployer and previewer).",
}


def check(stack: StackView, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    environment_of_principal = {str(app_id).lower(): env
                                for app_id, env in (config.get("principalEnvironments") or {}).items()}
    for sp in stack.of(SERVICE_PRINCIPAL):
        match = SERVICE_PRINCIPAL_NAME.match(str(sp.props.get("displayName")))  # None, "None": no match
        app_id = sp.props.get("applicationId")
        if match and isinstance(app_id, str):
            environment_of_principal[app_id.lower()] = match.group(1)
    for grants in stack.of(GRANTS, GRANT):
        catalog = catalog_of(grants)
        if is_unknown(catalog):
            verdict.cannot_judge(f"{grants.name}.securable")
            continue
        securable_env = environment_of_catalog(catalog) if isinstance(catalog, str) else None
        if securable_env is None:
            continue
        for principal, _privileges in grant_entries(grants):
            if is_unknown(principal):
                verdict.cannot_judge(f"{grants.name}.grants.principal")
                continue
            match = SERVICE_PRINCIPAL_NAME.match(str(principal))
            principal_env = environment_of_principal.get(str(principal).lower()) or (match.group(1) if match else None)
            if principal_env is not None and principal_env != securable_env:
                verdict.violation(f"{grants.name} grants the {principal_env} service principal {principal} access to "
                                  f"catalog {catalog} ({securable_env}); each environment's principal gets only its "
                                  "own catalog.", grants.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="A service principal of one environment must get no grant on another environment's catalog.",
    resource_types=[SERVICE_PRINCIPAL, GRANTS, GRANT],
    check=check,
    config_properties={"principalEnvironments": PRINCIPAL_ENVIRONMENTS_SCHEMA},
)
