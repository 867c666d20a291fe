"""The mocks answer the data sources real programs read, as the providers compute them.

terraform-provider-aws, data source `aws_iam_policy_document` (data_source_iam_policy_document.go): `Version`
defaults to 2012-10-17, statements keep their order, `Effect` defaults to Allow, an empty `sid` is omitted, the
action/resource/principal sets are rendered reverse-sorted with one value collapsed to a string, a lone
principal `{type: "*", identifiers: ["*"]}` renders as `"Principal": "*"`, `json` is indented by two spaces and
`minifiedJson` is compact. pulumi-aws types `aws.iam.Policy.policy` and the other document inputs as
`str | PolicyDocumentArgs`: the bridge marshals an object given there to JSON (Go's `json.Marshal`: keys sorted).
"""

from __future__ import annotations

import json
import re
import uuid
import zlib
from pathlib import Path
from typing import Any

import pytest

from preflight.computed import Context
from preflight.invokes import answer
from tests.policies.helpers import flagged, notes
from tests.support import run_snippet

CTX = Context("111122223333", "eu-west-1")


def _document(**args: object) -> dict[str, object]:
    return answer("aws:iam/getPolicyDocument:getPolicyDocument", args, CTX)


def test_policy_document_renders_as_the_provider_does() -> None:
    result = _document(statements=[
        {"sid": "Read", "actions": ["s3:GetObject", "s3:ListBucket", "s3:GetObject"],
         "resources": ["arn:aws:s3:::data/*"],
         "principals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}],
         "conditions": [{"test": "StringEquals", "variable": "aws:PrincipalTag/team", "values": ["ml"]}]},
        {"effect": "Deny", "actions": ["s3:*"], "resources": ["*"],
         "principals": [{"type": "*", "identifiers": ["*"]}]},
    ])
    doc = json.loads(str(result["json"]))
    assert list(doc) == ["Version", "Statement"]
    first, second = doc["Statement"]
    assert list(first) == ["Sid", "Effect", "Action", "Resource", "Principal", "Condition"]
    assert first["Action"] == ["s3:ListBucket", "s3:GetObject"]  # a set: deduplicated, reverse-sorted
    assert first["Resource"] == "arn:aws:s3:::data/*"  # one value collapses to a string
    assert first["Principal"] == {"AWS": "arn:aws:iam::111122223333:root"}
    assert first["Condition"] == {"StringEquals": {"aws:PrincipalTag/team": "ml"}}
    assert "Sid" not in second and second["Effect"] == "Deny" and second["Principal"] == "*"
    assert str(result["json"]).startswith('{\n  "Version": "2012-10-17",\n  "Statement": [')
    assert json.loads(str(result["minifiedJson"])) == doc and "\n" not in str(result["minifiedJson"])


def test_policy_document_merges_source_and_override_documents_by_sid() -> None:
    source = json.dumps({"Statement": [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},
                                       {"Sid": "B", "Effect": "Allow", "Action": "s3:PutObject", "Resource": "*"}]})
    override = json.dumps({"Statement": [{"Sid": "B", "Effect": "Deny", "Action": "s3:PutObject", "Resource": "*"}]})
    result = _document(sourcePolicyDocuments=[source], overridePolicyDocuments=[override],
                       statements=[{"sid": "A", "actions": ["s3:ListBucket"], "resources": ["*"]},
                                   {"actions": ["kms:Decrypt"], "resources": ["*"]}])
    statements = json.loads(str(result["json"]))["Statement"]
    assert [(s.get("Sid"), s["Effect"], s["Action"]) for s in statements] == [
        ("A", "Allow", "s3:ListBucket"), ("B", "Deny", "s3:PutObject"), (None, "Allow", "kms:Decrypt")]


def test_invokes_without_an_answer_name_their_token() -> None:
    with pytest.raises(NotImplementedError, match="Mock not implemented: aws:ec2/getVpc:getVpc"):
        answer("aws:ec2/getVpc:getVpc", {}, CTX)
    with pytest.raises(NotImplementedError, match="getAddonVersion for add-on 'unknown-addon'"):
        answer("aws:eks/getAddonVersion:getAddonVersion", {"addonName": "unknown-addon"}, CTX)


