"""Snippet programs shared by the rule tests: each holds compliant and noncompliant resources side by side
(named `<case>-good` / `<case>-bad`), written as ordinary Pulumi resources so that the props reach the
policies under the engine's (camelCase) wire names. Each plan is built once per test session."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from policies.rules._support import Verdict
from preflight.harness import Plan
from tests.policies import verdicts
from tests.policies.helpers import snippet_plan

TESTS = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def pinned_verdicts(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """What each rule `check` this test calls concludes, compared with what is pinned (tests/policies/verdicts.py):
    every violation (message and resource) and every path it could not judge."""
    said: list[list[Any]] = []
    violation, cannot_judge = Verdict.violation, Verdict.cannot_judge

    def record_violation(self: Verdict, message: str, urn: str | None = None) -> None:
        if not verdicts.evaluating_packs():
            said.append(["violation", message, urn])
        violation(self, message, urn)

    def record_cannot_judge(self: Verdict, path: str) -> None:
        if not verdicts.evaluating_packs():
            said.append(["cannot judge", path])
        cannot_judge(self, path)

    monkeypatch.setattr(Verdict, "violation", record_violation)
    monkeypatch.setattr(Verdict, "cannot_judge", record_cannot_judge)
    yield
    key = f"test {Path(request.node.path).relative_to(TESTS).as_posix()}::{request.node.name}"
    if said or verdicts.is_pinned(key):  # a test whose rule said nothing pins nothing, unless it used to
        verdicts.compare(key, sorted(said, key=json.dumps))  # a plan's resources come in no fixed order

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

key = aws.kms.Key("key-protected-good", enable_key_rotation=True, opts=PROTECT)
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

k8s.helm.v3.Release("release-pinned-good", chart="./charts/ml-platform", version="1.4.2")
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
# databricks-catalog-prod-isolated: bindings to the prod workspace (3333...) only, whatever the securable
PROD_WS, DEV_WS, STAGING_WS = "3333333333333333", "1111111111111111", "2222222222222222"
databricks.WorkspaceBinding("binding-prod-good", securable_name=prod.name, workspace_id=PROD_WS,
                            binding_type="BINDING_TYPE_READ_WRITE")
databricks.WorkspaceBinding("binding-prod-read-only-good", securable_name=prod.name, workspace_id=PROD_WS,
                            binding_type="BINDING_TYPE_READ_ONLY")
databricks.WorkspaceBinding("binding-to-dev-bad", securable_name=prod.name, securable_type="catalog",
                            workspace_id=DEV_WS, binding_type="BINDING_TYPE_READ_ONLY")
databricks.CatalogWorkspaceBinding("binding-legacy-to-staging-bad", catalog_name="prod", workspace_id=STAGING_WS)
databricks.WorkspaceBinding("binding-location-to-dev-bad", securable_type="external_location",
                            securable_name="prod-raw", workspace_id=DEV_WS)
databricks.WorkspaceBinding("binding-unknown-workspace-bad", securable_name=prod.name, workspace_id="4444444444444444")
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

# databricks-grants-no-cross-environment: principals named by application id (any case), resolved through the
# plan's service principals (one adopted by its id) or the pack config's principalEnvironments (CI principals)
staging_sp = databricks.ServicePrincipal("sp-staging-adopted", application_id="9f0e8d7c-0000-4000-8000-00000000a002",
                                         display_name="ml-pipelines-staging")
databricks.Grants("grants-prod-adopted-staging-bad", schema="prod.bronze", grants=[
    {"principal": "9F0E8D7C-0000-4000-8000-00000000A002", "privileges": ["USE_SCHEMA"]}])
databricks.Grants("grants-prod-dev-deployer-bad", schema="prod.gold_views", grants=[
    {"principal": "0A1B2C3D-0000-4000-8000-0000000000D1", "privileges": ["USE_SCHEMA", "SELECT"]}])
databricks.Grants("grants-prod-own-deployer-good", schema="prod.platinum", grants=[
    {"principal": "0a1b2c3d-0000-4000-8000-0000000000d3", "privileges": ["USE_SCHEMA", "SELECT"]}])
databricks.Grants("grants-prod-unresolved-id-good", schema="prod.tin", grants=[
    {"principal": "5a5a5a5a-0000-4000-8000-000000000001", "privileges": ["USE_SCHEMA"]}])
"""


@pytest.fixture(scope="session")
def access_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, ACCESS_SNIPPET)


