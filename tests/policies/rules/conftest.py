"""Snippet programs shared by the rule tests: each holds compliant and noncompliant resources side by side
(named `<case>-good` / `<case>-bad`), written as ordinary Pulumi resources so that the props reach the
policies under the engine's (camelCase) wire names. Each plan is built once per test session."""

from __future__ import annotations

import pytest

from preflight.harness import Plan
from tests.policies.helpers import snippet_plan

IAM_SNIPPET = """
import json
import pulumi_aws as aws

ACCOUNT = "111122223333"
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def allow(action, resource, **extra):
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


EC2_TRUST = doc({"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"})
bucket = aws.s3.Bucket("data")

# aws-iam-no-wildcard-actions
aws.iam.Policy("wildcard-actions-good", policy=doc(allow(["s3:GetObject"], "arn:aws:s3:::data/*")))
aws.iam.Policy("wildcard-actions-bad", policy=doc(allow(["s3:GetObject", "s3:*"], "arn:aws:s3:::data/*")))
aws.iam.Policy("wildcard-actions-deny-good", policy=doc({"Effect": "Deny", "Action": "*", "Resource": "*"}))
aws.iam.Role("wildcard-actions-inline-bad", assume_role_policy=EC2_TRUST,
             inline_policies=[{"name": "all", "policy": doc(allow("*", "arn:aws:s3:::data"))}])

# aws-iam-no-wildcard-resource
aws.iam.RolePolicy("wildcard-resource-good", role="r",
                   policy=doc(allow(["sts:GetCallerIdentity", "ecr:GetAuthorizationToken"], "*")))
aws.iam.RolePolicy("wildcard-resource-bad", role="r", policy=doc(allow("s3:GetObject", "*")))
aws.iam.RolePolicy("wildcard-resource-pattern-bad", role="r", policy=doc(allow("logs:Create*", "*")))
aws.iam.UserPolicy("wildcard-resource-typo-bad", user="u", policy=doc(allow("s3:GetObjekt", "*")))

# aws-iam-no-not-action-with-allow
aws.iam.GroupPolicy("not-action-bad", group="g", policy=doc({"Effect": "Allow", "NotAction": "iam:CreateUser",
                                                             "Resource": "arn:aws:s3:::data"}))
aws.iam.GroupPolicy("not-action-deny-good", group="g", policy=doc({"Effect": "Deny", "NotAction": "s3:GetObject",
                                                                   "Resource": "arn:aws:s3:::data/*"}))

# aws-iam-no-passrole-wildcard
aws.iam.Policy("passrole-good", policy=doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/eks-node")))
aws.iam.Policy("passrole-bad", policy=doc(allow("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/*")))

# aws-iam-no-admin-policy-attachment
aws.iam.RolePolicyAttachment("attach-good", role="r", policy_arn="arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy")
aws.iam.RolePolicyAttachment("attach-bad", role="r", policy_arn="arn:aws:iam::aws:policy/AdministratorAccess")
aws.iam.UserPolicyAttachment("attach-user-bad", user="u", policy_arn="arn:aws:iam::aws:policy/IAMFullAccess")

# aws-iam-no-public-principal
aws.iam.Role("trust-public-bad", assume_role_policy=doc({"Effect": "Allow", "Principal": {"AWS": "*"},
                                                         "Action": "sts:AssumeRole"}))
TLS_ONLY = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "arn:aws:s3:::data/*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}}}
aws.s3.BucketPolicy("bucket-policy-good", bucket=bucket.id, policy=doc(TLS_ONLY))
aws.s3.BucketPolicy("bucket-policy-public-bad", bucket=bucket.id,
                    policy=doc({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                                "Resource": "arn:aws:s3:::data/*"}))


# aws-iam-trust-web-identity-pinned
def irsa(condition):
    return doc({"Effect": "Allow", "Principal": {"Federated": f"arn:aws:iam::{ACCOUNT}:oidc-provider/{ISSUER}"},
                "Action": "sts:AssumeRoleWithWebIdentity", "Condition": condition})


aws.iam.Role("irsa-good", assume_role_policy=irsa({"StringEquals": {
    f"{ISSUER}:sub": "system:serviceaccount:platform-prod:training", f"{ISSUER}:aud": "sts.amazonaws.com"}}))
aws.iam.Role("irsa-no-sub-bad", assume_role_policy=irsa({"StringEquals": {f"{ISSUER}:aud": "sts.amazonaws.com"}}))
aws.iam.Role("irsa-wildcard-sub-bad", assume_role_policy=irsa({"StringLike": {
    f"{ISSUER}:sub": "*", f"{ISSUER}:aud": "sts.amazonaws.com"}}))

# aws-kms-key-policy-wildcard-root-only
ROOT = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:root"}, "Action": "kms:*", "Resource": "*"}
USE = {"Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:role/training"},
       "Action": ["kms:Decrypt", "kms:GenerateDataKey"], "Resource": "*"}
aws.kms.Key("key-good", enable_key_rotation=True, policy=doc(ROOT, USE))
aws.kms.Key("key-bad", enable_key_rotation=True, policy=doc(ROOT, {**USE, "Action": "kms:*"}))

# A document computed from another resource's output: unknown during a preview, judged during an update.
aws.iam.RolePolicy("computed-bad", role="r", policy=bucket.arn.apply(lambda arn: doc(allow("s3:*", arn))))
"""


