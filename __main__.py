"""The platform, composed: read the stack's config, build each layer in dependency order, export.

No business logic here: what differs per environment is already in the typed config object.
Order matters where outputs flow: the account's provider carries every AWS resource; the cluster's OIDC
provider is what the pipeline roles trust; buckets and roles feed the namespaces, the Helm release and
Unity Catalog's storage.
"""

import pulumi

import stack_config
from components.account_baseline import AccountBaseline, AccountBaselineArgs
from components.ci_identities import CiIdentities, CiIdentitiesArgs
from components.member_account import MemberAccount, MemberAccountArgs

cfg = stack_config.load()

# --- AWS account: member account and the provider into it, baseline, CI identities (issue 3) ----------
account = MemberAccount(cfg.environment, MemberAccountArgs(
    account_name=cfg.account.name, email=cfg.account.email, parent_ou_id=cfg.account.parent_ou_id,
    access_role_name=cfg.account.access_role_name, region=cfg.region, tags=cfg.tags,
    existing_account_id=cfg.account.existing_account_id, close_on_deletion=cfg.account.close_on_deletion,
    management_role_arn=cfg.account.management_role_arn))
aws_provider = account.provider
AccountBaseline(cfg.environment, AccountBaselineArgs(account_id=account.account_id),
                opts=pulumi.ResourceOptions(provider=aws_provider))
ci = CiIdentities(cfg.environment, CiIdentitiesArgs(
    repository=cfg.github_repository, github_environment=cfg.environment,
    role_name_prefix=f"{cfg.project}-{cfg.environment}"), opts=pulumi.ResourceOptions(provider=aws_provider))


# --- EKS: cluster with its OIDC provider, the three node pools (issue 4) --------------------------------


# --- AWS data: KMS-encrypted buckets, pipeline roles (IRSA), Unity Catalog storage role (issue 3) -------


# --- Kubernetes: provider, namespaces, team roles, the Helm release (issue 4) ---------------------------


# --- Databricks: workspace provider, catalogs and schemas, service principal, grants, sandboxes (issue 5)


# --- Exports -------------------------------------------------------------------------------------------
pulumi.export("environment", cfg.environment)
pulumi.export("pipelines_paused", cfg.pipelines_paused)
