"""The cluster's managed add-ons in each stack's plan: all six, pinned for the cluster's version, the CNI
enforcing NetworkPolicies, the EBS CSI driver on its own IRSA role, pod add-ons after the node groups."""

from __future__ import annotations

import json
import re

import pytest

from components.kubernetes.cluster_addons import ADDON_VERSIONS, ClusterAddonsArgs, validate_cluster_addons_args
from components.kubernetes.versions import EKS_VERSIONS
from preflight.harness import reveal
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

ADDON = "aws:eks/addon:Addon"
# The README's EKS row: `vpc-cni`, `kube-proxy`, `eks-pod-identity-agent` before the nodes (DaemonSets the nodes
# join with), `coredns`, `aws-ebs-csi-driver` and `metrics-server` after them (Deployments that need nodes).
BEFORE_NODES = ("vpc-cni", "kube-proxy", "eks-pod-identity-agent")
AFTER_NODES = ("coredns", "aws-ebs-csi-driver", "metrics-server")
ADDONS = BEFORE_NODES + AFTER_NODES
# EKS User Guide, "Create an Amazon EBS CSI driver IAM role": the AWS managed policy the driver's role needs.
EBS_CSI_MANAGED_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
# What `aws eks describe-addon-versions` prints for an add-on build: v<semver>-eksbuild.<n>.
_EKS_BUILD = re.compile(r"^v\d+\.\d+\.\d+-eksbuild\.\d+$")


@pytest.mark.parametrize("stack", STACKS)
def test_every_addon_is_present_and_pinned_for_the_clusters_version(stack: str) -> None:
    """Managed add-ons (EKS user guide, "Amazon EKS add-ons"): the version is the table's, for the cluster's minor,
    never left to EKS's default; kube-proxy's minor is the cluster's (EKS: "kube-proxy ... same minor version")."""
    version = parse(stack, raw_config(stack)).cluster.version
    plan = preflight_plan(stack)
    cluster_name = plan.one("aws:eks/cluster:Cluster").inputs["name"]
    addons = {a.inputs["addonName"]: a.inputs for a in plan.of_type(ADDON)}
    assert sorted(addons) == sorted(ADDONS)
    for name, inputs in addons.items():
        assert inputs["addonVersion"] == ADDON_VERSIONS[version][name]
        assert _EKS_BUILD.fullmatch(inputs["addonVersion"]), name
        assert inputs["clusterName"] == cluster_name
        assert (inputs["resolveConflictsOnCreate"], inputs["resolveConflictsOnUpdate"]) == ("OVERWRITE", "OVERWRITE")
    assert addons["kube-proxy"]["addonVersion"].startswith(f"v{version}.")


def test_the_table_pins_every_addon_for_every_version_it_lists() -> None:
    """Refreshing the table (see cluster_addons.py) for a new version must give all six, as EKS names them."""
    for version, row in ADDON_VERSIONS.items():
        assert version in EKS_VERSIONS
        assert sorted(row) == sorted(ADDONS)
        assert all(_EKS_BUILD.fullmatch(v) for v in row.values()), row


@pytest.mark.parametrize("stack", STACKS)
def test_the_vpc_cni_enforces_network_policies(stack: str) -> None:
    """EKS user guide, "Limit Pod traffic with Kubernetes network policies": the VPC CNI add-on enforces
    NetworkPolicies only when configured with `enableNetworkPolicy: "true"`; without it every policy is a no-op."""
    cni = next(a for a in preflight_plan(stack).of_type(ADDON) if a.inputs["addonName"] == "vpc-cni")
    assert json.loads(cni.inputs["configurationValues"]) == {"enableNetworkPolicy": "true"}


