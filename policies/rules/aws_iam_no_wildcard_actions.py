"""`aws-iam-no-wildcard-actions`: no Allow of `*` or `<service>:*` in any IAM policy document.

In KMS key policies `kms:*` is left to `aws-kms-key-policy-wildcard-root-only` (the account root's
administration statement is the one place it belongs).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, allow_statements, documents
from ._support import Finding, Resource, Verdict, resource_policy

NAME = "aws-iam-no-wildcard-actions"


def is_wildcard_action(action: str) -> bool:
    return action == "*" or action.endswith(":*")


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    # This rule also reports documents that do not parse (once, not once per IAM rule).
    verdict.findings.extend(Finding(doc.error) for doc in documents(resource.type, resource.props) if doc.error)
    for doc, st in allow_statements(resource, verdict):
        wild = [a for a in st.actions if is_wildcard_action(a) and not (doc.kind == "key" and a.lower() == "kms:*")]
        if wild:
            verdict.violation(f"{st.label()} allows {', '.join(wild)}; list the actions the principal needs.")
    return verdict


policy = resource_policy(
    name=NAME,
    description="IAM policy documents must not allow `*` or `<service>:*`: name the actions that are needed.",
    resource_types=DOCUMENT_TYPES,
    check=check,
)
