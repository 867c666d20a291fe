"""`kubernetes-helm-release-pinned-version`: in prod, a Helm release names an exact chart version.

Without it, every `pulumi up` may install whatever the chart's latest version is; a range (`^1.2`, `1.x`)
is no better.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._support import Resource, Verdict, is_unknown, resource_policy

NAME = "kubernetes-helm-release-pinned-version"
_EXACT = re.compile(r"^v?\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")


def check(resource: Resource, _config: Mapping[str, Any]) -> Verdict:
    verdict = Verdict()
    version = resource.props.get("version")
    if is_unknown(version):
        verdict.cannot_judge("version")
    elif not isinstance(version, str) or not _EXACT.match(version):
        verdict.violation(f"version is {version or 'not set'}; pin the chart to an exact version (e.g. 1.4.2).")
    return verdict


policy = resource_policy(
    name=NAME,
    description="Helm releases and charts (helm.v3.Release, helm.v4.Chart) in prod must pin an exact chart "
                "version.",
    resource_types=["kubernetes:helm.sh/v3:Release", "kubernetes:helm.sh/v4:Chart"],
    check=check,
    stacks=["prod"],
)
