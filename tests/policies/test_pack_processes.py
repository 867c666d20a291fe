"""Each pack starts as `pulumi preview --policy-pack policies/<pack>` starts it, and serves its policies.

The CLI runs `python -u -m pulumi.policy <engine> <pack folder>` from the pack folder, reads the port the pack
prints, and talks gRPC to it. Here the same command runs (on 127.0.0.1 only), so the pack's `sys.path` set-up
is proven without the repository on the path, and the policies it serves are the ones the preflight loads.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from google.protobuf import empty_pb2, struct_pb2

from preflight.policy import load_packs
from tests.support import PROJECT_DIR

PACKS = ("least-privilege", "prod-guardrails", "platform-integrity")


@contextmanager
def serve(pack: str) -> Iterator[Any]:
    """The pack's analyzer process, started as the CLI starts it; yields a gRPC stub connected to it."""
    import grpc
    from pulumi.runtime.proto import analyzer_pb2_grpc

    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PULUMI_CONFIG")}
    process = subprocess.Popen([sys.executable, "-u", "-m", "pulumi.policy", "127.0.0.1:0", "."],
                               cwd=PROJECT_DIR / "policies" / pack, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        port = process.stdout.readline().strip()
        assert port.isdigit(), process.stderr.read() if process.stderr else port
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield analyzer_pb2_grpc.AnalyzerStub(channel)
        channel.close()
    finally:
        process.kill()
        process.wait(timeout=30)


@pytest.mark.parametrize("pack", PACKS)
def test_pack_serves_the_policies_the_preflight_loads(pack: str) -> None:
    with serve(pack) as stub:
        info = stub.GetAnalyzerInfo(empty_pb2.Empty(), timeout=30)
    loaded = next(p for p in load_packs(PROJECT_DIR) if p.name == pack)
    assert info.name == pack
    assert [p.name for p in info.policies] == [p.name for p in loaded.policies]


def test_pack_judges_over_grpc() -> None:
    from pulumi.runtime.proto import analyzer_pb2

    props = struct_pb2.Struct()
    props.update({"policy": json.dumps({"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})})
    with serve("least-privilege") as stub:
        response = stub.Analyze(analyzer_pb2.AnalyzeRequest(
            type="aws:iam/policy:Policy", properties=props, name="admin",
            urn="urn:pulumi:prod::ml-platform::aws:iam/policy:Policy::admin"), timeout=30)
    assert {d.policyName for d in response.diagnostics} >= {"aws-iam-no-wildcard-actions",
                                                            "aws-iam-no-wildcard-resource"}
