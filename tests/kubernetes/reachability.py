"""Who may open a connection to whom, computed from a plan's NetworkPolicies as the NetworkPolicy API defines
it (https://kubernetes.io/docs/concepts/services-networking/network-policies/): a pod selected by any policy
of a type is isolated for that direction and admits only what some rule of those policies allows; a
connection needs the source's egress and the destination's ingress to allow it. Pod-to-pod only (ipBlock
peers are matched against addresses by `egress_allows_ip`); labels are matched with matchLabels and the
In/NotIn/Exists/DoesNotExist expressions.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

NAME_LABEL = "kubernetes.io/metadata.name"


@dataclass(frozen=True)
class Pod:
    namespace: str
    labels: Mapping[str, str] = field(default_factory=dict)


def selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    """Whether a LabelSelector matches `labels` (an empty selector matches everything)."""
    selector = selector or {}
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


class Network:
    """The NetworkPolicies and namespaces of a set of manifests."""

    def __init__(self, manifests: list[dict[str, Any]]) -> None:
        self.policies = [m for m in manifests if m["kind"] == "NetworkPolicy"]
        self.namespace_labels: dict[str, dict[str, str]] = {
            m["metadata"]["name"]: {**(m["metadata"].get("labels") or {}), NAME_LABEL: m["metadata"]["name"]}
            for m in manifests if m["kind"] == "Namespace"}

    def _policies(self, pod: Pod, direction: str) -> list[dict[str, Any]]:
        return [p for p in self.policies if p["metadata"]["namespace"] == pod.namespace
                and direction in p["spec"].get("policyTypes", ["Ingress"])
                and selects(p["spec"].get("podSelector"), pod.labels)]

    def _peer_matches(self, peer: Mapping[str, Any], owner_namespace: str, other: Pod) -> bool:
        if "ipBlock" in peer:
            return False
        if "namespaceSelector" in peer:
            if not selects(peer["namespaceSelector"], self.namespace_labels.get(other.namespace,
                                                                                {NAME_LABEL: other.namespace})):
                return False
        elif other.namespace != owner_namespace:
            return False
        return selects(peer.get("podSelector"), other.labels)

    @staticmethod
    def _port_matches(ports: list[Mapping[str, Any]] | None, port: int) -> bool:
        return not ports or any(p.get("protocol", "TCP") == "TCP" and p.get("port") in (None, port) for p in ports)

    def ingress_allows(self, source: Pod, destination: Pod, port: int) -> bool:
        policies = self._policies(destination, "Ingress")
        if not policies:
            return True
        return any(self._port_matches(rule.get("ports"), port)
                   and (not rule.get("from") or any(self._peer_matches(peer, destination.namespace, source)
                                                    for peer in rule["from"]))
                   for policy in policies for rule in policy["spec"].get("ingress") or [])

    def egress_allows(self, source: Pod, destination: Pod, port: int) -> bool:
        policies = self._policies(source, "Egress")
        if not policies:
            return True
        return any(self._port_matches(rule.get("ports"), port)
                   and (not rule.get("to") or any(self._peer_matches(peer, source.namespace, destination)
                                                  for peer in rule["to"]))
                   for policy in policies for rule in policy["spec"].get("egress") or [])

    def egress_allows_ip(self, source: Pod, address: str, port: int) -> list[str]:
        """Names of the policies that let `source` reach `address`:`port` (an address outside the pod network)."""
        ip = ipaddress.ip_address(address)
        policies = self._policies(source, "Egress")
        if not policies:
            return ["(no egress policy selects the pod)"]
        allowed = []
        for policy in policies:
            for rule in policy["spec"].get("egress") or []:
                if not self._port_matches(rule.get("ports"), port):
                    continue
                peers = rule.get("to")
                blocks = [peer["ipBlock"] for peer in peers or [] if "ipBlock" in peer]
                if not peers or any(ip in ipaddress.ip_network(block["cidr"])
                                    and not any(ip in ipaddress.ip_network(e) for e in block.get("except", []))
                                    for block in blocks):
                    allowed.append(policy["metadata"]["name"])
        return allowed

    def connects(self, source: Pod, destination: Pod, port: int) -> bool:
        return self.egress_allows(source, destination, port) and self.ingress_allows(source, destination, port)
