"""The environment's cluster policy: bounded node types and size, fixed auto-termination, Unity Catalog access mode.

Clusters made under it run in dedicated (`SINGLE_USER`) access mode as the environment's service principal,
the Unity Catalog mode that ML runtimes support; instance pools are forbidden so node types stay bounded.
Only that principal may use the policy (CAN_USE); it cannot create clusters any other way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_databricks as databricks

_NODE_TYPE_RE = re.compile(r"^[a-z][a-z0-9-]*\d[a-z0-9-]*\.[a-z0-9]+$")


@dataclass(frozen=True)
class EnvironmentClusterPolicyArgs:
    environment: str
    """Names the policy `ml-platform-<environment>` and tags clusters with it."""
    node_types: Sequence[str]
    """Node types a cluster (driver and workers) may use; the first is the default. At least one."""
    max_workers: int
    """Upper bound on workers, fixed or autoscaling. 1-500."""
    autotermination_minutes: int
    """Idle minutes before a cluster terminates; fixed, users cannot change it. 10-240."""
    user_application_id: pulumi.Input[str]
    """The service principal that clusters run as and that alone may use the policy."""


def validate_environment_cluster_policy_args(args: EnvironmentClusterPolicyArgs) -> None:
    problems: list[str] = []
    if not args.node_types:
        problems.append("node_types must name at least one node type, got none")
    problems += [f"node_types has {t!r}, not a node type like 'm6i.xlarge'" for t in args.node_types
                 if not _NODE_TYPE_RE.fullmatch(t)]
    if not 1 <= args.max_workers <= 500:
        problems.append(f"max_workers must be between 1 and 500, got {args.max_workers}")
    if not 10 <= args.autotermination_minutes <= 240:
        problems.append(f"autotermination_minutes must be between 10 and 240, got {args.autotermination_minutes}")
    if problems:
        raise ValueError("EnvironmentClusterPolicyArgs: " + "; ".join(problems))


def policy_definition(args: EnvironmentClusterPolicyArgs, application_id: str) -> dict[str, Any]:
    """The policy document (Databricks cluster-policy definition language), as plain data."""
    node_types = list(args.node_types)
    return {
        "node_type_id": {"type": "allowlist", "values": node_types, "defaultValue": node_types[0]},
        "driver_node_type_id": {"type": "allowlist", "values": node_types, "defaultValue": node_types[0]},
        "instance_pool_id": {"type": "forbidden", "hidden": True},
        "driver_instance_pool_id": {"type": "forbidden", "hidden": True},
        "num_workers": {"type": "range", "minValue": 0, "maxValue": args.max_workers},
        "autoscale.min_workers": {"type": "range", "minValue": 1, "maxValue": args.max_workers, "defaultValue": 1},
        "autoscale.max_workers": {"type": "range", "minValue": 1, "maxValue": args.max_workers},
        "autotermination_minutes": {"type": "fixed", "value": args.autotermination_minutes},
        "data_security_mode": {"type": "fixed", "value": "SINGLE_USER"},
        "single_user_name": {"type": "fixed", "value": application_id},
        "custom_tags.environment": {"type": "fixed", "value": args.environment},
    }


class EnvironmentClusterPolicy(pulumi.ComponentResource):
    """`ml-platform-<env>` cluster policy, usable (CAN_USE) by the environment's service principal only."""

    policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: EnvironmentClusterPolicyArgs,
                 opts: pulumi.ResourceOptions | None = None) -> None:
        validate_environment_cluster_policy_args(args)
        super().__init__("platform:databricks:EnvironmentClusterPolicy", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        policy = databricks.ClusterPolicy(
            f"{name}-policy",
            name=f"ml-platform-{args.environment}",
            description=f"Clusters of the {args.environment} pipelines: bounded size, auto-terminated, "
                        "Unity Catalog dedicated mode (managed by Pulumi)",
            definition=pulumi.Output.from_input(args.user_application_id).apply(
                lambda application_id: json.dumps(policy_definition(args, application_id), sort_keys=True)),
            opts=child)
        # Authoritative on the policy object: any CAN_USE given by hand is removed on the next `pulumi up`.
        databricks.Permissions(
            f"{name}-permissions",
            cluster_policy_id=policy.id,
            access_controls=[{"service_principal_name": args.user_application_id, "permission_level": "CAN_USE"}],
            opts=child)
        self.policy_id = policy.id
        self.register_outputs({"policyId": policy.id})
