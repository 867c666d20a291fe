"""The EKS cluster in each stack's plan: encrypted secrets, all control-plane logs, private API, IRSA."""

from __future__ import annotations

import json

import pytest

from components.kubernetes.eks_cluster import EksClusterArgs, validate_eks_cluster_args
from preflight.harness import reveal
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

CLUSTER = "aws:eks/cluster:Cluster"
# EKS User Guide, "Send control plane logs to CloudWatch Logs": the five log types EKS offers, as its API spells them.
EKS_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"]


@pytest.mark.parametrize("stack", STACKS)
def test_secrets_are_envelope_encrypted_with_the_clusters_own_rotating_key(stack: str) -> None:
    plan = preflight_plan(stack)
    cluster = reveal(plan.one(CLUSTER).inputs)
    key = plan.one("aws:kms/key:Key", name=f"{stack}-eks-secrets-key")
    assert cluster["encryptionConfig"] == {"resources": ["secrets"], "provider": {"keyArn": key.outputs["arn"]}}
    assert key.inputs["enableKeyRotation"] is True
    role = plan.one("aws:iam/role:Role", name=f"{stack}-eks-cluster-role")
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    statements = json.loads(key.inputs["policy"])["Statement"]
    assert [(s["Principal"], s["Action"]) for s in statements] == [
        ({"AWS": f"arn:aws:iam::{account}:root"}, "kms:*"),
        ({"AWS": role.outputs["arn"]}, ["kms:Encrypt", "kms:Decrypt", "kms:DescribeKey", "kms:CreateGrant"])]


@pytest.mark.parametrize("stack", STACKS)
def test_every_control_plane_log_type_goes_to_a_group_with_retention(stack: str) -> None:
    """EKS User Guide, "Send control plane logs to CloudWatch Logs": api, audit, authenticator,
    controllerManager and scheduler are the log types EKS offers, each off unless enabled; the README promises
    all of them (audit and authenticator are what an investigation needs)."""
    plan = preflight_plan(stack)
    cluster = plan.one(CLUSTER)
    assert sorted(cluster.inputs["enabledClusterLogTypes"]) == EKS_LOG_TYPES
    group = plan.one("aws:cloudwatch/logGroup:LogGroup", name=f"{stack}-eks-control-plane-logs")
    assert group.inputs["name"] == f"/aws/eks/{cluster.inputs['name']}/cluster"
    assert group.inputs["retentionInDays"] == (365 if stack == "prod" else 30)
    assert group.urn in cluster.options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_the_cluster_is_created_after_its_role_holds_the_cluster_policy(stack: str) -> None:
    """EKS User Guide, "Amazon EKS cluster IAM role": CreateCluster needs a role with AmazonEKSClusterPolicy
    attached; without the edge the attachment races the cluster (and on delete is removed while EKS still uses it)."""
    plan = preflight_plan(stack)
    attachment = plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment", name=f"{stack}-eks-cluster-policy")
    assert attachment.inputs["policyArn"] == "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
    assert attachment.urn in plan.one(CLUSTER).options["dependsOn"]


@pytest.mark.parametrize("stack", STACKS)
def test_api_is_private_and_public_only_to_configured_cidrs(stack: str) -> None:
    vpc = preflight_plan(stack).one(CLUSTER).inputs["vpcConfig"]
    configured = raw_config(stack).get("cluster", {}).get("publicAccessCidrs", [])
    assert vpc["endpointPrivateAccess"] is True
    assert vpc["endpointPublicAccess"] is bool(configured)
    assert vpc.get("publicAccessCidrs", []) == configured
    if stack == "prod":
        assert vpc["endpointPublicAccess"] is False


@pytest.mark.parametrize("stack", STACKS)
def test_irsa_oidc_provider_trusts_the_clusters_issuer_for_sts(stack: str) -> None:
    plan = preflight_plan(stack)
    issuer = plan.one(CLUSTER).outputs["identities"][0]["oidcs"][0]["issuer"]
    oidc = plan.one("aws:iam/openIdConnectProvider:OpenIdConnectProvider", name=f"{stack}-eks-oidc")
    assert oidc.inputs["url"] == issuer
    assert oidc.inputs["clientIdLists"] == ["sts.amazonaws.com"]


