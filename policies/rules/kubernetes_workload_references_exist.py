"""`kubernetes-workload-references-exist`: every Secret, ConfigMap and PersistentVolumeClaim a workload needs
exists in the plan.

A pod mounting (or reading through `env`/`envFrom`, or pulling images with) a missing, non-optional Secret or
ConfigMap stays in `ContainerCreating`/`CreateContainerConfigError`; a missing claim keeps it `Pending`
(Kubernetes docs, "Secrets": "the Pod will not start until all the Pod's volumes are mounted"). Scope: the
workloads the plan shows as resources (directly, or rendered by `helm.v4.Chart` / `yaml.v2.ConfigGroup`
/`ConfigFile`, whose objects are in the plan), and a `helm.v3.Release`'s values by the chart conventions in
`_workloads.py`; what a chart creates itself is invisible to the plan and out of scope. A Secret that an
External Secrets Operator `ExternalSecret` of the plan writes counts as planned: with creationPolicy `Owner`
(the default) or `Orphan` the operator creates `spec.target.name` (default the ExternalSecret's own name);
with `Merge` or `None` it creates nothing (external-secrets.io, "ExternalSecret: creationPolicy").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._support import StackView, Verdict, contains_unknown, dig, stack_policy
from ._workloads import CONFIG_MAP, HELM_RELEASE, PVC, SECRET, WORKLOAD_TYPES, pods

NAME = "kubernetes-workload-references-exist"
_KINDS = {SECRET: "Secret", CONFIG_MAP: "ConfigMap", PVC: "PersistentVolumeClaim"}
EXTERNAL_SECRETS = ("kubernetes:external-secrets.io/v1:ExternalSecret",
                    "kubernetes:external-secrets.io/v1beta1:ExternalSecret")
_CREATING_POLICIES = ("Owner", "Orphan")


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    present: set[tuple[str, str, str]] = set()
    unsure: set[str] = set()  # kinds with an object whose name is not known yet: a missing one may be it
    for obj in stack.of(*_KINDS):
        name, namespace = dig(obj.props, "metadata", "name"), dig(obj.props, "metadata", "namespace") or "default"
        if contains_unknown([name, namespace]):
            verdict.cannot_judge(f"{obj.name}.metadata")
            unsure.add(_KINDS[obj.type])
            continue
        present.add((_KINDS[obj.type], str(namespace), str(name)))
    for obj in stack.of(*EXTERNAL_SECRETS):
        name, namespace = dig(obj.props, "metadata", "name"), dig(obj.props, "metadata", "namespace") or "default"
        target = dig(obj.props, "spec", "target", "name") or name
        policy = dig(obj.props, "spec", "target", "creationPolicy") or "Owner"
        if contains_unknown([target, namespace, policy]):
            verdict.cannot_judge(f"{obj.name}.spec.target")
            unsure.add("Secret")
            continue
        if policy in _CREATING_POLICIES:
            present.add(("Secret", str(namespace), str(target)))
    for pod in pods(stack.of(*WORKLOAD_TYPES, HELM_RELEASE)):
        for kind, name in pod.references:
            if contains_unknown([name, pod.namespace]):
                verdict.cannot_judge(f"{pod.owner.name}.{kind}")
                continue
            if (kind, str(pod.namespace), str(name)) not in present and kind not in unsure:
                verdict.violation(f"its pods need {kind} {pod.namespace}/{name}, which the plan does not create: they "
                                  "would not start.", pod.owner.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every Secret, ConfigMap and PersistentVolumeClaim a planned workload mounts or reads exists in the "
                "plan.",
    resource_types=[*_KINDS, *EXTERNAL_SECRETS, HELM_RELEASE, *WORKLOAD_TYPES],
    check=check,
)
