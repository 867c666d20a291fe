"""Namespaces in each stack's plan: quotas from the Design Appendix table, default-deny network policies with
named exceptions, the environment's egress profile (computed as reachable peers), RBAC, IRSA accounts."""

from __future__ import annotations

import ipaddress
import json
from typing import Any

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from components.aws.data_stores import PIPELINES
from components.kubernetes.platform_namespace import (
    NAME_LABEL,
    PlatformNamespaceArgs,
    validate_platform_namespace_args,
)
from components.kubernetes.secret_sync import SecretSyncArgs
from preflight.harness import reveal
from stack_config import parse
from tests.manifests import platform_release, registered_manifests, rendered_chart
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config

OPERATORS_NAMESPACE = SecretSyncArgs(vpc_cidr="").namespace
ANY = ("anywhere",)
ROLE = "kubernetes:rbac.authorization.k8s.io/v1:Role"
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
# Design Appendix 3.3 (roles.yaml), copied rule by rule as (apiGroups, resources, verbs).
DESIGN_APPENDIX_ROLES = {
    # Platform Admin (Full access)
    "platform-admin": [(("*",), ("*",), ("*",))],
    # Data Engineer (Deploy, view logs, exec)
    "data-engineer": [
        (("apps", "batch"), ("deployments", "jobs", "cronjobs"), ("get", "list", "create", "update", "patch")),
        (("",), ("pods", "pods/log"), ("get", "list", "watch")),
        (("",), ("pods/exec",), ("create",)),
    ],
    # Data Analyst (Read-only)
    "data-analyst": [
        (("",), ("pods", "pods/log", "services"), ("get", "list", "watch")),
        (("apps",), ("deployments", "statefulsets"), ("get", "list")),
    ],
    # CI/CD Service Account (Deploy only)
    "deployer": [
        (("apps",), ("deployments",), ("get", "list", "update", "patch")),
        (("",), ("configmaps", "secrets"), ("get", "list")),
    ],
}
# Kubernetes docs, "Authorization" (request verbs): the verbs that only read.
READ_VERBS = {"get", "list", "watch"}
ALL_PORTS = "all ports"


def _objects(stack: str, kind: str, namespace: str | None = None) -> list[dict[str, Any]]:
    """The tenant namespaces' own objects (PlatformNamespace's; the secret operators' namespace is SecretSync's:
    test_secret_sync.py). The pod-specific exceptions the Dagster and ingress layers add to some namespaces are
    tested with those layers (test_code_location, test_platform_ingress)."""
    return [m for m in registered_manifests(preflight_plan(stack), "platform:kubernetes:PlatformNamespace")
            if m["kind"] == kind and (namespace is None or m["metadata"].get("namespace") == namespace)
            and OPERATORS_NAMESPACE not in (m["metadata"].get("namespace"), m["metadata"]["name"])]


def _namespaces(stack: str) -> list[str]:
    return sorted(m["metadata"]["name"] for m in _objects(stack, "Namespace"))


def _peer(namespace: str, peer: dict[str, Any]) -> tuple[str, ...]:
    if "ipBlock" in peer:
        return ("cidr", peer["ipBlock"]["cidr"], *sorted(peer["ipBlock"].get("except", [])))
    if "namespaceSelector" in peer:
        selector = peer["namespaceSelector"]
        assert set(selector) <= {"matchLabels"} and set(selector.get("matchLabels", {})) <= {NAME_LABEL}, selector
        labels = selector.get("matchLabels") or {}
        return ("namespace", labels[NAME_LABEL]) if labels else ("every namespace",)
    assert set(peer) == {"podSelector"} and peer["podSelector"] == {}, peer
    return ("namespace", namespace)


def _ports(rule: dict[str, Any]) -> tuple[str, ...]:
    return tuple(sorted(f"{p.get('protocol', 'TCP')}/{p['port']}" for p in rule["ports"])) if rule.get(
        "ports") else (ALL_PORTS,)


