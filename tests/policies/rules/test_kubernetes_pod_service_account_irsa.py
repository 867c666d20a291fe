"""kubernetes-pod-service-account-irsa: a pod's service account exists; its IRSA role trusts exactly it.

EKS user guide, "Assign IAM roles to Kubernetes service accounts": the trust policy's condition
`<issuer>:sub` StringEquals `system:serviceaccount:<namespace>:<name>`."""

from __future__ import annotations

from policies.rules.kubernetes_pod_service_account_irsa import NAME
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes

MISSING = {"sa-missing-bad", "release-bad"}


def test_flags_missing_accounts_and_inexact_trust(integrity_plan: Plan) -> None:
    found = flagged(integrity_plan, NAME)
    assert set(found) == MISSING | {"irsa-loose-role-bad", "irsa-wrong-role-bad"}
    assert "system:serviceaccount:apps:loose" in found["irsa-loose-role-bad"][0]


def test_preview_flags_what_is_known_and_notes_the_role_arns(integrity_preview_plan: Plan) -> None:
    """The role ARNs in the annotations are computed: noted during a preview, judged by `up`."""
    assert set(flagged(integrity_preview_plan, NAME)) == MISSING
    assert notes(integrity_preview_plan, NAME)
