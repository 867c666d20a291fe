"""An EKS control plane as the platform wants it: secrets envelope-encrypted with its own KMS key, every
control-plane log type kept in a group encrypted with its own KMS key, the API private (public only to named
CIDRs), standard support only (auto-upgraded at its end, never billed extended support), optional deletion
protection, and an OIDC provider for IRSA.

Node capacity is not here: node pools are separate components (`NodePool`) that take this cluster's name.
"""

from __future__ import annotations

import ipaddress
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.patterns import LOG_RETENTION_DAYS

# Every control-plane log type EKS offers; the audit and authenticator logs are what an investigation needs.
CONTROL_PLANE_LOG_TYPES = ("api", "audit", "authenticator", "controllerManager", "scheduler")
_EKS_CLUSTER_POLICY = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"


@dataclass(frozen=True)
class EksClusterArgs:
    account_id: pulumi.Input[str]
    """The member account the cluster lives in (its root administers the secrets key)."""
    version: str
    """Kubernetes control-plane version, e.g. `1.35` (components/kubernetes/versions.py lists the supported)."""
    region: str
    """Region of the cluster: the log group's key lets `logs.<region>.amazonaws.com` use it."""
    subnet_ids: pulumi.Input[Sequence[pulumi.Input[str]]]
    """Private subnets (at least two AZs) for the control plane's network interfaces: the network's, planned in the
    same update (an Output), or an adopted network's ids."""
    public_access_cidrs: Sequence[str] = ()
    """CIDRs that may reach the public API endpoint. Default empty: public endpoint off."""
    log_retention_days: int = 30
    """Days the control-plane log group keeps events. Default 30; one of CloudWatch's allowed values."""
    kms_deletion_window_days: int = 30
    """Waiting period before the secrets key is deleted, 7..30. Default 30."""
    protect: bool = False
    """`protect` on the stateful children (cluster, secrets and log keys). Default off."""
    deletion_protection: bool = False
    """EKS deletion protection: the DeleteCluster API refuses until it is turned off. Default off."""
    support_type: str = "STANDARD"
    """Upgrade policy: STANDARD (auto-upgraded at the end of standard support) or EXTENDED (billed extra)."""
    retain_on_delete: bool = False
    """Keep the secrets key when the stack deletes it. Default off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every AWS child (the provider's default tags apply as well)."""


def validate_eks_cluster_args(args: EksClusterArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if isinstance(args.subnet_ids, Sequence) and len(args.subnet_ids) < 2:
        problems.append(f"subnet_ids must list at least 2 subnets, got {list(args.subnet_ids)}")
    for cidr in args.public_access_cidrs:
        try:
            network = ipaddress.ip_network(cidr, strict=True)
        except ValueError:
            problems.append(f"public_access_cidrs has an invalid CIDR {cidr!r}")
            continue
        if network.prefixlen == 0:
            problems.append(f"public_access_cidrs must not open the API to the internet, got {cidr!r}")
    if args.log_retention_days not in LOG_RETENTION_DAYS:
        problems.append(f"log_retention_days must be one of CloudWatch's values, got {args.log_retention_days}")
    if args.support_type not in ("STANDARD", "EXTENDED"):
        problems.append(f"support_type must be STANDARD or EXTENDED, got {args.support_type!r}")
    if not 7 <= args.kms_deletion_window_days <= 30:
        problems.append(f"kms_deletion_window_days must be between 7 and 30, got {args.kms_deletion_window_days}")
    if problems:
        raise ValueError("; ".join(problems))


SECRETS_KEY_USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant")


def secrets_key_policy(account_id: str, cluster_role_arn: str) -> str:
    """Root administers the key (the only `kms:*`); the cluster role may only wrap, unwrap and grant to EKS."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},  # in a key policy "*" means this key
        {"Sid": "ClusterRoleUsesTheKey", "Effect": "Allow", "Principal": {"AWS": cluster_role_arn},
         "Action": list(SECRETS_KEY_USE_ACTIONS), "Resource": "*"},
    ]})


LOG_KEY_USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
                       "kms:GenerateDataKeyWithoutPlaintext")


def log_key_policy(account_id: str, region: str, log_group_name: str) -> str:
    """Root administers the key; CloudWatch Logs of this region may use it for exactly this log group
    (CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS KMS")."""
    log_group_arn = f"arn:aws:logs:{region}:{account_id}:log-group:{log_group_name}"
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},
        {"Sid": "CloudWatchLogsUsesTheKey", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"},
         "Action": list(LOG_KEY_USE_ACTIONS),
         "Resource": "*",
         "Condition": {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": log_group_arn}}},
        # DescribeKey carries no encryption context: scoped to calls made for this account instead.
        {"Sid": "CloudWatchLogsDescribesTheKey", "Effect": "Allow",
         "Principal": {"Service": f"logs.{region}.amazonaws.com"}, "Action": "kms:DescribeKey", "Resource": "*",
         "Condition": {"StringEquals": {"aws:SourceAccount": account_id}}},
    ]})


