"""CI's access chain judged by an evaluator: moto's server, IAM access control on, holding the exact documents
the plans hold (CI roles in the management account, previewer in each member account), walks every
`sts:AssumeRole` the member provider and the Kubernetes exec credential make, in deploy and in preview mode.

What moto can and cannot judge here (say so rather than pretend; tests/components/test_pipeline_role_moto.py
has the general list):
- It evaluates the caller's identity policy for every call, `sts:AssumeRole` included: that is what these
  tests prove (each CI role may assume exactly its member role and nothing in another environment).
- `AssumeRoleWithWebIdentity` is unsigned and moto's access control cannot take it, so the web-identity
  sessions of the CI roles are made while set-up calls are open; their trust conditions (`aud`, `sub`) are
  read from the documents in tests/components/aws/test_ci_identities.py.
- It checks a role's trust only when the role is in the caller's own account, and matches principals as
  exact strings (a role-ARN principal does not match that role's sessions as it does in AWS). Both hops here
  cross accounts, so the trusts are read from the documents below instead: the access role trusts the
  management account's root, which AWS documents as delegating to that account's identity policies
  (AWS Organizations User Guide, "Accessing a member account ... OrganizationAccountAccessRole": the
  management account's administrators grant `sts:AssumeRole` on the role to whom they choose; re:Post
  knowledge-center/iam-assume-role-error: a cross-account AssumeRole needs the caller's identity policy AND
  the target's trust), and the previewer trusts exactly the stack's ci-preview role.
- It authorizes Organizations, KMS and Secrets Manager calls against `Resource: "*"`, so grants on one
  account, key or secret ARN cannot be shown there; the documents are read in test_ci_identities.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from moto.iam.aws_managed_policies import aws_managed_policies_data

from preflight.harness import Plan, reveal
from tests.components.aws.test_member_account import provider_inputs
from tests.components.iam_plan import role_documents
from tests.moto_server import ALLOWED, DENIED, enforce, moto_server, open_for_setup, outcome
from tests.support import STACKS, plan_with, preflight_plan

REGION = "eu-west-1"
MANAGEMENT = "000000000000"  # the preflight's ambient account: where the plans put the CI roles
ADMIN = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]})
READ_ONLY = json.dumps(json.loads(aws_managed_policies_data)["ReadOnlyAccess"]["Document"])


def preview_plan(stack: str) -> Plan:
    """The same program as a preview job runs it (ML_PLATFORM_ACCESS=preview, as the workflows set it)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ML_PLATFORM_ACCESS", "preview")
        return plan_with(stack, {})


def assumed_roles(plan: Plan) -> list[str]:
    """Every role ARN the member provider and the Kubernetes exec credential assume, in chain order."""
    chain = [r["roleArn"] for r in provider_inputs(plan.one("pulumi:providers:aws",
                                                             name=f"{plan.stack}-provider"))["assumeRoles"]]
    kubeconfig = json.loads(reveal(plan.one("pulumi:providers:kubernetes").inputs)["kubeconfig"])
    args = kubeconfig["users"][0]["user"]["exec"]["args"]
    return [*chain, args[args.index("--role-arn") + 1]]


@dataclass
class World:
    url: str
    accounts: dict[str, str]
    """stack -> member account id (from the plan)."""
    sessions: dict[str, dict[str, str]] = field(default_factory=dict)
    """`<stack>-deploy` / `<stack>-preview` -> credentials of a web-identity session of that CI role."""
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)

    def client(self, service: str, credentials: dict[str, str]) -> Any:
        key = (service, credentials["aws_access_key_id"])
        if key not in self.clients:
            self.clients[key] = boto3.client(service, endpoint_url=self.url, region_name=REGION, **credentials)
        return self.clients[key]

    def assume(self, credentials: dict[str, str], role_arn: str) -> dict[str, str]:
        answer = self.client("sts", credentials).assume_role(RoleArn=role_arn, RoleSessionName="chain")
        c = answer["Credentials"]
        return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
                "aws_session_token": c["SessionToken"]}


