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
from pathlib import Path

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


def test_an_object_document_with_a_secret_stays_secret(tmp_path: Path) -> None:
    code = """
    import pulumi, pulumi_aws as aws
    aws.iam.Policy("p", policy={"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": pulumi.Output.secret("arn:aws:s3:::b/*")}]})
    """
    wire = run_snippet(tmp_path, code).one("aws:iam/policy:Policy", "p").wire_outputs["policy"]
    assert isinstance(wire, dict) and "arn:aws:s3:::b/*" in wire["value"]



def test_yaml_decode_returns_every_non_empty_document() -> None:
    """The v1 yaml.ConfigGroup/ConfigFile parse through the provider's `kubernetes:yaml:decode`."""
    from preflight.computed import Context
    from preflight.invokes import answer

    text = "a: 1\n---\n---\nb: [2]\n"
    assert answer("kubernetes:yaml:decode", {"text": text}, Context("1", "eu-west-1")) == {
        "result": [{"a": 1}, {"b": [2]}]}
