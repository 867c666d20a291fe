"""`kubernetes-pod-service-account-irsa`: every pod's service account exists, and its IRSA role trusts exactly it.

A pod naming a service account that does not exist is never created (the ReplicaSet controller reports
`serviceaccount "x" not found`). With IRSA the pod's token carries `sub = system:serviceaccount:<ns>:<name>`,
and STS accepts it only if the role's trust policy names that subject (EKS user guide, "Assign IAM roles to
Kubernetes service accounts": the trust condition `<issuer>:sub` StringEquals
`system:serviceaccount:<namespace>:<service account>`). A stack policy over the pods the plan shows (see
`_workloads.py` for what a Helm release's values can say): the account is in the plan, and when it carries
`eks.amazonaws.com/role-arn`, the role of the plan with that ARN trusts exactly its subject.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._iam import parse
from ._support import Resource, StackView, Verdict, as_list, contains_unknown, dig, is_unknown, stack_policy
from ._workloads import HELM_RELEASE, IRSA_ANNOTATION, SERVICE_ACCOUNT, WORKLOAD_TYPES, pods

NAME = "kubernetes-pod-service-account-irsa"
ROLE = "aws:iam/role:Role"


def trusted_subjects(role: Resource) -> tuple[set[str], list[str]] | None:
    """The `...:sub` values the trust policy pins with StringEquals, and the patterns it allows with StringLike
    (any pattern is a finding: it is not *exactly* the account). None when not known yet."""
    doc = parse("trust", "assumeRolePolicy", dig(role.props, "assumeRolePolicy"))
    if doc is None:
        return set(), []
    if doc.unknown:
        return None
    exact: set[str] = set()
    patterns: list[str] = []
    for st in doc.statements:
        if not st.allow or not any(a.lower() == "sts:assumerolewithwebidentity" for a in st.actions):
            continue
        for operator, entries in st.conditions.items():
            for key, values in entries.items():
                if not key.endswith(":sub"):
                    continue
                if operator in ("StringEquals", "ForAnyValue:StringEquals"):
                    exact.update(str(v) for v in as_list(values))
                else:
                    patterns.extend(f"{operator} {v}" for v in as_list(values))
    return exact, patterns


def check(stack: StackView, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    accounts: dict[tuple[str, str], Resource] = {}
    unsure = False  # an account whose name is not known yet: a missing one may be it
    for sa in stack.of(SERVICE_ACCOUNT):
        name, namespace = dig(sa.props, "metadata", "name"), dig(sa.props, "metadata", "namespace") or "default"
        if is_unknown(name) or is_unknown(namespace):
            verdict.cannot_judge(f"{sa.name}.metadata")
            unsure = True
            continue
        accounts[(str(namespace), str(name))] = sa
    roles = {str(arn): r for r in stack.of(ROLE) if isinstance(arn := dig(r.props, "arn"), str)}
    unknown_roles = [r.name for r in stack.of(ROLE) if is_unknown(dig(r.props, "arn"))]
    for pod in pods(stack.of(*WORKLOAD_TYPES, HELM_RELEASE)):
        if contains_unknown(pod.service_account) or contains_unknown(pod.namespace):
            verdict.cannot_judge(f"{pod.owner.name}.serviceAccountName")
            continue
        if pod.service_account is None or pod.service_account == "default":
            continue
        subject = f"system:serviceaccount:{pod.namespace}:{pod.service_account}"
        account = accounts.get((str(pod.namespace), str(pod.service_account)))
        if account is None:
            if unsure:
                continue
            verdict.violation(f"its pods run as service account {pod.namespace}/{pod.service_account}, which the plan "
                              "does not create: the pods would never start.", pod.owner.urn)
            continue
        role_arn = dig(account.props, "metadata", "annotations", IRSA_ANNOTATION)
        if role_arn is None:
            continue
        if is_unknown(role_arn):
            verdict.cannot_judge(f"{account.name}.metadata.annotations")
            continue
        role = roles.get(str(role_arn))
        if role is None and unknown_roles:  # one of them may be it
            for name in unknown_roles:
                verdict.cannot_judge(f"{name}.arn")
            continue
        if role is None:
            verdict.violation(f"service account {pod.namespace}/{pod.service_account} assumes {role_arn}, a role this "
                              "plan does not create: its trust cannot be checked.", account.urn)
            continue
        trusted = trusted_subjects(role)
        if trusted is None:
            verdict.cannot_judge(f"{role.name}.assumeRolePolicy")
            continue
        exact, patterns = trusted
        if subject not in exact:
            verdict.violation(f"role {role.name} does not trust {subject} with StringEquals on the issuer's :sub; "
                              "STS refuses the pod's web identity.", role.urn)
        elif patterns:
            verdict.violation(f"role {role.name} also trusts {', '.join(patterns)}: the trust must name exactly "
                              f"{subject}.", role.urn)
    return verdict


policy = stack_policy(
    name=NAME,
    description="Every pod's service account is in the plan, and its IRSA role's trust names exactly that service "
                "account.",
    resource_types=[SERVICE_ACCOUNT, ROLE, HELM_RELEASE, *WORKLOAD_TYPES],
    check=check,
)