def _credentials(answer: dict[str, Any]) -> dict[str, str]:
    c = answer["Credentials"]
    return {"aws_access_key_id": c["AccessKeyId"], "aws_secret_access_key": c["SecretAccessKey"],
            "aws_session_token": c["SessionToken"]}


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    with moto_server() as url:
        open_for_setup(url)  # set-up calls are open until `enforce` below
        plans = {stack: preflight_plan(stack) for stack in STACKS}
        world = World(url, {stack: plan.one("aws:organizations/account:Account").id for stack, plan in plans.items()})
        anonymous = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "setup"}
        sts = world.client("sts", anonymous)
        # moto switches accounts by assuming any role ARN there (the role need not exist while auth is off).
        management = _credentials(sts.assume_role(RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/setup",
                                                  RoleSessionName="setup"))
        iam = world.client("iam", management)
        iam.create_open_id_connect_provider(Url="https://token.actions.githubusercontent.com",
                                            ClientIDList=["sts.amazonaws.com"], ThumbprintList=["0" * 40])
        s3 = world.client("s3", management)
        state_bucket = "example-org-ml-platform-state"
        s3.create_bucket(Bucket=state_bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
        s3.put_object(Bucket=state_bucket, Key=".pulumi/stacks/ml-platform/dev.json", Body=b"{}")
        for stack, plan in plans.items():
            for kind in ("deploy", "preview"):
                name = f"ml-platform-{stack}-ci-{kind}"
                trust, inline = role_documents(plan, name)
                iam.create_role(RoleName=name, AssumeRolePolicyDocument=trust)
                for i, document in enumerate(inline):
                    iam.put_role_policy(RoleName=name, PolicyName=f"access-{i}", PolicyDocument=document)
                world.sessions[f"{stack}-{kind}"] = _credentials(sts.assume_role_with_web_identity(
                    RoleArn=f"arn:aws:iam::{MANAGEMENT}:role/{name}", RoleSessionName=f"gha-{kind}",
                    WebIdentityToken="header.payload.signature"))
            member = _credentials(sts.assume_role(RoleArn=f"arn:aws:iam::{world.accounts[stack]}:role/setup",
                                                  RoleSessionName="setup"))
            member_iam = world.client("iam", member)
            # What Organizations creates in a new account: the access role, admin, trusting the management root.
            member_iam.create_role(RoleName="OrganizationAccountAccessRole", AssumeRolePolicyDocument=json.dumps({
                "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                        "Principal": {"AWS": f"arn:aws:iam::{MANAGEMENT}:root"}}]}))
            member_iam.put_role_policy(RoleName="OrganizationAccountAccessRole", PolicyName="admin",
                                       PolicyDocument=ADMIN)
            previewer = f"ml-platform-{stack}-previewer"
            trust, inline = role_documents(plan, previewer)
            member_iam.create_role(RoleName=previewer, AssumeRolePolicyDocument=trust)
            arn = member_iam.create_policy(PolicyName="ReadOnlyAccess", PolicyDocument=READ_ONLY)["Policy"]["Arn"]
            member_iam.attach_role_policy(RoleName=previewer, PolicyArn=arn)
            for i, document in enumerate(inline):
                member_iam.put_role_policy(RoleName=previewer, PolicyName=f"deny-{i}", PolicyDocument=document)
            bucket = plan.one("aws:s3/bucket:Bucket", name=f"{stack}-processed-bucket").id
            member_s3 = world.client("s3", member)
            member_s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": REGION})
            member_s3.put_object(Bucket=bucket, Key="data/seed", Body=b"seed")
        enforce(url)
        yield world


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("kind", ["deploy", "preview"])
def test_every_role_the_providers_and_the_exec_credential_assume_is_allowed(world: World, stack: str,
                                                                            kind: str) -> None:
    plan = preflight_plan(stack) if kind == "deploy" else preview_plan(stack)
    roles = assumed_roles(plan)
    expected = "OrganizationAccountAccessRole" if kind == "deploy" else f"ml-platform-{stack}-previewer"
    assert {arn.rsplit("/", 1)[1] for arn in roles} == {expected}  # provider and exec credential agree
    for arn in roles:
        # Each starts from the CI role's session: the provider's chain has one hop (no management role is
        # configured), and `aws eks get-token --role-arn` runs on the job's ambient credentials.
        assert outcome(lambda arn=arn: world.assume(world.sessions[f"{stack}-{kind}"], arn)) is ALLOWED, arn


@pytest.mark.parametrize("stack", STACKS)
def test_preview_cannot_assume_the_access_role(world: World, stack: str) -> None:
    role = f"arn:aws:iam::{world.accounts[stack]}:role/OrganizationAccountAccessRole"
    assert outcome(lambda: world.assume(world.sessions[f"{stack}-preview"], role)) is DENIED


@pytest.mark.parametrize("kind", ["deploy", "preview"])
@pytest.mark.parametrize("other", ["staging", "prod"])
def test_dev_ci_roles_cannot_reach_staging_or_prod(world: World, kind: str, other: str) -> None:
    for role in ("OrganizationAccountAccessRole", f"ml-platform-{other}-previewer"):
        arn = f"arn:aws:iam::{world.accounts[other]}:role/{role}"
        assert outcome(lambda arn=arn: world.assume(world.sessions[f"dev-{kind}"], arn)) is DENIED, arn


@pytest.mark.parametrize("stack", STACKS)
def test_the_preview_chain_reads_but_cannot_write(world: World, stack: str) -> None:
    previewer = world.assume(world.sessions[f"{stack}-preview"],
                             f"arn:aws:iam::{world.accounts[stack]}:role/ml-platform-{stack}-previewer")
    s3, iam = world.client("s3", previewer), world.client("iam", previewer)
    bucket = preflight_plan(stack).one("aws:s3/bucket:Bucket", name=f"{stack}-processed-bucket").id
    assert outcome(lambda: s3.list_objects_v2(Bucket=bucket)) is ALLOWED  # it does read: the denials are real
    assert outcome(lambda: s3.get_object(Bucket=bucket, Key="data/seed")) is DENIED  # no data
    assert outcome(lambda: s3.create_bucket(Bucket=f"{stack}-preview-made-this", CreateBucketConfiguration={
        "LocationConstraint": REGION})) is DENIED
    assert outcome(lambda: s3.put_object(Bucket=bucket, Key="data/new", Body=b"x")) is DENIED
    assert outcome(lambda: iam.attach_role_policy(RoleName=f"ml-platform-{stack}-previewer",
                                                  PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")) is DENIED
    # Its management-account half may only read the state (and write lock files, as the S3 backend does).
    ci = world.client("s3", world.sessions[f"{stack}-preview"])
    state = "example-org-ml-platform-state"
    assert outcome(lambda: ci.get_object(Bucket=state, Key=".pulumi/stacks/ml-platform/dev.json")) is ALLOWED
    assert outcome(lambda: ci.put_object(Bucket=state, Key=".pulumi/stacks/ml-platform/dev.json", Body=b"x")) \
        is DENIED
    assert outcome(lambda: ci.put_object(Bucket=state, Key=f".pulumi/locks/ml-platform/{stack}/l.json",
                                         Body=b"x")) is ALLOWED
    assert outcome(lambda: ci.create_bucket(Bucket=f"{stack}-preview-made-that", CreateBucketConfiguration={
        "LocationConstraint": REGION})) is DENIED


@pytest.mark.parametrize("stack", STACKS)
def test_no_ci_role_can_change_iam_in_the_management_account(world: World, stack: str) -> None:
    for kind in ("deploy", "preview"):
        iam = world.client("iam", world.sessions[f"{stack}-{kind}"])
        assert outcome(lambda kind=kind, iam=iam: iam.put_role_policy(
            RoleName=f"ml-platform-{stack}-ci-{kind}", PolicyName="escalate", PolicyDocument=ADMIN)) is DENIED
        assert outcome(lambda kind=kind, iam=iam: iam.attach_role_policy(
            RoleName=f"ml-platform-{stack}-ci-{kind}",
            PolicyArn="arn:aws:iam::aws:policy/AdministratorAccess")) is DENIED


@pytest.mark.parametrize("stack", STACKS)
def test_deploy_writes_the_state_and_its_member_session_administers_the_account(world: World, stack: str) -> None:
    deploy = world.sessions[f"{stack}-deploy"]
    s3 = world.client("s3", deploy)
    assert outcome(lambda: s3.put_object(Bucket="example-org-ml-platform-state",
                                         Key=f".pulumi/stacks/ml-platform/{stack}.json", Body=b"{}")) is ALLOWED
    member = world.assume(deploy, f"arn:aws:iam::{world.accounts[stack]}:role/OrganizationAccountAccessRole")
    assert outcome(lambda: world.client("s3", member).create_bucket(
        Bucket=f"{stack}-deploy-made-this", CreateBucketConfiguration={"LocationConstraint": REGION})) is ALLOWED


@pytest.mark.parametrize("stack", STACKS)
def test_the_cross_account_trusts_admit_exactly_the_chain(stack: str) -> None:
    """Read, not evaluated (see the module docstring): the previewer trusts the stack's ci-preview role alone;
    the access role is Organizations' (trusting the management root, which delegates to the identity
    policies proven above), so the only management principals reaching it are those allowed to."""
    plan = preflight_plan(stack)
    trust, _ = role_documents(plan, f"ml-platform-{stack}-previewer")
    [statement] = json.loads(trust)["Statement"]
    assert statement["Principal"] == {"AWS": f"arn:aws:iam::{MANAGEMENT}:role/ml-platform-{stack}-ci-preview"}
    assert statement["Action"] == "sts:AssumeRole" and statement["Effect"] == "Allow"
    assert reveal(plan.one("aws:organizations/account:Account").inputs)["roleName"] == \
        "OrganizationAccountAccessRole"


@pytest.mark.parametrize("stack", STACKS)
def test_a_preview_and_an_up_plan_the_same_resources(stack: str) -> None:
    """Only the identities differ between the modes (provider and kubeconfig inputs), never the resources."""
    deploy = {r.urn for r in preflight_plan(stack).registered if not r.type.startswith("pulumi:providers:")}
    preview = {r.urn for r in preview_plan(stack).registered if not r.type.startswith("pulumi:providers:")}
    assert deploy == preview
