"""kubernetes-pod-service-account-irsa: a pod's service account exists; its IRSA role trusts exactly it.

EKS user guide, "Assign IAM roles to Kubernetes service accounts": the trust policy's condition
`<issuer>:sub` StringEquals `system:serviceaccount:<namespace>:<name>`."""

from __future__ import annotations

import json
from typing import Any

from policies.rules._support import UNKNOWN, Resource, StackView
from policies.rules.kubernetes_pod_service_account_irsa import NAME, check
from preflight.harness import Plan
from tests.policies.helpers import flagged, notes, resource

MISSING = {"sa-missing-bad", "release-bad"}


def test_flags_missing_accounts_and_inexact_trust(integrity_plan: Plan) -> None:
    found = flagged(integrity_plan, NAME)
    assert set(found) == MISSING | {"irsa-loose-role-bad", "irsa-wrong-role-bad"}
    assert "system:serviceaccount:apps:loose" in found["irsa-loose-role-bad"][0]


def test_preview_flags_what_is_known_and_notes_the_role_arns(integrity_preview_plan: Plan) -> None:
    """The role ARNs in the annotations are computed: noted during a preview, judged by `up`."""
    assert set(flagged(integrity_preview_plan, NAME)) == MISSING
    assert notes(integrity_preview_plan, NAME)


def _judge(account_metadata: dict[str, Any] | None, pod_metadata: dict[str, Any]) -> list[str]:
    """The rule's messages for a Deployment running as service account `trainer`, beside the account (if any)."""
    workload = resource("kubernetes:apps/v1:Deployment", {"metadata": pod_metadata, "spec": {"template": {"spec": {
        "serviceAccountName": "trainer", "containers": [{"name": "app", "image": "trainer:1.0"}]}}}}, name="trainer")
    by_type: dict[str, list[Resource]] = {workload.type: [workload]}
    if account_metadata is not None:
        by_type["kubernetes:core/v1:ServiceAccount"] = [
            resource("kubernetes:core/v1:ServiceAccount", {"metadata": account_metadata}, name="trainer-sa")]
    return check(StackView(by_type), {}).messages


def test_an_account_and_a_pod_that_both_omit_the_namespace_are_both_in_default() -> None:
    """Kubernetes puts an object without metadata.namespace in `default`, the service account as much as the pod."""
    assert _judge({"name": "trainer"}, {"name": "trainer"}) == []
    assert _judge({"name": "trainer", "namespace": "default"}, {"name": "trainer"}) == []
    assert _judge({"name": "trainer"}, {"name": "trainer", "namespace": "default"}) == []
    assert _judge({"name": "trainer", "namespace": "ml"}, {"name": "trainer"}) != []


def test_a_missing_service_account_is_named_with_its_namespace() -> None:
    """The ReplicaSet controller refuses pods whose service account does not exist (`serviceaccount "trainer" not
    found`)."""
    assert _judge(None, {"name": "trainer", "namespace": "ml"}) == [
        "its pods run as service account ml/trainer, which the plan does not create: the pods would never start."]


def test_an_account_assuming_a_role_the_plan_does_not_create_is_flagged_on_the_account() -> None:
    """The trust of a role outside the plan cannot be read: the account is flagged, naming the role, not passed."""
    role = "arn:aws:iam::111122223333:role/elsewhere"
    account = {"name": "trainer", "namespace": "ml", "annotations": {"eks.amazonaws.com/role-arn": role}}
    assert _judge(account, {"name": "trainer", "namespace": "ml"}) == [
        f"service account ml/trainer assumes {role}, a role this plan does not create: its trust cannot be checked."]


def test_a_release_values_namespace_key_moves_the_service_accounts_below_it() -> None:
    """A chart that deploys part of itself elsewhere takes a `namespace` value beside that part's
    `serviceAccountName` (Dagster's user deployments, for one): those pods run in that namespace, so their account
    is looked up there, and the release's own namespace holds the others."""
    values = {"serviceAccountName": "api", "runs": {"namespace": "jobs", "serviceAccountName": "runner"}}
    release = resource("kubernetes:helm.sh/v3:Release", {"namespace": "ml", "values": values}, name="platform")

    def judge(*accounts: tuple[str, str]) -> list[str]:
        planned = [resource("kubernetes:core/v1:ServiceAccount", {"metadata": {"name": name, "namespace": ns}},
                            name=f"{ns}-{name}") for ns, name in accounts]
        return check(StackView({release.type: [release], "kubernetes:core/v1:ServiceAccount": planned}), {}).messages

    assert judge(("ml", "api"), ("jobs", "runner")) == []
    assert judge(("ml", "api"), ("ml", "runner")) == [
        "its pods run as service account jobs/runner, which the plan does not create: the pods would never start."]


