"""`aws-eks-cluster-version-supported`: the cluster's Kubernetes version is in EKS standard support.

Past its end of standard support a version costs extended-support fees, and past extended support EKS
upgrades the control plane on its own (EKS user guide, "Understand the Kubernetes version lifecycle on EKS").
The dates come from the EKS version calendar the cluster component owns (`components/kubernetes/versions.py`,
`EKS_VERSIONS: version -> .end_of_standard_support`); the check itself takes the calendar as an argument.
A cluster without `version` gets the newest version EKS offers, which is supported. `asOf` (ISO date, default
today) judges the plan on another day, e.g. the planned release date.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, dig, is_unknown, resource_policy

NAME = "aws-eks-cluster-version-supported"


def calendar() -> Mapping[str, datetime.date]:
    """Version -> last day of standard support, from the cluster component's table (empty if it is missing)."""
    try:
        from components.kubernetes.versions import EKS_VERSIONS  # pyright: ignore[reportMissingImports]
    except ImportError:  # the calendar lands with the cluster runtime issue; until then every version is unknown
        return {}
    return {version: support.end_of_standard_support for version, support in EKS_VERSIONS.items()}


def judge(version: Any, ends: Mapping[str, datetime.date], today: datetime.date) -> str | None:
    """Why `version` is not in standard support on `today`, or None."""
    if version is None:
        return None
    end = ends.get(str(version))
    if end is None:
        return (f"version {version!r} is not in the EKS version calendar (components/kubernetes/versions.py; "
                f"known: {', '.join(ends) or 'none'}).")
    if today > end:
        supported = ", ".join(v for v, e in ends.items() if today <= e) or "none"
        return (f"version {version} left EKS standard support on {end.isoformat()} (extended support is billed and "
                f"ends in an automatic upgrade); in standard support on {today.isoformat()}: {supported}.")
    return None


def check(resource: Resource, config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    version = dig(resource.props, "version")
    if is_unknown(version):
        verdict.cannot_judge("version")
        return verdict
    as_of = config.get("asOf")
    today = datetime.date.fromisoformat(as_of) if as_of else datetime.date.today()
    problem = judge(version, calendar(), today)
    if problem:
        verdict.violation(problem)
    return verdict


policy = resource_policy(
    name=NAME,
    description="The EKS cluster's Kubernetes version is in standard support (components/kubernetes/versions.py).",
    resource_types=["aws:eks/cluster:Cluster"],
    check=check,
    config_properties={"asOf": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$", "description":
                                "Judge on this ISO date instead of today (e.g. the planned release date)."}},
)
