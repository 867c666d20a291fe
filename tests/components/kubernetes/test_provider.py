"""The stack's Kubernetes provider: built from the cluster's endpoint and CA, authenticating with
`aws eks get-token` on each call; no kubeconfig file, no stored token."""

from __future__ import annotations

import json

import pytest

from preflight.harness import reveal
from tests.support import STACKS, preflight_plan


@pytest.mark.parametrize("stack", STACKS)
def test_kubeconfig_is_inline_and_its_only_credential_is_aws_eks_get_token(stack: str) -> None:
    plan = preflight_plan(stack)
    cluster = plan.one("aws:eks/cluster:Cluster")
    provider = plan.one("pulumi:providers:kubernetes")
    config = json.loads(reveal(provider.inputs)["kubeconfig"])  # JSON text, not a path to a file
    (entry,) = config["clusters"]
    assert entry["cluster"] == {"server": cluster.outputs["endpoint"],
                                "certificate-authority-data": cluster.outputs["certificateAuthority"]["data"]}
    (user,) = config["users"]
    assert set(user["user"]) == {"exec"}  # no token, password, client key or certificate
    assert user["user"]["exec"]["command"] == "aws"
    args = user["user"]["exec"]["args"]
    assert args[:4] == ["eks", "get-token", "--cluster-name", cluster.inputs["name"]]
    # It authenticates as the role the AWS provider created the cluster with (the cluster's bootstrap admin).
    member = plan.by_urn(cluster.provider)
    creator = reveal(member.inputs)["assumeRoles"]
    creator = json.loads(creator) if isinstance(creator, str) else creator
    assert args[args.index("--role-arn") + 1] == creator[0]["roleArn"]


@pytest.mark.parametrize("stack", STACKS)
def test_every_kubernetes_object_goes_through_that_provider(stack: str) -> None:
    plan = preflight_plan(stack)
    provider = plan.one("pulumi:providers:kubernetes")
    objects = [r for r in plan.registered if r.custom and r.type.startswith("kubernetes:")]
    assert len(objects) > 50
    assert {r.provider for r in objects} == {provider.urn}
