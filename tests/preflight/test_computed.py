"""The mocks' computed outputs have the shapes the providers give them.

Every expectation here is written out from the provider's documentation, not read from `computed.py`:
- ARNs: AWS's "Amazon Resource Names" reference and each service's "Actions, resources and condition keys" page
  (`arn:aws:iam::<account>:role/<path><name>`, `arn:aws:s3:::<bucket>`, `arn:aws:kms:<region>:<account>:key/<id>`,
  `arn:aws:logs:<region>:<account>:log-group:<name>`, `arn:aws:eks:<region>:<account>:nodegroup/<cluster>/<group>/
  <uuid>`, `arn:aws:rds:<region>:<account>:db:<identifier>`, `arn:aws:secretsmanager:...:secret:<name>-<6 chars>`,
  `arn:aws:organizations::<management account>:account/o-<org>/<account>`).
- EC2 ids: a type prefix and 17 hex digits (`vpc-`, `subnet-`, `sg-`, `igw-`, `nat-`, `rtb-`, `eipalloc-`, `vpce-`,
  `lt-`, `fl-`, `pl-`); EKS endpoints `https://<32 hex>.gr7.<region>.eks.amazonaws.com` and OIDC issuers
  `https://oidc.eks.<region>.amazonaws.com/id/<32 hex>`; ECR URLs `<account>.dkr.ecr.<region>.amazonaws.com/<repo>`;
  RDS endpoints `<identifier>.<random>.<region>.rds.amazonaws.com:<port>`; ACM DNS validation CNAMEs under
  `acm-validations.aws.`; Terraform's Route 53 record id `<zone>_<name>_<type>`; bcrypt hashes of 60 characters.
- Databricks: a service principal's `acl_principal_id` is `servicePrincipals/<application id>`, its OAuth
  secrets start with `dose`; a schema's id is `<catalog>.<schema>`.
- Pulumi: an object without a name is auto-named `<logical name>-<7 random characters>`; a Helm release's id is
  `<namespace>/<name>`, a namespaced Kubernetes object's `<namespace>/<name>`.
"""

from __future__ import annotations

import base64
import re
import uuid
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest

from preflight.computed import COMPUTED, POLICY_DOCUMENT_INPUTS, Context, compute

ACCOUNT = "111122223333"
CTX = Context(ACCOUNT, "eu-west-1")
OTHER = Context("444455556666", "us-east-1")
HEX17 = "[0-9a-f]{17}"


def _run(type_: str, logical: str = "r", ctx: Context = CTX, **inputs: Any) -> tuple[str, dict[str, Any]]:
    return compute(type_, logical, inputs, ctx)


def _is_uuid(value: object) -> bool:
    return isinstance(value, str) and str(uuid.UUID(value)) == value


def test_every_token_is_a_resource_type_of_the_installed_sdks() -> None:
    """A misspelt token would never match a registration and the resource would silently get no outputs."""
    def declares(token: str) -> bool:
        package, module, cls = token.split(":")
        root = Path(str(find_spec(f"pulumi_{package}").origin)).parent  # type: ignore[union-attr]
        stem = re.sub(r"(?<!^)(?=[A-Z])", "_", module.rsplit("/", 1)[-1]).lower()
        files = [*root.rglob(f"{stem}.py"), *root.rglob(f"{cls}.py")]
        return any(f"'{token}'" in path.read_text() for path in files)

    assert [token for token in {*COMPUTED, *POLICY_DOCUMENT_INPUTS} if not declares(token)] == []


@pytest.mark.parametrize(("type_", "kind"), [("aws:iam/role:Role", "role"), ("aws:iam/policy:Policy", "policy"),
                                             ("aws:iam/user:User", "user")])
def test_iam_arns_carry_the_path_and_name(type_: str, kind: str) -> None:
    _, out = _run(type_, "a")  # no name: auto-named from the logical name
    assert re.fullmatch(rf"arn:aws:iam::{ACCOUNT}:{kind}/a-[0-9a-f]{{7}}", out["arn"])
    _, out = compute(type_, "a", {"name": "x", "path": "/svc/"}, CTX)
    assert out["arn"] == f"arn:aws:iam::{ACCOUNT}:{kind}/svc/x" and out["name"] == "x"
    _, out = compute(type_, "a", {"name": "x"}, OTHER)
    assert out["arn"] == f"arn:aws:iam::444455556666:{kind}/x"  # IAM is global: no region in the ARN


def test_a_role_is_named_by_its_name_and_has_an_aroa_unique_id() -> None:
    role_id, out = compute("aws:iam/role:Role", "a", {"name": "x"}, CTX)
    assert role_id == "x"
    assert re.fullmatch(r"AROA[0-9A-F]{17}", out["uniqueId"])
    policy_id, out = compute("aws:iam/policy:Policy", "a", {"name": "x"}, CTX)
    assert policy_id == f"arn:aws:iam::{ACCOUNT}:policy/x" and "uniqueId" not in out  # a policy's id is its ARN


