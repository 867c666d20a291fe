"""kubernetes-networkpolicy-no-open-egress, each variant the README claims: no egress rule without `to` (it
allows every destination: Kubernetes docs, "Network Policies"), no `ipBlock` to `0.0.0.0/0` or `::/0` or to any
other public range, IPv4 or IPv6, unless `allowedEgressCidrs` covers it; in-cluster peers and private space pass."""

from __future__ import annotations

from typing import Any

import pytest

from policies.rules._support import UNKNOWN
from policies.rules.kubernetes_networkpolicy_no_open_egress import check
from tests.policies.helpers import resource

POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy"


def policy(egress: Any) -> Any:
    return resource(POLICY, {"metadata": {"name": "p", "namespace": "team-a"},
                             "spec": {"podSelector": {}, "policyTypes": ["Egress"], "egress": egress}})


def allows(i: int, j: int, cidr: str) -> str:
    return f"spec.egress[{i}].to[{j}] allows {cidr}; allow only in-cluster peers and the ranges on allowedEgressCidrs."


@pytest.mark.parametrize("cidr", ["0.0.0.0/0", "::/0", "8.8.8.0/24", "2001:4860::/32"])
def test_an_ip_block_to_public_space_is_flagged_for_either_family(cidr: str) -> None:
    egress = [{"to": [{"podSelector": {}}]},
              {"to": [{"ipBlock": {"cidr": "10.30.0.0/16"}}, {"ipBlock": {"cidr": cidr}}]}]
    assert check(policy(egress), {}).messages == [allows(1, 1, cidr)]


@pytest.mark.parametrize("rule", [{}, {"to": []}, {"ports": [{"port": 443}]}])
def test_a_rule_without_peers_allows_everything(rule: dict[str, Any]) -> None:
    assert check(policy([{"to": [{"podSelector": {}}]}, rule]), {}).messages == [
        "spec.egress[1] has no `to`, so it allows every destination; name the peers."]


def test_in_cluster_and_private_peers_pass() -> None:
    egress = [{"to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
               "ports": [{"protocol": "UDP", "port": 53}]},
              {"to": [{"ipBlock": {"cidr": c}} for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8")]}]
    assert check(policy(egress), {}).messages == []
    assert check(policy([]), {}).messages == [] and check(policy(None), {}).messages == []


@pytest.mark.parametrize("cidr", ["198.51.100.0/24", "198.51.100.128/25", "2001:db8:1::/48"])
def test_allow_listed_ranges_pass_and_open_nothing_else(cidr: str) -> None:
    config = {"allowedEgressCidrs": ["198.51.100.0/24", "2001:db8::/32"]}
    egress = [{"to": [{"ipBlock": {"cidr": cidr}}]}]
    assert check(policy(egress), config).messages == []
    assert check(policy(egress), {}).messages == [allows(0, 0, cidr)]
    assert check(policy([{"to": [{"ipBlock": {"cidr": "::/0"}}]}]), config).messages == [allows(0, 0, "::/0")]


def test_unknown_values_are_named_not_judged() -> None:
    assert check(policy(UNKNOWN), {}).unknown == ["spec.egress"]
    verdict = check(policy([{"to": UNKNOWN}, {"to": [{"ipBlock": {"cidr": UNKNOWN}}]}]), {})
    assert verdict.messages == [] and verdict.unknown == ["spec.egress[0].to", "spec.egress[1].to[0].ipBlock.cidr"]


def test_every_rule_is_read_after_one_without_peers() -> None:
    assert check(policy([{}, {"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}]), {}).messages == [
        "spec.egress[0] has no `to`, so it allows every destination; name the peers.", allows(1, 0, "0.0.0.0/0")]
