"""What the providers answer to the data-source invokes the program makes, computed as the providers compute it.

A table of invoke token -> answer, like `computed.py` is for resources: deterministic values derived from the
arguments and the provider's account and region. An invoke missing here fails loudly in the mocks
(`Mock not implemented: <token>`), so a new data source never passes with an empty answer. Add one entry per
token, with the provider's documented result shape (camelCase keys, as the engine sends them).
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .computed import Context, _digest, _uuid
from .gojson import go_text, sorted_maps

Invoke = Callable[[Mapping[str, Any], Context], dict[str, Any]]

# EC2's zone ids are per account, the names per region; three zones is what every region this project
# supports offers at least (the network needs exactly three).
_ZONE_LETTERS = ("a", "b", "c")


def _caller_identity(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    return {"accountId": ctx.account_id, "arn": f"arn:aws:sts::{ctx.account_id}:assumed-role/preflight/preflight",
            "userId": "AROAPREFLIGHT:preflight", "id": ctx.account_id}


def _partition(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    return {"partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}


def _region(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    region = args.get("region") or args.get("name") or ctx.region
    return {"region": region, "name": region, "endpoint": f"ec2.{region}.amazonaws.com",
            "description": region, "id": region}


# A zone id's prefix abbreviates its region: the area whole, each word of the direction by its initial, then
# the number (`use1-az1`, `euw1-az2`, `apse2-az3`, `euc1-az1`, `usgw1-az1`).
_REGION_WORDS = re.compile(r"north|south|east|west|central|gov")


def _zone_id_prefix(region: str) -> str:
    area, *words, number = region.split("-")
    return area + "".join(m[0][0] for word in words for m in _REGION_WORDS.finditer(word)) + number


def _availability_zones(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    names = [f"{ctx.region}{letter}" for letter in _ZONE_LETTERS]
    prefix = _zone_id_prefix(ctx.region)
    return {"names": names, "zoneIds": [f"{prefix}-az{i}" for i in range(1, len(names) + 1)],
            "groupNames": [ctx.region] * len(names), "id": ctx.region, "state": args.get("state")}


def _string_list(values: Sequence[Any] | None) -> Any:
    """terraform-provider-aws `policyDecodeConfigStringList`: the set's values reverse-sorted, one value
    collapsed to a string. None when empty (the statement then omits the element)."""
    items = [str(v) for v in values or [] if v is not None]
    if not items:
        return None
    if len(set(items)) == 1:
        return items[0]
    return sorted(set(items), reverse=True)  # a schema.Set: duplicates collapse


def _principals(entries: Sequence[Mapping[str, Any]] | None) -> Any:
    """`IAMPolicyStatementPrincipalSet.MarshalJSON`: `"*"` for a lone `{type: "*", identifiers: ["*"]}`, else
    type -> identifier or identifiers, identifiers of one type accumulated in order."""
    entries = list(entries or [])
    if not entries:
        return None
    if len(entries) == 1 and entries[0].get("type") == "*":
        return "*"
    out: dict[str, Any] = {}
    for entry in entries:
        kind = str(entry.get("type"))
        ids = _string_list(entry.get("identifiers"))
        if ids is None:
            continue
        have = out.get(kind)
        if have is None:
            out[kind] = ids
        else:
            out[kind] = (have if isinstance(have, list) else [have]) + (ids if isinstance(ids, list) else [ids])
    return out


def _conditions(entries: Sequence[Mapping[str, Any]] | None) -> Any:
    out: dict[str, dict[str, Any]] = {}
    for entry in entries or []:
        values = _string_list(entry.get("values"))
        by_variable = out.setdefault(str(entry.get("test")), {})
        key = str(entry.get("variable"))
        if key in by_variable:  # the same test and key twice: the values accumulate
            have = by_variable[key]
            values = (have if isinstance(have, list) else [have]) + (values if isinstance(values, list) else [values])
        by_variable[key] = values
    return out or None


def _statement(raw: Mapping[str, Any]) -> dict[str, Any]:
    # Element order of the provider's IAMPolicyStatement struct; empty elements are omitted.
    elements = {
        "Sid": raw.get("sid") or None,
        "Effect": raw.get("effect") or "Allow",
        "Action": _string_list(raw.get("actions")),
        "NotAction": _string_list(raw.get("notActions")),
        "Resource": _string_list(raw.get("resources")),
        "NotResource": _string_list(raw.get("notResources")),
        "Principal": _principals(raw.get("principals")),
        "NotPrincipal": _principals(raw.get("notPrincipals")),
        "Condition": _conditions(raw.get("conditions")),
    }
    return {k: v for k, v in elements.items() if v is not None}


def _merge_by_sid(base: list[dict[str, Any]], statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A statement with the Sid of an earlier one replaces it in place; others are appended."""
    merged = list(base)
    for st in statements:
        sid = st.get("Sid")
        at = next((i for i, have in enumerate(merged) if sid and have.get("Sid") == sid), None)
        if at is None:
            merged.append(st)
        else:
            merged[at] = st
    return merged


