"""Every IAM policy document and every Kubernetes object a stack's plan registers, against grammars written from
AWS's and Kubernetes' own definitions: IAM's JSON policy grammar (tests/components/iam_grammar.py) and the OpenAPI
schemas of the cluster's Kubernetes version (kubernetes-validate, strict) with the values the API server refuses.

A document or an object the service refuses fails the whole `pulumi up` (MalformedPolicyDocument, a 422 from the
API server), whichever component built it. The plans are built once per process and both checks take well under a
second a stack, so every components mutant runs this file besides its own module's tests (bench/mutation.py,
`Target.shared`): a component test that picks a statement by its Sid never notices `Effect` misspelt.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from preflight.harness import Plan, reveal
from stack_config import parse
from tests.components.iam_grammar import grammar_problems
from tests.manifests import kubernetes_problems, registered_manifests
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

IDENTITY_POLICIES = {"aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                     "aws:iam/groupPolicy:GroupPolicy"}


def _is_document(value: Any) -> bool:
    """An object with a `Statement` in any case, or a `Version` holding one of IAM's two policy language versions: a
    document whose element name is misspelt (`STATEMENT`) is still found, so that the grammar refuses it as IAM does.
    (An EKS cluster's `version` is a Kubernetes version, not a document's.)"""
    if not isinstance(value, dict):
        return False
    keys = {str(key).lower(): inner for key, inner in value.items()}
    return "statement" in keys or keys.get("version") in ("2012-10-17", "2008-10-17")


def _documents_in(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(input path, document) of every policy document in a resource's inputs (`_is_document`), given as an
    object or as its JSON text."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return
        if _is_document(value):
            yield path, value
        return
    if isinstance(value, dict):
        if _is_document(value):
            yield path, value
            return
        for key, inner in value.items():
            yield from _documents_in(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _documents_in(inner, f"{path}[{i}]")


def policy_documents(plan: Plan) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, kind, document) of every policy document the plan's resources carry; kind as `grammar_problems`
    takes it: a role's assumeRolePolicy is a trust policy, an IAM policy's or a role's inline policy an identity
    policy, any other (a key's, a bucket's, an endpoint's, a repository's, a secret's) a resource policy."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for resource in plan.registered:
        if not resource.custom:
            continue
        for path, document in _documents_in(reveal(resource.inputs), ""):
            if resource.type == "aws:iam/role:Role":
                kind = "trust" if path == "assumeRolePolicy" else "identity"
            else:
                kind = "identity" if resource.type in IDENTITY_POLICIES else "resource"
            found.append((f"{resource.name}.{path}", kind, document))
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_document_follows_the_iam_grammar(stack: str) -> None:
    found = policy_documents(preflight_plan(stack))
    kinds = {kind for _, kind, _ in found}
    assert kinds == {"trust", "identity", "resource"}
    assert [f"{where}: {p}" for where, kind, document in found for p in grammar_problems(document, kind)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_kubernetes_object_is_valid_for_the_clusters_version(stack: str) -> None:
    documents = registered_manifests(preflight_plan(stack))
    assert {"Namespace", "NetworkPolicy", "Role", "RoleBinding", "ServiceAccount"} <= {d["kind"] for d in documents}
    assert kubernetes_problems(documents, parse(stack, raw_config(stack)).cluster.version) == []


VALID = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"],
                                                 "Resource": "arn:aws:s3:::b/*",
                                                 "Condition": {"StringEquals": {"aws:PrincipalAccount": "1"}}}]}


def _statement(**changes: Any) -> dict[str, Any]:
    statement = {k: v for k, v in {**VALID["Statement"][0], **changes}.items() if v is not None}
    return {**VALID, "Statement": [statement]}


@pytest.mark.parametrize(("document", "kind", "expected"), [
    (VALID, "identity", []),
    (_statement(Resource=None, RESOURCE="*"), "identity", ["unknown statement element 'RESOURCE'",
                                                           "statement needs Resource"]),
    (_statement(Effect="XXAllowXX"), "identity", ["Effect 'XXAllowXX' is not Allow or Deny"]),
    (_statement(Effect="allow"), "identity", ["Effect 'allow' is not Allow or Deny"]),
    (_statement(Effect=None, effect="Allow"), "identity", ["unknown statement element 'effect'",
                                                           "Effect None is not Allow or Deny"]),
    (_statement(Condition={"STRINGEQUALS": {"aws:PrincipalAccount": "1"}}), "identity",
     ["unknown condition operator 'STRINGEQUALS'"]),
    (_statement(Condition={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a"]}}), "identity", []),
    (_statement(Condition={"NullIfExists": {"aws:TagKeys": "true"}}), "identity",
     ["unknown condition operator 'NullIfExists'"]),
    (_statement(Principal={"Service": "EKS.amazonaws.com"}), "resource", ["is not a Service principal"]),
    (_statement(Principal={"Service": "eks.amazonaws.com"}), "resource", []),
    (_statement(Principal={"service": "eks.amazonaws.com"}), "resource", ["unknown principal type 'service'"]),
    (_statement(Principal={"AWS": "arn:aws:iam::123456789012:root"}), "identity", ["statement has no Principal"]),
    (_statement(), "trust", ["statement needs Principal", "statement has no Resource"]),
    (_statement(Sid="read-objects"), "identity", ["is not ASCII letters and digits"]),
    ({**VALID, "Statement": [VALID["Statement"][0]] * 2}, "identity", ["Sid 'Read' used by more than one"]),
    ({**VALID, "Version": "2012-10-18"}, "identity", ["Version '2012-10-18'"]),
    ({**VALID, "statement": VALID["Statement"]}, "identity", ["unknown policy element 'statement'"]),
    (_statement(Action="s3 GetObject"), "identity", ["is not an action"]),
    (_statement(Action=None, NotAction="s3:GetObject"), "identity", []),
])
def test_the_grammar_refuses_what_iam_refuses(document: dict[str, Any], kind: str, expected: list[str]) -> None:
    problems = grammar_problems(document, kind)
    assert len(problems) == len(expected)
    assert all(part in problem for part, problem in zip(expected, problems, strict=True)), problems


def test_documents_are_found_as_json_text_and_as_objects() -> None:
    text = json.dumps(VALID)
    found = list(_documents_in({"policy": text, "inline": [{"name": "x", "policy": VALID}], "tags": {"a": "{"}}, ""))
    assert [path for path, _ in found] == ["policy", "inline[0].policy"]


def test_a_document_with_a_misspelt_element_is_found_and_refused() -> None:
    misspelt = {"Version": VALID["Version"], "STATEMENT": VALID["Statement"]}
    found = list(_documents_in({"assumeRolePolicy": json.dumps(misspelt)}, ""))
    assert found == [("assumeRolePolicy", misspelt)]
    assert grammar_problems(misspelt, "identity")


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_trust_policy_is_read_as_a_document(stack: str) -> None:
    """Every role's assumeRolePolicy is among the documents the grammar reads (IAM requires one per role)."""
    plan = preflight_plan(stack)
    roles = {r.name for r in plan.registered if r.type == "aws:iam/role:Role"}
    trusts = {where.removesuffix(".assumeRolePolicy") for where, kind, _ in policy_documents(plan) if kind == "trust"}
    assert roles and roles == trusts