def allowed_peers(stack: str, namespace: str, direction: str) -> set[tuple[tuple[str, ...], tuple[str, ...]]]:
    """(peer, ports) any pod of `namespace` may reach (egress) or be reached from (ingress), by the
    NetworkPolicy semantics: without a policy of that type selecting the pods, everything is allowed;
    with one, exactly the union of the rules of every policy selecting them."""
    key, field = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    policies = [p["spec"] for p in _objects(stack, "NetworkPolicy", namespace)]
    selecting = [p for p in policies if direction in p.get("policyTypes", [])]
    for policy in selecting:
        assert policy["podSelector"] == {}, "every policy selects every pod; the model below assumes it"
    if not selecting:
        return {(ANY, (ALL_PORTS,))}
    peers: set[tuple[tuple[str, ...], tuple[str, ...]]] = set()
    for policy in selecting:
        for rule in policy.get(key, []):
            targets = [_peer(namespace, p) for p in rule.get(field, [])] or [ANY]
            peers |= {(t, _ports(rule)) for t in targets}
    return peers


@pytest.mark.parametrize("stack", STACKS)
def test_each_stack_has_its_environment_monitoring_mlops_and_team_namespaces(stack: str) -> None:
    teams = [f"team-{t}" for t in raw_config(stack)["teams"]]
    assert _namespaces(stack) == sorted([f"platform-{stack}", "platform-monitoring", "platform-mlops", *teams])


