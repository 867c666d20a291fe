"""`aws-iam-no-public-principal`: no Allow to `Principal: "*"` or `{"AWS": "*"}`.

Applies to role trust policies (anyone could assume the role) and to bucket and KMS key policies (anyone
could use the resource). Deny statements to `*` (TLS-only, SSE-only bucket policies) are fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, allow_statements
from ._support import Resource, Verdict, resource_policy

NAME = "aws-iam-no-public-principal"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict, ("trust", "bucket", "key")):
        if st.principal == "*" or "*" in st.principals("AWS"):
            verdict.violation(f"{st.label()} allows Principal \"*\"; name the accounts, roles or services "
                              "that need access.")
    return verdict


policy = resource_policy(
    name=NAME,
    description='Trust, bucket and key policies must not allow Principal "*" or {"AWS": "*"}: name the principals.',
    resource_types=DOCUMENT_TYPES,
    check=check,
)