@pytest.fixture(scope="session")
def access_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, ACCESS_SNIPPET, preview=True)


INTEGRITY_SNIPPET = """
import json
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

# A stack that creates its account, its network and one cluster on it (the compliant world), plus one
# broken variant per rule, each named `<case>-bad`; near misses are `<case>-good`.
member = aws.organizations.Account("integrity-account", name="integrity", email="integrity@example.com")
in_member = aws.Provider("integrity-member", region="eu-west-1", assume_roles=[{
    "role_arn": member.id.apply(lambda id: f"arn:aws:iam::{id}:role/OrganizationAccountAccessRole")}])
# aws-iam-no-foreign-account-root (least-privilege): another account's root in a key policy of the member account
aws.kms.Key("integrity-key-foreign-root-bad", enable_key_rotation=True, policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"},
                                            "Action": "kms:Decrypt", "Resource": "*"}]}),
            opts=pulumi.ResourceOptions(provider=in_member, protect=True))
vpc = aws.ec2.Vpc("integrity-vpc", cidr_block="10.20.0.0/16")
private = aws.ec2.Subnet("integrity-private", vpc_id=vpc.id, cidr_block="10.20.0.0/20")
endpoints = aws.ec2.Subnet("integrity-endpoints", vpc_id=vpc.id, cidr_block="10.20.240.0/24")
aws.ec2.VpcEndpoint("integrity-sts", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.sts",
                    vpc_endpoint_type="Interface", subnet_ids=[endpoints.id])
aws.ec2.VpcEndpoint("integrity-s3", vpc_id=vpc.id, service_name="com.amazonaws.eu-west-1.s3",
                    vpc_endpoint_type="Gateway")


def cluster(name, subnets, enforced=True, **extra):
    created = aws.eks.Cluster(name, role_arn="arn:aws:iam::111122223333:role/eks",
                              vpc_config={"subnet_ids": subnets}, **extra)
    if enforced:
        aws.eks.Addon(f"{name}-cni", cluster_name=created.name, addon_name="vpc-cni",
                      configuration_values=json.dumps({"enableNetworkPolicy": "true"}))
    return created


# kubernetes-networkpolicy-enforced (one vpc-cni add-on per cluster)
good = cluster("np-cluster-good", [private.id])
off = cluster("np-cluster-off-bad", [private.id], enforced=False)
aws.eks.Addon("np-cni-off", cluster_name=off.name, addon_name="vpc-cni",
              configuration_values=json.dumps({"enableNetworkPolicy": "false"}))
other = cluster("np-cluster-other-addon-bad", [private.id], enforced=False)
aws.eks.Addon("np-coredns", cluster_name=other.name, addon_name="coredns",
              configuration_values=json.dumps({"enableNetworkPolicy": "true"}))

# aws-eks-cluster-version-supported: a version no calendar knows; none at all is the newest EKS offers.
cluster("version-unknown-bad", [private.id], version="1.0")

# aws-network-subnets-of-own-vpc
cluster("subnets-literal-bad", ["subnet-0123456789abcdef0"])


def node_group(name, subnets=None, **extra):
    opts = extra.pop("opts", None)
    aws.eks.NodeGroup(name, cluster_name=good.name, node_role_arn="arn:aws:iam::111122223333:role/node",
                      subnet_ids=subnets or [private.id], scaling_config={"min_size": 1, "max_size": 2,
                                                                          "desired_size": 1}, opts=opts, **extra)


# aws-eks-nodegroup-replaceable
node_group("ng-fixed-bad", node_group_name="fixed")
node_group("ng-fixed-dbr-good", node_group_name="fixed-dbr",
           opts=pulumi.ResourceOptions(delete_before_replace=True))
node_group("ng-prefix-good", node_group_name_prefix="pool-")
node_group("ng-literal-subnets-bad", subnets=["subnet-0123456789abcdef0"])
db_subnets = aws.rds.SubnetGroup("db-subnets-good", name="integrity-db", subnet_ids=[private.id])
aws.rds.Instance("db-good", instance_class="db.t4g.micro", engine="postgres", allocated_storage=20,
                 db_subnet_group_name=db_subnets.name)
aws.rds.Instance("db-default-vpc-bad", instance_class="db.t4g.micro", engine="postgres", allocated_storage=20)

# kubernetes-rbac-group-has-access-entry
aws.eks.AccessEntry("integrity-entry", cluster_name=good.name, principal_arn="arn:aws:iam::111122223333:role/team",
                    kubernetes_groups=["team-a"])
REF = {"api_group": "rbac.authorization.k8s.io", "kind": "Role", "name": "reader"}
for name, group in (("rbac-group-good", "team-a"), ("rbac-group-bad", "team-b"),
                    ("rbac-group-system-good", "system:authenticated"), ("rbac-group-declared-good", "team-empty")):
    k8s.rbac.v1.RoleBinding(name, metadata={"namespace": "apps"}, role_ref=REF,
                            subjects=[{"kind": "Group", "name": group, "api_group": "rbac.authorization.k8s.io"}])

# kubernetes-pod-service-account-irsa
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
OIDC = f"arn:aws:iam::111122223333:oidc-provider/{ISSUER}"


def irsa_role(name, operator, subject):
    return aws.iam.Role(name, assume_role_policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": OIDC}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {operator: {f"{ISSUER}:sub": subject, f"{ISSUER}:aud": "sts.amazonaws.com"}}}]}))


def account(name, role=None):
    annotations = {"eks.amazonaws.com/role-arn": role.arn} if role is not None else {}
    k8s.core.v1.ServiceAccount(f"sa-{name}", metadata={"name": name, "namespace": "apps", "annotations": annotations})


def deployment(name, service_account=None, volumes=(), env=()):
    k8s.apps.v1.Deployment(name, metadata={"namespace": "apps"}, spec={
        "selector": {"match_labels": {"app": name}},
        "template": {"metadata": {"labels": {"app": name}}, "spec": {
            "service_account_name": service_account, "volumes": list(volumes),
            "containers": [{"name": "app", "image": "example.com/app:1", "env": list(env)}]}}})


account("exact", irsa_role("irsa-exact-role-good", "StringEquals", "system:serviceaccount:apps:exact"))
account("loose", irsa_role("irsa-loose-role-bad", "StringLike", "system:serviceaccount:apps:*"))
account("wrong", irsa_role("irsa-wrong-role-bad", "StringEquals", "system:serviceaccount:apps:other"))
account("plain")
deployment("sa-exact-good", "exact")
deployment("sa-loose", "loose")
deployment("sa-wrong", "wrong")
deployment("sa-plain-good", "plain")
deployment("sa-default-good")
deployment("sa-missing-bad", "ghost")

# kubernetes-workload-references-exist
k8s.core.v1.Secret("present-secret", metadata={"name": "present", "namespace": "apps"}, string_data={"k": "v"})
k8s.core.v1.ConfigMap("present-config", metadata={"name": "settings", "namespace": "apps"}, data={"k": "v"})
deployment("refs-good", volumes=[{"name": "s", "secret": {"secret_name": "present"}},
                                 {"name": "c", "config_map": {"name": "settings"}}],
           env=[{"name": "K", "value_from": {"secret_key_ref": {"name": "present", "key": "k"}}}])
deployment("refs-optional-good", volumes=[{"name": "s", "secret": {"secret_name": "absent", "optional": True}}])
deployment("refs-secret-bad", volumes=[{"name": "s", "secret": {"secret_name": "absent"}}])
deployment("refs-claim-bad", volumes=[{"name": "d", "persistent_volume_claim": {"claim_name": "data"}}])
deployment("refs-env-bad", env=[{"name": "K", "value_from": {"config_map_key_ref": {"name": "nope", "key": "k"}}}])
# External Secrets Operator writes the Secret `spec.target.name` (default: the ExternalSecret's name) when its
# creationPolicy is Owner (the default) or Orphan; with Merge or None it only updates one that must exist.
def external_secret(name, target=None, policy=None):
    spec = {"secretStoreRef": {"kind": "SecretStore", "name": "aws"}, "data": []}
    if target is not None or policy is not None:
        spec["target"] = {k: v for k, v in (("name", target), ("creationPolicy", policy)) if v is not None}
    k8s.apiextensions.CustomResource(f"es-{name}", api_version="external-secrets.io/v1", kind="ExternalSecret",
                                     metadata={"name": name, "namespace": "apps"}, spec=spec)
external_secret("synced")
external_secret("renamed-source", target="synced-renamed", policy="Owner")
external_secret("merged", policy="Merge")
deployment("refs-external-secret-good", volumes=[{"name": "s", "secret": {"secret_name": "synced"}}],
           env=[{"name": "K", "value_from": {"secret_key_ref": {"name": "synced-renamed", "key": "k"}}}])
deployment("refs-external-merge-bad", env=[{"name": "K", "value_from": {"secret_key_ref": {"name": "merged",
                                                                                           "key": "k"}}}])
k8s.helm.v3.Release("release-good", chart="charts/ml-platform", namespace="apps", values={
    "app": {"serviceAccountName": "exact", "backendStoreSecret": {"name": "present", "key": "k"}}})
k8s.helm.v3.Release("release-bad", chart="charts/ml-platform", namespace="apps", values={
    "app": {"serviceAccountName": "ghost-release", "backendStoreSecret": {"name": "absent", "key": "k"}}})

# kubernetes-namespace-egress-reaches-aws-endpoints (prod)


def namespace(name, allow_to=None, deny=True):
    k8s.core.v1.Namespace(name, metadata={"name": name})
    if deny:
        k8s.networking.v1.NetworkPolicy(f"{name}-deny", metadata={"namespace": name},
                                        spec={"pod_selector": {}, "policy_types": ["Egress"]})
    if allow_to:
        k8s.networking.v1.NetworkPolicy(f"{name}-aws", metadata={"namespace": name}, spec={
            "pod_selector": {}, "policy_types": ["Egress"], "egress": [{
                "to": [{"ip_block": {"cidr": allow_to}}], "ports": [{"protocol": "TCP", "port": 443}]}]})


namespace("egress-endpoints-good", allow_to="10.20.240.0/24")
namespace("egress-vpc-good", allow_to="10.20.0.0/16")
namespace("egress-open-good", deny=False)
namespace("egress-elsewhere-bad", allow_to="10.30.0.0/24")
namespace("egress-none-bad")
"""


