"""The EKS Kubernetes version calendar, as plain data: when each minor version leaves standard and extended support.

Source: the Amazon EKS user guide, "Understand the Kubernetes version lifecycle on EKS"
(https://docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html, release calendar): standard support
lasts 14 months from the EKS release, extended support 12 more; past extended support a cluster is
auto-upgraded and the version can no longer be created. Refresh this table from that page (or
`aws eks describe-cluster-versions --query 'clusterVersions[].[clusterVersion,endOfStandardSupportDate,
endOfExtendedSupportDate]'`) when EKS releases a version. The stack config refuses a version past its extended
support; the preflight warns when it leaves standard support soon. The policies branch may import this table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class VersionSupport:
    released: date
    """Date EKS made the version available."""
    end_of_standard_support: date
    """Last day of standard support; afterwards a STANDARD-policy cluster is auto-upgraded."""
    end_of_extended_support: date
    """Last day of extended support; afterwards the version cannot be created or kept."""


EKS_VERSIONS: dict[str, VersionSupport] = {
    "1.29": VersionSupport(date(2024, 1, 23), date(2025, 3, 23), date(2026, 3, 23)),
    "1.30": VersionSupport(date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23)),
    "1.31": VersionSupport(date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26)),
    "1.32": VersionSupport(date(2025, 1, 25), date(2026, 3, 23), date(2027, 3, 23)),
    "1.33": VersionSupport(date(2025, 5, 28), date(2026, 7, 29), date(2027, 7, 29)),
    "1.34": VersionSupport(date(2025, 10, 6), date(2026, 12, 2), date(2027, 12, 2)),
    "1.35": VersionSupport(date(2026, 1, 28), date(2027, 3, 27), date(2028, 3, 27)),
}

WARN_DAYS_BEFORE_END_OF_STANDARD_SUPPORT = 90
"""The preflight warns this many days (or fewer) before the stack's version leaves standard support."""


def support_problem(version: str, today: date) -> str | None:
    """Why `version` cannot be used on `today` (unknown to the calendar, or past extended support), else None."""
    support = EKS_VERSIONS.get(version)
    if support is None:
        return f"must be an EKS version of the calendar (known: {', '.join(EKS_VERSIONS)}), got {version!r}"
    if today > support.end_of_extended_support:
        usable = ", ".join(v for v, s in EKS_VERSIONS.items() if today <= s.end_of_standard_support)
        return (f"must be a version EKS still supports: {version} left extended support on "
                f"{support.end_of_extended_support.isoformat()} (in standard support today: {usable or 'none'})")
    return None


def support_warning(version: str, today: date) -> str | None:
    """One line when `version` leaves (or has left) standard support within the warning window, else None."""
    support = EKS_VERSIONS.get(version)
    if support is None:
        return None
    end = support.end_of_standard_support
    if today > end:
        return (f"EKS {version} left standard support on {end.isoformat()}: a STANDARD-policy cluster is being "
                f"auto-upgraded (extended support ends {support.end_of_extended_support.isoformat()}); "
                "upgrade kubernetesVersion")
    if end - today <= timedelta(days=WARN_DAYS_BEFORE_END_OF_STANDARD_SUPPORT):
        return (f"EKS {version} leaves standard support on {end.isoformat()} ({(end - today).days} days); "
                "then EKS auto-upgrades it; upgrade kubernetesVersion first (control plane, add-ons, node groups)")
    return None
