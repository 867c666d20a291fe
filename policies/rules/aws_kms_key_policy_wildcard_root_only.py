"""`aws-kms-key-policy-wildcard-root-only`: in a KMS key policy, `kms:*` (or `*`) goes to the account root only.

The root statement is what keeps the key manageable through IAM; any other principal gets the key actions it
uses (Encrypt, Decrypt, GenerateDataKey*, ...), never administration of the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import allow_statements, is_account_root
from ._support import Resource, Verdict, resource_policy

NAME = "aws-kms-key-policy-wildcard-root-only"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict, ("key",)):
        if any(a == "*" or a.lower() == "kms:*" for a in st.actions):
            principal = st.principal
            others = ["*"] if principal == "*" or not isinstance(principal, dict) else [
                f"{kind}: {p}" for kind, values in principal.items()
                for p in (values if isinstance(values, list) else [values])
                if not (kind == "AWS" and is_account_root(str(p)))]
            if others:
                verdict.violation(f"{st.label()} allows kms:* to {', '.join(others)}; only the account root may hold "
                                  "kms:*, give other principals the key actions they use.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="KMS key policies may grant kms:* only to the account root; other principals get named key actions.",
    resource_types=["aws:kms/key:Key", "aws:kms/keyPolicy:KeyPolicy"],
    check=check,
)
