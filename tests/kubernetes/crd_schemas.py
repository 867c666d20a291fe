"""Schemas for the custom resources the platform chart renders (External Secrets Operator's `external-secrets.io/v1`
SecretStore and ExternalSecret), which kubernetes-validate cannot know: only the fields the chart uses, with
the types and enums of the operator's API reference (external-secrets.io, API: SecretStore, ExternalSecret),
closed (`additionalProperties: false`) so a misspelt field fails here as a built-in kind's would.
"""

from __future__ import annotations

from typing import Any

_META = {"type": "object", "required": ["name", "namespace"], "properties": {
    "name": {"type": "string", "pattern": "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
    "namespace": {"type": "string"}, "labels": {"type": "object"}, "annotations": {"type": "object"}},
    "additionalProperties": False}
_STORE_REF = {"type": "object", "additionalProperties": False, "required": ["name"], "properties": {
    "name": {"type": "string"}, "kind": {"enum": ["SecretStore", "ClusterSecretStore"]}}}


def _closed(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "additionalProperties": False, "required": required or list(properties),
            "properties": properties}


_JWT = _closed({"serviceAccountRef": _closed({"name": {"type": "string"}})})
_AWS = _closed({"service": {"enum": ["SecretsManager", "ParameterStore"]}, "region": {"type": "string"},
                "auth": _closed({"jwt": _JWT})})

CRD_SCHEMAS: dict[tuple[str, str], dict[str, Any]] = {
    ("external-secrets.io/v1", "SecretStore"): _closed({
        "apiVersion": {"const": "external-secrets.io/v1"}, "kind": {"const": "SecretStore"}, "metadata": _META,
        "spec": _closed({"provider": _closed({"aws": _AWS})})}),
    ("external-secrets.io/v1", "ExternalSecret"): {
        "type": "object", "additionalProperties": False, "required": ["apiVersion", "kind", "metadata", "spec"],
        "properties": {
            "apiVersion": {"const": "external-secrets.io/v1"}, "kind": {"const": "ExternalSecret"}, "metadata": _META,
            "spec": {"type": "object", "additionalProperties": False, "required": ["secretStoreRef", "target", "data"],
                     "properties": {
                         "refreshInterval": {"type": "string", "pattern": "^[0-9]+(s|m|h)$"},
                         "secretStoreRef": _STORE_REF,
                         "target": {"type": "object", "additionalProperties": False, "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "creationPolicy": {"enum": ["Owner", "Orphan", "Merge", "None"]},
                                        "template": {"type": "object", "additionalProperties": False,
                                                     "properties": {"engineVersion": {"enum": ["v2"]},
                                                                    "data": {"type": "object"}}}}},
                         "data": {"type": "array", "minItems": 1, "items": {
                             "type": "object", "additionalProperties": False, "required": ["secretKey", "remoteRef"],
                             "properties": {
                                 "secretKey": {"type": "string"},
                                 "remoteRef": {"type": "object", "additionalProperties": False, "required": ["key"],
                                               "properties": {"key": {"type": "string"},
                                                              "property": {"type": "string"}}}}}}}},
        },
    },
}