def test_every_pattern_beside_the_exact_subject_is_named() -> None:
    """A trust that names the subject exactly but also allows patterns lets other accounts in: each is named."""
    arn = "arn:aws:iam::111122223333:role/trainer"
    issuer = "oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    trust = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": f"arn:aws:iam::111122223333:oidc-provider/{issuer}"},
        "Condition": {"StringEquals": {f"{issuer}:sub": "system:serviceaccount:ml:trainer"},
                      "StringLike": {f"{issuer}:sub": ["system:serviceaccount:ml:*", "system:serviceaccount:jobs:*"]}},
    }]})
    role = resource("aws:iam/role:Role", {"arn": arn, "assumeRolePolicy": trust}, name="trainer-role")
    account = resource("kubernetes:core/v1:ServiceAccount", {"metadata": {
        "name": "trainer", "namespace": "ml", "annotations": {"eks.amazonaws.com/role-arn": arn}}}, name="trainer-sa")
    workload = resource("kubernetes:apps/v1:Deployment", {"metadata": {"name": "trainer", "namespace": "ml"},
                                                          "spec": {"template": {"spec": {
                                                              "serviceAccountName": "trainer",
                                                              "containers": [{"name": "app", "image": "t:1"}]}}}},
                        name="trainer")
    stack = StackView({role.type: [role], account.type: [account], workload.type: [workload]})
    assert check(stack, {}).messages == [
        "role trainer-role also trusts StringLike system:serviceaccount:ml:*, StringLike system:serviceaccount:jobs:*: "
        "the trust must name exactly system:serviceaccount:ml:trainer."]


def test_every_service_account_of_a_releases_values_lists_is_looked_up() -> None:
    """Charts take lists of parts, each with its own account (Dagster's `deployments`): each is a pod's account."""
    values = {"deployments": [{"name": "team-a", "serviceAccountName": "team-a"},
                              {"name": "team-b", "serviceAccountName": "team-b"}]}
    release = resource("kubernetes:helm.sh/v3:Release", {"namespace": "ml", "values": values}, name="platform")
    account = resource("kubernetes:core/v1:ServiceAccount", {"metadata": {"name": "team-a", "namespace": "ml"}},
                       name="team-a")
    assert check(StackView({release.type: [release], account.type: [account]}), {}).messages == [
        "its pods run as service account ml/team-b, which the plan does not create: the pods would never start."]


def test_a_pods_service_account_not_known_yet_is_named_not_judged() -> None:
    workload = resource("kubernetes:apps/v1:Deployment", {"metadata": {"name": "trainer", "namespace": "ml"}, "spec": {
        "template": {"spec": {"serviceAccountName": UNKNOWN, "containers": [{"name": "app", "image": "t:1"}]}}}},
        name="trainer")
    verdict = check(StackView({workload.type: [workload]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["trainer.serviceAccountName"])


def test_an_account_or_a_role_whose_name_is_not_known_yet_may_be_the_one_needed() -> None:
    """A service account with a computed name may be the pod's; a role with a computed ARN may be the one the
    annotation names: neither is reported missing, and what is unknown is named."""
    assert check(StackView({
        "kubernetes:apps/v1:Deployment": [resource("kubernetes:apps/v1:Deployment", {
            "metadata": {"namespace": "ml"}, "spec": {"template": {"spec": {"serviceAccountName": "trainer"}}}},
            name="trainer")],
        "kubernetes:core/v1:ServiceAccount": [resource("kubernetes:core/v1:ServiceAccount", {
            "metadata": {"name": UNKNOWN, "namespace": "ml"}}, name="trainer-sa")]}), {}).unknown == [
        "trainer-sa.metadata"]
    role_arn = "arn:aws:iam::111122223333:role/trainer"
    account = {"name": "trainer", "namespace": "ml", "annotations": {"eks.amazonaws.com/role-arn": role_arn}}
    workload = resource("kubernetes:apps/v1:Deployment", {"metadata": {"namespace": "ml"}, "spec": {
        "template": {"spec": {"serviceAccountName": "trainer"}}}}, name="trainer")
    verdict = check(StackView({
        workload.type: [workload],
        "kubernetes:core/v1:ServiceAccount": [resource("kubernetes:core/v1:ServiceAccount", {"metadata": account},
                                                       name="trainer-sa")],
        "aws:iam/role:Role": [resource("aws:iam/role:Role", {"arn": UNKNOWN}, name="trainer-role")]}), {})
    assert (verdict.messages, verdict.unknown) == ([], ["trainer-role.arn"])


def test_the_deprecated_service_account_field_names_the_account_too() -> None:
    """Kubernetes API reference, PodSpec: `serviceAccount` is the deprecated alias of `serviceAccountName`; a pod
    that only sets it runs as that account, which must exist."""
    workload = resource("kubernetes:apps/v1:Deployment", {"metadata": {"namespace": "ml"}, "spec": {"template": {
        "spec": {"serviceAccount": "trainer", "containers": [{"name": "app", "image": "trainer:1.0"}]}}}},
        name="trainer")
    assert check(StackView({workload.type: [workload]}), {}).messages == [
        "its pods run as service account ml/trainer, which the plan does not create: the pods would never start."]
