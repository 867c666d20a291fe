"""IAM policy documents wherever a resource carries one, parsed into statements the IAM rules can read.

A document arrives as JSON text (the usual `Output.apply(json.dumps)`) or as an object; during a preview the
text is unknown as a whole when any part of it is computed, and an object may hold unknown fields.
"""

from __future__ import annotations

import fnmatch
import functools
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from ._support import Resource, Verdict, as_list, contains_unknown, dig, is_unknown

DocumentKind = Literal["identity", "trust", "bucket", "key", "resource"]
"""identity: grants a principal permissions; trust: who may assume a role; bucket/key: resource policies of S3
and KMS; resource: every other service's resource policy (SQS, SNS, Secrets Manager, ECR, Logs, ...)."""

# Resource type -> (kind, path to the document) for every place a document occurs.
DOCUMENT_FIELDS: dict[str, tuple[tuple[DocumentKind, tuple[str | int, ...]], ...]] = {
    "aws:iam/policy:Policy": (("identity", ("policy",)),),
    "aws:iam/rolePolicy:RolePolicy": (("identity", ("policy",)),),
    "aws:iam/userPolicy:UserPolicy": (("identity", ("policy",)),),
    "aws:iam/groupPolicy:GroupPolicy": (("identity", ("policy",)),),
    "aws:iam/role:Role": (("trust", ("assumeRolePolicy",)),),  # inline policies are added per item below
    "aws:s3/bucketPolicy:BucketPolicy": (("bucket", ("policy",)),),
    "aws:s3/bucket:Bucket": (("bucket", ("policy",)),),
    "aws:s3/bucketV2:BucketV2": (("bucket", ("policy",)),),
    "aws:kms/key:Key": (("key", ("policy",)),),
    "aws:kms/keyPolicy:KeyPolicy": (("key", ("policy",)),),
    "aws:sqs/queue:Queue": (("resource", ("policy",)),),
    "aws:sqs/queuePolicy:QueuePolicy": (("resource", ("policy",)),),
    "aws:sns/topic:Topic": (("resource", ("policy",)),),
    "aws:sns/topicPolicy:TopicPolicy": (("resource", ("policy",)),),
    "aws:secretsmanager/secretPolicy:SecretPolicy": (("resource", ("policy",)),),
    "aws:secretsmanager/secret:Secret": (("resource", ("policy",)),),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": (("resource", ("policy",)),),
    "aws:ecr/registryPolicy:RegistryPolicy": (("resource", ("policy",)),),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (("resource", ("policyDocument",)),),
    "aws:s3control/accessPointPolicy:AccessPointPolicy": (("bucket", ("policy",)),),
    "aws:elasticsearch/domainPolicy:DomainPolicy": (("resource", ("accessPolicies",)),),
    "aws:opensearch/domainPolicy:DomainPolicy": (("resource", ("accessPolicies",)),),
    "aws:glacier/vaultLock:VaultLock": (("resource", ("policy",)),),
}
DOCUMENT_TYPES = frozenset(DOCUMENT_FIELDS)


@dataclass(frozen=True)
class Statement:
    path: str
    """Where it is, for messages: `policy.Statement[1]`."""
    sid: str
    allow: bool
    actions: tuple[str, ...]
    not_actions: tuple[str, ...]
    resources: tuple[str, ...]
    not_resources: tuple[str, ...]
    principal: Any
    """`"*"`, a mapping of principal type to values, or None."""
    not_principal: Any
    conditions: dict[str, dict[str, Any]]

    def label(self) -> str:
        return f"{self.path}" + (f" (Sid {self.sid})" if self.sid else "")

    def principals(self, kind: str) -> list[str]:
        if self.principal == "*":
            return ["*"]
        return [str(p) for p in as_list(dig(self.principal, kind))] if isinstance(self.principal, dict) else []


@dataclass(frozen=True)
class Document:
    kind: DocumentKind
    statements: tuple[Statement, ...]
    unknown: tuple[str, ...] = ()
    """Paths of statements (or the whole document) that are not known yet."""
    error: str | None = None


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in as_list(value))


def parse(kind: DocumentKind, path: str, raw: Any) -> Document | None:
    """A document from its raw prop value; None when the prop is absent or empty."""
    if raw is None or raw == "":
        return None
    if is_unknown(raw):
        return Document(kind, (), unknown=(path,))
    if isinstance(raw, str):
        return _parse_text(kind, path, raw)
    return _parse_object(kind, path, raw)


@functools.lru_cache(maxsize=4096)
def _parse_text(kind: DocumentKind, path: str, text: str) -> Document:
    # Every IAM rule reads the same documents: parse each text once per process.
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        return Document(kind, (), error=f"{path} is not valid JSON ({exc.msg})")
    return _parse_object(kind, path, raw)


def _parse_object(kind: DocumentKind, path: str, raw: Any) -> Document:
    if not isinstance(raw, dict):
        return Document(kind, (), error=f"{path} must be a JSON object")
    statements: list[Statement] = []
    unknown: list[str] = []
    for i, st in enumerate(as_list(raw.get("Statement"))):
        st_path = f"{path}.Statement[{i}]"
        if contains_unknown(st):
            unknown.append(st_path)
            continue
        if not isinstance(st, dict):
            continue
        statements.append(Statement(
            path=st_path, sid=str(st.get("Sid") or ""), allow=st.get("Effect") == "Allow",
            actions=_strings(st.get("Action")), not_actions=_strings(st.get("NotAction")),
            resources=_strings(st.get("Resource")), not_resources=_strings(st.get("NotResource")),
            principal=st.get("Principal"), not_principal=st.get("NotPrincipal"),
            conditions={k: v for k, v in (st.get("Condition") or {}).items() if isinstance(v, dict)}))
    return Document(kind, tuple(statements), unknown=tuple(unknown))