@pytest.fixture(scope="session")
def integrity_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, INTEGRITY_SNIPPET)


@pytest.fixture(scope="session")
def integrity_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, INTEGRITY_SNIPPET, preview=True)


CLASSES_SNIPPET = """
import json
import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

# Noncompliant resources of the classes a literal rule misses, written the way programs write them (objects,
# Output.json_dumps, get_policy_document), each beside a near miss that must pass.
ACCOUNT = "111122223333"
data = aws.s3.Bucket("classes-data")


def statement(action, resource):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


# aws-iam-no-wildcard-resource: wildcards inside ARNs that span every bucket, object or secret
aws.iam.Policy("span-all-objects-bad", policy={"Version": "2012-10-17", "Statement": [
    statement("s3:GetObject", "arn:aws:s3:::*/*")]})
aws.iam.Policy("span-bucket-prefix-bad", policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    statement("s3:ListBucket", "arn:aws:s3:::*-raw")]}))
aws.iam.Policy("span-all-secrets-bad", policy=aws.iam.get_policy_document_output(statements=[{
    "actions": ["secretsmanager:GetSecretValue"], "resources": ["arn:aws:secretsmanager:*:*:secret:*"]}]).json)
aws.iam.Policy("span-own-objects-good", policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
    statement("s3:GetObject", data.arn.apply(lambda arn: f"{arn}/team-a/*"))]}))
aws.iam.Policy("span-secret-prefix-good", policy=aws.iam.get_policy_document_output(statements=[{
    "actions": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
    "resources": [f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:ml-platform-prod/*"]}]).json)

# aws-iam-no-passrole-wildcard: a prefix matches the admin deploy role
aws.iam.Policy("passrole-prefix-bad", policy={"Version": "2012-10-17", "Statement": [
    statement("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/ml-platform-*")]})
aws.iam.Policy("passrole-named-good", policy={"Version": "2012-10-17", "Statement": [
    statement("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/ml-platform-prod-eks-node")]})

# aws-iam-trust-web-identity-pinned: StringLike values that match any service account or repository
ISSUER = "oidc.eks.eu-west-1.amazonaws.com/id/EXAMPLE"
GITHUB = "token.actions.githubusercontent.com"


def trust(issuer, sub, operator="StringLike"):
    return aws.iam.get_policy_document_output(statements=[{
        "actions": ["sts:AssumeRoleWithWebIdentity"],
        "principals": [{"type": "Federated", "identifiers": [f"arn:aws:iam::{ACCOUNT}:oidc-provider/{issuer}"]}],
        "conditions": [{"test": operator, "variable": f"{issuer}:sub", "values": [sub]},
                       {"test": "StringEquals", "variable": f"{issuer}:aud", "values": ["sts.amazonaws.com"]}]}]).json


aws.iam.Role("trust-any-sa-bad", assume_role_policy=trust(ISSUER, "system:serviceaccount:*"))
aws.iam.Role("trust-any-sa-in-ns-bad", assume_role_policy=trust(ISSUER, "system:serviceaccount:ml:*"))
aws.iam.Role("trust-any-repo-bad", assume_role_policy=trust(GITHUB, "repo:example-org/*"))
aws.iam.Role("trust-repo-any-ref-good", assume_role_policy=trust(GITHUB, "repo:example-org/platform:ref:refs/heads/*"))
aws.iam.Role("trust-sa-exact-good",
             assume_role_policy=trust(ISSUER, "system:serviceaccount:ml:trainer", "StringEquals"))

# aws-iam-no-admin-policy-attachment: judged by class, not by three names
aws.iam.RolePolicyAttachment("managed-full-access-bad", role="r",
                             policy_arn="arn:aws:iam::aws:policy/AmazonS3FullAccess")
aws.iam.RolePolicyAttachment("managed-admin-variant-bad", role="r",
                             policy_arn="arn:aws:iam::aws:policy/AdministratorAccess-Amplify")
aws.iam.RolePolicyAttachment("managed-read-only-good", role="r",
                             policy_arn="arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly")
aws.iam.RolePolicyAttachment("customer-full-access-good", role="r",
                             policy_arn=f"arn:aws:iam::{ACCOUNT}:policy/TeamFullAccess")

# aws-iam-no-public-principal: resource policies of other services, and Lambda permissions
PUBLIC = {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": "*"}
queue = aws.sqs.Queue("classes-queue")
aws.sqs.QueuePolicy("queue-public-bad", queue_url=queue.url, policy={"Version": "2012-10-17", "Statement": [PUBLIC]})
aws.sqs.QueuePolicy("queue-service-good", queue_url=queue.url, policy={"Version": "2012-10-17", "Statement": [{
    **PUBLIC, "Principal": {"Service": "sns.amazonaws.com"}}]})
aws.sns.TopicPolicy("topic-public-bad", arn="arn:aws:sns:eu-west-1:111122223333:t", policy=json.dumps({
    "Version": "2012-10-17", "Statement": [{**PUBLIC, "Principal": {"AWS": "*"}, "Action": "sns:Publish"}]}))
aws.secretsmanager.SecretPolicy("secret-public-bad", secret_arn="arn:aws:secretsmanager:eu-west-1:1:secret:s",
                                policy=json.dumps({"Version": "2012-10-17", "Statement": [{
                                    **PUBLIC, "Action": "secretsmanager:GetSecretValue"}]}))
aws.ecr.RepositoryPolicy("ecr-public-bad", repository="r", policy=json.dumps({"Version": "2012-10-17", "Statement": [{
    **PUBLIC, "Action": "ecr:BatchGetImage"}]}))
aws.lambda_.Permission("lambda-public-bad", action="lambda:InvokeFunction", function="f", principal="*")
aws.lambda_.Permission("lambda-scoped-good", action="lambda:InvokeFunction", function="f", principal="*",
                       source_account=ACCOUNT)

# aws-s3-bucket-no-public-acl: object ACLs
aws.s3.BucketObjectv2("object-public-bad", bucket="b", key="k", content="x", acl="public-read")
aws.s3.BucketObjectv2("object-private-good", bucket="b", key="k2", content="x", acl="private")

# aws-ec2-security-group-no-open-egress (prod): the default security group
aws.ec2.DefaultSecurityGroup("default-sg-open-bad", vpc_id="vpc-1", egress=[{
    "protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"]}])
aws.ec2.DefaultSecurityGroup("default-sg-closed-good", vpc_id="vpc-2")

# ... and egress to a managed prefix list, judged by the list's entries (inline or added as entry resources)
HTTPS = {"protocol": "tcp", "from_port": 443, "to_port": 443}
open_list = aws.ec2.ManagedPrefixList("classes-open-list", address_family="IPv4", max_entries=2,
                                      entries=[{"cidr": "0.0.0.0/0", "description": "anywhere"}])
private_list = aws.ec2.ManagedPrefixList("classes-private-list", address_family="IPv4", max_entries=2, entries=[
    {"cidr": "10.40.0.0/16", "description": "on-premises"}, {"cidr": "172.20.0.0/16", "description": "peer"}])
grown_list = aws.ec2.ManagedPrefixList("classes-grown-list", address_family="IPv4", max_entries=2,
                                       entries=[{"cidr": "10.41.0.0/16"}])
aws.ec2.ManagedPrefixListEntry("classes-grown-list-internet", prefix_list_id=grown_list.id, cidr="0.0.0.0/0")
aws.ec2.SecurityGroup("egress-pl-open-bad", vpc_id="vpc-1", egress=[{**HTTPS, "prefix_list_ids": [open_list.id]}])
aws.ec2.SecurityGroup("egress-pl-private-good", vpc_id="vpc-1",
                      egress=[{**HTTPS, "prefix_list_ids": [private_list.id]}])
aws.vpc.SecurityGroupEgressRule("egress-pl-grown-bad", security_group_id="sg-1", ip_protocol="tcp", from_port=443,
                                to_port=443, prefix_list_id=grown_list.id)
aws.vpc.SecurityGroupEgressRule("egress-pl-private-rule-good", security_group_id="sg-1", ip_protocol="tcp",
                                from_port=443, to_port=443, prefix_list_id=private_list.id)
# An AWS-managed list (S3's public ranges in eu-west-1), known only by its id: not in the plan, refused.
aws.ec2.SecurityGroupRule("egress-pl-aws-managed-bad", type="egress", security_group_id="sg-1", protocol="tcp",
                          from_port=443, to_port=443, prefix_list_ids=["pl-6da54004"])
aws.ec2.SecurityGroupRule("egress-pl-ingress-good", type="ingress", security_group_id="sg-1", protocol="tcp",
                          from_port=443, to_port=443, prefix_list_ids=[open_list.id])

# aws-ec2-launch-template-imdsv2: a node group without a launch template
template = aws.ec2.LaunchTemplate("classes-template", metadata_options={
    "http_tokens": "required", "http_put_response_hop_limit": 1, "http_endpoint": "enabled"})
SCALING = {"min_size": 1, "max_size": 1, "desired_size": 1}
aws.eks.NodeGroup("nodes-default-template-bad", cluster_name="c", node_role_arn="arn:aws:iam::1:role/n",
                  subnet_ids=["s"], scaling_config=SCALING)
aws.eks.NodeGroup("nodes-template-good", cluster_name="c", node_role_arn="arn:aws:iam::1:role/n", subnet_ids=["s"],
                  scaling_config=SCALING, launch_template={"id": template.id, "version": "1"})

# aws-eks-cluster-endpoint-private (prod): a raw cluster left on EKS's public default
aws.eks.Cluster("eks-default-public-bad", role_arn="arn:aws:iam::1:role/eks", vpc_config={"subnet_ids": ["s"]})
aws.eks.Cluster("eks-public-to-all-bad", role_arn="arn:aws:iam::1:role/eks", vpc_config={
    "subnet_ids": ["s"], "endpoint_public_access": True, "public_access_cidrs": ["0.0.0.0/0"]})
aws.eks.Cluster("eks-private-good", role_arn="arn:aws:iam::1:role/eks", vpc_config={
    "subnet_ids": ["s"], "endpoint_public_access": False, "endpoint_private_access": True})

# kubernetes-rbac-no-cluster-admin-binding: admin-equivalent built-in ClusterRoles
RBAC = "rbac.authorization.k8s.io"
SUBJECTS = [{"kind": "Group", "name": "data-engineers", "api_group": RBAC}]
for name, kind, role in (("bind-edit-bad", "ClusterRole", "edit"), ("bind-admin-bad", "ClusterRole", "admin"),
                         ("bind-view-good", "ClusterRole", "view"),
                         ("bind-own-role-named-admin-good", "Role", "admin")):
    k8s.rbac.v1.RoleBinding(name, metadata={"namespace": "team-a"}, subjects=SUBJECTS,
                            role_ref={"api_group": RBAC, "kind": kind, "name": role})
k8s.rbac.v1.ClusterRoleBinding("bind-masters-bad", subjects=[{"kind": "Group", "name": "system:masters",
                                                              "api_group": RBAC}],
                               role_ref={"api_group": RBAC, "kind": "ClusterRole", "name": "view"})

# kubernetes-namespace-default-deny-egress (prod): a deny policy without a namespace lands in `default`
ns = k8s.core.v1.Namespace("ns-deny-in-default-bad", metadata={"name": "team-b"})
k8s.networking.v1.NetworkPolicy("deny-without-namespace", spec={"pod_selector": {}, "policy_types": ["Egress"]},
                                opts=pulumi.ResourceOptions(depends_on=[ns]))

# kubernetes-helm-release-pinned-version (prod): helm.v4.Chart
k8s.helm.v4.Chart("chart-v4-unpinned-bad", chart="oci://example.com/charts/tool", namespace="team-a")
k8s.helm.v4.Chart("chart-v4-pinned-good", chart="oci://example.com/charts/tool", version="1.2.3", namespace="team-a")
"""


