"""kubernetes-workload-references-exist: what a pod mounts or reads is in the plan.

Kubernetes docs, "Secrets" and "ConfigMaps": a pod referencing a missing, non-optional Secret or ConfigMap does
not start; "Persistent Volumes": a pod with an unbound claim stays Pending."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN, Resource, StackView
from policies.rules.kubernetes_workload_references_exist import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, resource

BAD = {"refs-secret-bad", "refs-claim-bad", "refs-env-bad", "release-bad", "refs-external-merge-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_missing_secrets_config_maps_and_claims(mode: str, integrity_plan: Plan,
                                                      integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == BAD


DEPLOYMENT = "kubernetes:apps/v1:Deployment"
SECRET = "kubernetes:core/v1:Secret"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
PVC = "kubernetes:core/v1:PersistentVolumeClaim"
HELM_RELEASE = "kubernetes:helm.sh/v3:Release"


def _judge(pod_spec: dict[str, Any], *objects: tuple[str, str]) -> list[str]:
    """The rule's messages for one Deployment in namespace `ml` with `pod_spec`, beside the (type, name) objects."""
    workload = resource(DEPLOYMENT, {"metadata": {"name": "trainer", "namespace": "ml"},
                                     "spec": {"template": {"spec": pod_spec}}}, name="trainer")
    planned = [resource(kind, {"metadata": {"name": name, "namespace": "ml"}}, name=f"{name}-{kind}")
               for kind, name in objects]
    by_type: dict[str, list[Resource]] = {}
    for r in [workload, *planned]:
        by_type.setdefault(r.type, []).append(r)
    return check(StackView(by_type), {}).messages


def _missing(kind: str, name: str) -> str:
    return f"its pods need {kind} ml/{name}, which the plan does not create: they would not start."


CONTAINER = {"name": "app", "image": "registry.example.com/trainer:1.0"}


def test_an_image_pull_secret_must_be_planned() -> None:
    """Kubernetes docs, "Pull an Image from a Private Registry": `imagePullSecrets[].name` names a Secret."""
    spec = {"containers": [CONTAINER], "imagePullSecrets": [{"name": "registry-credentials"}]}
    assert _judge(spec) == [_missing("Secret", "registry-credentials")]
    assert _judge(spec, (SECRET, "registry-credentials")) == []


def test_env_from_secret_and_config_map_refs_must_be_planned_unless_optional() -> None:
    """`envFrom[].secretRef` / `configMapRef` of a container (and of an init container) load every key of the
    object: a missing one keeps the pod in CreateContainerConfigError, unless the ref is `optional: true`."""
    container = {**CONTAINER, "envFrom": [{"secretRef": {"name": "db"}}, {"configMapRef": {"name": "settings"}}]}
    assert _judge({"containers": [container]}) == [_missing("Secret", "db"), _missing("ConfigMap", "settings")]
    assert _judge({"containers": [CONTAINER], "initContainers": [container]}, (SECRET, "db")) == [
        _missing("ConfigMap", "settings")]
    assert _judge({"containers": [container]}, (SECRET, "db"), (CONFIG_MAP, "settings")) == []
    optional = {**CONTAINER, "envFrom": [{"secretRef": {"name": "db", "optional": True}},
                                         {"configMapRef": {"name": "settings", "optional": True}}]}
    assert _judge({"containers": [optional]}) == []


def test_a_claim_volume_is_satisfied_by_the_planned_claim_of_that_name() -> None:
    """A `persistentVolumeClaim.claimName` volume needs the PersistentVolumeClaim; a Secret of that name is not one."""
    spec = {"containers": [CONTAINER], "volumes": [{"name": "data", "persistentVolumeClaim": {"claimName": "data"}}]}
    assert _judge(spec, (PVC, "data")) == []
    assert _judge(spec, (SECRET, "data")) == [_missing("PersistentVolumeClaim", "data")]


def test_the_sources_of_a_projected_volume_must_be_planned_unless_optional() -> None:
    """Kubernetes docs, "Projected Volumes": `projected.sources[]` holds `secret` and `configMap` items by `name`."""
    sources = [{"secret": {"name": "tls"}}, {"configMap": {"name": "ca-bundle"}},
               {"secret": {"name": "extra", "optional": True}}]
    spec = {"containers": [CONTAINER], "volumes": [{"name": "certs", "projected": {"sources": sources}}]}
    assert _judge(spec) == [_missing("Secret", "tls"), _missing("ConfigMap", "ca-bundle")]
    assert _judge(spec, (SECRET, "tls"), (CONFIG_MAP, "ca-bundle")) == []


RELEASE = "kubernetes:helm.sh/v3:Release"


def test_a_releases_missing_secret_is_reported_once_however_many_service_accounts_its_values_name() -> None:
    """A `helm.v3.Release` whose values name two service accounts (`serviceAccountName` at the top and under
    `worker`) and one `existingSecret`: the chart needs the Secret once, in the release's namespace, so a missing
    one is one finding, not one per service account."""
    values = {"serviceAccountName": "api", "worker": {"serviceAccountName": "worker"},
              "existingSecret": "db-credentials"}
    release = resource(RELEASE, {"namespace": "ml", "values": values}, name="platform")
    secret = resource(SECRET, {"metadata": {"name": "db-credentials", "namespace": "ml"}}, name="db-credentials")
    assert check(StackView({RELEASE: [release]}), {}).messages == [_missing("Secret", "db-credentials")]
    assert check(StackView({RELEASE: [release], SECRET: [secret]}), {}).messages == []


