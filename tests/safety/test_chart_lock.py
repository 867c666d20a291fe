"""A chart change deploys only with a new chart version (the release's `version` input is what the provider
diffs; pulumi-kubernetes Release docs: a local chart is re-rendered on an input change)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.safety import chart_lock

CHARTS = sorted(p.name for p in chart_lock.CHARTS_DIR.iterdir() if (p / "Chart.yaml").is_file())


@pytest.mark.parametrize("chart", CHARTS)
def test_the_charts_files_are_those_of_its_locked_version(chart: str) -> None:
    history = chart_lock.locked(chart)
    assert history, f"charts/{chart}.lock is empty: run python -m tests.safety.chart_lock {chart} --bump patch"
    version, digest = history[-1]
    assert version == chart_lock.chart_version(chart), "Chart.yaml's version is not the locked one: bump with the tool"
    assert digest == chart_lock.content_hash(chart), (
        f"charts/{chart} changed but its version did not: python -m tests.safety.chart_lock {chart} --bump patch")
    versions = [v for v, _ in history]
    assert versions == sorted(set(versions)), "versions in the lock must only grow, each used once"


def test_a_template_change_without_a_bump_is_caught(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(chart_lock.CHARTS_DIR, tmp_path / "charts")
    monkeypatch.setattr(chart_lock, "CHARTS_DIR", tmp_path / "charts")
    template = next((tmp_path / "charts" / "ml-platform" / "templates").glob("*.yaml"))
    template.write_text(template.read_text() + "\n# a change\n")
    with pytest.raises(AssertionError, match="changed but its version did not"):
        test_the_charts_files_are_those_of_its_locked_version("ml-platform")
    chart_lock.bump("ml-platform", "patch")
    test_the_charts_files_are_those_of_its_locked_version("ml-platform")
