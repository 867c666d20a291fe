"""`aws-iam-trust-web-identity-pinned`: a web-identity trust (IRSA, GitHub OIDC) pins `:sub` and `:aud`.

Without `:sub` any service account of the cluster (or any repository on GitHub) could assume the role; without
`:aud` a token minted for another audience would do. Each must be a StringEquals/StringLike condition on the
issuer's key whose every value names one subject: a StringLike `system:serviceaccount:*` or
`system:serviceaccount:ml:*` matches any service account, `repo:example-org/*` any repository (see `_names_one`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import Statement, action_matches, allow_statements
from ._support import Resource, Verdict, as_list, resource_policy

NAME = "aws-iam-trust-web-identity-pinned"
_OPERATORS = ("StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike")


_WILDCARDS = ("*", "?")


def _names_one(claim: str, value: str, like: bool) -> bool:
    """Whether the value identifies one subject. Under StringEquals a `*` is literal (only a bare `*` is
    refused); under StringLike a wildcard may not stand in the identifying part: the namespace or name of a
    service account (`system:serviceaccount:<ns>:<name>`), the owner or repository of a GitHub subject
    (`repo:<owner>/<repo>:...`; what follows, the ref or environment, may be a pattern), or anywhere in an
    audience or another issuer's subject."""
    if not like:
        return value != "*"
    if claim == "sub" and value.startswith("system:serviceaccount:"):
        parts = value.split(":")
        return len(parts) == 4 and all(part and not any(w in part for w in _WILDCARDS) for part in parts[2:])
    if claim == "sub" and value.startswith("repo:"):
        repository = value[len("repo:"):].split(":", 1)[0]
        owner, _, name = repository.partition("/")
        return bool(owner and name) and not any(w in repository for w in _WILDCARDS)
    return not any(w in value for w in _WILDCARDS)


def _pinned(st: Statement, claim: str) -> bool:
    for operator in _OPERATORS:
        for key, value in st.conditions.get(operator, {}).items():
            values = [str(v) for v in as_list(value)]
            if key.endswith(f":{claim}") and values and all(_names_one(claim, v, "Like" in operator) for v in values):
                return True
    return False


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict, ("trust",)):
        if any(action_matches(a, "sts:AssumeRoleWithWebIdentity") for a in st.actions):
            missing = [f":{claim}" for claim in ("sub", "aud") if not _pinned(st, claim)]
            if missing:
                verdict.violation(f"{st.label()} trusts a web identity without pinning {' and '.join(missing)}; add "
                                  "StringEquals conditions on <issuer>:sub (the service account or repository ref) "
                                  "and <issuer>:aud (sts.amazonaws.com).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Web-identity (OIDC) trust policies must pin both the :sub and the :aud claim with conditions.",
    resource_types=["aws:iam/role:Role"],
    check=check,
)