def test_auto_names_follow_pulumi_and_prefixes() -> None:
    first, _ = compute("aws:iam/role:Role", "etl", {}, CTX)
    assert re.fullmatch(r"etl-[0-9a-f]{7}", first)
    assert compute("aws:iam/role:Role", "etl", {}, OTHER)[0] == first  # stable across runs
    assert compute("aws:iam/role:Role", "etl2", {}, CTX)[0] != first
    prefixed, _ = compute("aws:iam/role:Role", "etl", {"namePrefix": "ml-"}, CTX)
    assert re.fullmatch(r"ml-[0-9a-f]{8}", prefixed)
    assert compute("aws:iam/role:Role", "etl", {"name": "", "namePrefix": ""}, CTX)[0] == first


@pytest.mark.parametrize("type_", ["aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2"])
def test_a_bucket_has_its_global_arn_and_regional_domain(type_: str) -> None:
    bucket, out = compute(type_, "raw", {"bucket": "ml-raw"}, CTX)
    assert bucket == "ml-raw"
    assert out == {"bucket": "ml-raw", "arn": "arn:aws:s3:::ml-raw", "bucketDomainName": "ml-raw.s3.amazonaws.com",
                   "bucketRegionalDomainName": "ml-raw.s3.eu-west-1.amazonaws.com", "region": "eu-west-1"}
    prefixed, _ = compute(type_, "raw", {"bucketPrefix": "ml-"}, CTX)
    assert re.fullmatch(r"ml-[0-9a-f]{8}", prefixed)


@pytest.mark.parametrize("type_", [t for t in COMPUTED if t.startswith("aws:s3/bucket") and
                                   t not in ("aws:s3/bucket:Bucket", "aws:s3/bucketV2:BucketV2")])
def test_bucket_sub_resources_are_identified_by_their_bucket(type_: str) -> None:
    assert compute(type_, "raw-policy", {"bucket": "ml-raw"}, CTX) == ("ml-raw", {})
    assert compute(type_, "raw-policy", {}, CTX) == ("raw-policy", {})


def test_a_kms_key_and_its_alias() -> None:
    key_id, out = _run("aws:kms/key:Key", "data")
    assert _is_uuid(key_id) and out == {"keyId": key_id, "arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:key/{key_id}"}
    assert _run("aws:kms/key:Key", "logs")[0] != key_id
    alias, out = _run("aws:kms/alias:Alias", "data-alias", name="alias/ml-data", targetKeyId="k")
    assert alias == "alias/ml-data"
    assert out == {"arn": f"arn:aws:kms:eu-west-1:{ACCOUNT}:alias/ml-data", "targetKeyArn": "k"}
    assert _run("aws:kms/alias:Alias", name="alias/x")[1]["targetKeyArn"] == ""
    # `namePrefix` (provider docs: "Creates an unique alias beginning with the specified prefix"): two aliases
    # of one prefix get two names
    one, two = (_run("aws:kms/alias:Alias", logical, namePrefix="alias/ml-")[0] for logical in ("a", "b"))
    assert one.startswith("alias/ml-") and two.startswith("alias/ml-") and one != two


def test_an_account_has_a_twelve_digit_id_from_its_name() -> None:
    account_id, out = _run("aws:organizations/account:Account", "prod", name="ml-prod")
    assert re.fullmatch(r"[0-9]{12}", account_id)
    assert out == {"arn": f"arn:aws:organizations::000000000000:account/o-mock/{account_id}", "status": "ACTIVE",
                   "govcloudId": ""}
    assert _run("aws:organizations/account:Account", "other", name="ml-prod")[0] == account_id  # from the name
    assert _run("aws:organizations/account:Account", "prod", name="ml-dev")[0] != account_id
    assert _run("aws:organizations/account:Account", "ml-dev")[0] == _run(
        "aws:organizations/account:Account", "x", name="ml-dev")[0]  # no name: the logical name


def test_a_log_group_arn() -> None:
    group, out = _run("aws:cloudwatch/logGroup:LogGroup", name="/aws/eks/ml/cluster")
    assert group == "/aws/eks/ml/cluster"
    assert out == {"name": group, "arn": f"arn:aws:logs:eu-west-1:{ACCOUNT}:log-group:/aws/eks/ml/cluster"}


def test_an_oidc_provider_arn_is_its_url_without_the_scheme() -> None:
    url = "https://oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    arn, out = _run("aws:iam/openIdConnectProvider:OpenIdConnectProvider", url=url)
    assert arn == f"arn:aws:iam::{ACCOUNT}:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC"
    assert out == {"arn": arn}
    assert _run("aws:iam/openIdConnectProvider:OpenIdConnectProvider", "gh")[0] == (
        f"arn:aws:iam::{ACCOUNT}:oidc-provider/gh")


