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
