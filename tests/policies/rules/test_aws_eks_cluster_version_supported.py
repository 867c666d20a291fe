"""aws-eks-cluster-version-supported: the version is in standard support on the day judged.

EKS user guide, "Understand the Kubernetes version lifecycle on EKS": 14 months of standard support, then
extended support (billed), then automatic upgrade."""

from __future__ import annotations

import datetime

from policies.rules.aws_eks_cluster_version_supported import NAME, judge
from preflight.harness import Plan
from tests.policies.helpers import flagged

ENDS = {"1.32": datetime.date(2026, 3, 23), "1.34": datetime.date(2026, 12, 2)}


def test_judges_against_the_calendar() -> None:
    assert judge("1.34", ENDS, datetime.date(2026, 12, 2)) is None  # the last day is still supported
    assert "left EKS standard support on 2026-12-02" in str(judge("1.34", ENDS, datetime.date(2026, 12, 3)))
    assert "in standard support on 2026-04-01: 1.34" in str(judge("1.32", ENDS, datetime.date(2026, 4, 1)))
    assert "not in the EKS version calendar" in str(judge("1.0", ENDS, datetime.date(2026, 1, 1)))
    assert judge(None, ENDS, datetime.date(2026, 1, 1)) is None  # unset: EKS creates its newest version


def test_flags_a_version_the_calendar_does_not_know(integrity_plan: Plan) -> None:
    assert set(flagged(integrity_plan, NAME)) == {"version-unknown-bad"}


def test_when_every_known_version_has_left_support_the_message_says_none_is_supported() -> None:
    assert judge("1.34", ENDS, datetime.date(2027, 1, 1)) == (
        "version 1.34 left EKS standard support on 2026-12-02 (extended support is billed and ends in an automatic "
        "upgrade); in standard support on 2027-01-01: none.")


def test_every_version_still_in_support_is_offered() -> None:
    ends = {**ENDS, "1.35": datetime.date(2027, 3, 1)}
    assert str(judge("1.32", ends, datetime.date(2026, 4, 1))).endswith(
        "in standard support on 2026-04-01: 1.34, 1.35.")


def test_an_empty_calendar_knows_no_version() -> None:
    assert judge("1.34", {}, datetime.date(2026, 1, 1)) == (
        "version '1.34' is not in the EKS version calendar (components/kubernetes/versions.py; known: none).")


def test_the_date_judged_is_the_configs_as_of_when_given() -> None:
    """`asOf` fixes the day the calendar is read on (a reproducible preview); a version out of support then is
    flagged, one in support then passes."""
    from policies.rules._support import Resource
    from policies.rules.aws_eks_cluster_version_supported import calendar, check

    version, end = max(calendar().items(), key=lambda item: item[1])
    cluster = Resource("aws:eks/cluster:Cluster", "eks", "urn", {"version": version})
    assert check(cluster, {"asOf": end.isoformat()}).messages == []
    after = (end + datetime.timedelta(days=1)).isoformat()
    assert check(cluster, {"asOf": after}).messages[0].startswith(f"version {version} left EKS standard support")