def test_cluster_outputs_give_the_issuer_without_scheme() -> None:
    plan = preflight_plan("prod")
    component = plan.one("platform:kubernetes:EksCluster")
    outputs = component.component_outputs
    assert not outputs["oidc_issuer"].startswith("https://")
    assert outputs["oidc_provider_arn"].endswith(f":oidc-provider/{outputs['oidc_issuer']}")
    assert outputs["security_group_id"].startswith("sg-")


@pytest.mark.parametrize("stack", STACKS)
def test_cluster_role_trusts_only_eks_and_holds_only_the_cluster_policy(stack: str) -> None:
    plan = preflight_plan(stack)
    role = plan.one("aws:iam/role:Role", name=f"{stack}-eks-cluster-role")
    trust = json.loads(role.inputs["assumeRolePolicy"])
    assert [s["Principal"] for s in trust["Statement"]] == [{"Service": "eks.amazonaws.com"}]
    attached = [a.inputs["policyArn"] for a in plan.children(role.parent)
                if a.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
    assert attached == ["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]


@pytest.mark.parametrize("stack", STACKS)
def test_version_comes_from_config_and_subnets_from_the_network(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    plan = preflight_plan(stack)
    cluster = plan.one(CLUSTER).inputs
    assert cluster["version"] == cfg.cluster.version
    assert cluster["vpcConfig"]["subnetIds"] == plan.one("platform:network:Network").component_outputs[
        "private_subnet_ids"]


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_eks_cluster_args(EksClusterArgs(account_id="111111111111", version="1.35", region="eu-west-1",
                                                 subnet_ids=["subnet-1"],
                                                 public_access_cidrs=["0.0.0.0/0"], log_retention_days=42,
                                                 kms_deletion_window_days=3))
    for words in ("subnet_ids", "public_access_cidrs", "log_retention_days", "kms_deletion_window_days"):
        assert words in str(info.value)


@pytest.mark.parametrize("stack", STACKS)
def test_standard_support_only_and_deletion_protection_in_prod(stack: str) -> None:
    """pulumi-aws `eks.Cluster`: `upgrade_policy.support_type` STANDARD (auto-upgraded at the end of standard
    support, never billed extended support) and `deletion_protection` (DeleteCluster refused while on)."""
    cluster = preflight_plan(stack).one(CLUSTER)
    assert cluster.inputs["upgradePolicy"] == {"supportType": "STANDARD"}
    assert cluster.inputs["deletionProtection"] is (stack == "prod")
    if stack == "prod":
        assert cluster.options["protect"] is True


@pytest.mark.parametrize("stack", STACKS)
def test_control_plane_logs_are_encrypted_with_a_key_only_cloudwatch_logs_of_the_region_uses(stack: str) -> None:
    """CloudWatch Logs user guide, "Encrypt log data using AWS KMS": the key policy lets `logs.<region>.amazonaws.com`
    use the key, scoped by the `kms:EncryptionContext:aws:logs:arn` of the group; the key exists before the group
    and the group before the cluster (EKS would otherwise create it unencrypted, without retention)."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    group = plan.one("aws:cloudwatch/logGroup:LogGroup", name=f"{stack}-eks-control-plane-logs")
    key = plan.one("aws:kms/key:Key", name=f"{stack}-eks-log-key")
    assert group.inputs["kmsKeyId"] == key.outputs["arn"]
    assert key.inputs["enableKeyRotation"] is True
    statements = json.loads(key.inputs["policy"])["Statement"]
    logs, describe = [s for s in statements if "Service" in s["Principal"]]
    assert logs["Principal"] == describe["Principal"] == {"Service": f"logs.{cfg.region}.amazonaws.com"}
    assert logs["Condition"] == {"StringEquals": {"kms:EncryptionContext:aws:logs:arn": group.outputs["arn"]}}
    assert not any(a.endswith("*") for a in logs["Action"])
    account = plan.one("platform:aws:MemberAccount").component_outputs["account_id"]
    assert (describe["Action"], describe["Condition"]) == (
        "kms:DescribeKey", {"StringEquals": {"aws:SourceAccount": account}})
    assert group.urn in plan.one(CLUSTER).options["dependsOn"]