@pytest.fixture(scope="session")
def classes_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, CLASSES_SNIPPET)


@pytest.fixture(scope="session")
def classes_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, CLASSES_SNIPPET, preview=True)


MANIFESTS_SNIPPET = """
import pulumi_kubernetes as k8s
import yaml

# Objects created through yaml ConfigGroup/ConfigFile (v2: rendered by the provider; v1: by the SDK), judged
# like directly declared ones. The object names say the verdict; the child resources are named by the component.
RBAC = "rbac.authorization.k8s.io"


def binding(name, role):
    return {"apiVersion": f"{RBAC}/v1", "kind": "RoleBinding", "metadata": {"name": name, "namespace": "team-a"},
            "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "name": "data-engineers", "apiGroup": RBAC}]}


def namespace(name, quota=True):
    objs = [{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}]
    if quota:
        objs += [{"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "quota", "namespace": name},
                  "spec": {"hard": {"requests.cpu": "4"}}},
                 {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "limits", "namespace": name},
                  "spec": {"limits": [{"type": "Container", "default": {"cpu": "500m"}}]}}]
    return objs


team = k8s.core.v1.Namespace("team-a", metadata={"name": "team-a"})
k8s.yaml.v2.ConfigGroup("objs", objs=[binding("objs-admin-bad", "admin"), binding("objs-view-good", "view"),
                                      *namespace("objs-ns-bad", quota=False), *namespace("objs-ns-good")])
k8s.yaml.v2.ConfigGroup("text", yaml=yaml.safe_dump_all([binding("yaml-edit-bad", "edit"),
                                                          binding("yaml-view-good", "view")]))
k8s.yaml.v2.ConfigFile("file", file="manifests/bindings.yaml")
k8s.yaml.v2.ConfigGroup("glob", files=["manifests/more/*.yaml"])
# A computed field (the namespace from another resource): unknown in a preview, the rest still judged.
k8s.yaml.v2.ConfigGroup("computed", objs=[{**binding("computed-cluster-admin-bad", "cluster-admin"),
                                           "metadata": {"name": "computed-cluster-admin-bad",
                                                        "namespace": team.metadata["name"]}}])
k8s.yaml.ConfigGroup("v1", yaml=[yaml.safe_dump(binding("v1-edit-bad", "edit"))])
k8s.yaml.ConfigFile("v1-file", file="manifests/v1.yaml")
k8s.yaml.v2.ConfigFile("remote", file="https://example.com/manifests/bindings.yaml")
"""