def test_common_data_sources_answer_in_a_real_program(tmp_path: Path) -> None:
    code = """
    import pulumi, pulumi_aws as aws, pulumi_databricks as databricks
    sp = databricks.get_service_principal(display_name="ml-pipelines")
    pulumi.export("sp", [sp.application_id, sp.acl_principal_id])
    pulumi.export("me", databricks.get_current_user().user_name)
    secret = aws.secretsmanager.get_secret_version(secret_id="ml-platform-prod/db")
    pulumi.export("secret", [secret.secret_id, secret.version_stages])
    pulumi.export("cni", aws.eks.get_addon_version(addon_name="vpc-cni", kubernetes_version="1.31").version)
    """
    outputs = run_snippet(tmp_path, code).plain_outputs
    app_id, acl = outputs["sp"]
    assert acl == f"servicePrincipals/{app_id}"
    assert len(outputs["me"]) == 36
    assert outputs["secret"] == ["ml-platform-prod/db", ["AWSCURRENT"]]
    assert outputs["cni"].startswith("v1.") and "eksbuild" in outputs["cni"]


POLICY_AS_OBJECTS = """
import pulumi, pulumi_aws as aws
bucket = aws.s3.BucketV2("data")
aws.iam.Policy("as-dict", policy={"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "s3:*", "Resource": bucket.arn}]})
aws.iam.Policy("as-args", policy=aws.iam.PolicyDocumentArgs(version="2012-10-17", statement=[
    aws.iam.PolicyStatementArgs(effect="Allow", action="s3:GetObject", resource=bucket.arn)]))
doc = aws.iam.get_policy_document_output(statements=[
    {"actions": ["s3:*"], "resources": [bucket.arn.apply(lambda arn: f"{arn}/*")]}])
aws.iam.Policy("from-data-source", policy=doc.json)
"""


def test_a_document_given_as_an_object_is_stored_as_json_text(tmp_path: Path) -> None:
    plan = run_snippet(tmp_path, POLICY_AS_OBJECTS)
    for name in ("as-dict", "as-args"):
        policy = plan.one("aws:iam/policy:Policy", name).outputs["policy"]
        assert isinstance(policy, str) and json.loads(policy)["Version"] == "2012-10-17"
        assert policy.startswith('{"Statement":[{"Action":')  # Go's json.Marshal: keys sorted, compact


@pytest.mark.parametrize("preview", [False, True])
def test_rules_judge_documents_in_every_form(tmp_path: Path, preview: bool) -> None:
    """The wildcard action is caught in a dict, in PolicyDocumentArgs and in getPolicyDocument's JSON; during a
    preview the parts computed from the bucket's ARN are noted, as before."""
    plan = run_snippet(tmp_path, POLICY_AS_OBJECTS, preview=preview)
    found = flagged(plan, "aws-iam-no-wildcard-actions")
    if preview:
        assert not found
        assert {"as-dict", "as-args", "from-data-source"} <= set(notes(plan, "aws-iam-no-wildcard-actions"))
    else:
        assert set(found) == {"as-dict", "from-data-source"}



def test_yaml_decode_returns_every_non_empty_document() -> None:
    """The v1 yaml.ConfigGroup/ConfigFile parse through the provider's `kubernetes:yaml:decode`."""
    from preflight.computed import Context
    from preflight.invokes import answer

    text = "a: 1\n---\n---\nb: [2]\n"
    assert answer("kubernetes:yaml:decode", {"text": text}, Context("1", "eu-west-1")) == {
        "result": [{"a": 1}, {"b": [2]}]}


# Each answer's shape as the provider documents it (pulumi-aws's and pulumi-databricks's data-source pages, the
# AWS API references of GetCallerIdentity, DescribeAvailabilityZones and GetSecretValue).


def test_caller_identity_is_an_assumed_role_session_in_the_providers_account() -> None:
    out = answer("aws:index/getCallerIdentity:getCallerIdentity", {}, CTX)
    assert out["accountId"] == out["id"] == "111122223333"
    assert re.fullmatch(r"arn:aws:sts::111122223333:assumed-role/[\w+=,.@-]+/[\w+=,.@-]+", out["arn"])
    role_id, session = out["userId"].split(":")
    assert role_id.startswith("AROA") and out["arn"].endswith(f"/{session}")
    assert answer("aws:index/getCallerIdentity:getCallerIdentity", {}, Context("444455556666", "us-east-1"))[
        "accountId"] == "444455556666"


