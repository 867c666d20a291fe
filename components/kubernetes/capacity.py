"""How many pipeline workers the compute pool and the environment namespace's quota can hold: the HPA's ceiling.

Pods are not nodes: the ceiling is what the pool's maximum nodes fit by the workers' requests, and what the
namespace's ResourceQuota (requests and limits, for CPU and memory) leaves beside MLflow and dbt, whichever is
smaller. The config (stack_config.py) computes it and refuses a stack where it falls below the HPA's minimum.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# vCPU and memory (MiB) of the instance types the stacks use (EC2 instance type specifications).
INSTANCE_CAPACITY: dict[str, tuple[int, int]] = {
    "t3.large": (2, 8192), "t3.xlarge": (4, 16384),
    "m6i.large": (2, 8192), "m6i.xlarge": (4, 16384), "m6i.2xlarge": (8, 32768), "m6i.4xlarge": (16, 65536),
    "m7i.large": (2, 8192), "m7i.xlarge": (4, 16384), "m7i.2xlarge": (8, 32768),
    "c6i.xlarge": (4, 8192), "r6i.xlarge": (4, 32768),
}
# What a node keeps for itself and the add-ons' DaemonSets (kube-proxy, aws-node, ebs-csi-node, the pod
# identity agent): the EKS AMI's kube-reserved CPU is 6% of the first core, 1% of the second, 0.5% of the
# next two, 0.25% above; memory is rounded up to 1 GiB kube-reserved plus eviction threshold. DaemonSet
# requests are budgeted at 250m and 512Mi per node.
_DAEMONSET_CPU_M = 250
_DAEMONSET_MEMORY_MI = 512
_RESERVED_MEMORY_MI = 1024


def _reserved_cpu_m(vcpus: int) -> int:
    shares = (60, 10, 5, 5)
    return int(sum(shares[:vcpus]) + max(0, vcpus - 4) * 2.5)


def parse_cpu_m(quantity: str) -> int:
    """A Kubernetes CPU quantity in millicores (`500m`, `2`, `0.5`)."""
    if quantity.endswith("m"):
        return int(quantity[:-1])
    return round(float(quantity) * 1000)


_MEMORY_UNITS = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "Ti": 1024 * 1024}


def parse_memory_mi(quantity: str) -> int:
    """A Kubernetes memory quantity (`2Gi`, `512Mi`) in MiB."""
    match = re.fullmatch(r"(\d+)(Ki|Mi|Gi|Ti)", quantity)
    if match is None:
        raise ValueError(f"not a memory quantity with a binary unit: {quantity!r}")
    return int(int(match.group(1)) * _MEMORY_UNITS[match.group(2)])


@dataclass(frozen=True)
class PodShape:
    requests_cpu_m: int
    requests_memory_mi: int
    limits_cpu_m: int
    limits_memory_mi: int


def shape(resources: Mapping[str, Mapping[str, str]], replicas: int = 1) -> PodShape:
    """The chart's `resources` block as numbers, times `replicas`."""
    requests, limits = resources.get("requests", {}), resources.get("limits", {})
    return PodShape(parse_cpu_m(requests["cpu"]) * replicas, parse_memory_mi(requests["memory"]) * replicas,
                    parse_cpu_m(limits["cpu"]) * replicas, parse_memory_mi(limits["memory"]) * replicas)


def workers_per_node(instance_type: str, worker: PodShape) -> int:
    """Workers one node of `instance_type` fits by requests, after the node's reservations and DaemonSets."""
    vcpus, memory_mi = INSTANCE_CAPACITY[instance_type]
    cpu = vcpus * 1000 - _reserved_cpu_m(vcpus) - _DAEMONSET_CPU_M
    memory = memory_mi - _RESERVED_MEMORY_MI - _DAEMONSET_MEMORY_MI
    return max(0, min(int(cpu // worker.requests_cpu_m), memory // worker.requests_memory_mi))


def pool_ceiling(instance_types: Sequence[str], max_nodes: int, worker: PodShape) -> int:
    """Workers the pool holds at its maximum size, on its smallest instance type (the group may launch any)."""
    return max_nodes * min(workers_per_node(t, worker) for t in instance_types)


def quota_ceiling(cpu_quota: str, memory_quota: str, worker: PodShape, others: Sequence[PodShape]) -> int:
    """Workers the namespace quota (the same figure for requests and limits) holds beside `others`."""
    cpu, memory = parse_cpu_m(cpu_quota), parse_memory_mi(memory_quota)
    room = (
        (cpu - sum(o.requests_cpu_m for o in others)) / worker.requests_cpu_m,
        (cpu - sum(o.limits_cpu_m for o in others)) / worker.limits_cpu_m,
        (memory - sum(o.requests_memory_mi for o in others)) / worker.requests_memory_mi,
        (memory - sum(o.limits_memory_mi for o in others)) / worker.limits_memory_mi,
    )
    return max(0, math.floor(min(room)))
