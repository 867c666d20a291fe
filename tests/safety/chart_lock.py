"""Chart-version guard: the Helm provider diffs a release's inputs, not the chart's files, so a template change
without a version bump never deploys. `charts/<chart>.lock` records, per released version, the SHA-256 of every
file under the chart; the test fails when the files changed and the version did not.

Bump after a deliberate change (one command; it refuses to reuse a version):
    venv/bin/python -m tests.safety.chart_lock ml-platform --bump patch|minor|major
"""

from __future__ import annotations

import argparse
import hashlib
import re
from pathlib import Path

CHARTS_DIR = Path(__file__).resolve().parents[2] / "charts"
_VERSION_RE = re.compile(r"^version: *(\d+)\.(\d+)\.(\d+) *$", re.MULTILINE)


def content_hash(chart: str) -> str:
    """SHA-256 over every file's relative path and bytes, in path order."""
    digest = hashlib.sha256()
    root = CHARTS_DIR / chart
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def chart_version(chart: str) -> tuple[int, int, int]:
    match = _VERSION_RE.search((CHARTS_DIR / chart / "Chart.yaml").read_text())
    if match is None:
        raise ValueError(f"charts/{chart}/Chart.yaml has no `version: X.Y.Z` line")
    return int(match[1]), int(match[2]), int(match[3])


def locked(chart: str) -> list[tuple[tuple[int, int, int], str]]:
    """(version, hash) lines of the lock, oldest first."""
    lines = [line.split() for line in (CHARTS_DIR / f"{chart}.lock").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    return [(tuple(int(n) for n in version.split(".")), digest) for version, digest in lines]  # type: ignore[misc]


def bump(chart: str, part: str) -> str:
    major, minor, patch = chart_version(chart)
    new = {"major": (major + 1, 0, 0), "minor": (major, minor + 1, 0), "patch": (major, minor, patch + 1)}[part]
    text = f"{new[0]}.{new[1]}.{new[2]}"
    chart_yaml = CHARTS_DIR / chart / "Chart.yaml"
    chart_yaml.write_text(_VERSION_RE.sub(f"version: {text}", chart_yaml.read_text(), count=1))
    lock = CHARTS_DIR / f"{chart}.lock"
    header = "# version sha256 of charts/<chart>/* (tests/safety/chart_lock.py)\n"
    history = lock.read_text() if lock.exists() else header
    lock.write_text(history + f"{text} {content_hash(chart)}\n")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("chart")
    parser.add_argument("--bump", required=True, choices=("patch", "minor", "major"))
    args = parser.parse_args(argv)
    print(f"charts/{args.chart}: version {bump(args.chart, args.bump)} locked")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
