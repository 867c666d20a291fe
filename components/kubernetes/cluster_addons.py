"""The cluster's EKS managed add-ons, pinned per Kubernetes version: the VPC CNI with NetworkPolicy enforcement
on (without it every NetworkPolicy of the namespaces is a no-op), CoreDNS, kube-proxy, the Pod Identity agent,
the EBS CSI driver with its own IRSA role and volume key, and metrics-server (the HPA reads CPU from it).

Versions come from ADDON_VERSIONS, a table in code, not from `aws.eks.get_addon_version`: the invoke answers
whatever EKS publishes as default (or latest) on the day of the run, so an unrelated `up` would upgrade an add-on
and previews would show a diff whenever AWS releases a build. Pinned, a second `up` shows no change and an
add-on moves only when this table does (refresh it as tests/components/kubernetes/test_cluster_addons.py says).

Order (EKS user guide, "Amazon EKS add-ons"; the Terraform provider's `aws_eks_addon` notes that add-ons which
run pods need nodes to become ACTIVE): vpc-cni, kube-proxy and the Pod Identity agent (DaemonSets) go before the
node groups, so nodes join with the configured CNI; CoreDNS, the EBS CSI controller and metrics-server
(Deployments) wait for the node groups (`add_pod_addons`), or their creation times out DEGRADED. An upgrade
therefore runs control plane, node-level add-ons, node groups, pod add-ons.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.aws.pipeline_role import irsa_trust_policy

# Add-on -> version per Kubernetes minor. Refresh with
#   aws eks describe-addon-versions --kubernetes-version <v> --addon-name <name> \
#     --query 'addons[0].addonVersions[?compatibilities[0].defaultVersion==`true`].addonVersion' --output text
ADDON_VERSIONS: dict[str, dict[str, str]] = {
    "1.35": {
        "vpc-cni": "v1.20.4-eksbuild.2",
        "kube-proxy": "v1.35.0-eksbuild.2",
        "eks-pod-identity-agent": "v1.3.9-eksbuild.3",
        "coredns": "v1.12.4-eksbuild.1",
        "aws-ebs-csi-driver": "v1.53.0-eksbuild.1",
        "metrics-server": "v0.8.0-eksbuild.3",
    },
}
BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
AFTER_NODES = ("coredns", "aws-ebs-csi-driver", "metrics-server")
ADDONS = BEFORE_NODES + AFTER_NODES

# The VPC CNI enforces NetworkPolicies only with this setting (EKS user guide, "Limit Pod traffic with
# Kubernetes network policies"). Serialised once, compactly and sorted: EKS echoes it, so no diff on a later `up`.
VPC_CNI_CONFIGURATION = json.dumps({"enableNetworkPolicy": "true"}, sort_keys=True, separators=(",", ":"))

EBS_CSI_NAMESPACE = "kube-system"
EBS_CSI_SERVICE_ACCOUNT = "ebs-csi-controller-sa"
EBS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
# What the driver needs on a customer managed key (EBS CSI driver docs, "KMS key policy"): grants for EBS to
# attach the volume, and the data-key calls.
VOLUME_KEY_GRANT_ACTIONS = ("kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant")
VOLUME_KEY_USE_ACTIONS = ("kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo",
                          "kms:GenerateDataKey", "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey")


@dataclass(frozen=True)
class ClusterAddonsArgs:
    cluster_name: pulumi.Input[str]
    """The cluster's name (its output, so add-ons are updated after the control plane)."""
    kubernetes_version: str
    """The cluster's Kubernetes minor: selects the row of ADDON_VERSIONS."""
    account_id: pulumi.Input[str]
    """The member account: its root administers the volume key."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IRSA OIDC provider (the EBS CSI role trusts it)."""
    oidc_issuer: pulumi.Input[str]
    """Its issuer without `https://`."""
    kms_deletion_window_days: int = 30
    """Waiting period before the volume key is deleted, 7..30. Default 30."""
    protect: bool = False
    """`protect` on the volume key. Default off."""
    retain_on_delete: bool = False
    """Keep the volume key when the stack deletes it. Default off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every AWS child."""


def validate_cluster_addons_args(args: ClusterAddonsArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if args.kubernetes_version not in ADDON_VERSIONS:
        problems.append(f"kubernetes_version must have a row in ADDON_VERSIONS (known: {sorted(ADDON_VERSIONS)}), "
                        f"got {args.kubernetes_version!r}")
    elif sorted(ADDON_VERSIONS[args.kubernetes_version]) != sorted(ADDONS):
        problems.append(f"ADDON_VERSIONS[{args.kubernetes_version!r}] must pin exactly {sorted(ADDONS)}")
    if not 7 <= args.kms_deletion_window_days <= 30:
        problems.append(f"kms_deletion_window_days must be between 7 and 30, got {args.kms_deletion_window_days}")
    if problems:
        raise ValueError("; ".join(problems))


def volume_key_policy(account_id: str) -> str:
    """Root administers the key; IAM policies of the account (the EBS CSI role's) grant its use."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
         "Action": "kms:*", "Resource": "*"},
    ]})


def volume_key_access_policy(key_arn: str) -> str:
    """The EBS CSI role on the volume key: data-key calls, and grants only for AWS resources (the volumes)."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "GrantsForVolumes", "Effect": "Allow", "Action": list(VOLUME_KEY_GRANT_ACTIONS), "Resource": key_arn,
         "Condition": {"Bool": {"kms:GrantIsForAWSResource": "true"}}},
        {"Sid": "UseTheVolumeKey", "Effect": "Allow", "Action": list(VOLUME_KEY_USE_ACTIONS), "Resource": key_arn},
    ]})


