"""Forward-only promotion (ADR-033): prod deploys only the commit that staging has deployed, never an older one.

The record is GitHub's own: every job that names a GitHub environment creates a deployment of its commit in
that environment, and GitHub sets its status to `success` when the job succeeds (earlier ones become
`inactive`). A job cannot fake it without `deployments: write`, which no workflow here grants. So an
environment's current commit is its newest deployment whose latest status is `success`, and the prod job
checks, before `pulumi up`:

1. the commit it is about to deploy is staging's current commit (a newer commit on staging, or an older run
   approved late, is refused);
2. prod's current commit, if any, is an ancestor of it (no going back by redeploying an old commit: roll back
   by reverting on main, which passes dev and staging again).

    python -m ci.promotion --commit <sha> [--source staging] [--target prod]
Needs GITHUB_TOKEN (deployments: read), GITHUB_REPOSITORY, and a checkout with full history (for 2).
Exit 0 promotable, 1 refused (one line per reason), 2 the records could not be read.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ci.github_api import github_get

GetJson = Callable[[str], Any]
IsAncestor = Callable[[str, str], bool]

# Deployments are listed newest first; the current one is among the last few unless many runs failed in a row.
DEPLOYMENTS_TO_READ = 30


@dataclass(frozen=True)
class Deployment:
    """One GitHub deployment of a commit to an environment, with the state of its latest status."""

    sha: str
    created_at: str
    state: str | None
    """Latest status: success, failure, error, inactive, in_progress, queued, pending; None if it has none."""


def current_commit(deployments: Sequence[Deployment]) -> str | None:
    """The commit an environment currently runs: its newest deployment whose latest status is success."""
    for deployment in sorted(deployments, key=lambda d: d.created_at, reverse=True):
        if deployment.state == "success":
            return deployment.sha
    return None


def promotion_problems(commit: str, source: str, source_commit: str | None, target: str,
                       target_commit: str | None, is_ancestor: IsAncestor) -> list[str]:
    """Why `commit` may not be deployed to `target`; empty when it may."""
    if source_commit is None:
        return [f"{source} has no successful deployment: deploy {commit[:12]} to {source} first"]
    problems: list[str] = []
    if source_commit != commit:
        problems.append(f"{target} may deploy only what {source} runs ({source_commit[:12]}), not {commit[:12]}")
    if target_commit is not None and target_commit != commit and not is_ancestor(target_commit, commit):
        problems.append(f"{commit[:12]} does not descend from {target}'s current commit {target_commit[:12]}: "
                        "promotion is forward only (revert on main instead)")
    return problems


def read_deployments(repository: str, environment: str, get_json: GetJson) -> list[Deployment]:
    """The latest deployments of `environment` with the state of each one's latest status (REST API)."""
    query = urllib.parse.urlencode({"environment": environment, "per_page": DEPLOYMENTS_TO_READ})
    deployments: list[Deployment] = []
    for item in get_json(f"/repos/{repository}/deployments?{query}"):
        statuses = get_json(f"/repos/{repository}/deployments/{item['id']}/statuses?per_page=1")
        deployments.append(Deployment(sha=item["sha"], created_at=item["created_at"],
                                      state=statuses[0]["state"] if statuses else None))
    return deployments


def git_is_ancestor(ancestor: str, descendant: str) -> bool:
    """`git merge-base --is-ancestor`: exit 0 yes, 1 no, anything else (e.g. unknown commit) is an error."""
    done = subprocess.run(["git", "merge-base", "--is-ancestor", ancestor, descendant], check=False,
                          capture_output=True, text=True)
    if done.returncode in (0, 1):
        return done.returncode == 0
    raise RuntimeError(f"git merge-base failed for {ancestor[:12]}..{descendant[:12]}: {done.stderr.strip()}")


def main(argv: list[str] | None = None, get_json: GetJson | None = None,
         is_ancestor: IsAncestor = git_is_ancestor) -> int:
    parser = argparse.ArgumentParser(prog="promotion.py", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--commit", required=True, help="the commit about to be deployed (github.sha)")
    parser.add_argument("--source", default="staging", help="environment it must come from (default staging)")
    parser.add_argument("--target", default="prod", help="environment it goes to (default prod)")
    args = parser.parse_args(argv)
    repository = os.environ.get("GITHUB_REPOSITORY", "")
    try:
        if not repository:
            raise RuntimeError("GITHUB_REPOSITORY must be set")
        if get_json is None:
            get_json = github_get()
        source_commit = current_commit(read_deployments(repository, args.source, get_json))
        target_commit = current_commit(read_deployments(repository, args.target, get_json))
        problems = promotion_problems(args.commit, args.source, source_commit, args.target, target_commit,
                                      is_ancestor)
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        print(f"error: cannot read the deployment records: {exc}", file=sys.stderr)
        return 2
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(f"{args.commit[:12]} is what {args.source} runs and moves {args.target} forward "
          f"(from {target_commit[:12] if target_commit else 'nothing'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
