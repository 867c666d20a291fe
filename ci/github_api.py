"""The few GitHub REST calls the CI scripts make, with the job's GITHUB_TOKEN (stdlib only)."""

from __future__ import annotations

import json
import os
import urllib.request
from collections.abc import Callable
from typing import Any

# (method, path, body or None) -> decoded JSON answer
Api = Callable[[str, str, dict[str, Any] | None], Any]


def github_api(environ: dict[str, str] | None = None) -> Api:
    """Calls against GITHUB_API_URL with GITHUB_TOKEN; raises RuntimeError when the token is missing."""
    env = dict(os.environ) if environ is None else environ
    token = env.get("GITHUB_TOKEN", "")
    if not token:
        raise RuntimeError("GITHUB_TOKEN must be set")
    base = env.get("GITHUB_API_URL", "https://api.github.com")

    def call(method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        request = urllib.request.Request(f"{base}{path}", method=method,
                                         data=None if body is None else json.dumps(body).encode(), headers={
                                             "Accept": "application/vnd.github+json",
                                             "Authorization": f"Bearer {token}",
                                             "X-GitHub-Api-Version": "2022-11-28",
                                         })
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    return call


def github_get(environ: dict[str, str] | None = None) -> Callable[[str], Any]:
    """GET only: what a read-only check needs."""
    api = github_api(environ)
    return lambda path: api("GET", path, None)