@pytest.fixture(scope="session")
def iam_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, IAM_SNIPPET)


@pytest.fixture(scope="session")
def iam_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, IAM_SNIPPET, preview=True)


GUARDRAILS_SNIPPET = """
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

PROTECT = pulumi.ResourceOptions(protect=True)

key = aws.kms.Key("key-good", enable_key_rotation=True, opts=PROTECT)
aws.kms.Key("key-rotation-bad", opts=PROTECT)
aws.kms.Key("key-unprotected-bad", enable_key_rotation=True)
aws.kms.Key("key-asymmetric-good", customer_master_key_spec="RSA_2048", key_usage="SIGN_VERIFY", opts=PROTECT)


def bucket(name, sse="aws:kms", block=True, restrict=True, protect=True):
    b = aws.s3.Bucket(name, opts=PROTECT if protect else None)
    if sse:
        aws.s3.BucketServerSideEncryptionConfiguration(f"{name}-sse", bucket=b.id, rules=[{
            "apply_server_side_encryption_by_default": {"sse_algorithm": sse, "kms_master_key_id": key.arn}}])
    if block:
        aws.s3.BucketPublicAccessBlock(f"{name}-pab", bucket=b.id, block_public_acls=True, block_public_policy=True,
                                       ignore_public_acls=True, restrict_public_buckets=restrict)


bucket("bucket-good")
bucket("bucket-no-sse-bad", sse=None)
bucket("bucket-aes-bad", sse="AES256")
bucket("bucket-no-pab-bad", block=False)
bucket("bucket-three-of-four-bad", restrict=False)
bucket("bucket-unprotected-bad", protect=False)
aws.s3.BucketAcl("acl-good", bucket="x", acl="private")
aws.s3.BucketAcl("acl-bad", bucket="x", acl="public-read")
aws.s3.BucketAcl("acl-grant-bad", bucket="x", access_control_policy={
    "owner": {"id": "o"}, "grants": [{"permission": "READ", "grantee": {
        "type": "Group", "uri": "http://acs.amazonaws.com/groups/global/AllUsers"}}]})

aws.ec2.LaunchTemplate("lt-good", metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 1})
aws.ec2.LaunchTemplate("lt-optional-bad", metadata_options={"http_tokens": "optional",
                                                           "http_put_response_hop_limit": 1})
aws.ec2.LaunchTemplate("lt-hops-bad", metadata_options={"http_tokens": "required", "http_put_response_hop_limit": 2})
aws.ec2.LaunchTemplate("lt-unset-bad")

aws.eks.Cluster("eks-good", role_arn="arn:aws:iam::111122223333:role/eks", vpc_config={"subnet_ids": ["s-1"]},
                encryption_config={"provider": {"key_arn": key.arn}, "resources": ["secrets"]}, opts=PROTECT)
aws.eks.Cluster("eks-bad", role_arn="arn:aws:iam::111122223333:role/eks", vpc_config={"subnet_ids": ["s-1"]},
                opts=PROTECT)

aws.ec2.SecurityGroup("sg-good", vpc_id="vpc-1", egress=[
    {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_blocks": ["10.30.0.0/16", "198.51.100.0/24"]}])
aws.ec2.SecurityGroup("sg-bad", vpc_id="vpc-1", egress=[
    {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])
aws.ec2.SecurityGroupRule("sg-rule-bad", type="egress", security_group_id="sg-1", protocol="-1", from_port=0,
                          to_port=0, ipv6_cidr_blocks=["::/0"])
aws.ec2.SecurityGroupRule("sg-rule-ingress-good", type="ingress", security_group_id="sg-1", protocol="tcp",
                          from_port=443, to_port=443, cidr_blocks=["0.0.0.0/0"])
aws.vpc.SecurityGroupEgressRule("sg-egress-rule-bad", security_group_id="sg-1", ip_protocol="-1",
                                cidr_ipv4="0.0.0.0/0")

k8s.helm.v3.Release("release-good", chart="./charts/ml-platform", version="1.4.2")
k8s.helm.v3.Release("release-unpinned-bad", chart="./charts/ml-platform")
k8s.helm.v3.Release("release-range-bad", chart="./charts/ml-platform", version="^1.4.0")


def namespace(name, quota=True, limits=True, deny=True, allow_to=None):
    ns = k8s.core.v1.Namespace(name, metadata={"name": name})
    meta = {"namespace": ns.metadata.name}
    if quota:
        k8s.core.v1.ResourceQuota(f"{name}-quota", metadata=meta, spec={"hard": {"requests.cpu": "8"}})
    if limits:
        k8s.core.v1.LimitRange(f"{name}-limits", metadata=meta, spec={"limits": [
            {"type": "Container", "default": {"cpu": "500m"}}]})
    if deny:
        k8s.networking.v1.NetworkPolicy(f"{name}-deny", metadata=meta, spec={
            "pod_selector": {}, "policy_types": ["Ingress", "Egress"]})
    if allow_to is not None:
        k8s.networking.v1.NetworkPolicy(f"{name}-egress", metadata=meta, spec={
            "pod_selector": {}, "policy_types": ["Egress"], "egress": allow_to})


namespace("ns-good", allow_to=[
    {"to": [{"namespace_selector": {"match_labels": {"kubernetes.io/metadata.name": "kube-system"}}}],
     "ports": [{"protocol": "UDP", "port": 53}]},
    {"to": [{"ip_block": {"cidr": "198.51.100.0/24"}}, {"ip_block": {"cidr": "10.30.0.0/16"}}]}])
namespace("ns-no-deny-bad", deny=False)
namespace("ns-allow-only-bad", deny=False, allow_to=[{"to": [{"ip_block": {"cidr": "10.30.0.0/16"}}]}])
namespace("ns-no-quota-bad", quota=False, limits=False)
namespace("ns-open-egress", allow_to=[{"to": [{"ip_block": {"cidr": "0.0.0.0/0"}}]}, {"ports": [{"port": 443}]}])
"""


