"""What the providers answer to the data-source invokes the program makes, computed as the providers compute it.

A table of invoke token -> answer, like `computed.py` is for resources: deterministic values derived from the
arguments and the provider's account and region. An invoke missing here fails loudly in the mocks
(`Mock not implemented: <token>`), so a new data source never passes with an empty answer. Add one entry per
token, with the provider's documented result shape (camelCase keys, as the engine sends them).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from .computed import Context

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


def _availability_zones(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    names = [f"{ctx.region}{letter}" for letter in _ZONE_LETTERS]
    prefix = "".join(part[:1] for part in ctx.region.split("-")[:-1]) + ctx.region.rsplit("-", 1)[-1]
    return {"names": names, "zoneIds": [f"{prefix}-az{i}" for i in range(1, len(names) + 1)],
            "groupNames": [ctx.region] * len(names), "id": ctx.region, "state": args.get("state")}


def _open_id_connect_provider(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    # A bootstrap prerequisite of the account the invoke runs in: found by URL (or ARN), as IAM answers.
    url = str(args.get("url") or "").removeprefix("https://")
    if not url and args.get("arn"):
        url = str(args["arn"]).split(":oidc-provider/", 1)[1]
    arn = f"arn:aws:iam::{ctx.account_id}:oidc-provider/{url}"
    return {"arn": arn, "id": arn, "url": url, "clientIdLists": ["sts.amazonaws.com"], "thumbprintLists": [],
            "tags": {}}


def _secret_version(args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    # A secret a person stored once (README, "Set up once"); the value is a stand-in, never a real secret.
    name = str(args.get("secretId"))
    arn = name if name.startswith("arn:") else \
        f"arn:aws:secretsmanager:{ctx.region}:{ctx.account_id}:secret:{name}-AbCdEf"
    return {"arn": arn, "id": f"{arn}|AWSCURRENT", "secretId": name, "secretString": f"preflight-secret-of-{name}",
            "secretBinary": "", "versionId": "00000000-0000-4000-8000-000000000001",
            "versionStage": args.get("versionStage") or "AWSCURRENT", "versionStages": ["AWSCURRENT"],
            "createdDate": "2026-01-01T00:00:00Z"}


INVOKES: dict[str, Invoke] = {
    "aws:index/getCallerIdentity:getCallerIdentity": _caller_identity,
    "aws:index/getPartition:getPartition": _partition,
    "aws:index/getRegion:getRegion": _region,
    "aws:index/getAvailabilityZones:getAvailabilityZones": _availability_zones,
    "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider": _open_id_connect_provider,
    "aws:secretsmanager/getSecretVersion:getSecretVersion": _secret_version,
}


def answer(token: str, args: Mapping[str, Any], ctx: Context) -> dict[str, Any]:
    """The invoke's result, or NotImplementedError naming the token."""
    try:
        handler = INVOKES[token]
    except KeyError:
        raise NotImplementedError(f"Mock not implemented: {token}") from None
    return handler(args, ctx)