def test_an_eks_cluster_has_its_endpoint_issuer_and_security_group() -> None:
    cluster, out = _run("aws:eks/cluster:Cluster", "eks", name="ml-prod",
                        vpcConfig={"subnetIds": ["subnet-1"], "endpointPublicAccess": False})
    assert cluster == "ml-prod" and out["name"] == "ml-prod"
    assert out["arn"] == f"arn:aws:eks:eu-west-1:{ACCOUNT}:cluster/ml-prod"
    assert re.fullmatch(r"https://[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com", out["endpoint"])
    assert base64.b64decode(out["certificateAuthority"]["data"]).decode() == "mock-ca-for-ml-prod"
    (identity,) = out["identities"]
    (oidc,) = identity["oidcs"]
    assert re.fullmatch(r"https://oidc\.eks\.eu-west-1\.amazonaws\.com/id/[0-9A-F]{32}", oidc["issuer"])
    assert out["status"] == "ACTIVE" and out["platformVersion"] == "eks.1" and _is_uuid(out["clusterId"])
    vpc = out["vpcConfig"]
    assert vpc["subnetIds"] == ["subnet-1"] and vpc["endpointPublicAccess"] is False  # the inputs are kept
    assert re.fullmatch(f"sg-{HEX17}", vpc["clusterSecurityGroupId"]) and re.fullmatch(f"vpc-{HEX17}", vpc["vpcId"])
    assert _run("aws:eks/cluster:Cluster", "eks")[1]["vpcConfig"].keys() == {"clusterSecurityGroupId", "vpcId"}
    other = _run("aws:eks/cluster:Cluster", "eks2", name="ml-prod")[1]
    assert other["endpoint"] != out["endpoint"] and other["identities"] != out["identities"]


def test_an_sns_topic_arn() -> None:
    assert _run("aws:sns/topic:Topic", name="alerts") == ("alerts", {
        "arn": f"arn:aws:sns:eu-west-1:{ACCOUNT}:alerts"})


def test_a_secret_arn_has_six_random_characters_and_is_its_id() -> None:
    arn, out = _run("aws:secretsmanager/secret:Secret", name="ml/db")
    assert re.fullmatch(rf"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:ml/db-[0-9a-f]{{6}}", arn)
    assert out == {"arn": arn, "name": "ml/db"}


def test_a_launch_template_is_at_its_first_version() -> None:
    lt, out = _run("aws:ec2/launchTemplate:LaunchTemplate", "nodes")
    assert re.fullmatch(f"lt-{HEX17}", lt)
    assert out == {"arn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:launch-template/{lt}", "latestVersion": 1,
                   "defaultVersion": 1}


def test_a_node_group_is_identified_by_cluster_and_name() -> None:
    group_id, out = _run("aws:eks/nodeGroup:NodeGroup", "ng", nodeGroupName="cpu", clusterName="ml-prod")
    assert group_id == "ml-prod:cpu" and out["nodeGroupName"] == "cpu" and out["status"] == "ACTIVE"
    prefix = f"arn:aws:eks:eu-west-1:{ACCOUNT}:nodegroup/ml-prod/cpu/"
    assert out["arn"].startswith(prefix) and _is_uuid(out["arn"].removeprefix(prefix))
    ((asg,),) = [r["autoscalingGroups"] for r in out["resources"]]
    assert re.fullmatch(f"eks-{HEX17}", asg["name"])
    assert _run("aws:eks/nodeGroup:NodeGroup", "ng", nodeGroupName="cpu")[0] == "cluster:cpu"
    assert re.fullmatch(r"ml-prod:ng-[0-9a-f]{7}", _run("aws:eks/nodeGroup:NodeGroup", "ng", clusterName="ml-prod")[0])