def test_partition_and_region() -> None:
    assert answer("aws:index/getPartition:getPartition", {}, CTX) == {
        "partition": "aws", "dnsSuffix": "amazonaws.com", "reverseDnsPrefix": "com.amazonaws", "id": "aws"}
    assert answer("aws:index/getRegion:getRegion", {}, CTX) == {
        "region": "eu-west-1", "name": "eu-west-1", "endpoint": "ec2.eu-west-1.amazonaws.com",
        "description": "eu-west-1", "id": "eu-west-1"}
    for key in ("region", "name"):  # `name` is the deprecated spelling of `region`
        out = answer("aws:index/getRegion:getRegion", {key: "us-east-1"}, CTX)
        assert out["region"] == out["name"] == out["id"] == "us-east-1"
        assert out["endpoint"] == "ec2.us-east-1.amazonaws.com"


@pytest.mark.parametrize(("region", "prefix"), [("eu-west-1", "euw1"), ("us-east-1", "use1"),
                                                ("ap-southeast-2", "apse2"), ("eu-central-1", "euc1"),
                                                ("ap-northeast-1", "apne1"), ("us-gov-west-1", "usgw1")])
def test_availability_zones_are_three_with_their_zone_ids(region: str, prefix: str) -> None:
    out = answer("aws:index/getAvailabilityZones:getAvailabilityZones", {"state": "available"},
                 Context("111122223333", region))
    assert out["names"] == [f"{region}a", f"{region}b", f"{region}c"]
    assert out["zoneIds"] == [f"{prefix}-az1", f"{prefix}-az2", f"{prefix}-az3"]
    assert out["groupNames"] == [region] * 3 and out["id"] == region and out["state"] == "available"


@pytest.mark.parametrize("addon", ["vpc-cni", "coredns", "kube-proxy", "aws-ebs-csi-driver",
                                   "eks-pod-identity-agent"])
def test_every_default_add_on_has_an_eks_build(addon: str) -> None:
    args = {"addonName": addon, "kubernetesVersion": "1.31", "mostRecent": False}
    out = answer("aws:eks/getAddonVersion:getAddonVersion", args, CTX)
    assert re.fullmatch(r"v[0-9]+\.[0-9]+\.[0-9]+-eksbuild\.[0-9]+", out["version"])
    assert {k: out[k] for k in args} == args and out["id"] == addon


def test_kube_proxy_follows_the_clusters_minor_version() -> None:
    """kube-proxy's builds are per Kubernetes minor version (the EKS docs' kube-proxy table)."""
    for k8s in ("1.30", "1.31"):
        version = answer("aws:eks/getAddonVersion:getAddonVersion",
                         {"addonName": "kube-proxy", "kubernetesVersion": k8s}, CTX)["version"]
        assert version.startswith(f"v{k8s}.")