@pytest.mark.parametrize("stack", STACKS)
def test_quotas_follow_the_config_and_the_design_table_in_prod(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    expected = {f"platform-{stack}": cfg.environment_quota, "platform-monitoring": cfg.monitoring_quota,
                "platform-mlops": cfg.mlops_quota, **{f"team-{t.name}": t.quota for t in cfg.teams}}
    quotas = {q["metadata"]["namespace"]: q["spec"]["hard"] for q in _objects(stack, "ResourceQuota")}
    assert quotas == {ns: {"requests.cpu": q.cpu, "limits.cpu": q.cpu, "requests.memory": q.memory,
                           "limits.memory": q.memory} for ns, q in expected.items()}
    if stack == "prod":
        assert quotas["platform-prod"]["limits.cpu"] == "32" and quotas["platform-prod"]["limits.memory"] == "128Gi"
    limits = {lr["metadata"]["namespace"] for lr in _objects(stack, "LimitRange")
              if {"default", "defaultRequest"} <= set(lr["spec"]["limits"][0])}
    assert limits == set(expected)


@pytest.mark.parametrize("stack", STACKS)
def test_every_namespace_denies_all_ingress_and_egress_by_default(stack: str) -> None:
    for namespace in _namespaces(stack):
        deny = [p for p in _objects(stack, "NetworkPolicy", namespace) if p["metadata"]["name"] == "default-deny"]
        assert [p["spec"] for p in deny] == [{"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}], namespace


@pytest.mark.parametrize("stack", STACKS)
def test_ingress_only_from_the_namespace_the_ingress_controller_and_monitoring(stack: str) -> None:
    for namespace in _namespaces(stack):
        assert allowed_peers(stack, namespace, "Ingress") == {
            (("namespace", namespace), (ALL_PORTS,)), (("namespace", "ingress-nginx"), (ALL_PORTS,)),
            (("namespace", "platform-monitoring"), (ALL_PORTS,))}, namespace


def _endpoints_cidr(stack: str) -> str:
    return preflight_plan(stack).one("platform:network:Network").component_outputs["endpoints_cidr"]


def _database_cidrs(stack: str) -> list[str]:
    """The database subnets' blocks: each a private block of the VPC (RDS, outside the cluster)."""
    plan = preflight_plan(stack)
    blocks = sorted(s.inputs["cidrBlock"] for s in plan.of_type("aws:ec2/subnet:Subnet")
                    if s.inputs["tags"]["tier"] == "database")
    assert blocks and sorted(plan.one("platform:network:Network").component_outputs["database_cidrs"]) == blocks
    return blocks


def test_prod_pods_reach_nothing_outside_the_allow_list() -> None:
    cfg = parse("prod", raw_config("prod"))
    dns = (("namespace", "kube-system"), ("TCP/53", "UDP/53"))
    endpoints = _endpoints_cidr("prod")
    assert ipaddress.ip_network(endpoints).subnet_of(ipaddress.ip_network(cfg.network.vpc_cidr))  # type: ignore[arg-type]
    for namespace in _namespaces("prod"):
        expected = {dns, (("namespace", namespace), (ALL_PORTS,)),
                    (("every namespace",), (f"TCP/{cfg.database_port}",)),
                    (("cidr", endpoints), ("TCP/443",)),  # the VPC's interface endpoints, HTTPS only
                    *((("cidr", cidr), (ALL_PORTS,)) for cidr in cfg.egress_allowed_cidrs)}
        if not namespace.startswith("team-"):
            # A team namespace has no namespace-wide path to the database: only its Dagster run pods get one,
            # when the team's config says so (test_code_location.py).
            expected |= {(("cidr", db), (f"TCP/{cfg.database_port}",)) for db in _database_cidrs("prod")}
        if namespace == "platform-monitoring":
            expected.add((("every namespace",), (ALL_PORTS,)))  # scraping every namespace, in-cluster only
        peers = allowed_peers("prod", namespace, "Egress")
        assert peers == expected, namespace
        external = {p[1] for p, _ in peers if p[0] == "cidr"}
        assert external <= {*cfg.egress_allowed_cidrs, endpoints, *_database_cidrs("prod")}
        assert not any(p == ANY for p, _ in peers)


def reachable(stack: str, namespace: str, block: str, port: int) -> bool:
    """Whether every address of `block` is reachable on TCP `port` from any pod of `namespace`."""
    target = ipaddress.ip_network(block)
    for peer, ports in allowed_peers(stack, namespace, "Egress"):
        if ports != (ALL_PORTS,) and f"TCP/{port}" not in ports:
            continue
        if peer == ANY:
            return True
        if peer[0] == "cidr" and target.subnet_of(ipaddress.ip_network(peer[1])) and not any(  # type: ignore[arg-type]
                target.overlaps(ipaddress.ip_network(e)) for e in peer[2:]):
            return True
    return False


def _chart_pods(stack: str) -> list[tuple[str, str]]:
    """(workload, namespace) of every pod template the Helm chart renders."""
    plan = preflight_plan(stack)
    release_namespace = platform_release(plan).inputs["namespace"]
    pods = []
    for doc in rendered_chart(plan):
        spec = doc.get("spec", {})
        template = spec.get("jobTemplate", {}).get("spec", {}).get("template") or spec.get("template")
        if doc["kind"] in ("Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob") and template:
            pods.append((f"{doc['kind']}/{doc['metadata']['name']}",
                         doc["metadata"].get("namespace", release_namespace)))
    return pods


def test_prod_pods_reach_sts_s3_and_ecr_through_the_vpc_endpoints_and_nothing_public() -> None:
    """IRSA calls STS, the AWS SDKs call S3, image pulls call ECR (ecr.api, ecr.dkr): with restricted egress the
    only path is the interface endpoints, whose private DNS makes the services' default names resolve to their
    network interfaces' addresses in the endpoint subnets (https://docs.aws.amazon.com/vpc/latest/privatelink/
    privatelink-access-aws-services.html; for S3 with a gateway in the VPC, only with
    privateDnsOnlyForInboundResolverEndpoint false: https://docs.aws.amazon.com/AmazonS3/latest/userguide/
    privatelink-interface-endpoints.html#private-dns). The endpoints' security group must admit the pods too."""
    plan, cfg = preflight_plan("prod"), parse("prod", raw_config("prod"))
    vpc_cidr = ipaddress.ip_network(cfg.network.vpc_cidr)
    subnets = {s.id: s.inputs["cidrBlock"] for s in plan.of_type("aws:ec2/subnet:Subnet")}
    endpoints = {e.inputs["serviceName"].removeprefix(f"com.amazonaws.{cfg.region}."): e
                 for e in plan.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Interface"}
    security_groups = {g.id: g for g in plan.of_type("aws:ec2/securityGroup:SecurityGroup")}
    pods = _chart_pods("prod")
    assert pods, "the chart renders pods"
    for service in ("sts", "s3", "ecr.api", "ecr.dkr"):
        endpoint = endpoints[service]
        assert endpoint.inputs["privateDnsEnabled"] is True, service
        if service == "s3":
            assert endpoint.inputs["dnsOptions"]["privateDnsOnlyForInboundResolverEndpoint"] is False
        blocks = [subnets[s] for s in endpoint.inputs["subnetIds"]]
        assert blocks and all(ipaddress.ip_network(b).subnet_of(vpc_cidr) for b in blocks)  # type: ignore[arg-type]
        for group in endpoint.inputs["securityGroupIds"]:
            assert any(r["fromPort"] <= 443 <= r["toPort"] and str(vpc_cidr) in r["cidrBlocks"]
                       for r in security_groups[group].inputs["ingress"]), (service, group)
        for workload, namespace in pods:
            for block in blocks:
                assert reachable("prod", namespace, block, 443), (service, workload, block)
    for workload, namespace in pods:  # MLflow and dbt reach the database (RDS in the database subnets)
        for block in _database_cidrs("prod"):
            assert reachable("prod", namespace, block, cfg.database_port), (workload, block)
            assert not reachable("prod", namespace, block, 22), (workload, block)
    for workload, namespace in pods:
        for public in ("192.0.2.10/32", "203.0.113.10/32"):  # arbitrary public addresses outside the allow-list
            assert not any(reachable("prod", namespace, public, port) for port in (80, 443)), (workload, public)


def test_staging_reaches_the_internet_but_never_the_instance_metadata_service() -> None:
    metadata = ipaddress.ip_address("169.254.169.254")
    for namespace in _namespaces("staging"):
        peers = allowed_peers("staging", namespace, "Egress")
        assert (("cidr", "0.0.0.0/0", "169.254.169.254/32"), (ALL_PORTS,)) in peers
        for peer, _ in peers:
            assert peer != ANY, namespace
            if peer[0] == "cidr":
                reachable = ipaddress.ip_network(peer[1])
                excepted = [ipaddress.ip_network(c) for c in peer[2:]]
                assert metadata not in reachable or any(metadata in e for e in excepted), (namespace, peer)


def test_dev_egress_is_unrestricted() -> None:
    for namespace in _namespaces("dev"):
        assert (ANY, (ALL_PORTS,)) in allowed_peers("dev", namespace, "Egress")


@pytest.mark.parametrize("stack", STACKS)
def test_roles_are_the_design_appendix_rules_bound_to_the_configured_groups(stack: str) -> None:
    """Design Appendix 3.3, roles.yaml: the four Roles rule by rule, in every tenant namespace (team ones too)."""
    groups = parse(stack, raw_config(stack)).rbac_groups.by_role
    for namespace in _namespaces(stack):
        roles = {r["metadata"]["name"]: [(tuple(x["apiGroups"]), tuple(x["resources"]), tuple(x["verbs"]))
                                         for x in r["rules"]] for r in _objects(stack, "Role", namespace)}
        assert roles == DESIGN_APPENDIX_ROLES, namespace
        bindings = {b["metadata"]["name"]: (b["roleRef"]["name"], b["subjects"])
                    for b in _objects(stack, "RoleBinding", namespace)}
        assert bindings == {
            **{role: (role, [{"kind": "Group", "name": group, "apiGroup": "rbac.authorization.k8s.io"}])
               for role, group in groups.items()},
            "deployer": ("deployer", [{"kind": "ServiceAccount", "name": "deployer", "namespace": namespace}]),
        }


def _rules(role: dict[str, Any]) -> list[tuple[set[str], set[str], set[str]]]:
    return [(set(r.get("apiGroups", [])), set(r.get("resources", [])), set(r["verbs"])) for r in role["rules"]]


@pytest.mark.parametrize("stack", STACKS)
def test_the_read_only_role_only_reads_and_never_reads_secrets(stack: str) -> None:
    """Design Appendix 3.3 calls `data-analyst` read-only: Kubernetes RBAC ("Using RBAC Authorization") grants
    exactly the listed verbs on the listed resources, so read-only means get/list/watch only, and no `secrets`
    (a `get`/`list` on Secrets reveals their values) nor `*` in groups, resources or verbs."""
    analysts = [r for r in _objects(stack, "Role") if r["metadata"]["name"] == "data-analyst"]
    assert len(analysts) == len(_namespaces(stack))
    for role in analysts:
        for groups, resources, verbs in _rules(role):
            assert verbs <= READ_VERBS, (role["metadata"]["namespace"], verbs)
            assert "secrets" not in resources and "*" not in resources | groups | verbs, role["metadata"]


@pytest.mark.parametrize("stack", STACKS)
def test_only_the_admin_holds_wildcards_and_only_the_deployer_reads_secrets_never_writing_them(stack: str) -> None:
    """Design Appendix 3.3: `*` is platform-admin's alone; the deployer reads ConfigMaps and Secrets (get, list)
    and the README's `kubernetes-rbac-deployer-limits`: it never writes secrets nor uses `pods/exec`. No other
    Role of a tenant namespace touches `secrets`; `pods/exec` is the data engineer's (Deploy, view logs, exec)."""
    for role in _objects(stack, "Role"):
        name = role["metadata"]["name"]
        for groups, resources, verbs in _rules(role):
            if name != "platform-admin":
                assert "*" not in groups | resources | verbs, (name, groups, resources, verbs)
            if "secrets" in resources:
                assert name == "deployer" and verbs <= {"get", "list"}, (name, verbs)
            if "pods/exec" in resources:
                assert name == "data-engineer", name
    assert not [m for m in registered_manifests(preflight_plan(stack))
                if m["kind"] in ("ClusterRole", "ClusterRoleBinding")]


@pytest.mark.parametrize("stack", STACKS)
def test_each_binding_waits_for_its_role_and_everything_for_its_namespace(stack: str) -> None:
    """Kubernetes refuses an object in a namespace that does not exist; a RoleBinding to a missing Role grants
    nothing until the Role appears (RBAC docs), so each is created after what it names."""
    plan = preflight_plan(stack)
    for component in plan.of_type("platform:kubernetes:PlatformNamespace"):
        children = plan.children(component)
        (namespace,) = [c for c in children if c.type == "kubernetes:core/v1:Namespace"]
        for child in children:
            if child is not namespace:
                assert namespace.urn in child.options["dependsOn"], child.name
        roles = {c.inputs["metadata"]["name"]: c.urn for c in children if c.type == ROLE}
        bindings = [c for c in children if c.type == ROLE_BINDING]
        assert len(bindings) == len(roles) == 4
        for binding in bindings:
            assert roles[binding.inputs["roleRef"]["name"]] in binding.options["dependsOn"], binding.name


@pytest.mark.parametrize("stack", STACKS)
def test_pipeline_service_accounts_carry_their_pipeline_role(stack: str) -> None:
    """Each role's service account is in the namespace its trust names: MLflow's in platform-mlops (Design
    Appendix namespace table), every other in the environment's namespace."""
    accounts = {a["metadata"]["name"]: a for a in _objects(stack, "ServiceAccount", f"platform-{stack}")}
    accounts |= {a["metadata"]["name"]: a for a in _objects(stack, "ServiceAccount", "platform-mlops")
                 if a["metadata"]["name"] != "deployer"}
    assert set(accounts) == {*PIPELINES, "deployer"}
    assert accounts["mlflow"]["metadata"]["namespace"] == "platform-mlops"
    for pipeline in PIPELINES:
        role = preflight_plan(stack).one("aws:iam/role:Role", name=f"{stack}-{pipeline}-role")
        trust = json.loads(reveal(role.inputs)["assumeRolePolicy"])
        (condition,) = [v for k, v in trust["Statement"][0]["Condition"]["StringEquals"].items() if k.endswith(":sub")]
        assert condition == f"system:serviceaccount:{accounts[pipeline]['metadata']['namespace']}:{pipeline}"
        role = preflight_plan(stack).one("platform:iam:PipelineRole", name=f"{stack}-{pipeline}")
        assert accounts[pipeline]["metadata"]["annotations"] == {
            "eks.amazonaws.com/role-arn": role.component_outputs["role_arn"]}
    # No account mounts an API token into pods, the deployer's included: CI requests a short-lived one for it.
    assert {name: a.get("automountServiceAccountToken") for name, a in accounts.items()} == dict.fromkeys(
        accounts, False)


def test_bad_args_are_refused_naming_each_property() -> None:
    with pytest.raises(ValueError) as info:
        validate_platform_namespace_args(PlatformNamespaceArgs(
            namespace="x", cpu_quota="1", memory_quota="1Gi", group_bindings={"platform-admin": "g"},
            egress="internet", allowed_egress_cidrs=["169.254.0.0/16"]))
    for words in ("group_bindings", "allowed_egress_cidrs must not cover", "only applies to egress 'restricted'"):
        assert words in str(info.value)


@given(address=st.integers(min_value=0, max_value=2**32 - 1), prefix=st.integers(min_value=0, max_value=32))
@example(address=int(ipaddress.ip_address("169.254.169.254")), prefix=32)
@example(address=int(ipaddress.ip_address("169.254.0.0")), prefix=16)
@example(address=int(ipaddress.ip_address("169.254.169.255")), prefix=32)
def test_an_allow_list_entry_is_refused_exactly_when_it_covers_the_metadata_address_or_everything(
        address: int, prefix: int) -> None:
    network = ipaddress.ip_network((address, prefix), strict=False)
    args = PlatformNamespaceArgs(namespace="platform-prod", cpu_quota="1", memory_quota="1Gi",
                                 group_bindings=dict.fromkeys(("platform-admin", "data-engineer", "data-analyst"), "g"),
                                 allowed_egress_cidrs=[str(network)])
    dangerous = prefix == 0 or ipaddress.ip_address("169.254.169.254") in network
    if dangerous:
        with pytest.raises(ValueError, match="allowed_egress_cidrs must not cover"):
            validate_platform_namespace_args(args)
    else:
        validate_platform_namespace_args(args)


@pytest.mark.parametrize("stack", STACKS)
def test_each_pipeline_service_account_can_assume_the_role_it_is_annotated_with(stack: str) -> None:
    """IRSA end to end in the plan: the role behind the annotation trusts this cluster's OIDC provider for
    exactly this service account of this namespace."""
    plan = preflight_plan(stack)
    cluster = plan.one("platform:kubernetes:EksCluster").component_outputs
    roles = {r.outputs["arn"]: r for r in plan.of_type("aws:iam/role:Role")}
    namespace = f"platform-{stack}"
    for account in _objects(stack, "ServiceAccount", namespace):
        if account["metadata"]["name"] not in PIPELINES:
            continue
        role = roles[account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"]]
        (statement,) = json.loads(role.inputs["assumeRolePolicy"])["Statement"]
        assert statement["Principal"] == {"Federated": cluster["oidc_provider_arn"]}
        assert statement["Condition"]["StringEquals"][f"{cluster['oidc_issuer']}:sub"] == (
            f"system:serviceaccount:{namespace}:{account['metadata']['name']}")


@pytest.mark.parametrize(("changes", "message"), [
    ({"egress": "open", "allowed_egress_cidrs": ()},
     "egress must be one of ('restricted', 'internet', 'unrestricted'), got 'open'"),
    ({"group_bindings": {"platform-admin": "g"}},
     "group_bindings must bind exactly ['platform-admin', 'data-engineer', 'data-analyst'], got ['platform-admin']"),
    ({"allowed_egress_cidrs": ["10.0.0.1/8"]}, "allowed_egress_cidrs has an invalid CIDR '10.0.0.1/8'"),
    ({"allowed_egress_cidrs": ["0.0.0.0/0"]},
     "allowed_egress_cidrs must not cover the metadata address or the internet, got '0.0.0.0/0'"),
    ({"egress": "internet"}, "allowed_egress_cidrs only applies to egress 'restricted', got egress 'internet'"),
    ({"database_cidrs": ["8.8.8.0/24"]}, "database_cidrs must hold private CIDR blocks, got '8.8.8.0/24'"),
    ({"database_cidrs": ["10.0.0.1/24"]}, "database_cidrs must hold private CIDR blocks, got '10.0.0.1/24'"),
    ({"aws_endpoints_cidr": "endpoints"}, "aws_endpoints_cidr must be a CIDR block, got 'endpoints'"),
    ({"aws_endpoints_cidr": "8.8.8.0/24"},
     "aws_endpoints_cidr must be a private block inside the VPC, got '8.8.8.0/24'"),
    ({"aws_endpoints_cidr": "fc00::/7"}, "aws_endpoints_cidr must be a private block inside the VPC, got 'fc00::/7'"),
    ({"database_port": 0}, "database_port must be a TCP port, got 0"),
    ({"database_port": 65536}, "database_port must be a TCP port, got 65536"),
    ({"pod_security": "strict"}, "pod_security must be restricted, baseline or privileged, got 'strict'"),
    ({"service_accounts": {"deployer": "arn:aws:iam::111111111111:role/x"}},
     "service_accounts must not redefine 'deployer'"),
    ({"database_port": 0, "pod_security": "strict"},
     "database_port must be a TCP port, got 0; pod_security must be restricted, baseline or privileged, got 'strict'"),
])
def test_each_bad_arg_is_refused_with_its_whole_message(changes: dict[str, Any], message: str) -> None:
    base: dict[str, Any] = {
        "namespace": "platform-prod", "cpu_quota": "32", "memory_quota": "128Gi",
        "group_bindings": {"platform-admin": "admins", "data-engineer": "engineers", "data-analyst": "analysts"},
        "egress": "restricted", "allowed_egress_cidrs": ["192.0.2.0/24"], "database_cidrs": ["10.10.216.0/21"],
        "aws_endpoints_cidr": "10.10.240.0/23", "service_accounts": {"training": "arn:aws:iam::111111111111:role/t"}}
    with pytest.raises(ValueError) as info:
        validate_platform_namespace_args(PlatformNamespaceArgs(**{**base, **changes}))
    assert str(info.value) == message
    validate_platform_namespace_args(PlatformNamespaceArgs(**base))
