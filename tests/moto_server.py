"""moto in server mode with IAM enforcement, as the moto tests use it: start and stop, open and close
authorization, and an outcome per call (allowed or denied, anything else raises)."""

from __future__ import annotations

import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from botocore.exceptions import ClientError

ALLOWED, DENIED = True, False


def post(url: str, body: str) -> None:
    request = urllib.request.Request(url, data=body.encode(), method="POST", headers={"Content-Type": "text/plain"})
    with urllib.request.urlopen(request, timeout=10):
        pass


def open_for_setup(url: str) -> None:
    """A blank account in which calls are unauthenticated until `enforce` (moto counts the open calls)."""
    post(f"{url}/moto-api/reset", "")
    post(f"{url}/moto-api/reset-auth", "100000")


def enforce(url: str) -> None:
    """From here on every call is authenticated and authorized."""
    post(f"{url}/moto-api/reset-auth", "0")


@contextmanager
def moto_server() -> Iterator[str]:
    """A moto server on a free local port; yields its URL."""
    from moto.server import ThreadedMotoServer  # the server's import is slow: only where a moto test runs

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    url = f"http://{host}:{port}"
    try:
        yield url
    finally:
        post(f"{url}/moto-api/reset-auth", "inf")  # an in-process setting: leave it as moto's default
        server.stop()


def outcome(call: Callable[[], Any]) -> bool:
    """ALLOWED if the call succeeds, DENIED if IAM refuses it; any other error is the test's failure."""
    try:
        call()
    except ClientError as error:
        if error.response["Error"]["Code"] in ("AccessDenied", "403"):
            return DENIED
        raise
    return ALLOWED
