"""Every environment installs from hash-locked files that are as new as their inputs and name no index (issue 12)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from ci import lock
from tests.support import PROJECT_DIR

LOCKS = [target for entry in lock.locks() for target in entry.targets]
_PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)(\[[a-z0-9,-]+\])?==(\S+)")


def test_every_lock_is_as_new_as_its_input() -> None:
    assert lock.stale() == []


def test_an_edited_input_makes_its_lock_stale(tmp_path: Path) -> None:
    for entry in lock.locks():
        for path in (entry.source, *entry.targets):
            copy = tmp_path / path.relative_to(PROJECT_DIR)
            copy.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, copy)
    for name in ("PulumiPolicy.yaml",):
        for manifest in PROJECT_DIR.glob(f"policies/*/{name}"):
            shutil.copy(manifest, tmp_path / manifest.relative_to(PROJECT_DIR))
    assert lock.stale(tmp_path) == []
    (tmp_path / "requirements.in").write_text((tmp_path / "requirements.in").read_text() + "six==1.16.0\n")
    problems = lock.stale(tmp_path)
    # The program's lock, and the dev and pack locks constrained by it (-r / -c), are all stale now.
    assert any(p.startswith("requirements.txt is older than requirements.in") for p in problems)
    assert any(p.startswith("requirements-dev.txt ") for p in problems)
    assert not any(p.startswith("requirements-checkov.txt ") for p in problems)


@pytest.mark.parametrize("path", LOCKS, ids=lambda p: str(p.relative_to(PROJECT_DIR)))
def test_every_package_of_a_lock_is_pinned_with_hashes(path: Path) -> None:
    entries = re.split(r"\n(?=[A-Za-z0-9])", path.read_text())
    packages = [e for e in entries if _PIN.match(e)]
    assert packages, path
    for entry in packages:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]
    # Nothing else than comments, pins and their hashes: no index, no find-links, no URL, no editable.
    for line in path.read_text().splitlines():
        stripped = line.strip().rstrip("\\").strip()
        assert (not stripped or stripped.startswith(("#", "--hash=sha256:")) or _PIN.match(stripped)), line
        assert "://" not in line, line


@pytest.mark.parametrize("entry", lock.locks(), ids=lambda e: str(e.source.relative_to(PROJECT_DIR)))
def test_inputs_pin_every_direct_dependency(entry: lock.Lock) -> None:
    for line in entry.source.read_text().splitlines():
        line = line.split("#")[0].strip()
        if line and not line.startswith(("-r ", "-c ")):
            assert _PIN.match(line), f"{entry.source.name}: {line!r} is not pinned with =="


def test_every_install_command_requires_hashes() -> None:
    """README's commands, .ci/run and the workflows install only with --require-hashes from a lock."""
    sources = [PROJECT_DIR / "README.md", PROJECT_DIR / ".ci" / "run",
               *sorted((PROJECT_DIR / ".github" / "workflows").glob("*.yml"))]
    installs = [(src.name, line) for src in sources for line in src.read_text().splitlines()
                if re.search(r"pip install\b.*-r\s", line)]
    assert installs
    for name, line in installs:
        assert "--require-hashes" in line, f"{name}: {line.strip()}"
        assert not re.search(r"-r\s+\S+\.in\b", line), f"{name}: installs an input, not a lock"
