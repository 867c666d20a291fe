"""`aws-iam-no-public-principal`: no Allow to `Principal: "*"` or `{"AWS": "*"}`.

Applies to role trust policies (anyone could assume the role) and to every resource policy the plan holds:
S3 buckets and access points, KMS keys, SQS queues, SNS topics, Secrets Manager secrets, ECR repositories and
registries, CloudWatch Logs, OpenSearch domains (anyone could use the resource); and to a Lambda permission for
principal `*` not narrowed by a source ARN, account or organisation. Deny statements to `*` (TLS-only,
SSE-only bucket policies) are fine.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import DOCUMENT_TYPES, RESOURCE_POLICY_KINDS, allow_statements
from ._support import Resource, Verdict, is_unknown, resource_policy

LAMBDA_PERMISSION = "aws:lambda/permission:Permission"

NAME = "aws-iam-no-public-principal"


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    if resource.type == LAMBDA_PERMISSION:
        principal = resource.props.get("principal")
        if is_unknown(principal):
            verdict.cannot_judge("principal")
        elif principal == "*" and not (resource.props.get("sourceArn") or resource.props.get("sourceAccount")
                                       or resource.props.get("principalOrgId")):
            verdict.violation('principal is "*" with no sourceArn, sourceAccount or principalOrgId: anyone may invoke '
                              "the function; name the service or account.")
        return verdict
    for _doc, st in allow_statements(resource, verdict, ("trust", *RESOURCE_POLICY_KINDS)):
        if st.principal == "*" or "*" in st.principals("AWS"):
            verdict.violation(f"{st.label()} allows Principal \"*\"; name the accounts, roles or services "
                              "that need access.")
    return verdict


policy = resource_policy(
    name=NAME,
    description='Trust, bucket and key policies must not allow Principal "*" or {"AWS": "*"}: name the principals.',
    resource_types=[*DOCUMENT_TYPES, LAMBDA_PERMISSION],
    check=check,
)
