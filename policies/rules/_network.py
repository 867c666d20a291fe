"""Egress destinations: which CIDRs leave the private network without being on the pack's allow-list."""

from __future__ import annotations

import functools
import ipaddress
from collections.abc import Iterable
from typing import Any

# Private address space (RFC 1918 and IPv6 unique-local): in-VPC and in-cluster destinations.
_PRIVATE = tuple(ipaddress.ip_network(c) for c in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"))

ALLOWED_EGRESS_SCHEMA: dict[str, Any] = {
    "type": "array",
    "items": {"type": "string"},
    "default": [],
    "description": "Public CIDRs egress may reach (e.g. a partner API's range); everything else public is refused.",
}


@functools.cache
def _network(cidr: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(cidr, strict=False)
    except ValueError:
        return None


def _within(net: ipaddress.IPv4Network | ipaddress.IPv6Network, outer: Iterable[str]) -> bool:
    for cidr in outer:
        other = _network(cidr)
        if other is not None and other.version == net.version and net.subnet_of(other):  # type: ignore[arg-type]
            return True
    return False


def is_open(cidr: str, allowed: Iterable[str]) -> bool:
    """True when `cidr` reaches addresses outside private space that the allow-list does not cover."""
    net = _network(cidr)
    if net is None:
        return True  # not a CIDR: cannot prove it is closed
    if any(net.version == p.version and net.subnet_of(p) for p in _PRIVATE):  # type: ignore[arg-type]
        return False
    return not _within(net, tuple(allowed))
