"""`aws-iam-trust-web-identity-pinned`: a web-identity trust (IRSA, GitHub OIDC) pins `:sub` and `:aud`.

Without `:sub` any service account of the cluster (or any repository on GitHub) could assume the role; without
`:aud` a token minted for another audience would do. Each must be a StringEquals/StringLike condition on the
issuer's key with a value that is not a bare wildcard.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import Statement, action_matches, allow_statements
from ._support import Resource, Verdict, as_list, resource_policy

NAME = "aws-iam-trust-web-identity-pinned"
_OPERATORS = ("StringEquals", "StringLike", "ForAnyValue:StringEquals", "ForAnyValue:StringLike")


def _pinned(st: Statement, claim: str) -> bool:
    for operator in _OPERATORS:
        for key, value in st.conditions.get(operator, {}).items():
            values = [str(v) for v in as_list(value)]
            if key.endswith(f":{claim}") and values and not any(v == "*" or v.startswith("*") for v in values):
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