class EksCluster(pulumi.ComponentResource):
    """The cluster, its secrets key, log group, service role and IRSA OIDC provider."""

    name: pulumi.Output[str]
    version: pulumi.Output[str]
    """The control plane's version: node groups and add-ons follow it, so they upgrade after it."""
    endpoint: pulumi.Output[str]
    certificate_authority_data: pulumi.Output[str]
    oidc_provider_arn: pulumi.Output[str]
    oidc_issuer: pulumi.Output[str]
    """The issuer without `https://`, as IAM trust conditions spell it (`<issuer>:sub`)."""
    security_group_id: pulumi.Output[str]

    def __init__(self, name: str, args: EksClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_eks_cluster_args(args)
        super().__init__("platform:kubernetes:EksCluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        tags = dict(args.tags)

        self.role = aws.iam.Role(
            f"{name}-cluster-role", name=f"{name}-cluster",
            assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                "Effect": "Allow", "Principal": {"Service": "eks.amazonaws.com"},
                "Action": ["sts:AssumeRole", "sts:TagSession"]}]}),
            tags=tags, opts=child)
        policy_attachment = aws.iam.RolePolicyAttachment(
            f"{name}-cluster-policy", role=self.role.name, policy_arn=_EKS_CLUSTER_POLICY, opts=child)

        # The control plane needs the key to wrap and unwrap data keys: granted in the key policy, nowhere else.
        self.secrets_key = aws.kms.Key(
            f"{name}-secrets-key",
            description=f"Envelope encryption of Kubernetes secrets in EKS cluster {name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.all(args.account_id, self.role.arn).apply(
                lambda v: secrets_key_policy(str(v[0]), str(v[1]))),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(
                retain_on_delete=args.retain_on_delete)))
        aws.kms.Alias(f"{name}-secrets-key-alias", name=f"alias/{name}-eks-secrets",
                      target_key_id=self.secrets_key.key_id, opts=child)

        # EKS writes control-plane logs to exactly this group; creating it first sets its retention and its key
        # (audit logs name users and resources: encrypted with a key of ours, not the service default).
        log_group_name = f"/aws/eks/{name}/cluster"
        self.log_key = aws.kms.Key(
            f"{name}-log-key",
            description=f"Encryption of the control-plane log group of EKS cluster {name}",
            enable_key_rotation=True,
            deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(
                lambda account: log_key_policy(str(account), args.region, log_group_name)),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(
                retain_on_delete=args.retain_on_delete)))
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-control-plane-logs", name=log_group_name, kms_key_id=self.log_key.arn,
            retention_in_days=args.log_retention_days, tags=tags, opts=child)

        public = bool(args.public_access_cidrs)
        self.cluster = aws.eks.Cluster(
            f"{name}-cluster",
            name=name,
            version=args.version,
            # STANDARD: at the end of standard support EKS upgrades the cluster instead of billing extended
            # support; the preflight warns 90 days before (components/kubernetes/versions.py).
            upgrade_policy=aws.eks.ClusterUpgradePolicyArgs(support_type=args.support_type),
            deletion_protection=args.deletion_protection,
            role_arn=self.role.arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=args.subnet_ids,
                endpoint_private_access=True,
                endpoint_public_access=public,
                public_access_cidrs=list(args.public_access_cidrs) if public else None,
            ),
            encryption_config=aws.eks.ClusterEncryptionConfigArgs(
                resources=["secrets"],
                provider=aws.eks.ClusterEncryptionConfigProviderArgs(key_arn=self.secrets_key.arn)),
            enabled_cluster_log_types=list(CONTROL_PLANE_LOG_TYPES),
            # Access entries (not the aws-auth ConfigMap); the identity that creates the cluster administers it,
            # which is how the stack's own Kubernetes provider gets in.
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="API", bootstrap_cluster_creator_admin_permissions=True),
            tags=tags,
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(
                depends_on=[log_group, policy_attachment])))

        issuer_url = self.cluster.identities.apply(lambda ids: ids[0].oidcs[0].issuer)  # type: ignore[index]
        self.oidc_provider = aws.iam.OpenIdConnectProvider(
            f"{name}-oidc", url=issuer_url, client_id_lists=["sts.amazonaws.com"], tags=tags, opts=child)

        self.name = self.cluster.name
        self.version = self.cluster.version
        self.endpoint = self.cluster.endpoint
        self.certificate_authority_data = self.cluster.certificate_authority.apply(lambda ca: ca.data or "")
        self.oidc_provider_arn = self.oidc_provider.arn
        self.oidc_issuer = issuer_url.apply(lambda url: str(url).removeprefix("https://"))
        self.security_group_id = self.cluster.vpc_config.apply(lambda vpc: vpc.cluster_security_group_id or "")
        self.register_outputs({
            "name": self.name, "endpoint": self.endpoint, "oidc_provider_arn": self.oidc_provider_arn,
            "oidc_issuer": self.oidc_issuer, "security_group_id": self.security_group_id,
        })
