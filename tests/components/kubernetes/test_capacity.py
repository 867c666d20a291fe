"""The workers HPA's ceiling: what the compute pool and the environment namespace's quota can hold, checked
against the chart as rendered with the stack's values, and refused in config when they cannot hold the minimum."""

from __future__ import annotations

import copy

import pytest

import stack_config
from components.kubernetes import capacity
from tests.manifests import rendered_chart
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config


def _total(pods: list[tuple[dict, int]], kind: str, resource: str) -> int:
    parse = capacity.parse_cpu_m if resource == "cpu" else capacity.parse_memory_mi
    return sum(parse(c["resources"][kind][resource]) * n for spec, n in pods for c in spec["containers"])


@pytest.mark.parametrize("stack", STACKS)
def test_at_its_ceiling_the_workers_fit_the_quota_beside_mlflow_and_dbt(stack: str) -> None:
    """Kubernetes ResourceQuota: a pod whose requests or limits exceed what the quota has left is refused, so an
    HPA ceiling above what the quota holds is a number that never happens."""
    cfg = stack_config.parse(stack, raw_config(stack))
    documents = rendered_chart(preflight_plan(stack))
    by_name = {d["metadata"]["name"]: d for d in documents if d["kind"] in ("Deployment", "CronJob")}
    workers = by_name["pipeline-workers"]["spec"]["template"]["spec"]
    mlflow = by_name["mlflow"]["spec"]
    dbt = by_name["dbt"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    ceiling = cfg.workers_max_replicas
    pods = [(workers, ceiling), (mlflow["template"]["spec"], mlflow["replicas"]), (dbt, 1)]
    quota_cpu, quota_memory = capacity.parse_cpu_m(cfg.environment_quota.cpu), capacity.parse_memory_mi(
        cfg.environment_quota.memory)
    for kind in ("requests", "limits"):
        assert _total(pods, kind, "cpu") <= quota_cpu, kind
        assert _total(pods, kind, "memory") <= quota_memory, kind
    # One more worker would not fit: the ceiling is the quota's (or the pool's, if smaller).
    pool = cfg.node_pools["compute"]
    worker = capacity.shape({"requests": workers["containers"][0]["resources"]["requests"],
                             "limits": workers["containers"][0]["resources"]["limits"]})
    by_pool = capacity.pool_ceiling(pool.instance_types, pool.max_size, worker)
    more = [(workers, ceiling + 1), *pods[1:]]
    quota_full = any(_total(more, k, r) > (quota_cpu if r == "cpu" else quota_memory)
                     for k in ("requests", "limits") for r in ("cpu", "memory"))
    assert quota_full or ceiling == by_pool
    assert ceiling <= by_pool


def test_prod_workers_are_capped_by_the_quota_not_the_pools_node_count() -> None:
    """Issue 15: 20 was the compute pool's node maximum; 32 CPU of limits hold far fewer 2-CPU workers."""
    cfg = stack_config.parse("prod", raw_config("prod"))
    assert cfg.workers_max_replicas < cfg.node_pools["compute"].max_size


def test_a_quota_that_cannot_hold_the_minimum_is_refused_naming_both_keys() -> None:
    raw = copy.deepcopy(raw_config("prod"))
    raw["namespaceQuotas"]["environment"] = {"cpu": "6", "memory": "128Gi"}
    with pytest.raises(stack_config.ConfigError) as info:
        stack_config.parse("prod", raw)
    message = str(info.value)
    assert message.startswith("prod: namespaceQuotas.environment (cpu 6, memory 128Gi) holds 1 pipeline worker(s)")
    assert "nodePools.compute.maxSize" in message and "\n" not in message


def test_an_hpa_override_above_the_ceiling_is_refused() -> None:
    raw = copy.deepcopy(raw_config("prod"))
    raw["helm"]["valuesOverrides"] = {"workers": {"autoscaling": {"maxReplicas": 20}}}
    with pytest.raises(stack_config.ConfigError, match=r"helm.valuesOverrides.workers.autoscaling.maxReplicas must "
                                                       r"be <= 14, what namespaceQuotas.environment and "
                                                       r"nodePools.compute.maxSize hold, got 20"):
        stack_config.parse("prod", raw)


def test_an_instance_type_outside_the_capacity_table_is_named() -> None:
    raw = copy.deepcopy(raw_config("dev"))
    raw["nodePools"]["compute"]["instanceTypes"] = ["x9z.huge"]
    with pytest.raises(stack_config.ConfigError, match=r"nodePools\.compute\.instanceTypes must be instance types of "
                                                       r"the capacity table"):
        stack_config.parse("dev", raw)


def test_a_node_fits_workers_by_both_cpu_and_memory() -> None:
    worker = capacity.PodShape(500, 2048, 2000, 8192)
    assert capacity.workers_per_node("m6i.xlarge", worker) == 7  # 4000m - 80m - 250m; 16 GiB - 1.5 GiB
    assert capacity.workers_per_node("c6i.xlarge", worker) == 3  # memory-bound: 8 GiB - 1.5 GiB


def test_a_resources_block_times_its_replicas_is_every_quantity_multiplied() -> None:
    """Kubernetes quantities: `500m` is half a CPU, `2` two CPUs, `1Gi` 1024 MiB. A ResourceQuota counts the sum
    over the pods, so three replicas hold three times each request and each limit."""
    resources = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
    assert capacity.shape(resources, replicas=3) == capacity.PodShape(1500, 3072, 6000, 12288)
    assert capacity.shape(resources) == capacity.PodShape(500, 1024, 2000, 4096)


@pytest.mark.parametrize("missing", ["requests", "limits"])
def test_a_resources_block_without_requests_or_limits_names_the_missing_figure(missing: str) -> None:
    """The config reports what `shape` raises (`helm.valuesOverrides ... got 'cpu'`): a block without requests or
    limits is a KeyError naming the figure it lacks, not a TypeError about None."""
    resources = {"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "4Gi"}}
    del resources[missing]
    with pytest.raises(KeyError, match="'cpu'"):
        capacity.shape(resources)


@pytest.mark.parametrize(("vcpus", "millicores"), [(1, 60), (2, 70), (4, 80), (8, 90), (16, 110)])
def test_a_node_keeps_the_eks_amis_kube_reserved_cpu(vcpus: int, millicores: int) -> None:
    """The EKS AMI's bootstrap reserves 6% of the first core, 1% of the second, 0.5% of the third and fourth
    and 0.25% of each core above (figures worked out by hand from that rule, not from the code)."""
    assert capacity._reserved_cpu_m(vcpus) == millicores
