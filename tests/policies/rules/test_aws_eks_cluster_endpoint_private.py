"""aws-eks-cluster-endpoint-private: the API endpoint is private, or public only to allow-listed CIDRs.

EKS user guide, "Cluster API server endpoint": `endpointPublicAccess` defaults to true and `publicAccessCidrs` to
`0.0.0.0/0`."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.aws_eks_cluster_endpoint_private import check
from tests.policies.helpers import resource

CLUSTER = "aws:eks/cluster:Cluster"
ADVICE = "; set vpcConfig.endpointPublicAccess false, or publicAccessCidrs to the allow-listed ranges."
CONFIG = {"allowedPublicAccessCidrs": ["203.0.113.0/24"]}


@pytest.mark.parametrize(("vpc_config", "messages"), [
    ({"endpointPublicAccess": False}, []),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}, []),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.64/26", "10.30.0.0/16"]}, []),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24", "198.51.100.0/24"]},
     [f"the API endpoint is public to 198.51.100.0/24{ADVICE}"]),
    ({"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]},
     [f"the API endpoint is public to 0.0.0.0/0{ADVICE}"]),
    ({"subnetIds": ["subnet-1"]},
     [f"the API endpoint is public to 0.0.0.0/0 (EKS's default when publicAccessCidrs is not set){ADVICE}"]),
])
def test_a_public_endpoint_only_to_allow_listed_cidrs_passes(vpc_config: dict[str, Any], messages: list[str]) -> None:
    """The CIDRs named in vpcConfig.publicAccessCidrs are judged against allowedPublicAccessCidrs; without them EKS
    opens the endpoint to 0.0.0.0/0."""
    assert check(resource(CLUSTER, {"vpcConfig": vpc_config}), CONFIG).messages == messages


def test_an_endpoint_access_not_known_yet_is_named_not_judged() -> None:
    """`vpcConfig.endpointPublicAccess` computed during a preview: the rule cannot tell private from public (EKS's
    default is public), so it names the field instead of passing or refusing the cluster."""
    for vpc_config in ({"endpointPublicAccess": UNKNOWN}, {"endpointPublicAccess": UNKNOWN,
                                                           "publicAccessCidrs": ["0.0.0.0/0"]}):
        verdict = check(resource(CLUSTER, {"vpcConfig": vpc_config}), CONFIG)
        assert verdict.messages == [] and verdict.unknown == ["vpcConfig.endpointPublicAccess"]
    verdict = check(resource(CLUSTER, {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": UNKNOWN}}),
                    CONFIG)
    assert verdict.messages == [] and verdict.unknown == ["vpcConfig.publicAccessCidrs"]
