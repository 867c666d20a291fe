"""kubernetes-workload-references-exist: what a pod mounts or reads is in the plan.

Kubernetes docs, "Secrets" and "ConfigMaps": a pod referencing a missing, non-optional Secret or ConfigMap does
not start; "Persistent Volumes": a pod with an unbound claim stays Pending."""

from __future__ import annotations

import pytest

from policies.rules.kubernetes_workload_references_exist import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged

BAD = {"refs-secret-bad", "refs-claim-bad", "refs-env-bad", "release-bad", "refs-external-merge-bad"}


@pytest.mark.parametrize("mode", ["up", "preview"])
def test_flags_missing_secrets_config_maps_and_claims(mode: str, integrity_plan: Plan,
                                                      integrity_preview_plan: Plan) -> None:
    plan = integrity_plan if mode == "up" else integrity_preview_plan
    assert set(flagged(plan, NAME)) == BAD