def test_a_secret_version_by_name_is_the_current_one() -> None:
    out = answer("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "ml/db"}, CTX)
    assert re.fullmatch(r"arn:aws:secretsmanager:eu-west-1:111122223333:secret:ml/db-[0-9a-f]{6}", out["arn"])
    assert out["secretId"] == "ml/db" and out["versionStages"] == ["AWSCURRENT"]
    assert out["versionStage"] == "AWSCURRENT" and out["id"] == "ml/db|AWSCURRENT"
    assert uuid.UUID(out["versionId"]) and out["secretString"] and out["secretBinary"] == ""
    assert out["createdDate"] == "2026-01-01T00:00:00Z"


def test_a_secret_version_by_arn_stage_or_version_id() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:111122223333:secret:ml/db-AbCdEf"
    assert answer("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": arn}, CTX)["arn"] == arn
    previous = answer("aws:secretsmanager/getSecretVersion:getSecretVersion",
                      {"secretId": "ml/db", "versionStage": "AWSPREVIOUS"}, CTX)
    assert previous["versionStages"] == ["AWSPREVIOUS"] and previous["id"] == "ml/db|AWSPREVIOUS"
    pinned = answer("aws:secretsmanager/getSecretVersion:getSecretVersion",
                    {"secretId": "ml/db", "versionId": "v-1"}, CTX)
    assert pinned["versionId"] == "v-1" and pinned["id"] == "ml/db|v-1"
    assert pinned["versionStages"] == [] and pinned["versionStage"] is None
    other = answer("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "ml/other"}, CTX)
    assert other["secretString"] != previous["secretString"] and other["versionId"] != previous["versionId"]


def test_a_databricks_service_principal_by_any_of_its_keys() -> None:
    token = "databricks:index/getServicePrincipal:getServicePrincipal"
    app = "00000000-0000-4000-8000-000000000001"
    by_app = answer(token, {"applicationId": app}, CTX)
    assert by_app["applicationId"] == app and by_app["aclPrincipalId"] == f"servicePrincipals/{app}"
    assert by_app["home"] == f"/Users/{app}" and by_app["repos"] == f"/Repos/{app}" and by_app["active"] is True
    assert re.fullmatch(r"[0-9]+", by_app["spId"]) and by_app["id"] == by_app["scimId"] == by_app["spId"]
    by_name = answer(token, {"displayName": "ml-pipelines"}, CTX)
    assert by_name["displayName"] == "ml-pipelines" and uuid.UUID(by_name["applicationId"])
    assert by_name["aclPrincipalId"] == f"servicePrincipals/{by_name['applicationId']}"
    assert answer(token, {"displayName": "ml-pipelines"}, CTX) == by_name
    assert answer(token, {"displayName": "other"}, CTX)["applicationId"] != by_name["applicationId"]
    by_id = answer(token, {"spId": "42"}, CTX)
    assert by_id["spId"] == by_id["id"] == "42" and by_id["externalId"] == ""
    assert answer(token, {"spId": "43"}, CTX)["applicationId"] != by_id["applicationId"]  # another principal


def test_the_current_databricks_user_is_a_service_principal() -> None:
    me = answer("databricks:index/getCurrentUser:getCurrentUser", {}, CTX)
    app = me["userName"]
    assert str(uuid.UUID(app)) == app  # a service principal's user name is its application id
    assert me["aclPrincipalId"] == f"servicePrincipals/{app}" and me["home"] == f"/Users/{app}"
    assert me["repos"] == f"/Repos/{app}" and me["alphanumeric"] == app.replace("-", "_")
    assert re.fullmatch(r"[0-9]+", me["id"]) and me["workspaceUrl"].startswith("https://")
    assert me["externalId"] == "" and me["displayName"]


def test_an_oidc_provider_is_found_by_url_or_arn() -> None:
    token = "aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider"
    arn = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"
    by_url = answer(token, {"url": "https://token.actions.githubusercontent.com"}, CTX)
    assert by_url == {"arn": arn, "id": arn, "url": "token.actions.githubusercontent.com",
                      "clientIdLists": ["sts.amazonaws.com"], "thumbprintLists": [], "tags": {}}
    assert answer(token, {"arn": arn, "url": None}, CTX) == by_url
    assert answer(token, {"arn": None, "url": "token.actions.githubusercontent.com"}, CTX) == by_url


@pytest.mark.parametrize("args", [{}, {"arn": None, "url": None}, {
    "arn": "arn:aws:iam::111122223333:oidc-provider/a.example.com", "url": "https://b.example.com"}])
def test_an_oidc_provider_lookup_takes_exactly_one_of_arn_and_url(args: dict[str, Any]) -> None:
    """The data source's schema: `ExactlyOneOf: arn, url`. Both, or neither, is refused before any lookup."""
    with pytest.raises(ValueError, match=r'exactly one of "arn" or "url" must be set'):
        answer("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", args, CTX)


def test_policy_document_header_id_and_negated_elements() -> None:
    result = _document(policyId="ml", version="2008-10-17", statements=[
        {"notActions": ["iam:*"], "notResources": ["arn:aws:s3:::a", "arn:aws:s3:::b"],
         "notPrincipals": [{"type": "AWS", "identifiers": ["arn:aws:iam::111122223333:root"]}]}])
    rendered = str(result["json"])
    doc = json.loads(rendered)
    assert list(doc) == ["Version", "Id", "Statement"] and doc["Version"] == "2008-10-17" and doc["Id"] == "ml"
    (st,) = doc["Statement"]
    assert st == {"Effect": "Allow", "NotAction": "iam:*", "NotResource": ["arn:aws:s3:::b", "arn:aws:s3:::a"],
                  "NotPrincipal": {"AWS": "arn:aws:iam::111122223333:root"}}
    assert result["id"] == str(zlib.crc32(rendered.encode())) and result["policyId"] == "ml"  # args echoed


def test_policy_document_accumulates_principals_and_conditions_of_one_kind() -> None:
    (st,) = json.loads(str(_document(statements=[{"actions": ["sts:AssumeRole"], "principals": [
        {"type": "Service", "identifiers": ["eks.amazonaws.com"]},
        {"type": "Service", "identifiers": ["ec2.amazonaws.com", "ssm.amazonaws.com"]},
        {"type": "AWS", "identifiers": []},
    ], "conditions": [
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["111122223333"]},
        {"test": "StringEquals", "variable": "aws:SourceAccount", "values": ["444455556666"]},
        {"test": "ArnLike", "variable": "aws:SourceArn", "values": ["arn:aws:eks:*"]},
    ]}])["json"]))["Statement"]
    assert st["Principal"] == {"Service": ["eks.amazonaws.com", "ssm.amazonaws.com", "ec2.amazonaws.com"]}
    assert st["Condition"] == {"ArnLike": {"aws:SourceArn": "arn:aws:eks:*"},
                               "StringEquals": {"aws:SourceAccount": ["111122223333", "444455556666"]}}
    assert "Resource" not in st  # an empty element is omitted
    (st,) = json.loads(str(_document(statements=[{"actions": ["sts:AssumeRole"], "principals": [
        {"type": "Service", "identifiers": ["ec2.amazonaws.com", "ssm.amazonaws.com"]},
        {"type": "Service", "identifiers": ["eks.amazonaws.com"]},  # one identifier: a string, appended
    ]}])["json"]))["Statement"]
    assert st["Principal"] == {"Service": ["ssm.amazonaws.com", "ec2.amazonaws.com", "eks.amazonaws.com"]}