@pytest.mark.parametrize("stack", STACKS)
def test_the_ebs_csi_driver_runs_on_a_role_that_trusts_only_its_service_account(stack: str) -> None:
    """EBS CSI driver IAM role (EKS user guide, "Create an Amazon EBS CSI driver IAM role"): web identity through the
    cluster's OIDC provider, `sub` pinned to kube-system:ebs-csi-controller-sa, `aud` sts.amazonaws.com."""
    plan = preflight_plan(stack)
    ebs = next(a for a in plan.of_type(ADDON) if a.inputs["addonName"] == "aws-ebs-csi-driver")
    role = plan.one("aws:iam/role:Role", name=f"{stack}-eks-addons-ebs-csi-role")
    assert ebs.inputs["serviceAccountRoleArn"] == role.outputs["arn"]
    (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", name=f"{stack}-eks-oidc")
    issuer = oidc.inputs["url"].removeprefix("https://")
    assert statement["Principal"] == {"Federated": oidc.outputs["arn"]}
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Condition"] == {"StringEquals": {
        f"{issuer}:sub": "system:serviceaccount:kube-system:ebs-csi-controller-sa",
        f"{issuer}:aud": "sts.amazonaws.com"}}
    children = plan.children(role.parent)
    assert [a.inputs["policyArn"] for a in children
            if a.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"] == [EBS_CSI_MANAGED_POLICY]
    key = plan.one("aws:kms/key:Key", name=f"{stack}-eks-addons-volume-key")
    (inline,) = [c for c in children if c.type == "aws:iam/rolePolicy:RolePolicy"]
    statements = json.loads(inline.inputs["policy"])["Statement"]
    assert {s["Resource"] for s in statements} == {key.outputs["arn"]}
    # EBS CSI driver docs ("KMS key policy" for encrypted volumes with a customer managed key): grants only for AWS
    # resources, and the data-key calls; nothing else (no kms:* and no key administration).
    assert [(s["Action"], s.get("Condition")) for s in statements] == [
        (["kms:CreateGrant", "kms:ListGrants", "kms:RevokeGrant"], {"Bool": {"kms:GrantIsForAWSResource": "true"}}),
        (["kms:Encrypt", "kms:Decrypt", "kms:ReEncryptFrom", "kms:ReEncryptTo", "kms:GenerateDataKey",
          "kms:GenerateDataKeyWithoutPlaintext", "kms:DescribeKey"], None)]
    assert {inline.urn, *[c.urn for c in children if c.type.endswith("RolePolicyAttachment")]} <= set(
        ebs.options["dependsOn"])


@pytest.mark.parametrize("stack", STACKS)
def test_pod_addons_wait_for_every_node_group_and_node_groups_for_the_node_addons(stack: str) -> None:
    """CoreDNS, the EBS CSI controller and metrics-server run pods: created before any node exists they end
    DEGRADED (Terraform `aws_eks_addon` docs: add-ons that need nodes must depend on the node group)."""
    plan = preflight_plan(stack)
    groups = {g.urn for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")}
    assert len(groups) == 3
    addons = {a.inputs["addonName"]: a for a in plan.of_type(ADDON)}
    for name in AFTER_NODES:
        assert groups <= set(addons[name].options["dependsOn"]), name
    for group in plan.of_type("aws:eks/nodeGroup:NodeGroup"):
        assert {addons[name].urn for name in BEFORE_NODES} <= set(group.options["dependsOn"])
    for name in BEFORE_NODES:
        assert not groups & set(addons[name].options["dependsOn"])


def test_a_version_without_a_row_is_refused() -> None:
    with pytest.raises(ValueError, match="kubernetes_version must have a row"):
        validate_cluster_addons_args(ClusterAddonsArgs(
            cluster_name="c", kubernetes_version="1.30", account_id="111111111111", oidc_provider_arn="arn",
            oidc_issuer="issuer"))
    validate_cluster_addons_args(ClusterAddonsArgs(
        cluster_name="c", kubernetes_version="1.35", account_id="111111111111", oidc_provider_arn="arn",
        oidc_issuer="issuer"))


def test_prod_keeps_the_volume_key() -> None:
    key = preflight_plan("prod").one("aws:kms/key:Key", name="prod-eks-addons-volume-key")
    assert key.options["protect"] and key.options["retainOnDelete"]
    assert reveal(key.inputs)["enableKeyRotation"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_the_component_registers_the_volume_keys_and_the_ebs_csi_roles_arns(stack: str) -> None:
    plan = preflight_plan(stack)
    key = plan.one("aws:kms/key:Key", name=f"{stack}-eks-addons-volume-key")
    role = plan.one("aws:iam/role:Role", name=f"{stack}-eks-addons-ebs-csi-role")
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    assert role.outputs["arn"] == f"arn:aws:iam::{account}:role/{stack}-eks-addons-ebs-csi"
    region = parse(stack, raw_config(stack)).region
    assert key.outputs["arn"].startswith(f"arn:aws:kms:{region}:{account}:key/")
    assert plan.one("platform:kubernetes:ClusterAddons").component_outputs == {
        "volume_key_arn": key.outputs["arn"], "ebs_csi_role_arn": role.outputs["arn"]}