def test_secret_and_config_map_volumes_must_be_planned_unless_optional() -> None:
    """Kubernetes docs, "ConfigMaps" and "Secrets": a `configMap` volume names its object by `name`, a `secret`
    volume by `secretName`; either may be `optional: true`, and the pod then starts without it."""
    volumes = [{"name": "settings", "configMap": {"name": "settings"}}, {"name": "db", "secret": {"secretName": "db"}}]
    spec = {"containers": [CONTAINER], "volumes": volumes}
    assert _judge(spec) == [_missing("ConfigMap", "settings"), _missing("Secret", "db")]
    assert _judge(spec, (SECRET, "db"), (CONFIG_MAP, "settings")) == []
    optional = [{"name": "settings", "configMap": {"name": "settings", "optional": True}},
                {"name": "db", "secret": {"secretName": "db", "optional": True}}]
    assert _judge({"containers": [CONTAINER], "volumes": optional}) == []


EXTERNAL_SECRET = "kubernetes:external-secrets.io/v1:ExternalSecret"


def test_an_external_secrets_target_not_known_yet_is_named_not_judged() -> None:
    """External Secrets Operator docs, "ExternalSecret": the operator creates `spec.target.name` (default: the
    ExternalSecret's own name) unless `creationPolicy` is Merge or None. While the target is computed, the Secret
    it makes cannot be matched: the ExternalSecret is named as not judged, and the pod needing a Secret is not
    refused (the unknown target may be that Secret; tests/policies/test_unknown_values.py: never a finding from
    not knowing)."""
    workload = resource(DEPLOYMENT, {"metadata": {"name": "trainer", "namespace": "ml"}, "spec": {"template": {
        "spec": {"containers": [CONTAINER], "volumes": [{"name": "db", "secret": {"secretName": "db"}}]}}}},
        name="trainer")
    external = resource(EXTERNAL_SECRET, {"metadata": {"name": "db", "namespace": "ml"},
                                          "spec": {"target": {"name": UNKNOWN}}}, name="db-external")
    verdict = check(StackView({DEPLOYMENT: [workload], EXTERNAL_SECRET: [external]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["db-external.spec.target"])
    known = resource(EXTERNAL_SECRET, {"metadata": {"name": "db", "namespace": "ml"}}, name="db-external")
    verdict = check(StackView({DEPLOYMENT: [workload], EXTERNAL_SECRET: [known]}), {})
    assert (verdict.messages, verdict.unknown) == ([], [])


def test_a_projected_config_map_may_be_optional() -> None:
    sources = [{"configMap": {"name": "ca-bundle", "optional": True}}]
    spec = {"containers": [CONTAINER], "volumes": [{"name": "certs", "projected": {"sources": sources}}]}
    assert _judge(spec) == []


def _verdict(pod_spec: dict[str, Any], *objects: Resource) -> tuple[list[str], list[str]]:
    workload = resource(DEPLOYMENT, {"metadata": {"name": "trainer", "namespace": "ml"},
                                     "spec": {"template": {"spec": pod_spec}}}, name="trainer")
    by_type: dict[str, list[Resource]] = {}
    for r in [workload, *objects]:
        by_type.setdefault(r.type, []).append(r)
    verdict = check(StackView(by_type), {})
    return verdict.messages, verdict.unknown


@pytest.mark.parametrize(("pod_spec", "kind"), [
    ({"containers": [{**CONTAINER, "env": [{"name": "P", "valueFrom": {"secretKeyRef": UNKNOWN}}]}]}, "Secret"),
    ({"containers": [{**CONTAINER, "env": [{"name": "P", "valueFrom": {
        "configMapKeyRef": {"name": "settings", "key": "p", "optional": UNKNOWN}}}]}]}, "ConfigMap"),
    ({"containers": [CONTAINER], "volumes": [{"name": "c", "configMap": UNKNOWN}]}, "ConfigMap"),
    ({"containers": [CONTAINER], "volumes": [{"name": "c", "projected": {"sources": [{"secret": UNKNOWN}]}}]},
     "Secret"),
])
def test_a_reference_or_its_optional_flag_not_known_yet_is_named_not_judged(pod_spec: dict[str, Any],
                                                                            kind: str) -> None:
    """Unknown, the reference may name any object, and an unknown `optional` may be false: the workload is named
    as not judged, neither passed nor refused."""
    assert _verdict(pod_spec) == ([], [f"trainer.{kind}"])


def test_an_object_whose_name_is_not_known_yet_may_be_the_one_a_pod_needs() -> None:
    """A ConfigMap with a computed name may be the ConfigMap a pod mounts: the pod is not refused for it (the
    ConfigMap is named as not judged); a Secret it needs is still looked up, and refused when missing."""
    spec = {"containers": [CONTAINER], "volumes": [{"name": "c", "configMap": {"name": "settings"}},
                                                   {"name": "s", "secret": {"secretName": "db"}}]}
    computed = resource(CONFIG_MAP, {"metadata": {"name": UNKNOWN, "namespace": "ml"}}, name="settings-cm")
    assert _verdict(spec, computed) == ([_missing("Secret", "db")], ["settings-cm.metadata"])


def test_a_release_value_naming_an_existing_secret_not_known_yet_is_named_not_judged() -> None:
    release = resource(HELM_RELEASE, {"namespace": "ml", "values": {"auth": {"existingSecret": UNKNOWN}}},
                       name="platform")
    verdict = check(StackView({HELM_RELEASE: [release]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["platform.Secret"])
