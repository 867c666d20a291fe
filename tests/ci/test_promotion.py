"""Forward-only promotion: prod takes only staging's current commit, and only forward of its own."""

from __future__ import annotations

from typing import Any

import pytest

from ci.promotion import Deployment, current_commit, main, promotion_problems, read_deployments

A, B, C = "a" * 40, "b" * 40, "c" * 40
# History on main: A -> B -> C (each descends from the ones before it).
HISTORY = [A, B, C]


def is_ancestor(ancestor: str, descendant: str) -> bool:
    return HISTORY.index(ancestor) <= HISTORY.index(descendant)


def test_current_commit_is_the_newest_successful_deployment() -> None:
    deployments = [
        Deployment(A, "2026-11-20T10:00:00Z", "inactive"),
        Deployment(B, "2026-11-21T10:00:00Z", "success"),
        Deployment(C, "2026-11-22T10:00:00Z", "failure"),      # newer, but it failed
        Deployment(C, "2026-11-22T11:00:00Z", "in_progress"),  # and the retry is still running
    ]
    assert current_commit(deployments) == B
    assert current_commit(list(reversed(deployments))) == B    # order of the API answer does not matter


def test_no_successful_deployment_means_no_current_commit() -> None:
    assert current_commit([Deployment(A, "2026-11-20T10:00:00Z", "failure"),
                           Deployment(B, "2026-11-21T10:00:00Z", None)]) is None


def test_staging_commit_moving_prod_forward_is_promotable() -> None:
    assert promotion_problems(C, "staging", C, "prod", A, is_ancestor) == []


def test_first_prod_deploy_and_redeploy_of_the_same_commit_are_promotable() -> None:
    assert promotion_problems(B, "staging", B, "prod", None, is_ancestor) == []
    assert promotion_problems(B, "staging", B, "prod", B, is_ancestor) == []


def test_commit_staging_does_not_run_is_refused() -> None:
    """An older run approved late: staging has moved on to C, the run wants to deploy B."""
    problems = promotion_problems(B, "staging", C, "prod", A, is_ancestor)
    assert problems == [f"prod may deploy only what staging runs ({C[:12]}), not {B[:12]}"]


def test_nothing_on_staging_is_refused() -> None:
    assert promotion_problems(A, "staging", None, "prod", None, is_ancestor) == [
        f"staging has no successful deployment: deploy {A[:12]} to staging first"]


def test_going_backwards_is_refused_even_when_staging_runs_it() -> None:
    """Someone redeployed an old commit to staging; prod must not follow it backwards."""
    problems = promotion_problems(A, "staging", A, "prod", C, is_ancestor)
    assert len(problems) == 1 and "forward only" in problems[0] and C[:12] in problems[0]


class FakeApi:
    """The two REST endpoints the script reads, answering in GitHub's documented shapes."""

    def __init__(self, deployments: dict[str, list[tuple[int, str, str, str | None]]]) -> None:
        self.deployments = deployments
        self.paths: list[str] = []

    def __call__(self, path: str) -> Any:
        self.paths.append(path)
        if "/statuses" in path:
            wanted = int(path.split("/deployments/")[1].split("/")[0])
            for items in self.deployments.values():
                for deployment_id, _sha, _created, state in items:
                    if deployment_id == wanted:
                        return [] if state is None else [{"id": deployment_id * 10, "state": state}]
            raise AssertionError(path)
        environment = path.split("environment=")[1].split("&")[0]
        return [{"id": i, "sha": sha, "environment": environment, "created_at": created,
                 "statuses_url": f"https://api.github.com/repos/o/r/deployments/{i}/statuses"}
                for i, sha, created, _state in self.deployments.get(environment, [])]


API = FakeApi({
    "staging": [(12, C, "2026-11-24T09:00:00Z", "success"), (11, B, "2026-11-23T09:00:00Z", "inactive")],
    "prod": [(21, B, "2026-11-23T12:00:00Z", "success")],
})


def test_read_deployments_asks_for_the_environment_and_each_latest_status() -> None:
    api = FakeApi(API.deployments)
    assert read_deployments("o/r", "staging", api) == [Deployment(C, "2026-11-24T09:00:00Z", "success"),
                                                       Deployment(B, "2026-11-23T09:00:00Z", "inactive")]
    assert api.paths == ["/repos/o/r/deployments?environment=staging&per_page=30",
                         "/repos/o/r/deployments/12/statuses?per_page=1",
                         "/repos/o/r/deployments/11/statuses?per_page=1"]


@pytest.mark.parametrize(("commit", "code"), [(C, 0), (B, 1), (A, 1)])
def test_main(commit: str, code: int, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    assert main(["--commit", commit], get_json=API, is_ancestor=is_ancestor) == code
    out, err = capsys.readouterr()
    if code == 0:
        assert out.startswith(f"{C[:12]} is what staging runs and moves prod forward (from {B[:12]})")
    else:
        assert err.startswith("error: prod may deploy only what staging runs")


def test_main_without_token_is_an_error_not_a_pass(monkeypatch: pytest.MonkeyPatch,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    assert main(["--commit", C]) == 2
    assert "GITHUB_TOKEN" in capsys.readouterr().err


def test_unreadable_records_are_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(path: str) -> Any:
        raise OSError("HTTP Error 403: Forbidden")

    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    assert main(["--commit", C], get_json=broken, is_ancestor=is_ancestor) == 2


def test_git_is_ancestor_on_a_real_repository(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    import subprocess

    from ci.promotion import git_is_ancestor

    def git(*args: str) -> str:
        return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args], cwd=tmp_path,
                              check=True, capture_output=True, text=True).stdout.strip()

    git("init", "-q")
    git("commit", "-q", "--allow-empty", "-m", "first")
    first = git("rev-parse", "HEAD")
    git("commit", "-q", "--allow-empty", "-m", "second")
    second = git("rev-parse", "HEAD")
    monkeypatch.chdir(tmp_path)
    assert git_is_ancestor(first, second)
    assert not git_is_ancestor(second, first)
    with pytest.raises(RuntimeError, match="git merge-base failed"):
        git_is_ancestor("0" * 40, second)
