"""What the providers would compute for a resource, so that everything downstream sees well-formed values.

A table of type token -> computed outputs (ids, ARNs built from the account and region, EKS endpoints,
OIDC issuers, Databricks ids). Data only: no provider SDK is imported here. Values are deterministic
(derived from the resource's name) so that plans are stable across runs and snapshots can be compared.
"""

from __future__ import annotations

import base64
import hashlib
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

DEFAULT_ACCOUNT_ID = "000000000000"  # the management account: resources on the ambient credentials
DEFAULT_REGION = "eu-west-1"


@dataclass(frozen=True)
class Context:
    """Where a resource lives: from its provider's inputs (assumed role and region)."""

    account_id: str
    region: str


def _digest(*parts: str, length: int = 17) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()[:length]


def _uuid(*parts: str) -> str:
    return str(uuid.UUID(hashlib.sha256("/".join(parts).encode()).hexdigest()[:32]))


def _account_number(*parts: str) -> str:
    return str(int(_digest(*parts, length=12), 16))[-12:].rjust(12, "1")


def _physical(name: str, inputs: Mapping[str, Any], key: str = "name") -> str:
    value = inputs.get(key)
    if isinstance(value, str) and value:
        return value
    prefix = inputs.get(f"{key}Prefix")
    if isinstance(prefix, str) and prefix:
        return prefix + _digest(name, length=8)
    # Pulumi auto-naming: the logical name plus a random suffix.
    return f"{name}-{_digest(name, length=7)}"


Computed = Callable[[str, Mapping[str, Any], Context], tuple[str, dict[str, Any]]]


