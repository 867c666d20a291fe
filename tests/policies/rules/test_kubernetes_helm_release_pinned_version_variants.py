"""kubernetes-helm-release-pinned-version, each variant: an exact chart version is a full SemVer 2.0.0 version
(MAJOR.MINOR.PATCH, optionally `v`-prefixed as Helm accepts, with pre-release and build parts); a range, a
partial version, a tag or nothing is refused. (Helm docs, "Charts": `version` is a SemVer 2 version; a
`--version` constraint such as `^1.4.0` resolves to whatever is newest.)"""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.kubernetes_helm_release_pinned_version import check
from tests.policies.helpers import resource

RELEASE = "kubernetes:helm.sh/v3:Release"
CHART = "kubernetes:helm.sh/v4:Chart"


def refused(shown: str) -> list[str]:
    return [f"version is {shown}; pin the chart to an exact version (e.g. 1.4.2)."]


@pytest.mark.parametrize("kind", [RELEASE, CHART])
@pytest.mark.parametrize("version", ["1.4.2", "v1.4.2", "0.0.0", "10.20.30", "1.4.2-rc.1", "1.4.2+build.5",
                                     "1.4.2-rc.1+build-5", "1.0.0-alpha-a.b-c"])
def test_exact_versions_pass(kind: str, version: str) -> None:
    assert check(resource(kind, {"version": version}), {}).messages == []


@pytest.mark.parametrize("kind", [RELEASE, CHART])
@pytest.mark.parametrize("version", ["^1.4.0", "~1.4.2", ">=1.4.2", "1.4", "1", "1.4.x", "1.4.*", "*", "latest",
                                     "1.4.2 || 2.0.0", "=1.4.2", "x1.4.2", "1.4.2.1", "1.4.2-", "1.4.2+", "1.4.2 ",
                                     "v1.4", "1.4.2-rc!1", "1.4.2+b@1"])
def test_ranges_partial_versions_and_tags_are_refused(kind: str, version: str) -> None:
    assert check(resource(kind, {"version": version}), {}).messages == refused(version)


@pytest.mark.parametrize(("props", "shown"), [({}, "not set"), ({"version": ""}, "not set"),
                                              ({"version": None}, "not set"), ({"version": 1.4}, "1.4")])
def test_a_missing_or_non_string_version_is_refused(props: dict[str, Any], shown: str) -> None:
    assert check(resource(RELEASE, props), {}).messages == refused(shown)


def test_an_unknown_version_is_named_not_judged() -> None:
    verdict = check(resource(RELEASE, {"version": UNKNOWN}), {})
    assert verdict.messages == [] and verdict.unknown == ["version"]