def _bindings_file(*pairs: tuple[str, str]) -> str:
    import yaml

    rbac = "rbac.authorization.k8s.io"
    return yaml.safe_dump_all([
        {"apiVersion": f"{rbac}/v1", "kind": "RoleBinding", "metadata": {"name": name, "namespace": "team-a"},
         "roleRef": {"apiGroup": rbac, "kind": "ClusterRole", "name": role},
         "subjects": [{"kind": "Group", "name": "data-engineers", "apiGroup": rbac}]} for name, role in pairs])


MANIFEST_FILES = {
    "manifests/bindings.yaml": _bindings_file(("file-admin-bad", "admin"), ("file-view-good", "view")),
    "manifests/more/a.yaml": _bindings_file(("glob-edit-bad", "edit")),
    "manifests/v1.yaml": _bindings_file(("v1-file-admin-bad", "admin"), ("v1-file-view-good", "view")),
}


@pytest.fixture(scope="session")
def manifests_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, MANIFESTS_SNIPPET, extra_files=MANIFEST_FILES)


@pytest.fixture(scope="session")
def manifests_preview_plan(tmp_path_factory: pytest.TempPathFactory) -> Plan:
    return snippet_plan(tmp_path_factory, MANIFESTS_SNIPPET, preview=True, extra_files=MANIFEST_FILES)