def _iam(kind: str) -> Computed:
    def compute(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
        physical = _physical(name, inputs)
        path = inputs.get("path") or "/"
        arn = f"arn:aws:iam::{ctx.account_id}:{kind.rstrip('/')}{path}{physical}"  # role/ + path /
        extra: dict[str, Any] = {"name": physical, "arn": arn}
        if kind == "role/":
            extra["uniqueId"] = "AROA" + _digest(name, length=17).upper()
        return (physical if kind == "role/" else arn), extra
    return compute


def _bucket(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    bucket = _physical(name, inputs, "bucket")
    return bucket, {
        "bucket": bucket,
        "arn": f"arn:aws:s3:::{bucket}",
        "bucketDomainName": f"{bucket}.s3.amazonaws.com",
        "bucketRegionalDomainName": f"{bucket}.s3.{ctx.region}.amazonaws.com",
        "region": ctx.region,
    }


def _by_bucket(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    bucket = inputs.get("bucket")
    return (bucket if isinstance(bucket, str) else name), {}


def _kms_key(name: str, _inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    key_id = _uuid("kms", name)
    return key_id, {"keyId": key_id, "arn": f"arn:aws:kms:{ctx.region}:{ctx.account_id}:key/{key_id}"}


def _kms_alias(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    alias = _physical(name, inputs)
    return alias, {"arn": f"arn:aws:kms:{ctx.region}:{ctx.account_id}:{alias}",
                   "targetKeyArn": inputs.get("targetKeyId", "")}


def _account(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    account_id = _account_number("account", str(inputs.get("name", name)))
    return account_id, {"arn": f"arn:aws:organizations::{DEFAULT_ACCOUNT_ID}:account/o-mock/{account_id}",
                        "status": "ACTIVE", "govcloudId": ""}


def _log_group(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    group = _physical(name, inputs)
    return group, {"name": group, "arn": f"arn:aws:logs:{ctx.region}:{ctx.account_id}:log-group:{group}"}


def _oidc_provider(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    url = str(inputs.get("url", f"https://{name}")).removeprefix("https://")
    arn = f"arn:aws:iam::{ctx.account_id}:oidc-provider/{url}"
    return arn, {"arn": arn}


def _eks_cluster(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    cluster = _physical(name, inputs)
    oidc_id = _digest("oidc", name, length=32).upper()
    ca = base64.b64encode(f"mock-ca-for-{cluster}".encode()).decode()
    return cluster, {
        "name": cluster,
        "arn": f"arn:aws:eks:{ctx.region}:{ctx.account_id}:cluster/{cluster}",
        "endpoint": f"https://{_digest('ep', name, length=32).upper()}.gr7.{ctx.region}.eks.amazonaws.com",
        "certificateAuthority": {"data": ca},
        "identities": [{"oidcs": [{"issuer": f"https://oidc.eks.{ctx.region}.amazonaws.com/id/{oidc_id}"}]}],
        "status": "ACTIVE",
        "platformVersion": "eks.1",
        "clusterId": _uuid("eks", name),
        "vpcConfig": {**dict(inputs.get("vpcConfig") or {}),
                      "clusterSecurityGroupId": "sg-" + _digest("eks-cluster-sg", name),
                      "vpcId": "vpc-" + _digest("eks-vpc", name)},
    }


def _arn_of(service: str, resource: str) -> Computed:
    def compute(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
        physical = _physical(name, inputs)
        return physical, {"arn": f"arn:aws:{service}:{ctx.region}:{ctx.account_id}:{resource}{physical}"}
    return compute


def _secretsmanager_secret(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    # Secrets Manager appends six random characters to the name in the ARN; the id is the ARN.
    secret = _physical(name, inputs)
    arn = f"arn:aws:secretsmanager:{ctx.region}:{ctx.account_id}:secret:{secret}-{_digest('sm', name, length=6)}"
    return arn, {"arn": arn, "name": secret}


def _launch_template(name: str, _inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    lt = "lt-" + _digest("lt", name)
    return lt, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:launch-template/{lt}", "latestVersion": 1,
                "defaultVersion": 1}


def _node_group(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    group = _physical(name, inputs, "nodeGroupName")
    cluster = inputs.get("clusterName", "cluster")
    return f"{cluster}:{group}", {
        "nodeGroupName": group,
        "arn": f"arn:aws:eks:{ctx.region}:{ctx.account_id}:nodegroup/{cluster}/{group}/{_uuid('ng', name)}",
        "status": "ACTIVE",
        "resources": [{"autoscalingGroups": [{"name": "eks-" + _digest("asg", name)}]}],
    }


def _security_group(name: str, _inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    sg = "sg-" + _digest("security-group", name)  # not "sg": a DefaultSecurityGroup of the same name has that
    return sg, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:security-group/{sg}"}


def _acm_certificate(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    """ACM answers with one DNS validation record per name; a wildcard and its apex share the same record."""
    arn = f"arn:aws:acm:{ctx.region}:{ctx.account_id}:certificate/{_uuid('acm', name)}"
    domains = [str(inputs.get("domainName", name)), *(inputs.get("subjectAlternativeNames") or [])]
    token = _digest("acm-validation", name, length=32)
    return arn, {"arn": arn, "status": "PENDING_VALIDATION", "domainValidationOptions": [
        {"domainName": domain, "resourceRecordName": f"_{token}.{domain.removeprefix('*.')}.",
         "resourceRecordType": "CNAME", "resourceRecordValue": f"_{token}.acm-validations.aws."}
        for domain in domains]}


def _route53_record(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    fqdn = str(inputs.get("name", name)).rstrip(".")
    return f"{inputs.get('zoneId', 'Z')}_{fqdn}_{inputs.get('type', 'A')}", {"fqdn": fqdn}


def _ec2(prefix: str, kind: str) -> Computed:
    """EC2's ids: a type prefix and 17 hex digits (`vpc-0a1b...`), with the resource's ARN."""
    def compute(name: str, _inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
        ec2_id = f"{prefix}-" + _digest(prefix, name)
        return ec2_id, {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:{kind}/{ec2_id}", "ownerId": ctx.account_id}
    return compute


def _vpc(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    vpc_id, extra = _ec2("vpc", "vpc")(name, inputs, ctx)
    return vpc_id, {**extra, "defaultSecurityGroupId": "sg-" + _digest("default-sg", name),
                    "mainRouteTableId": "rtb-" + _digest("main-rtb", name),
                    "defaultRouteTableId": "rtb-" + _digest("main-rtb", name),
                    "defaultNetworkAclId": "acl-" + _digest("acl", name), "instanceTenancy": "default"}


def _eip(name: str, _inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    # Public addresses from TEST-NET-3 (RFC 5737, documentation only), derived from the name.
    allocation = "eipalloc-" + _digest("eipalloc", name)
    address = f"203.0.113.{int(_digest('eip', name, length=4), 16) % 254 + 1}"
    return allocation, {"allocationId": allocation, "publicIp": address,
                        "publicDns": f"ec2-{address.replace('.', '-')}.{ctx.region}.compute.amazonaws.com",
                        "arn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:elastic-ip/{allocation}"}


def _vpc_endpoint(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    endpoint = "vpce-" + _digest("vpce", name)
    service = str(inputs.get("serviceName", "")).removeprefix(f"com.amazonaws.{ctx.region}.")
    extra: dict[str, Any] = {"arn": f"arn:aws:ec2:{ctx.region}:{ctx.account_id}:vpc-endpoint/{endpoint}",
                             "ownerId": ctx.account_id, "state": "available"}
    if inputs.get("vpcEndpointType") == "Interface":
        subnets = list(inputs.get("subnetIds") or [])
        extra["dnsEntries"] = [{"dnsName": f"{endpoint}-{_digest('dns', name, length=8)}.{service}.{ctx.region}"
                                           ".vpce.amazonaws.com", "hostedZoneId": "Z" + _digest("zone", name).upper()}]
        extra["networkInterfaceIds"] = ["eni-" + _digest("eni", name, str(i)) for i in range(len(subnets))]
    else:
        extra["prefixListId"] = "pl-" + _digest("pl", service, length=8)
        extra["cidrBlocks"] = []
    return endpoint, extra


def _random_password(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    length = int(inputs.get("length", 32))
    value = ("P" + _digest("pw", name, length=64) * 2)[:length]
    return "none", {"result": value, "bcryptHash": "$2a$10$" + _digest("bcrypt", name, length=53)}


def _random_id(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    raw = bytes.fromhex(_digest("rid", name, length=2 * int(inputs.get("byteLength", 4))))
    b64 = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    return b64, {"hex": raw.hex(), "b64Url": b64, "b64Std": base64.b64encode(raw).decode(),
                 "dec": str(int.from_bytes(raw, "big"))}


def _random_string(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    value = _digest("rs", name, length=int(inputs.get("length", 8)))
    return value, {"result": value}


def _named(key: str = "name") -> Computed:
    def compute(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
        value = inputs.get(key)
        return (value if isinstance(value, str) and value else name), {}
    return compute


def _databricks_principal(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    application_id = inputs.get("applicationId") or _uuid("app", name)
    return str(int(_digest("sp", name, length=12), 16)), {
        "applicationId": application_id, "aclPrincipalId": f"servicePrincipals/{application_id}"}


def _databricks_secret(name: str, _inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    return _digest("spsecret", name, length=16), {"secret": "dose" + _digest("secret", name, length=32)}


_UC_MASTER_ROLE_ARN = "arn:aws:iam::414351767826:role/unity-catalog-prod-UCMasterRole-14S5ZJVKOTYTL"


def _databricks_storage_credential(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    # Unity Catalog generates the external id (the account id only when an account admin creates the credential)
    # and reports the identity that assumes the role.
    credential, _ = _named()(name, inputs, _ctx)
    role = dict(inputs.get("awsIamRole") or {})
    if role:
        role.update({"externalId": _uuid("uc-external-id", name), "unityCatalogIamArn": _UC_MASTER_ROLE_ARN})
    return credential, {"awsIamRole": role} if role else {}


def _databricks_schema(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    # The provider's id of a schema is its full name; grants on the schema are given that id.
    schema = inputs.get("name") or name
    return f"{inputs.get('catalogName', 'main')}.{schema}", {"schemaId": _uuid("schema", name)}


def _databricks_network_policy(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    policy = inputs.get("networkPolicyId") or name
    return str(policy), {"networkPolicyId": policy}


def _kubernetes_object(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    metadata = dict(inputs.get("metadata") or {})
    obj_name = metadata.get("name") or f"{name}-{_digest(name, length=8)}"
    namespace = metadata.get("namespace")
    metadata.update({"name": obj_name, "uid": _uuid("k8s", name)})
    return (f"{namespace}/{obj_name}" if namespace else obj_name), {"metadata": metadata}


def _helm_release(name: str, inputs: Mapping[str, Any], _ctx: Context) -> tuple[str, dict[str, Any]]:
    release = inputs.get("name") or name
    namespace = inputs.get("namespace", "default")
    return f"{namespace}/{release}", {
        "name": release,
        "status": {"name": release, "namespace": namespace, "status": "deployed", "revision": 1,
                   "chart": inputs.get("chart", ""), "version": inputs.get("version", ""),
                   "appVersion": inputs.get("version", "")},
    }


def _rds_instance(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    identifier = _physical(name, inputs, "identifier")
    address = f"{identifier}.{_digest('rds', ctx.account_id, length=12)}.{ctx.region}.rds.amazonaws.com"
    port = int(inputs.get("port", 5432))
    outputs: dict[str, Any] = {
        "identifier": identifier, "address": address, "endpoint": f"{address}:{port}", "port": port,
        "arn": f"arn:aws:rds:{ctx.region}:{ctx.account_id}:db:{identifier}",
        "resourceId": "db-" + _digest("dbi", name, length=26).upper(),
        "masterUserSecrets": [],
    }
    if inputs.get("manageMasterUserPassword"):
        # RDS names the managed secret `rds!db-<uuid>`; Secrets Manager appends six random characters.
        secret = f"rds!db-{_uuid('rds-secret', name)}-{_digest('sfx', name, length=6)}"
        outputs["masterUserSecrets"] = [{
            "secretArn": f"arn:aws:secretsmanager:{ctx.region}:{ctx.account_id}:secret:{secret}",
            "kmsKeyId": inputs.get("masterUserSecretKmsKeyId", ""), "secretStatus": "active"}]
    return identifier, outputs


def _ecr_repository(name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    repository = _physical(name, inputs)
    return repository, {
        "name": repository, "registryId": ctx.account_id,
        "arn": f"arn:aws:ecr:{ctx.region}:{ctx.account_id}:repository/{repository}",
        "repositoryUrl": f"{ctx.account_id}.dkr.ecr.{ctx.region}.amazonaws.com/{repository}",
    }


COMPUTED: dict[str, Computed] = {
    "aws:rds/instance:Instance": _rds_instance,
    "aws:rds/subnetGroup:SubnetGroup": _named(),
    "aws:rds/parameterGroup:ParameterGroup": _named(),
    "aws:ecr/repository:Repository": _ecr_repository,
    "aws:organizations/account:Account": _account,
    "aws:iam/role:Role": _iam("role/"),
    "aws:iam/policy:Policy": _iam("policy/"),
    "aws:iam/user:User": _iam("user/"),
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider": _oidc_provider,
    "aws:s3/bucket:Bucket": _bucket,
    "aws:s3/bucketV2:BucketV2": _bucket,
    "aws:s3/bucketPolicy:BucketPolicy": _by_bucket,
    "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": _by_bucket,
    "aws:s3/bucketOwnershipControls:BucketOwnershipControls": _by_bucket,
    "aws:s3/bucketVersioning:BucketVersioning": _by_bucket,
    "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration": _by_bucket,
    "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": _by_bucket,
    "aws:s3/bucketLogging:BucketLogging": _by_bucket,
    "aws:kms/key:Key": _kms_key,
    "aws:kms/alias:Alias": _kms_alias,
    "aws:cloudwatch/logGroup:LogGroup": _log_group,
    "aws:eks/cluster:Cluster": _eks_cluster,
    "aws:eks/nodeGroup:NodeGroup": _node_group,
    "aws:ec2/launchTemplate:LaunchTemplate": _launch_template,
    "aws:ec2/securityGroup:SecurityGroup": _security_group,
    "aws:ec2/vpc:Vpc": _vpc,
    "aws:ec2/subnet:Subnet": _ec2("subnet", "subnet"),
    "aws:ec2/internetGateway:InternetGateway": _ec2("igw", "internet-gateway"),
    "aws:ec2/natGateway:NatGateway": _ec2("nat", "natgateway"),
    "aws:ec2/routeTable:RouteTable": _ec2("rtb", "route-table"),
    "aws:ec2/eip:Eip": _eip,
    "aws:ec2/vpcEndpoint:VpcEndpoint": _vpc_endpoint,
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": _ec2("sg", "security-group"),
    "aws:ec2/flowLog:FlowLog": _ec2("fl", "vpc-flow-log"),
    "aws:ec2/managedPrefixList:ManagedPrefixList": _ec2("pl", "prefix-list"),
    "aws:sns/topic:Topic": _arn_of("sns", ""),
    "aws:secretsmanager/secret:Secret": _secretsmanager_secret,
    "random:index/randomPassword:RandomPassword": _random_password,
    "random:index/randomId:RandomId": _random_id,
    "random:index/randomString:RandomString": _random_string,
    "databricks:index/servicePrincipal:ServicePrincipal": _databricks_principal,
    "databricks:index/servicePrincipalSecret:ServicePrincipalSecret": _databricks_secret,
    "databricks:index/catalog:Catalog": _named(),
    "databricks:index/storageCredential:StorageCredential": _databricks_storage_credential,
    "databricks:index/schema:Schema": _databricks_schema,
    "databricks:index/accountNetworkPolicy:AccountNetworkPolicy": _databricks_network_policy,
    "databricks:index/externalLocation:ExternalLocation": _named(),
    "kubernetes:helm.sh/v3:Release": _helm_release,
    "aws:acm/certificate:Certificate": _acm_certificate,
    "aws:route53/record:Record": _route53_record,
}


# Inputs typed `Union[str, PolicyDocumentArgs]` in pulumi-aws: an object given there is marshalled to the JSON
# string the provider stores (the bridge's TransformJSONDocument), so the output is a string.
POLICY_DOCUMENT_INPUTS: dict[str, tuple[str, ...]] = {
    "aws:iam/policy:Policy": ("policy",),
    "aws:iam/rolePolicy:RolePolicy": ("policy",),
    "aws:iam/userPolicy:UserPolicy": ("policy",),
    "aws:iam/groupPolicy:GroupPolicy": ("policy",),
    "aws:iam/role:Role": ("assumeRolePolicy",),
    "aws:s3/bucket:Bucket": ("policy",),
    "aws:s3/bucketPolicy:BucketPolicy": ("policy",),
    "aws:sns/topicPolicy:TopicPolicy": ("policy",),
    "aws:sqs/queuePolicy:QueuePolicy": ("policy",),
    "aws:ecr/registryPolicy:RegistryPolicy": ("policy",),
    "aws:ecr/repositoryPolicy:RepositoryPolicy": ("policy",),
    "aws:ecr/lifecyclePolicy:LifecyclePolicy": ("policy",),
    "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": ("policyDocument",),
    "aws:elasticsearch/domainPolicy:DomainPolicy": ("accessPolicies",),
}


def compute(type_: str, name: str, inputs: Mapping[str, Any], ctx: Context) -> tuple[str, dict[str, Any]]:
    """The id and computed outputs of a resource; inputs are echoed back by the caller."""
    if type_ in COMPUTED:
        return COMPUTED[type_](name, inputs, ctx)
    if type_.startswith("kubernetes:") and type_ != "pulumi:providers:kubernetes":
        return _kubernetes_object(name, inputs, ctx)
    return f"{name}-{_digest('id', type_, name, length=8)}", {}
