"""Keep a pull request's preview comment true when that stack's preview fails.

pulumi/actions keeps one comment per stack: it edits the first comment that starts with
"#### :tropical_drink: `preview` on <project>/<stack>" and contains "<summary>Pulumi report</summary>" (its
src/libs/pr.ts), but only after a successful preview. When the preview fails, or the prod policy gate fails
after it, the comment would go on showing the last good preview. This replaces that same comment (or creates
it) with the failure, the commit and a link to the run, in the form pulumi/actions finds again, so the next
good preview edits it back: still exactly one comment per stack.

    python -m ci.preview_comment --pr 12 --stack prod --commit <sha> --run-url <url>
Needs GITHUB_TOKEN (pull-requests: write) and GITHUB_REPOSITORY.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ci.github_api import Api, github_api

SUMMARY = "<summary>Pulumi report</summary>"
PROJECT_FILE = Path(__file__).resolve().parents[1] / "Pulumi.yaml"


def heading(project: str, stack: str) -> str:
    """pulumi/actions' heading for a preview comment (the key it finds its comment by)."""
    return f"#### :tropical_drink: `preview` on {project}/{stack}"


def project_name(pulumi_yaml: Path = PROJECT_FILE) -> str:
    match = re.search(r"^name:\s*(\S+)\s*$", pulumi_yaml.read_text(), re.MULTILINE)
    if match is None:
        raise ValueError(f"{pulumi_yaml} has no top-level name")
    return match[1]


def failed_body(project: str, stack: str, commit: str, run_url: str) -> str:
    return (f"{heading(project, stack)}\n\n"
            f":x: **The preview of `{stack}` failed** at {commit[:12]}: see [the run]({run_url}). "
            "Nothing below is a current preview.\n\n"
            f"<details>\n{SUMMARY}\n\n<pre>\nno report: the preview failed\n</pre>\n</details>\n")


def find_comment(comments: Sequence[dict[str, Any]], project: str, stack: str) -> int | None:
    """The id of the comment pulumi/actions would edit for this stack, if there is one."""
    for comment in comments:
        body = comment.get("body") or ""
        if body.startswith(heading(project, stack)) and SUMMARY in body:
            return int(comment["id"])
    return None


def list_comments(api: Api, repository: str, pr: int) -> list[dict[str, Any]]:
    comments: list[dict[str, Any]] = []
    page = 1
    while True:
        batch = api("GET", f"/repos/{repository}/issues/{pr}/comments?per_page=100&page={page}", None)
        comments.extend(batch)
        if len(batch) < 100:
            return comments
        page += 1


def mark_failed(api: Api, repository: str, pr: int, project: str, stack: str, body: str) -> str:
    """Edit the stack's comment into `body`, or create it; says which it did."""
    existing = find_comment(list_comments(api, repository, pr), project, stack)
    if existing is None:
        api("POST", f"/repos/{repository}/issues/{pr}/comments", {"body": body})
        return "created"
    api("PATCH", f"/repos/{repository}/issues/comments/{existing}", {"body": body})
    return "updated"


def main(argv: list[str] | None = None, api: Api | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ci.preview_comment", description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pr", type=int, required=True, help="pull request number")
    parser.add_argument("--stack", required=True, help="dev, staging or prod")
    parser.add_argument("--commit", required=True, help="the pull request's head commit")
    parser.add_argument("--run-url", required=True, help="link to the failed run")
    args = parser.parse_args(argv)
    try:
        repository = os.environ.get("GITHUB_REPOSITORY", "")
        if not repository:
            raise RuntimeError("GITHUB_REPOSITORY must be set")
        project = project_name()
        done = mark_failed(api or github_api(), repository, args.pr, project, args.stack,
                           failed_body(project, args.stack, args.commit, args.run_url))
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        print(f"error: cannot mark the {args.stack} preview comment as failed: {exc}", file=sys.stderr)
        return 2
    print(f"{done} the {args.stack} preview comment on pull request #{args.pr}: failed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
