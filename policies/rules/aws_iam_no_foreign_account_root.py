"""`aws-iam-no-foreign-account-root`: key and resource policies grant nothing to another account's root.

`Principal: {"AWS": "arn:aws:iam::<other>:root"}` (or the bare account id) delegates to every identity of the
other account its administrators allow: a cross-account grant this platform never needs (ADR-033: one account
per environment). The resource's own account is the account its provider assumes a role in
(`assumeRoles[0].roleArn`, or a single `allowedAccountIds`); accounts the pack config lists in
`trustedAccounts` are allowed. Trust policies are judged by the web-identity and public-principal rules.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, RESOURCE_POLICY_KINDS, allow_statements, is_account_root
from ._support import Resource, Verdict, as_list, dig, is_unknown, resource_policy

NAME = "aws-iam-no-foreign-account-root"


def own_account(provider: Mapping[str, Any]) -> str | None:
    """The account a provider works in, from its inputs; None when it is the default provider or not known."""
    roles = provider.get("assumeRoles")
    if isinstance(roles, str):
        try:
            roles = json.loads(roles)  # provider inputs travel as JSON text
        except ValueError:
            roles = None
    # `roleArn` from AssumeRoleArgs; a plain dict keeps the key it was written with. A chain ends in the account
    # it acts in: the provider assumes each role in turn, so the last one is the account (provider docs,
    # `assume_roles`: "multiple roles are assumed in order").
    arn = (dig(roles, -1, "roleArn") or dig(roles, -1, "role_arn")) if isinstance(roles, list) and roles else None
    if isinstance(arn, str) and arn.count(":") >= 5 and arn.split(":")[4].isdigit():
        return arn.split(":")[4]
    allowed = provider.get("allowedAccountIds")
    if isinstance(allowed, str):
        try:
            allowed = json.loads(allowed)
        except ValueError:
            allowed = [allowed]
    ids = [a for a in as_list(allowed) if isinstance(a, str)]
    return ids[0] if len(ids) == 1 else None


def account_of_root(principal: str) -> str:
    return principal if principal.isdigit() else principal.split(":")[4]


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    statements = list(allow_statements(resource, verdict, RESOURCE_POLICY_KINDS))
    roots = [(st, p) for _doc, st in statements for p in st.principals("AWS") if is_account_root(p)]
    if not roots:
        return verdict
    own = own_account(resource.provider_props)
    if own is None and any(is_unknown(v) for v in resource.provider_props.values()):
        verdict.cannot_judge("provider.assumeRoles")
        return verdict
    trusted = {str(a) for a in config.get("trustedAccounts") or []} | ({own} if own else set())
    if not trusted:
        return verdict  # the default provider's account is not known to the analyzer: nothing to compare with
    for st, principal in roots:
        if account_of_root(principal) not in trusted:
            verdict.violation(f"{st.label()} grants to {principal}, the root of another account; name the roles of "
                              "this account that need access (or list the account in trustedAccounts).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Key and resource policies must not grant to another account's root.",
    resource_types=DOCUMENT_TYPES,
    check=check,
    config_properties={"trustedAccounts": {"type": "array", "items": {"type": "string", "pattern": r"^\d{12}$"},
                                           "default": [], "description": "Other accounts that may be granted."}},
)