@pytest.mark.parametrize(("type_", "prefix", "kind"), [
    ("aws:ec2/subnet:Subnet", "subnet", "subnet"),
    ("aws:ec2/internetGateway:InternetGateway", "igw", "internet-gateway"),
    ("aws:ec2/natGateway:NatGateway", "nat", "natgateway"),
    ("aws:ec2/routeTable:RouteTable", "rtb", "route-table"),
    ("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "sg", "security-group"),
    ("aws:ec2/flowLog:FlowLog", "fl", "vpc-flow-log"),
    ("aws:ec2/managedPrefixList:ManagedPrefixList", "pl", "prefix-list"),
])
def test_ec2_ids_and_arns(type_: str, prefix: str, kind: str) -> None:
    ec2_id, out = _run(type_, "a")
    assert re.fullmatch(f"{prefix}-{HEX17}", ec2_id)
    assert out == {"arn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:{kind}/{ec2_id}", "ownerId": ACCOUNT}
    assert _run(type_, "b")[0] != ec2_id and _run(type_, "a", OTHER)[0] == ec2_id


def test_ec2_ids_of_different_kinds_do_not_share_digits() -> None:
    """AWS draws every id independently: a subnet and a route table of one logical name share no hex part."""
    digits = {_run(t, "a")[0].split("-", 1)[1] for t in ("aws:ec2/subnet:Subnet", "aws:ec2/routeTable:RouteTable",
                                                          "aws:ec2/internetGateway:InternetGateway",
                                                          "aws:ec2/natGateway:NatGateway", "aws:ec2/vpc:Vpc")}
    assert len(digits) == 5


def test_security_groups_and_vpcs_of_one_logical_name_do_not_share_an_id() -> None:
    """A security group, a default security group, an EKS cluster's group and a VPC's default group named alike
    are four groups; a VPC and a cluster named alike are in two VPCs (the cluster's is not this VPC): one id for
    two would let a check that pairs resources by id pair the wrong ones."""
    groups = {_run("aws:ec2/securityGroup:SecurityGroup", "a")[0],
              _run("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "a")[0],
              _run("aws:eks/cluster:Cluster", "a")[1]["vpcConfig"]["clusterSecurityGroupId"],
              _run("aws:ec2/vpc:Vpc", "a")[1]["defaultSecurityGroupId"]}
    assert len(groups) == 4
    assert _run("aws:ec2/vpc:Vpc", "a")[0] != _run("aws:eks/cluster:Cluster", "a")[1]["vpcConfig"]["vpcId"]


def test_a_security_group() -> None:
    sg, out = _run("aws:ec2/securityGroup:SecurityGroup", "nodes")
    assert re.fullmatch(f"sg-{HEX17}", sg)
    assert out == {"arn": f"arn:aws:ec2:eu-west-1:{ACCOUNT}:security-group/{sg}"}


def test_a_vpc_and_its_defaults() -> None:
    vpc, out = _run("aws:ec2/vpc:Vpc", "net")
    assert re.fullmatch(f"vpc-{HEX17}", vpc)
    assert out["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:vpc/{vpc}" and out["ownerId"] == ACCOUNT
    assert re.fullmatch(f"sg-{HEX17}", out["defaultSecurityGroupId"])
    assert re.fullmatch(f"rtb-{HEX17}", out["mainRouteTableId"])
    assert out["defaultRouteTableId"] == out["mainRouteTableId"]  # the default route table is the main one
    assert re.fullmatch(f"acl-{HEX17}", out["defaultNetworkAclId"]) and out["instanceTenancy"] == "default"


def test_an_elastic_ip_is_a_documentation_address() -> None:
    allocation, out = _run("aws:ec2/eip:Eip", "nat-a")
    assert re.fullmatch(f"eipalloc-{HEX17}", allocation) and out["allocationId"] == allocation
    match = re.fullmatch(r"203\.0\.113\.([0-9]+)", out["publicIp"])  # TEST-NET-3, RFC 5737
    assert match and 1 <= int(match[1]) <= 254
    assert out["publicDns"] == f"ec2-{out['publicIp'].replace('.', '-')}.eu-west-1.compute.amazonaws.com"
    assert out["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:elastic-ip/{allocation}"
    hosts = {int(_run("aws:ec2/eip:Eip", f"nat-{i}")[1]["publicIp"].rsplit(".", 1)[1]) for i in range(4000)}
    assert min(hosts) == 1 and max(hosts) == 254  # every host address of 203.0.113.0/24, never .0 or .255


def test_an_interface_endpoint_has_dns_entries_and_one_interface_per_subnet() -> None:
    endpoint, out = _run("aws:ec2/vpcEndpoint:VpcEndpoint", "sts", serviceName="com.amazonaws.eu-west-1.sts",
                         vpcEndpointType="Interface", subnetIds=["subnet-a", "subnet-b", "subnet-c"])
    assert re.fullmatch(f"vpce-{HEX17}", endpoint)
    assert out["arn"] == f"arn:aws:ec2:eu-west-1:{ACCOUNT}:vpc-endpoint/{endpoint}"
    assert out["ownerId"] == ACCOUNT and out["state"] == "available"
    (entry,) = out["dnsEntries"]
    assert re.fullmatch(rf"{endpoint}-[0-9a-f]{{8}}\.sts\.eu-west-1\.vpce\.amazonaws\.com", entry["dnsName"])
    assert re.fullmatch(r"Z[0-9A-F]{17}", entry["hostedZoneId"])
    assert len(out["networkInterfaceIds"]) == 3 and len(set(out["networkInterfaceIds"])) == 3
    assert all(re.fullmatch(f"eni-{HEX17}", eni) for eni in out["networkInterfaceIds"])
    assert "prefixListId" not in out


def test_a_gateway_endpoint_has_its_service_prefix_list() -> None:
    _, out = _run("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", serviceName="com.amazonaws.eu-west-1.s3",
                  vpcEndpointType="Gateway")
    assert re.fullmatch(r"pl-[0-9a-f]{8}", out["prefixListId"]) and out["cidrBlocks"] == []
    assert "dnsEntries" not in out and "networkInterfaceIds" not in out
    # The prefix list is the service's, not the endpoint's: another endpoint to S3 sees the same one.
    assert _run("aws:ec2/vpcEndpoint:VpcEndpoint", "s3-b", serviceName="com.amazonaws.eu-west-1.s3")[1][
        "prefixListId"] == out["prefixListId"]
    assert _run("aws:ec2/vpcEndpoint:VpcEndpoint", "s3", serviceName="com.amazonaws.eu-west-1.dynamodb")[1][
        "prefixListId"] != out["prefixListId"]


def test_random_resources_respect_their_lengths() -> None:
    assert _run("random:index/randomPassword:RandomPassword", "pw")[0] == "none"  # the provider's id
    for length in (1, 16, 32, 100):
        result = _run("random:index/randomPassword:RandomPassword", "pw", length=length)[1]["result"]
        assert len(result) == length
    out = _run("random:index/randomPassword:RandomPassword", "pw")[1]
    assert len(out["result"]) == 32 and len(out["bcryptHash"]) == 60 and out["bcryptHash"].startswith("$2a$10$")
    assert len(_run("random:index/randomString:RandomString", "s", length=12)[1]["result"]) == 12
    value, out = _run("random:index/randomString:RandomString", "s")
    assert len(value) == 8 and out == {"result": value}


def test_a_random_id_in_every_encoding() -> None:
    b64, out = _run("random:index/randomId:RandomId", "suffix", byteLength=6)
    raw = bytes.fromhex(out["hex"])
    assert len(raw) == 6 and b64 == out["b64Url"]
    assert out["b64Url"] == base64.urlsafe_b64encode(raw).decode().rstrip("=")
    assert out["b64Std"] == base64.b64encode(raw).decode() and out["dec"] == str(int.from_bytes(raw, "big"))
    assert len(bytes.fromhex(_run("random:index/randomId:RandomId", "suffix")[1]["hex"])) == 4  # the default


@pytest.mark.parametrize("type_", ["aws:rds/subnetGroup:SubnetGroup", "aws:rds/parameterGroup:ParameterGroup",
                                   "databricks:index/catalog:Catalog", "databricks:index/externalLocation:"
                                   "ExternalLocation"])
def test_named_resources_are_identified_by_their_name(type_: str) -> None:
    assert _run(type_, "logical", name="physical") == ("physical", {})
    assert _run(type_, "logical") == ("logical", {})
    assert _run(type_, "logical", name="") == ("logical", {})


def test_a_databricks_service_principal() -> None:
    sp_id, out = _run("databricks:index/servicePrincipal:ServicePrincipal", "pipelines")
    assert re.fullmatch(r"[0-9]+", sp_id)
    assert _is_uuid(out["applicationId"])
    assert out["aclPrincipalId"] == f"servicePrincipals/{out['applicationId']}"
    other_id, _ = _run("databricks:index/servicePrincipal:ServicePrincipal", "ci")
    assert other_id != sp_id  # the account gives each principal its own id (grants name principals by it)
    given = "00000000-0000-4000-8000-000000000001"
    _, out = _run("databricks:index/servicePrincipal:ServicePrincipal", "pipelines", applicationId=given)
    assert out == {"applicationId": given, "aclPrincipalId": f"servicePrincipals/{given}"}


def test_a_databricks_oauth_secret() -> None:
    secret_id, out = _run("databricks:index/servicePrincipalSecret:ServicePrincipalSecret", "sp-secret")
    assert re.fullmatch(r"[0-9a-f]{16}", secret_id)
    assert re.fullmatch(r"dose[0-9a-f]{32}", out["secret"])


def test_a_storage_credential_gets_its_external_id_and_the_unity_catalog_role() -> None:
    role = {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/uc"}
    credential, out = _run("databricks:index/storageCredential:StorageCredential", "cred", name="ml-dev",
                           awsIamRole=role)
    assert credential == "ml-dev"
    got = out["awsIamRole"]
    assert got["roleArn"] == role["roleArn"] and _is_uuid(got["externalId"])
    assert re.fullmatch(r"arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-[0-9A-Z]+",
                        got["unityCatalogIamArn"])
    assert role == {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/uc"}  # the input is not changed
    assert _run("databricks:index/storageCredential:StorageCredential", "cred") == ("cred", {})


def test_a_schema_is_identified_by_its_full_name() -> None:
    schema, out = _run("databricks:index/schema:Schema", "bronze-schema", name="bronze", catalogName="dev")
    assert schema == "dev.bronze" and _is_uuid(out["schemaId"])
    assert _run("databricks:index/schema:Schema", "bronze")[0] == "main.bronze"


def test_a_network_policy_is_identified_by_its_id() -> None:
    assert _run("databricks:index/accountNetworkPolicy:AccountNetworkPolicy", "np", networkPolicyId="ml-prod") == (
        "ml-prod", {"networkPolicyId": "ml-prod"})
    assert _run("databricks:index/accountNetworkPolicy:AccountNetworkPolicy", "np") == ("np", {"networkPolicyId": "np"})


def test_kubernetes_objects_keep_their_metadata_and_get_a_uid() -> None:
    obj_id, out = _run("kubernetes:core/v1:ConfigMap", "cm", metadata={"name": "conf", "namespace": "ml",
                                                                        "labels": {"a": "b"}})
    assert obj_id == "ml/conf"
    meta = out["metadata"]
    assert (meta["name"], meta["namespace"], meta["labels"]) == ("conf", "ml", {"a": "b"}) and _is_uuid(meta["uid"])
    obj_id, out = _run("kubernetes:core/v1:Namespace", "ns")
    assert re.fullmatch(r"ns-[0-9a-f]{8}", obj_id) and out["metadata"]["name"] == obj_id  # auto-named, cluster-wide
    assert "namespace" not in out["metadata"]


def test_a_helm_release_is_deployed_at_its_first_revision() -> None:
    release_id, out = _run("kubernetes:helm.sh/v3:Release", "platform", name="ml", namespace="ml-platform",
                           chart="./charts/platform", version="1.2.3")
    assert release_id == "ml-platform/ml" and out["name"] == "ml"
    assert out["status"] == {"name": "ml", "namespace": "ml-platform", "status": "deployed", "revision": 1,
                             "chart": "./charts/platform", "version": "1.2.3", "appVersion": "1.2.3"}
    release_id, out = _run("kubernetes:helm.sh/v3:Release", "platform")
    assert release_id == "default/platform" and out["status"]["chart"] == "" and out["status"]["version"] == ""


def test_an_rds_instance_endpoint_and_arn() -> None:
    identifier, out = _run("aws:rds/instance:Instance", "db", identifier="ml-prod")
    assert identifier == "ml-prod" and out["identifier"] == "ml-prod"
    assert re.fullmatch(r"ml-prod\.[0-9a-f]{12}\.eu-west-1\.rds\.amazonaws\.com", out["address"])
    assert out["endpoint"] == f"{out['address']}:5432" and out["port"] == 5432
    assert out["arn"] == f"arn:aws:rds:eu-west-1:{ACCOUNT}:db:ml-prod"
    assert re.fullmatch(r"db-[0-9A-Z]{26}", out["resourceId"]) and out["masterUserSecrets"] == []
    _, out = _run("aws:rds/instance:Instance", "db", identifier="ml-prod", port=6432.0)
    assert out["port"] == 6432 and out["endpoint"].endswith(".rds.amazonaws.com:6432")
    # The random part of the endpoint is the account's and region's, shared by its instances.
    assert _run("aws:rds/instance:Instance", "db2", identifier="x")[1]["address"].split(".")[1] == (
        _run("aws:rds/instance:Instance", "db", identifier="ml-prod")[1]["address"].split(".")[1])


def test_an_rds_managed_master_password_is_a_secret_named_by_rds() -> None:
    _, out = _run("aws:rds/instance:Instance", "db", identifier="ml-prod", manageMasterUserPassword=True,
                  masterUserSecretKmsKeyId="arn:aws:kms:eu-west-1:111122223333:key/k")
    (secret,) = out["masterUserSecrets"]
    prefix = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:rds!db-"
    assert secret["secretArn"].startswith(prefix)
    rest = secret["secretArn"].removeprefix(prefix)
    assert _is_uuid(rest[:36]) and re.fullmatch(r"-[0-9a-f]{6}", rest[36:])
    assert secret["kmsKeyId"] == "arn:aws:kms:eu-west-1:111122223333:key/k" and secret["secretStatus"] == "active"
    _, out = _run("aws:rds/instance:Instance", "db", manageMasterUserPassword=True)
    assert out["masterUserSecrets"][0]["kmsKeyId"] == ""


def test_an_ecr_repository_url() -> None:
    repository, out = _run("aws:ecr/repository:Repository", "repo", name="ml/workers")
    assert repository == "ml/workers"
    assert out == {"name": "ml/workers", "registryId": ACCOUNT,
                   "arn": f"arn:aws:ecr:eu-west-1:{ACCOUNT}:repository/ml/workers",
                   "repositoryUrl": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/ml/workers"}


def test_an_acm_certificate_waits_for_one_cname_per_name() -> None:
    arn, out = _run("aws:acm/certificate:Certificate", "cert", domainName="*.ml.example.com",
                    subjectAlternativeNames=["ml.example.com", "api.example.com"])
    prefix = f"arn:aws:acm:eu-west-1:{ACCOUNT}:certificate/"
    assert arn.startswith(prefix) and _is_uuid(arn.removeprefix(prefix)) and out["arn"] == arn
    assert out["status"] == "PENDING_VALIDATION"
    options = out["domainValidationOptions"]
    assert [o["domainName"] for o in options] == ["*.ml.example.com", "ml.example.com", "api.example.com"]
    wildcard, apex, api = (o["resourceRecordName"] for o in options)
    assert wildcard == apex and re.fullmatch(r"_[0-9a-f]{32}\.ml\.example\.com\.", apex)  # a wildcard shares its apex's
    assert api.endswith(".api.example.com.")
    assert all(o["resourceRecordType"] == "CNAME" and re.fullmatch(r"_[0-9a-f]{32}\.acm-validations\.aws\.",
                                                                    o["resourceRecordValue"]) for o in options)
    (only,) = _run("aws:acm/certificate:Certificate", "ml.example.com")[1]["domainValidationOptions"]
    assert only["domainName"] == "ml.example.com"


def test_a_route53_record_id_is_zone_name_and_type() -> None:
    record_id, out = _run("aws:route53/record:Record", "rec", zoneId="Z123", name="_x.ml.example.com.", type="CNAME")
    assert record_id == "Z123__x.ml.example.com_CNAME" and out == {"fqdn": "_x.ml.example.com"}
    assert _run("aws:route53/record:Record", "ml.example.com")[0] == "Z_ml.example.com_A"


def test_types_without_an_entry() -> None:
    """Kubernetes objects by their metadata (not the provider itself); anything else a stable `<name>-<8 hex>`."""
    assert compute("pulumi:providers:kubernetes", "k8s", {"metadata": {"name": "x"}}, CTX)[0] != "x"
    assert compute("kubernetes:apps/v1:Deployment", "d", {"metadata": {"name": "x"}}, CTX)[0] == "x"
    other_id, out = compute("aws:sqs/queue:Queue", "q", {}, CTX)
    assert re.fullmatch(r"q-[0-9a-f]{8}", other_id) and out == {}
    assert compute("aws:sns/topicPolicy:TopicPolicy", "q", {}, CTX)[0] != other_id  # the type is part of it


@pytest.mark.parametrize(("type_", "field"), [
    ("aws:acm/certificate:Certificate", lambda out: out["arn"]),
    ("aws:eks/cluster:Cluster", lambda out: out["clusterId"]),
    ("aws:ec2/vpc:Vpc", lambda out: out["defaultSecurityGroupId"]),
    ("aws:ec2/vpc:Vpc", lambda out: out["mainRouteTableId"]),
])
def test_what_aws_generates_differs_between_two_resources(type_: str, field: Any) -> None:
    """A certificate's ARN, a cluster's id, a VPC's default security group: AWS generates one per resource."""
    assert field(_run(type_, "one")[1]) != field(_run(type_, "two")[1])


def test_a_random_ids_url_safe_encoding_has_no_padding() -> None:
    """pulumi-random: `b64_url` is the id in URL-safe base64 without `=` padding (it goes into names and URLs);
    `b64_std` is standard, padded base64. Four bytes (the default) are six URL-safe characters, eight standard."""
    b64, out = _run("random:index/randomId:RandomId", "suffix")
    assert len(out["hex"]) == 8
    assert re.fullmatch(r"[A-Za-z0-9_-]{6}", out["b64Url"]) and b64 == out["b64Url"]
    assert re.fullmatch(r"[A-Za-z0-9+/]{6}==", out["b64Std"])
    five = _run("random:index/randomId:RandomId", "suffix", byteLength=5)[1]
    assert re.fullmatch(r"[A-Za-z0-9_-]{7}", five["b64Url"]) and re.fullmatch(r"[A-Za-z0-9+/]{7}=", five["b64Std"])


def test_an_endpoints_hosted_zone_id_is_not_the_digits_of_another_id() -> None:
    """AWS draws every id independently: an interface endpoint's hosted zone id does not repeat the digits of
    another generated id of the same logical name (a role's unique id `AROA<17>`, an auto-name `<name>-<7>`)."""
    _, endpoint = _run("aws:ec2/vpcEndpoint:VpcEndpoint", "sts", serviceName="com.amazonaws.eu-west-1.sts",
                       vpcEndpointType="Interface", subnetIds=["subnet-a"])
    zone_digits = endpoint["dnsEntries"][0]["hostedZoneId"].removeprefix("Z")
    role_name, role = _run("aws:iam/role:Role", "sts")
    assert zone_digits != role["uniqueId"].removeprefix("AROA")
    assert not zone_digits.lower().startswith(role_name.removeprefix("sts-"))


def test_interface_endpoints_in_two_regions_are_in_different_hosted_zones() -> None:
    """An endpoint's regional DNS name `<vpce>-<8>.<service>.<region>.vpce.amazonaws.com` lives in that region's
    zone: endpoints of two regions never report the same hosted zone id."""
    entries = [_run("aws:ec2/vpcEndpoint:VpcEndpoint", logical, ctx, serviceName=f"com.amazonaws.{ctx.region}.sts",
                    vpcEndpointType="Interface", subnetIds=["subnet-a"])[1]["dnsEntries"][0]
               for logical, ctx in (("sts-eu", CTX), ("sts-us", OTHER))]
    assert entries[0]["dnsName"].endswith(".sts.eu-west-1.vpce.amazonaws.com")
    assert entries[1]["dnsName"].endswith(".sts.us-east-1.vpce.amazonaws.com")
    assert entries[0]["hostedZoneId"] != entries[1]["hostedZoneId"]


def test_random_ids_of_two_resources_differ() -> None:
    """pulumi-random draws each RandomId's bytes from crypto/rand: two resources of one plan get two ids (a shared
    id would give two buckets suffixed with it the same name)."""
    one, two = (_run("random:index/randomId:RandomId", logical, byteLength=4)[1] for logical in ("one", "two"))
    assert one["hex"] != two["hex"] and one["b64Url"] != two["b64Url"]
    assert _run("random:index/randomId:RandomId", "one", byteLength=4)[1] == one  # the same resource: the same id


def test_an_rds_managed_secrets_id_does_not_repeat_the_instances_auto_name() -> None:
    """AWS draws every id independently (as for an endpoint's hosted zone above): the managed secret's
    `rds!db-<uuid>` does not start with the digits of the random suffix Pulumi gave the instance's identifier."""
    identifier, out = _run("aws:rds/instance:Instance", "db", manageMasterUserPassword=True)
    suffix = identifier.removeprefix("db-")
    assert re.fullmatch(r"[0-9a-f]{7}", suffix)
    secret_uuid = out["masterUserSecrets"][0]["secretArn"].split(":secret:rds!db-", 1)[1][:36]
    assert _is_uuid(secret_uuid) and not secret_uuid.replace("-", "").startswith(suffix)


# Inputs that reach each computer's other branches: name prefixes (not names: a given name skips the digest), an
# RDS managed password, an interface endpoint on two subnets, a storage credential's role, sizes, a namespace.
RICH_INPUTS: dict[str, Any] = {
    "namePrefix": "pre-", "bucketPrefix": "bkt-", "identifierPrefix": "db-", "nodeGroupNamePrefix": "ng-",
    "manageMasterUserPassword": True, "masterUserSecretKmsKeyId": "key-1", "port": 5433,
    "vpcEndpointType": "Interface", "subnetIds": ["subnet-a", "subnet-b"],
    "serviceName": "com.amazonaws.eu-west-1.ecr.api", "awsIamRole": {"roleArn": f"arn:aws:iam::{ACCOUNT}:role/uc"},
    "byteLength": 8, "length": 12, "domainName": "example.com", "subjectAlternativeNames": ["*.example.com"],
    "clusterName": "cluster-1", "catalogName": "dev", "metadata": {"namespace": "ml"},
    "url": "https://issuer.example.com", "targetKeyId": "key-1", "path": "/service/", "zoneId": "Z1", "type": "CNAME",
    "chart": "dagster", "version": "1.9.0", "namespace": "ml", "vpcConfig": {"subnetIds": ["subnet-a"]},
}
PINNED_TYPES = [*sorted(COMPUTED), "kubernetes:core/v1:ConfigMap", "example:index:Thing"]  # an object; no table


def test_every_computed_value_is_pinned() -> None:
    """Each type's id and computed outputs for one name, with no inputs and with `RICH_INPUTS`, in two contexts:
    as pinned (tests/preflight/pinned_values.py says why and how to update)."""
    from tests.preflight.pinned_values import check_pinned

    check_pinned("computed", {
        f"{type_} {label} {ctx.account_id}": compute(type_, "example", inputs, ctx)
        for type_ in PINNED_TYPES for label, inputs in (("none", {}), ("rich", RICH_INPUTS))
        for ctx in (CTX, OTHER)})
