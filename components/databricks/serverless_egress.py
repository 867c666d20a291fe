"""Serverless egress control: where the environment's serverless compute may connect to.

pulumi-databricks 1.118.0 offers this as two account-level resources (both "can only be used with an
account-level provider"): `AccountNetworkPolicy` (egress `network_access` with `restriction_mode`
RESTRICTED_ACCESS/FULL_ACCESS, allowed internet destinations of type DNS_NAME only, allowed storage
destinations of type AWS_S3 by bucket and region, `policy_enforcement` ENFORCED or DRY_RUN) and
`WorkspaceNetworkOption` (which policy a workspace uses; it cannot be created or deleted, only pointed at a
policy; a workspace without one uses the account's `default-policy`). Neither exists at workspace level, so
this component makes its own account-level provider (accounts.cloud.databricks.com + the account id), which
needs an account admin's credentials.

Restricted (prod): a policy `ml-platform-<env>` allowing only the environment's buckets and the configured
domains, enforced, and the workspace pointed at it. Unrestricted (dev, staging): nothing is created, the
workspace keeps the account's `default-policy`, and those stacks need no account-admin credentials.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_databricks as databricks

from components.patterns import AWS_REGION as _REGION_RE
from components.patterns import DNS_NAME as _DOMAIN_RE
from components.patterns import UUID as _UUID_RE

ACCOUNTS_HOST = "https://accounts.cloud.databricks.com"
DEFAULT_POLICY = "default-policy"


@dataclass(frozen=True)
class ServerlessEgressArgs:
    environment: str
    """Names the network policy `ml-platform-<environment>`."""
    restricted: bool
    """True: only `storage_buckets` and `allowed_domains` are reachable. False: the account default applies."""
    account_id: str
    """Databricks account id (UUID) the policy lives in."""
    workspace_id: str
    """The workspace whose serverless compute the policy governs."""
    region: str
    """AWS region of the buckets."""
    storage_buckets: Sequence[pulumi.Input[str]] = ()
    """The environment's own S3 buckets serverless compute may reach."""
    allowed_domains: Sequence[str] = ()
    """DNS names reachable beyond storage, e.g. the organisation's package mirror `pypi-mirror.example.com`.
    Default none."""
    client_id: str | None = None
    """OAuth M2M client id of an account admin. Default None: ambient auth."""
    client_secret: pulumi.Output[str] | None = field(default=None, repr=False)
    """OAuth M2M secret, a Pulumi secret; with `client_id`."""


def validate_serverless_egress_args(args: ServerlessEgressArgs) -> None:
    problems: list[str] = []
    if not _UUID_RE.fullmatch(args.account_id):
        problems.append(f"account_id must be a Databricks account id (UUID), got {args.account_id!r}")
    if not args.workspace_id.isdigit():
        problems.append(f"workspace_id must be numeric, got {args.workspace_id!r}")
    if not _REGION_RE.fullmatch(args.region):
        problems.append(f"region must be an AWS region, got {args.region!r}")
    problems += [f"allowed_domains has {d!r}, not a DNS name" for d in args.allowed_domains
                 if not _DOMAIN_RE.fullmatch(d)]
    if args.restricted and not args.storage_buckets:
        problems.append("storage_buckets must name the environment's buckets when restricted, got none")
    if (args.client_id is None) != (args.client_secret is None):
        problems.append("client_id and client_secret must be given together or both left out")
    if problems:
        raise ValueError("ServerlessEgressArgs: " + "; ".join(problems))


class ServerlessEgress(pulumi.ComponentResource):
    """The environment's serverless network policy (restricted) or the account default (unrestricted)."""

    network_policy_id: pulumi.Output[str]

    def __init__(self, name: str, args: ServerlessEgressArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_serverless_egress_args(args)
        super().__init__("platform:databricks:ServerlessEgress", name, None, opts)
        if not args.restricted:
            self.network_policy_id = pulumi.Output.from_input(DEFAULT_POLICY)
            self.register_outputs({"networkPolicyId": DEFAULT_POLICY, "restricted": False})
            return

        oauth = args.client_id is not None and args.client_secret is not None
        account = databricks.Provider(
            f"{name}-account", host=ACCOUNTS_HOST, account_id=args.account_id,
            auth_type="oauth-m2m" if oauth else None, client_id=args.client_id if oauth else None,
            client_secret=pulumi.Output.secret(args.client_secret) if oauth and args.client_secret else None,
            opts=pulumi.ResourceOptions(parent=self))
        at_account = pulumi.ResourceOptions(parent=self, provider=account)
        policy_name = f"ml-platform-{args.environment}"
        policy = databricks.AccountNetworkPolicy(
            f"{name}-policy",
            account_id=args.account_id,
            network_policy_id=policy_name,
            egress={"network_access": {
                "restriction_mode": "RESTRICTED_ACCESS",
                "allowed_storage_destinations": [
                    {"bucket_name": bucket, "region": args.region, "storage_destination_type": "AWS_S3"}
                    for bucket in args.storage_buckets],
                "allowed_internet_destinations": [
                    {"destination": domain, "internet_destination_type": "DNS_NAME"}
                    for domain in args.allowed_domains],
                "policy_enforcement": {"enforcement_mode": "ENFORCED"},
            }},
            opts=at_account)
        databricks.WorkspaceNetworkOption(
            f"{name}-workspace", workspace_id=args.workspace_id, network_policy_id=policy.network_policy_id,
            opts=at_account)
        self.network_policy_id = policy.network_policy_id.apply(lambda value: value or policy_name)
        self.register_outputs({"networkPolicyId": policy.network_policy_id, "restricted": True})
