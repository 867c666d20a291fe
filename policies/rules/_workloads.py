"""Pods as a plan can show them: the pod specs of workload objects, and what a Helm release's values name.

A workload registered as its own resource (directly, or as a child of `helm.v4.Chart`, `yaml.v2.ConfigGroup` or
`yaml.v2.ConfigFile`, which register every object they render) carries its pod spec. A `helm.v3.Release` is one
opaque resource: its chart is rendered by the provider, so the plan shows only its values. For those, the
chart conventions this repository's charts follow are read: a `serviceAccountName` key names the pods'
service account, in the namespace a sibling `namespace` key names (else the release's); a mapping under a key
ending in `Secret`/`ConfigMap`/`Claim` with a `name` and the keys `existingSecret`, `existingConfigMap`,
`existingClaim` name objects the chart's pods mount.
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


def _needed(kind: str, ref: Any, name_key: str = "name") -> Iterator[tuple[str, Any]]:
    """The object a reference names unless it is `optional`; its name UNKNOWN when the reference, or whether it
    is optional, is not known yet."""
    if ref is None:
        return
    optional = dig(ref, "optional")
    if is_unknown(ref) or is_unknown(optional):
        yield kind, UNKNOWN
    elif not optional:
        yield kind, dig(ref, name_key)


def _spec_references(spec: Any) -> Iterator[tuple[str, Any]]:
    for volume in as_list(dig(spec, "volumes")):
        yield from _needed("Secret", dig(volume, "secret"), "secretName")
        yield from _needed("ConfigMap", dig(volume, "configMap"))
        yield from _needed("PersistentVolumeClaim", dig(volume, "persistentVolumeClaim"), "claimName")
        for source in as_list(dig(volume, "projected", "sources")):
            yield from _needed("Secret", dig(source, "secret"))
            yield from _needed("ConfigMap", dig(source, "configMap"))
    for pull in as_list(dig(spec, "imagePullSecrets")):
        yield "Secret", dig(pull, "name")
    for container in as_list(dig(spec, "containers")) + as_list(dig(spec, "initContainers")):
        for env in as_list(dig(container, "env")):
            yield from _needed("Secret", dig(env, "valueFrom", "secretKeyRef"))
            yield from _needed("ConfigMap", dig(env, "valueFrom", "configMapKeyRef"))
        for source in as_list(dig(container, "envFrom")):
            yield from _needed("Secret", dig(source, "secretRef"))
            yield from _needed("ConfigMap", dig(source, "configMapRef"))


_VALUE_KINDS = (("Secret", "Secret"), ("ConfigMap", "ConfigMap"), ("Claim", "PersistentVolumeClaim"))


def _value_references(values: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(values, list):
        for item in values:
            yield from _value_references(item)
    if not isinstance(values, dict):
        return
    for key, value in values.items():
        for suffix, kind in _VALUE_KINDS:
            if key == f"existing{suffix}" and (is_unknown(value) or (isinstance(value, str) and value)):
                yield kind, value
            elif key.endswith(suffix) and isinstance(value, dict) and (
                    isinstance(value.get("name"), str) or is_unknown(value.get("name"))):
                yield kind, value["name"]
        yield from _value_references(value)


def _value_service_accounts(values: Any, namespace: Any) -> Iterator[tuple[Any, Any]]:
    """(namespace, service account) pairs: a mapping's own `namespace` key moves its pods (and those below)."""
    if isinstance(values, list):
        for item in values:
            yield from _value_service_accounts(item, namespace)
    elif isinstance(values, dict):
        if is_unknown(values.get("namespace")) or (isinstance(values.get("namespace"), str) and values["namespace"]):
            namespace = values["namespace"]
        for key, value in values.items():
            if key == "serviceAccountName" and value:
                yield namespace, value
            else:
                yield from _value_service_accounts(value, namespace)


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
            accounts = list(_value_service_accounts(values, namespace)) or [(namespace, None)]
            for i, (pods_namespace, account) in enumerate(accounts):
                yield Pods(resource, pods_namespace, account, references if i == 0 else ())
