"""Every IAM policy document a plan holds, with where it came from: role trusts, inline policies, key
policies and bucket policies, read from the inputs the program hands the provider."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from preflight.harness import Plan, reveal

# type -> (input holding the document, kind of document)
DOCUMENT_INPUTS = {
    "aws:iam/role:Role": ("assumeRolePolicy", "trust"),
    "aws:iam/rolePolicy:RolePolicy": ("policy", "identity"),
    "aws:iam/policy:Policy": ("policy", "identity"),
    "aws:kms/key:Key": ("policy", "resource"),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy", "resource"),
}


@dataclass(frozen=True)
class Document:
    resource: str
    """Logical name of the resource that carries the document."""
    type: str
    kind: str
    """trust, identity or resource."""
    text: str

    @property
    def parsed(self) -> dict[str, Any]:
        return json.loads(self.text)

    @property
    def statements(self) -> list[dict[str, Any]]:
        statements = self.parsed["Statement"]
        return statements if isinstance(statements, list) else [statements]


def documents(plan: Plan) -> list[Document]:
    found: list[Document] = []
    for resource in plan.registered:
        if resource.type in DOCUMENT_INPUTS:
            key, kind = DOCUMENT_INPUTS[resource.type]
            if key in resource.inputs:  # one without (a key left on AWS's default policy) is named by a test instead
                found.append(Document(resource.name, resource.type, kind, reveal(resource.inputs)[key]))
    return found


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def role_documents(plan: Plan, role_name: str) -> tuple[str, list[str]]:
    """(trust policy, inline policies) of the role whose IAM name is `role_name`."""
    role = next(r for r in plan.of_type("aws:iam/role:Role") if reveal(r.inputs)["name"] == role_name)
    inline = [reveal(p.inputs)["policy"] for p in plan.of_type("aws:iam/rolePolicy:RolePolicy")
              if reveal(p.inputs)["role"] == role.id]
    return reveal(role.inputs)["assumeRolePolicy"], inline