class ClusterAddons(pulumi.ComponentResource):
    """The six managed add-ons, the EBS CSI driver's role and the key its volumes are encrypted with."""

    volume_key_arn: pulumi.Output[str]
    ebs_csi_role_arn: pulumi.Output[str]

    def __init__(self, name: str, args: ClusterAddonsArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_cluster_addons_args(args)
        super().__init__("platform:kubernetes:ClusterAddons", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        tags = dict(args.tags)
        versions = ADDON_VERSIONS[args.kubernetes_version]

        self.volume_key = aws.kms.Key(
            f"{name}-volume-key", description=f"Encryption of the EBS volumes the CSI driver provisions in {name}",
            enable_key_rotation=True, deletion_window_in_days=args.kms_deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(lambda account: volume_key_policy(str(account))),
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect, retain_on_delete=args.retain_on_delete))
        aws.kms.Alias(f"{name}-volume-key-alias", name=f"alias/{name}-ebs-volumes",
                      target_key_id=self.volume_key.key_id, opts=child)

        self.ebs_csi_role = aws.iam.Role(
            f"{name}-ebs-csi-role", name=f"{name}-ebs-csi",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: irsa_trust_policy(str(v[0]), str(v[1]), EBS_CSI_NAMESPACE, EBS_CSI_SERVICE_ACCOUNT)),
            tags=tags, opts=child)
        managed = aws.iam.RolePolicyAttachment(
            f"{name}-ebs-csi-policy", role=self.ebs_csi_role.name, policy_arn=EBS_CSI_MANAGED_POLICY, opts=child)
        key_access = aws.iam.RolePolicy(
            f"{name}-ebs-csi-volume-key", role=self.ebs_csi_role.id,
            policy=self.volume_key.arn.apply(volume_key_access_policy), opts=child)

        self._name, self._args, self._tags, self._versions = name, args, tags, versions
        self._ebs_csi_ready: list[pulumi.Resource] = [managed, key_access]
        self.addons: dict[str, aws.eks.Addon] = {
            "vpc-cni": self._addon("vpc-cni", configuration_values=VPC_CNI_CONFIGURATION),
            "kube-proxy": self._addon("kube-proxy"),
            "eks-pod-identity-agent": self._addon("eks-pod-identity-agent"),
        }

        self.volume_key_arn = self.volume_key.arn
        self.ebs_csi_role_arn = self.ebs_csi_role.arn
        self.register_outputs({"volume_key_arn": self.volume_key_arn, "ebs_csi_role_arn": self.ebs_csi_role_arn})

    def _addon(self, addon_name: str, depends_on: Sequence[pulumi.Resource] = (), **extra: object) -> aws.eks.Addon:
        return aws.eks.Addon(
            f"{self._name}-{addon_name}", cluster_name=self._args.cluster_name, addon_name=addon_name,
            addon_version=self._versions[addon_name],
            # OVERWRITE: EKS pre-installs vpc-cni, kube-proxy and CoreDNS self-managed; the add-on takes them
            # over, and on update the code's configuration wins over edits made with kubectl.
            resolve_conflicts_on_create="OVERWRITE", resolve_conflicts_on_update="OVERWRITE",
            tags=self._tags, opts=pulumi.ResourceOptions(parent=self, depends_on=list(depends_on)),
            **extra)  # type: ignore[arg-type]

    @property
    def before_nodes(self) -> list[aws.eks.Addon]:
        """The add-ons node groups wait for: nodes join with the configured CNI, kube-proxy and identity agent,
        and on an upgrade these move to the new version before the nodes roll."""
        return [self.addons[a] for a in BEFORE_NODES]

    def add_pod_addons(self, node_groups: Sequence[pulumi.Resource]) -> list[aws.eks.Addon]:
        """CoreDNS, the EBS CSI driver and metrics-server, once `node_groups` exist (their pods need nodes)."""
        nodes = list(node_groups)
        self.addons["coredns"] = self._addon("coredns", depends_on=nodes)
        self.addons["aws-ebs-csi-driver"] = self._addon(
            "aws-ebs-csi-driver", depends_on=[*nodes, *self._ebs_csi_ready],
            service_account_role_arn=self.ebs_csi_role.arn)
        self.addons["metrics-server"] = self._addon("metrics-server", depends_on=nodes)
        return [self.addons[a] for a in AFTER_NODES]
