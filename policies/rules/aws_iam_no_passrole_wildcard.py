"""`aws-iam-no-passrole-wildcard`: `iam:PassRole` only on named roles.

PassRole on `*` (or on every role of an account) lets the holder hand any role, including an administrator
role, to a service it controls: a privilege escalation.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, action_matches, allow_statements
from ._support import Resource, Verdict, resource_policy

NAME = "aws-iam-no-passrole-wildcard"
_ANY_ROLE = re.compile(r"^(\*|arn:[^:]*:iam::[^:]*:(\*|role/\*|role/.*/\*))$")


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict, ("identity", "bucket")):
        if any(action_matches(a, "iam:PassRole") for a in st.actions):
            wide = [r for r in st.resources if _ANY_ROLE.match(r)]
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