def documents(resource_type: str, props: dict[str, Any]) -> Iterator[Document]:
    """Every policy document of a resource: its own fields, and a role's inline policies."""
    for kind, path in DOCUMENT_FIELDS.get(resource_type, ()):
        doc = parse(kind, ".".join(str(p) for p in path), dig(props, *path))
        if doc is not None:
            yield doc
    if resource_type == "aws:iam/role:Role":
        inline = props.get("inlinePolicies")
        if is_unknown(inline):
            yield Document("identity", (), unknown=("inlinePolicies",))
            return
        for i, item in enumerate(as_list(inline)):
            doc = parse("identity", f"inlinePolicies[{i}].policy", dig(item, "policy"))
            if doc is not None:
                yield doc


ALL_KINDS: tuple[DocumentKind, ...] = ("identity", "trust", "bucket", "key", "resource")
RESOURCE_POLICY_KINDS: tuple[DocumentKind, ...] = ("bucket", "key", "resource")


def allow_statements(resource: Resource, verdict: Verdict, kinds: Iterable[DocumentKind] = ALL_KINDS,
                     ) -> Iterator[tuple[Document, Statement]]:
    """The Allow statements of the resource's documents of `kinds`; what is unknown is noted on the verdict."""
    wanted = frozenset(kinds)
    for doc in documents(resource.type, resource.props):
        if doc.kind not in wanted:
            continue
        for path in doc.unknown:
            verdict.cannot_judge(path)
        for st in doc.statements:
            if st.allow:
                yield doc, st


def action_matches(pattern: str, action: str) -> bool:
    """IAM action patterns are case-insensitive globs (`s3:Get*`)."""
    return fnmatch.fnmatchcase(action.lower(), pattern.lower())


_ROOT_RE = re.compile(r"^(arn:aws[a-z-]*:iam::\d{12}:root|\d{12})$")


def is_account_root(principal: str) -> bool:
    return bool(_ROOT_RE.match(principal))


_ARN_TYPE_PREFIX = re.compile(r"^[A-Za-z0-9-]+[:/]")


def spans_every_resource(arn: str) -> bool:
    """True for `*` and for an ARN whose wildcard covers every resource of its service, or every account:
    `arn:aws:s3:::*/*`, `arn:aws:s3:::*-data`, `arn:aws:secretsmanager:*:*:secret:*`, `arn:aws:kms:eu-west-1:
    111122223333:key/*`. A wildcard after a named part (a bucket's own objects `arn:aws:s3:::data/*`, a prefix of
    secrets `secret:ml-platform-prod/*`) is scoped, and so is a region wildcard."""
    if arn == "*":
        return True
    parts = arn.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    service, account, rest = parts[2], parts[4], parts[5]
    if service == "s3":
        bucket = rest.split("/", 1)[0]
        return bucket[:1] in ("*", "?")
    if account[:1] in ("*", "?"):
        return True
    name = _ARN_TYPE_PREFIX.sub("", rest, count=1)
    return rest[:1] in ("*", "?") or name[:1] in ("*", "?")


# Condition keys that narrow a statement to named resources or principals when given exact values (IAM User
# Guide, "AWS global condition context keys"; the service authorization reference for the service keys):
# tag-based access control (`aws:ResourceTag/<key>`), the network a new EC2 interface lands in, the encryption
# context that binds a KMS call to one secret, the organisation or account of the caller.
_RESOURCE_PINNING_KEYS = ("aws:resourcetag/", "ec2:subnet", "ec2:vpc", "kms:encryptioncontext:")
_PRINCIPAL_PINNING_KEYS = ("aws:principalorgid", "aws:principalaccount", "aws:sourceaccount", "aws:sourceorgid")
_EXACT_OPERATORS = ("stringequals", "arnequals", "stringlike", "arnlike")


def _pinned(conditions: Mapping[str, Any], keys: tuple[str, ...], named_prefix_pins: bool) -> bool:
    for operator, block in conditions.items():
        op = operator.lower()
        if op.startswith("forallvalues:") or op.endswith("ifexists") or not isinstance(block, Mapping):
            continue  # ForAllValues holds for an empty set, IfExists for a missing key: they narrow nothing
        if op.removeprefix("foranyvalue:") not in _EXACT_OPERATORS:
            continue
        for key, values in block.items():
            if not any(key.lower().startswith(k) for k in keys):
                continue
            listed = as_list(values)
            # StringLike's wildcards are allowed only after a named part (`...:secret:name-??????`), and only for
            # resources: an organisation or account id with any wildcard (`o-*`, `1111*`) matches others' too.
            if listed and all(isinstance(v, str) and v and not v.startswith(("*", "?"))
                              and (named_prefix_pins or not any(c in v for c in "*?")) for v in listed):
                return True
    return False


def resources_pinned_by_condition(statement: Statement) -> bool:
    """The statement's Condition names the resources exactly (a resource tag, subnet or VPC, KMS encryption
    context): a wildcard in Resource is then no longer every resource."""
    return _pinned(statement.conditions, _RESOURCE_PINNING_KEYS, named_prefix_pins=True)


def principals_pinned_by_condition(statement: Statement) -> bool:
    """The statement's Condition names the callers' organisation or account exactly: `Principal: "*"` is then
    no longer the public (AWS: "use aws:PrincipalOrgID with Principal *" to grant an organisation)."""
    return _pinned(statement.conditions, _PRINCIPAL_PINNING_KEYS, named_prefix_pins=False)
