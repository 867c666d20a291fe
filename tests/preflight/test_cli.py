"""`python -m preflight`: the public interface (exit status, text report, JSON shape)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from preflight.__main__ import main
from tests.support import PROJECT_DIR, STACKS, preflight_plan


def project_copy(tmp_path: Path, stack: str, mutate: Any = None) -> Path:
    """The project with its code linked and one stack file rewritten by `mutate(config_dict)`."""
    for entry in PROJECT_DIR.iterdir():
        if entry.name in {"venv", ".git"} or entry.name.startswith("Pulumi."):
            continue
        (tmp_path / entry.name).symlink_to(entry)
    (tmp_path / "Pulumi.yaml").write_text((PROJECT_DIR / "Pulumi.yaml").read_text())
    data = yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())
    if mutate is not None:
        mutate(data["config"])
    (tmp_path / f"Pulumi.{stack}.yaml").write_text(yaml.safe_dump(data))
    return tmp_path


@pytest.mark.parametrize("stack", STACKS)
def test_json_lists_every_resource(stack: str, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--stack", stack, "--json", "--project-dir", str(PROJECT_DIR)])
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"stack", "resources", "violations"}
    assert report["stack"] == stack
    urns = [r["urn"] for r in report["resources"]]
    assert urns == sorted(r.urn for r in preflight_plan(stack).registered)
    for resource in report["resources"]:
        assert set(resource) >= {"urn", "type", "name", "parent", "inputs", "options"}
    for violation in report["violations"]:
        assert set(violation) == {"pack", "policy", "enforcement", "urn", "message"}
    mandatory = [v for v in report["violations"] if v["enforcement"] == "mandatory"]
    assert code == (1 if mandatory else 0)


def test_text_report_shows_the_tree_counts_and_outputs(capsys: pytest.CaptureFixture[str]) -> None:
    main(["--stack", "prod", "--project-dir", str(PROJECT_DIR)])
    out = capsys.readouterr().out
    assert out.startswith("Preflight of stack prod (update mode):")
    assert "Resources by type:" in out and "Policy violations:" in out
    assert '  environment: "prod"' in out


BAD = [
    ("prod", lambda c: c.pop("ml-platform:network"), "prod: network is required"),
    ("prod", lambda c: c["ml-platform:nodePools"]["compute"].update(maxSize=2),
     "prod: nodePools.compute.maxSize must be >= desiredSize (5), got 2"),
    ("dev", lambda c: c.update({"ml-platform:sandboxUsers": ["alice", "Bob-1"]}),
     "dev: sandboxUsers[1] must be a user name valid as a catalog name"),
    ("staging", lambda c: c["ml-platform:network"].update(cidr="10.20.0.0/8"),
     "staging: network.cidr must be a CIDR block"),
    ("prod", lambda c: c["ml-platform:teams"].update(fraud={"quota": {"cpu": "lots", "memory": "32Gi"}}),
     "prod: teams.fraud.quota.cpu must be a CPU quantity"),
    ("dev", lambda c: c.update({"ml-platform:sandboxUsers": ["alice", "alice"]}),
     "dev: sandboxUsers[1] duplicates 'alice'"),
]


@pytest.mark.parametrize(("stack", "mutate", "message"), BAD, ids=[m.split(" ")[1] for _, _, m in BAD])
def test_bad_config_exits_2_with_one_line(tmp_path: Path, stack: str, mutate: Any, message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    project = project_copy(tmp_path, stack, mutate)
    assert main(["--stack", stack, "--project-dir", str(project)]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"error: {message}"), captured.err


def test_unknown_stack_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--stack", "qa", "--project-dir", str(PROJECT_DIR)]) == 2
    assert capsys.readouterr().err.startswith("error: qa: no stack file Pulumi.qa.yaml")


def test_real_process_exit_status_and_no_traceback(tmp_path: Path) -> None:
    """One real `python -m preflight` process: a bad config gives status 2 and one stderr line."""
    project = project_copy(tmp_path, "prod", lambda c: c["ml-platform:nodePools"]["system"].update(minSize=9))
    env = {**os.environ, "PYTHONPATH": str(PROJECT_DIR)}
    done = subprocess.run([sys.executable, "-m", "preflight", "--stack", "prod", "--project-dir", str(project)],
                          capture_output=True, text=True, env=env, cwd=PROJECT_DIR, timeout=120, check=False)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "error: prod: nodePools.system.desiredSize must be >= minSize (9), got 2"]
    assert "Traceback" not in done.stderr and done.stdout == ""
