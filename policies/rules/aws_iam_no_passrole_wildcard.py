"""`aws-iam-no-passrole-wildcard`: `iam:PassRole` only on named roles.

PassRole on `*` (or on every role of an account) lets the holder hand any role, including an administrator
role, to a service it controls: a privilege escalation. A prefix or any other wildcard in the role name
(`role/ml-platform-*`) matches the admin deploy role of the same prefix just as well: refused too.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, action_matches, allow_statements
from ._support import Resource, Verdict, resource_policy

NAME = "aws-iam-no-passrole-wildcard"
_ROLE_ARN = re.compile(r"^arn:[^:]*:iam::(?P<account>[^:]*):role/(?P<name>.*)$")


def _wide(resource: str) -> bool:
    """Any wildcard in the account or the role's path and name: a prefix (`role/ml-platform-*`) matches roles
    created later, the admin deploy role among them; only named roles are provably safe to pass."""
    match = _ROLE_ARN.match(resource)
    if match is None:
        return "*" in resource or "?" in resource
    return any(c in match["account"] + match["name"] for c in "*?")


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    # Identity policies only: PassRole is granted to an identity. A bucket policy holds S3 actions only (S3
    # refuses any other as "Policy has invalid action"), and read as PassRole its `"Action": "*"` on the bucket's
    # own objects (`arn:aws:s3:::data/*`) would be flagged as passing every role.
    for _doc, st in allow_statements(resource, verdict, ("identity",)):
        if any(action_matches(a, "iam:PassRole") for a in st.actions):
            wide = [r for r in st.resources if _wide(r)]
            if wide:
                verdict.violation(f"{st.label()} allows iam:PassRole on {', '.join(wide)}; name the role ARNs that "
                                  "may be passed (and pin iam:PassedToService).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="iam:PassRole must be limited to named role ARNs, never `*` or every role.",
    resource_types=DOCUMENT_TYPES,
    check=check,
)