@pytest.fixture(scope="session")
def guardrails_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, GUARDRAILS_SNIPPET)


@pytest.fixture(scope="session")
def guardrails_dev_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, GUARDRAILS_SNIPPET, stack="dev")


@pytest.fixture(scope="session")
def guardrails_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, GUARDRAILS_SNIPPET, preview=True)


ACCESS_SNIPPET = """
import pulumi
import pulumi_databricks as databricks
import pulumi_kubernetes as k8s

RBAC = "rbac.authorization.k8s.io"


def role(name, rules, cluster=False):
    kind = k8s.rbac.v1.ClusterRole if cluster else k8s.rbac.v1.Role
    kind(f"role-{name}", metadata={"name": name, "namespace": None if cluster else "platform-prod"}, rules=rules)


READ_PODS = {"api_groups": [""], "resources": ["pods", "pods/log"], "verbs": ["get", "list", "watch"]}
role("platform-admin", [{"api_groups": ["*"], "resources": ["*"], "verbs": ["*"]}])
role("data-analyst", [READ_PODS])
role("wildcard-verbs-bad", [{"api_groups": ["apps"], "resources": ["deployments"], "verbs": ["*"]}])
role("wildcard-cluster-bad", [{"api_groups": ["*"], "resources": ["nodes"], "verbs": ["get"]}], cluster=True)
role("deployer", [{"api_groups": ["apps"], "resources": ["deployments"], "verbs": ["get", "list", "update", "patch"]},
                  {"api_groups": [""], "resources": ["configmaps", "secrets"], "verbs": ["get", "list"]}])
k8s.rbac.v1.Role("role-deployer-exec-bad", metadata={"name": "deployer", "namespace": "team-x"},
                 rules=[{"api_groups": [""], "resources": ["pods/exec"], "verbs": ["create"]}])

SUBJECTS = [{"kind": "Group", "name": "data-analysts", "api_group": RBAC}]
k8s.rbac.v1.RoleBinding("binding-good", metadata={"namespace": "platform-prod"}, subjects=SUBJECTS,
                        role_ref={"api_group": RBAC, "kind": "Role", "name": "data-analyst"})
k8s.rbac.v1.ClusterRoleBinding("binding-cluster-admin-bad", subjects=SUBJECTS,
                               role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "cluster-admin"})

PROTECT = pulumi.ResourceOptions(protect=True)
prod_sp = databricks.ServicePrincipal("sp-prod", display_name="ml-pipelines-prod")
dev_sp = databricks.ServicePrincipal("sp-dev", display_name="ml-pipelines-dev")
prod = databricks.Catalog("catalog-prod", name="prod", isolation_mode="ISOLATED", opts=PROTECT)
databricks.Catalog("catalog-open-bad", name="prod_scratch", opts=PROTECT)
dev = databricks.Catalog("catalog-dev", name="dev", isolation_mode="ISOLATED", opts=PROTECT)
alice = databricks.Catalog("catalog-alice", name="alice_sandbox", isolation_mode="ISOLATED", opts=PROTECT)

databricks.Grants("grants-prod-good", catalog=prod.name, grants=[
    {"principal": prod_sp.application_id, "privileges": ["ALL_PRIVILEGES"]},
    {"principal": "data-analysts", "privileges": ["USE_CATALOG", "SELECT"]}])
databricks.Grants("grants-prod-cross-env-bad", schema="prod.gold", grants=[
    {"principal": dev_sp.application_id, "privileges": ["USE_SCHEMA", "SELECT"]}])
databricks.Grants("grants-prod-group-all-bad", schema="prod.silver", grants=[
    {"principal": "data-engineers", "privileges": ["ALL_PRIVILEGES"]}])
databricks.Grants("grants-account-users-bad", catalog="shared", grants=[
    {"principal": "account users", "privileges": ["ALL_PRIVILEGES"]}])
databricks.Grants("grants-dev-good", catalog=dev.name, grants=[
    {"principal": dev_sp.application_id, "privileges": ["ALL_PRIVILEGES"]},
    {"principal": "alice@example.com", "privileges": ["USE_CATALOG"]}])
databricks.Grants("grants-dev-silver-sandbox-bad", schema="dev.silver", grants=[
    {"principal": "alice@example.com", "privileges": ["USE_SCHEMA", "SELECT", "MODIFY"]}])
databricks.Grants("grants-alice-good", catalog=alice.name, grants=[
    {"principal": "alice@example.com", "privileges": ["ALL_PRIVILEGES"]}])
databricks.Grant("grant-additive-bad", catalog=dev.name, principal="data-analysts", privileges=["USE_CATALOG"])
"""


@pytest.fixture(scope="session")
def access_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, ACCESS_SNIPPET)


@pytest.fixture(scope="session")
def access_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, ACCESS_SNIPPET, preview=True)