def _documents_statements(texts: Sequence[Any] | None) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for text in texts or []:
        doc = json.loads(text) if isinstance(text, str) else dict(text)
        found = doc.get("Statement") or []
        out = _merge_by_sid(out, [dict(s) for s in (found if isinstance(found, list) else [found])])
    return out


def _policy_document(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """`aws.iam.getPolicyDocument` as terraform-provider-aws's `aws_iam_policy_document` renders it: `Version`
    (default 2012-10-17), `Id`, `Statement` in the given order (source documents first, then these statements,
    each replacing a source statement with its Sid, then override documents by Sid); action, resource and
    principal sets reverse-sorted and a single value collapsed to a string; `json` indented by two spaces,
    `minifiedJson` compact; the id is the CRC-32 of `json`."""
    statements = _documents_statements(args.get("sourcePolicyDocuments"))
    statements = _merge_by_sid(statements, [_statement(s) for s in args.get("statements") or []])
    statements = _merge_by_sid(statements, _documents_statements(args.get("overridePolicyDocuments")))
    document: dict[str, Any] = {"Version": args.get("version") or "2012-10-17"}
    if args.get("policyId"):
        document["Id"] = args["policyId"]
    document["Statement"] = statements
    # Go marshals the provider's structs in field order (not sorted); maps inside (Principal, Condition) sorted.
    rendered = _go_struct_json(document, indent=2)
    return {**{k: v for k, v in args.items()}, "json": rendered, "minifiedJson": _go_struct_json(document),
            "id": str(zlib.crc32(rendered.encode()))}


_STATEMENT_ELEMENTS = ("Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                       "NotPrincipal", "Condition")


def _go_struct_json(document: dict[str, Any], indent: int | None = None) -> str:
    """The provider's structs marshal in field order; the values that are Go maps (Principal, Condition) and
    anything unknown to the structs sorted."""
    statements = [{k: sorted_maps(st[k]) for k in _STATEMENT_ELEMENTS if k in st} for st in document["Statement"]]
    return go_text({**{k: v for k, v in document.items() if k != "Statement"}, "Statement": statements}, indent)


# Default add-on versions per name, for `eks.getAddonVersion` (`aws eks describe-addon-versions` answers the
# newest build compatible with the cluster's version; these are the builds the docs list as defaults).
_ADDON_VERSIONS = {
    "vpc-cni": "v1.19.2-eksbuild.1",
    "coredns": "v1.11.4-eksbuild.2",
    "kube-proxy": "v{k8s}.0-eksbuild.2",
    "aws-ebs-csi-driver": "v1.38.1-eksbuild.2",
    "eks-pod-identity-agent": "v1.3.4-eksbuild.1",
}


def _addon_version(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    name = str(args.get("addonName"))
    if name not in _ADDON_VERSIONS:
        raise NotImplementedError(f"Mock not implemented: aws:eks/getAddonVersion:getAddonVersion for add-on {name!r}")
    k8s = str(args.get("kubernetesVersion"))
    return {"addonName": name, "kubernetesVersion": k8s, "mostRecent": args.get("mostRecent"),
            "version": _ADDON_VERSIONS[name].format(k8s=k8s), "id": name}


def _secret_version(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The secret's current version. Its value cannot be known offline: a deterministic placeholder."""
    secret_id = str(args.get("secretId"))
    arn = secret_id if secret_id.startswith("arn:") else (
        f"arn:aws:secretsmanager:{ctx.region}:{ctx.account_id}:secret:{secret_id}-{_digest('sm', secret_id)[:6]}")
    stage = args.get("versionStage") or ("" if args.get("versionId") else "AWSCURRENT")
    version_id = args.get("versionId") or _uuid("secret-version", secret_id)
    return {"arn": arn, "secretId": secret_id, "versionId": version_id,
            "versionStages": [stage] if stage else [], "versionStage": stage or None,
            "secretString": f"preflight-{_digest('secret-value', secret_id, length=24)}", "secretBinary": "",
            "createdDate": "2026-01-01T00:00:00Z",
            "id": f"{secret_id}|{version_id if args.get('versionId') else stage}"}


def _databricks_service_principal(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """Looked up by application id or display name; the other fields derived from what was given."""
    key = str(args.get("applicationId") or args.get("displayName") or args.get("spId") or args.get("id"))
    app_id = args.get("applicationId") or _uuid("app-display", key)
    sp_id = args.get("spId") or args.get("id") or str(int(_digest("sp-display", key, length=12), 16))
    return {"applicationId": app_id, "displayName": args.get("displayName") or key, "spId": sp_id, "id": sp_id,
            "scimId": sp_id, "externalId": args.get("externalId") or "", "active": True,
            "home": f"/Users/{app_id}", "repos": f"/Repos/{app_id}", "aclPrincipalId": f"servicePrincipals/{app_id}"}


def _databricks_current_user(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The identity the provider authenticates as: in CI a service principal, whose user name is its
    application id."""
    app_id = _uuid("current-user", ctx.account_id)
    user_id = str(int(_digest("current-user-id", ctx.account_id, length=12), 16))
    return {"id": user_id, "userName": app_id, "displayName": "preflight", "externalId": "",
            "home": f"/Users/{app_id}", "repos": f"/Repos/{app_id}", "aclPrincipalId": f"servicePrincipals/{app_id}",
            "alphanumeric": app_id.replace("-", "_"), "workspaceUrl": "https://preflight.cloud.databricks.com"}


def _open_id_connect_provider(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    # A bootstrap prerequisite of the account the invoke runs in, looked up by ARN or by URL. The provider's data
    # source takes exactly one of the two (its schema: `ExactlyOneOf: arn, url`) and refuses both or neither.
    arn, url = args.get("arn"), args.get("url")
    if bool(arn) == bool(url):
        raise ValueError('aws:iam/getOpenIdConnectProvider: exactly one of "arn" or "url" must be set, got '
                         f"arn={arn!r}, url={url!r}")
    url = str(url).removeprefix("https://") if url else str(arn).split(":oidc-provider/", 1)[1]
    arn = f"arn:aws:iam::{ctx.account_id}:oidc-provider/{url}"
    return {"arn": arn, "id": arn, "url": url, "clientIdLists": ["sts.amazonaws.com"], "thumbprintLists": [],
            "tags": {}}


def _yaml_decode(args: Mapping[str, Any], _ctx: Context) -> dict[str, Any]:
    """The provider's YAML parser behind the v1 `yaml.ConfigFile`/`ConfigGroup`: every non-empty document."""
    import yaml

    return {"result": [doc for doc in yaml.safe_load_all(str(args.get("text") or "")) if doc is not None]}


INVOKES: dict[str, Invoke] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getPolicyDocument:getPolicyDocument": _policy_document,
    "aws:eks/getAddonVersion:getAddonVersion": _addon_version,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
    "databricks:index/getServicePrincipal:getServicePrincipal": _databricks_service_principal,
    "databricks:index/getCurrentUser:getCurrentUser": _databricks_current_user,
    "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": _open_id_connect_provider,
    "kubernetes:yaml:decode": _yaml_decode,
}


def answer(token: str, args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The invoke's result, or NotImplementedError naming the token."""
    try:
        handler = INVOKES[token]
    except KeyError:
        raise NotImplementedError(f"Mock not implemented: {token}") from None
    return handler(args, ctx)