def test_a_source_document_with_one_statement_object() -> None:
    source = {"Version": "2012-10-17", "Statement": {"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject",
                                                      "Resource": "*"}}
    statements = json.loads(str(_document(sourcePolicyDocuments=[json.dumps(source)])["json"]))["Statement"]
    assert statements == [{"Sid": "A", "Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]


def test_a_document_renders_in_the_structs_field_order_whatever_the_dicts_order() -> None:
    """terraform-provider-aws's IAMPolicyDoc struct declares `Version` before `Statement`; Go marshals a struct in
    field order, so a document whose `Statement` key came first still renders `Version` first."""
    from preflight.invokes import _go_struct_json

    document = {"Statement": [{"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}],
                "Version": "2012-10-17"}
    assert _go_struct_json(document) == (
        '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}')


def test_a_condition_repeated_with_several_values_appends_them_all() -> None:
    """terraform-provider-aws `IAMPolicyStatementConditionSet.MarshalJSON`: the values of one test and variable
    given twice are appended, each block's set reverse-sorted; one value alone collapses to a string."""
    (st,) = json.loads(str(_document(statements=[{"actions": ["s3:GetObject"], "resources": ["*"], "conditions": [
        {"test": "StringEquals", "variable": "aws:PrincipalAccount", "values": ["111122223333"]},
        {"test": "StringEquals", "variable": "aws:PrincipalAccount", "values": ["444455556666", "777788889999"]},
    ]}])["json"]))["Statement"]
    assert st["Condition"] == {"StringEquals": {"aws:PrincipalAccount": ["111122223333", "777788889999",
                                                                         "444455556666"]}}


PINNED_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "ml/db"}),
    ("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "ml/db", "versionId": "v-1"}),
    ("aws:secretsmanager/getSecretVersion:getSecretVersion", {"secretId": "ml/db", "versionStage": "AWSPREVIOUS"}),
    ("databricks:index/getServicePrincipal:getServicePrincipal", {"displayName": "ml-platform-dev"}),
    ("databricks:index/getServicePrincipal:getServicePrincipal", {"applicationId": "app-1"}),
    ("databricks:index/getServicePrincipal:getServicePrincipal", {"spId": "123"}),
    ("databricks:index/getCurrentUser:getCurrentUser", {}),
    ("aws:iam/getOpenIdConnectProvider:getOpenIdConnectProvider", {"url": "https://issuer.example.com"}),
]


def test_every_invoke_answer_built_from_digests_is_pinned() -> None:
    """The answers built from digests (ids, secret values, suffixes), for fixed arguments in two contexts: as
    pinned (tests/preflight/pinned_values.py says why and how to update)."""
    from tests.preflight.pinned_values import check_pinned

    other = Context("444455556666", "us-east-1")
    check_pinned("invokes", {f"{token} {json.dumps(args, sort_keys=True)} {ctx.account_id}": answer(token, args, ctx)
                             for token, args in PINNED_CALLS for ctx in (CTX, other)})
