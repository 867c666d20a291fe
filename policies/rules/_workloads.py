"""Pods as a plan can show them: the pod specs of workload objects, and what a Helm release's values name.

A workload registered as its own resource (directly, or as a child of `helm.v4.Chart`, `yaml.v2.ConfigGroup` or
`yaml.v2.ConfigFile`, which register every object they render) carries its pod spec. A `helm.v3.Release` is one
opaque resource: its chart is rendered by the provider, so the plan shows only its values. For those, the
chart conventions this repository's charts follow are read: a `serviceAccountName` key names the pods'
service account, a mapping under a key ending in `Secret`/`ConfigMap`/`Claim` with a `name` and the keys
`existingSecret`, `existingConfigMap`, `existingClaim` name objects the chart's pods mount.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from ._support import UNKNOWN, Resource, as_list, dig, is_unknown

HELM_RELEASE = "kubernetes:helm.sh/v3:Release"
SERVICE_ACCOUNT = "kubernetes:core/v1:ServiceAccount"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"

# Type -> path to the pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "kubernetes:core/v1:Pod": ("spec",),
    "kubernetes:apps/v1:Deployment": ("spec", "template", "spec"),
    "kubernetes:apps/v1:StatefulSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:DaemonSet": ("spec", "template", "spec"),
    "kubernetes:apps/v1:ReplicaSet": ("spec", "template", "spec"),
    "kubernetes:batch/v1:Job": ("spec", "template", "spec"),
    "kubernetes:batch/v1:CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
WORKLOAD_TYPES = tuple(POD_SPEC_PATHS)
IRSA_ANNOTATION = "eks.amazonaws.com/role-arn"


@dataclass(frozen=True)
class Pods:
    """The pods of one workload (or one release's chart), as far as the plan shows them."""

    owner: Resource
    namespace: Any
    service_account: Any
    """The service account name, None for `default`, UNKNOWN when not known yet."""
    references: tuple[tuple[str, Any], ...]
    """(kind, name) of each Secret, ConfigMap or PersistentVolumeClaim the pods need (non-optional)."""


def _spec_references(spec: Any) -> Iterator[tuple[str, Any]]:
    for volume in as_list(dig(spec, "volumes")):
        if (secret := dig(volume, "secret")) is not None and not dig(secret, "optional"):
            yield "Secret", dig(secret, "secretName")
        if (config_map := dig(volume, "configMap")) is not None and not dig(config_map, "optional"):
            yield "ConfigMap", dig(config_map, "name")
        if (claim := dig(volume, "persistentVolumeClaim")) is not None:
            yield "PersistentVolumeClaim", dig(claim, "claimName")
        for source in as_list(dig(volume, "projected", "sources")):
            if (secret := dig(source, "secret")) is not None and not dig(secret, "optional"):
                yield "Secret", dig(secret, "name")
            if (config_map := dig(source, "configMap")) is not None and not dig(config_map, "optional"):
                yield "ConfigMap", dig(config_map, "name")
    for pull in as_list(dig(spec, "imagePullSecrets")):
        yield "Secret", dig(pull, "name")
    for container in as_list(dig(spec, "containers")) + as_list(dig(spec, "initContainers")):
        for env in as_list(dig(container, "env")):
            for kind, key in (("Secret", "secretKeyRef"), ("ConfigMap", "configMapKeyRef")):
                ref = dig(env, "valueFrom", key)
                if ref is not None and not dig(ref, "optional"):
                    yield kind, dig(ref, "name")
        for source in as_list(dig(container, "envFrom")):
            for kind, key in (("Secret", "secretRef"), ("ConfigMap", "configMapRef")):
                ref = dig(source, key)
                if ref is not None and not dig(ref, "optional"):
                    yield kind, dig(ref, "name")


_VALUE_KINDS = (("Secret", "Secret"), ("ConfigMap", "ConfigMap"), ("Claim", "PersistentVolumeClaim"))


def _value_references(values: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(values, list):
        for item in values:
            yield from _value_references(item)
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        for suffix, kind in _VALUE_KINDS:
            if key == f"existing{suffix}" and isinstance(value, str) and value:
                yield kind, value
            elif key.endswith(suffix) and isinstance(value, dict) and isinstance(value.get("name"), str):
                yield kind, value["name"]
        yield from _value_references(value)


def _value_service_accounts(values: Any) -> Iterator[Any]:
    if isinstance(values, list):
        for item in values:
            yield from _value_service_accounts(item)
    elif isinstance(values, dict):
        for key, value in values.items():
            if key == "serviceAccountName" and value:
                yield value
            else:
                yield from _value_service_accounts(value)


def pods(resources: list[Resource]) -> Iterator[Pods]:
    """Every workload's pods, and one entry per service account a release's values name."""
    for resource in resources:
        if resource.type in POD_SPEC_PATHS:
            spec = dig(resource.props, *POD_SPEC_PATHS[resource.type])
            account = dig(spec, "serviceAccountName") or dig(spec, "serviceAccount")
            yield Pods(resource, dig(resource.props, "metadata", "namespace") or "default", account,
                       tuple(_spec_references(spec)))
        elif resource.type == HELM_RELEASE:
            values = dig(resource.props, "values")
            namespace = dig(resource.props, "namespace") or "default"
            if is_unknown(values):  # computed from other outputs: known after the update
                yield Pods(resource, namespace, UNKNOWN, (("Secret", UNKNOWN),))
                continue
            references = tuple(_value_references(values))
            accounts = list(_value_service_accounts(values)) or [None]
            for i, account in enumerate(accounts):
                yield Pods(resource, namespace, account, references if i == 0 else ())
