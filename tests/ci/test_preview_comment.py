"""A failed preview rewrites its stack's PR comment, in the form pulumi/actions edits again: one per stack."""

from __future__ import annotations

from typing import Any

import pytest

from ci.preview_comment import SUMMARY, failed_body, find_comment, heading, main, mark_failed, project_name

SHA = "0123456789abcdef" * 2 + "01234567"
RUN = "https://github.com/o/r/actions/runs/42"


def pulumi_actions_comment(stack: str, comment_id: int) -> dict[str, Any]:
    """A comment as pulumi/actions writes it (src/libs/pr.ts: heading, then a details block)."""
    return {"id": comment_id, "body": f"{heading('ml-platform', stack)}\n\n<details>\n{SUMMARY}\n<pre>\n"
                                      "Previewing update (prod)\n</pre>\n</details>"}


class FakeApi:
    def __init__(self, comments: list[dict[str, Any]]) -> None:
        self.comments = comments
        self.calls: list[tuple[str, str, dict[str, Any] | None]] = []

    def __call__(self, method: str, path: str, body: dict[str, Any] | None) -> Any:
        self.calls.append((method, path, body))
        if method == "GET":
            page = int(path.rsplit("page=", 1)[1])
            return self.comments[(page - 1) * 100:page * 100]
        return {"id": 1}


def test_project_name_comes_from_pulumi_yaml() -> None:
    assert project_name() == "ml-platform"


def test_failed_body_is_found_again_as_the_stacks_comment() -> None:
    body = failed_body("ml-platform", "prod", SHA, RUN)
    assert body.startswith("#### :tropical_drink: `preview` on ml-platform/prod\n")
    assert SUMMARY in body and SHA[:12] in body and f"]({RUN})" in body
    assert find_comment([{"id": 7, "body": body}], "ml-platform", "prod") == 7
    assert find_comment([{"id": 7, "body": body}], "ml-platform", "dev") is None


def test_find_comment_ignores_other_stacks_and_other_comments() -> None:
    quoted = {"id": 10, "body": "> " + pulumi_actions_comment("prod", 0)["body"] + "\nwhy does this replace?"}
    heading_only = {"id": 11, "body": heading("ml-platform", "prod") + "\nnotes without the report"}
    comments = [{"id": 1, "body": "LGTM"}, {"id": 2, "body": None}, quoted, heading_only,
                pulumi_actions_comment("dev", 3),
                pulumi_actions_comment("prod", 4), pulumi_actions_comment("prod", 5)]
    assert find_comment(comments, "ml-platform", "prod") == 4   # the first, as pulumi/actions picks
    assert find_comment(comments, "ml-platform", "staging") is None


def test_existing_comment_is_edited_not_duplicated() -> None:
    api = FakeApi([{"id": i, "body": "chatter"} for i in range(150)] + [pulumi_actions_comment("prod", 900)])
    assert mark_failed(api, "o/r", 12, "ml-platform", "prod", "BODY") == "updated"
    assert api.calls == [("GET", "/repos/o/r/issues/12/comments?per_page=100&page=1", None),
                         ("GET", "/repos/o/r/issues/12/comments?per_page=100&page=2", None),
                         ("PATCH", "/repos/o/r/issues/comments/900", {"body": "BODY"})]


def test_missing_comment_is_created() -> None:
    api = FakeApi([pulumi_actions_comment("dev", 3)])
    assert mark_failed(api, "o/r", 12, "ml-platform", "prod", "BODY") == "created"
    assert api.calls[-1] == ("POST", "/repos/o/r/issues/12/comments", {"body": "BODY"})


def test_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    api = FakeApi([pulumi_actions_comment("staging", 8)])
    assert main(["--pr", "12", "--stack", "staging", "--commit", SHA, "--run-url", RUN], api=api) == 0
    method, path, body = api.calls[-1]
    assert (method, path) == ("PATCH", "/repos/o/r/issues/comments/8")
    assert body is not None and body["body"] == failed_body("ml-platform", "staging", SHA, RUN)
    assert capsys.readouterr().out == "updated the staging preview comment on pull request #12: failed\n"


def test_main_without_token_is_an_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_REPOSITORY", "o/r")
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert main(["--pr", "12", "--stack", "dev", "--commit", SHA, "--run-url", RUN]) == 2
