"""The workflows and the program agree on CI identities: every role a job assumes exists in that stack's plan
and trusts the `sub` claim that job's token carries (GitHub's default subject template)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
import yaml

from preflight.harness import reveal
from tests.ci.workflows import steps_using, workflow
from tests.support import PROJECT_DIR, STACKS, plan_with, preflight_plan

REPOSITORY = yaml.safe_load((PROJECT_DIR / "Pulumi.yaml").read_text())["config"]["githubRepository"]["default"]


def token_subject(job: dict[str, Any], triggers: dict[str, Any], stack: str) -> str:
    """What GitHub puts in `sub`: the environment if the job has one, else the pull_request marker, else the ref
    (scheduled and manual runs here run on the default branch, main)."""
    if "environment" in job:
        return f"repo:{REPOSITORY}:environment:{stack}"
    if "pull_request" in triggers:
        return f"repo:{REPOSITORY}:pull_request"
    return f"repo:{REPOSITORY}:ref:refs/heads/main"


def role_and_subject(name: str, job_id: str, stack: str) -> tuple[str, str]:
    job = workflow(name)["jobs"][job_id]
    (step,) = steps_using(job, "aws-actions/configure-aws-credentials")
    role_arn = re.sub(r"\$\{\{ (matrix|inputs)\.stack \}\}", stack, step["with"]["role-to-assume"])
    triggers = workflow("deploy.yml" if name == "up.yml" else name)["on"]
    return role_arn.rsplit(":role/", 1)[1], token_subject(job, triggers, stack)


def trusted_subjects(stack: str, role_name: str) -> list[str]:
    (role,) = [r for r in preflight_plan(stack).registered
               if r.type == "aws:iam/role:Role" and r.inputs.get("name") == role_name]
    subjects: list[str] = []
    for statement in json.loads(role.inputs["assumeRolePolicy"])["Statement"]:
        value = statement.get("Condition", {}).get("StringEquals", {}).get("token.actions.githubusercontent.com:sub")
        subjects += [value] if isinstance(value, str) else list(value or [])
    return subjects


JOBS = [pytest.param("preview.yml", "preview", id="preview"), pytest.param("up.yml", "up", id="deploy"),
        pytest.param("drift.yml", "drift", id="drift")]


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("name", "job_id"), JOBS)
def test_assumed_role_exists_and_trusts_the_jobs_token(name: str, job_id: str, stack: str) -> None:
    role_name, subject = role_and_subject(name, job_id, stack)
    assert subject in trusted_subjects(stack, role_name)


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize(("name", "job_id"), JOBS)
def test_the_assumed_role_lives_in_the_management_account(name: str, job_id: str, stack: str) -> None:
    """The workflows name the role in `vars.AWS_MANAGEMENT_ACCOUNT_ID`; the plan creates it through the
    management provider (the ambient credentials, or `account.managementRoleArn`)."""
    job = workflow(name)["jobs"][job_id]
    (step,) = steps_using(job, "aws-actions/configure-aws-credentials")
    assert step["with"]["role-to-assume"].startswith("arn:aws:iam::${{ vars.AWS_MANAGEMENT_ACCOUNT_ID }}:role/")
    role_name, _ = role_and_subject(name, job_id, stack)
    plan = preflight_plan(stack)
    (role,) = [r for r in plan.registered if r.type == "aws:iam/role:Role" and r.inputs.get("name") == role_name]
    assert role.provider == plan.one("pulumi:providers:aws", name=f"{stack}-management").urn


@pytest.mark.parametrize("stack", STACKS)
@pytest.mark.parametrize("mode", ["deploy", "preview"])
def test_every_role_a_provider_assumes_is_in_a_plan_or_is_the_bootstrap_role(
        stack: str, mode: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """A role nobody creates cannot be assumed. Organizations creates the access role with the account
    (CreateAccount's RoleName, the README's bootstrap role); every other role must be in some stack's plan."""
    monkeypatch.setenv("ML_PLATFORM_ACCESS", mode)
    plan = preflight_plan(stack) if mode == "deploy" else plan_with(stack, {})
    planned = {reveal(r.outputs)["arn"] for s in STACKS for r in preflight_plan(s).of_type("aws:iam/role:Role")}
    bootstrap = {f"arn:aws:iam::{plan.one('aws:organizations/account:Account').id}:role/OrganizationAccountAccessRole"}
    assumed: list[str] = []
    for provider in plan.of_type("pulumi:providers:aws"):
        roles = reveal(provider.inputs).get("assumeRoles") or "[]"
        assumed += [r["roleArn"] for r in (json.loads(roles) if isinstance(roles, str) else roles)]
    kubeconfig = json.loads(reveal(plan.one("pulumi:providers:kubernetes").inputs)["kubeconfig"])
    args = kubeconfig["users"][0]["user"]["exec"]["args"]
    assumed.append(args[args.index("--role-arn") + 1])
    assert assumed and set(assumed) - planned - bootstrap == set()
    assert (set(assumed) <= bootstrap) == (mode == "deploy")


def readme_identities() -> list[list[str]]:
    text = (PROJECT_DIR / "README.md").read_text()
    table = text.split("| identity | lives in | trusted by | may do | proven by |", 1)[1].split("\n\n", 1)[0]
    return [[c.strip() for c in row.strip("|").split("|")] for row in table.strip().splitlines()[1:]]


def test_every_identity_of_the_readme_table_names_existing_tests_and_exists() -> None:
    """The README's setup table is a claim per row; each row names the tests that prove it, and each named
    role is in the plan (or is the bootstrap role Organizations creates, or the bootstrap OIDC provider)."""
    rows = readme_identities()
    assert len(rows) >= 6
    plan = preflight_plan("prod")
    names = {reveal(r.inputs)["name"] for r in plan.of_type("aws:iam/role:Role")}
    for identity, _where, _trusted_by, _may_do, proven_by in rows:
        for path in re.findall(r"`(tests/[\w/]+\.py)`", proven_by):
            assert (PROJECT_DIR / path).exists(), path
        role = re.fullmatch(r"`(ml-platform-<env>-[\w-]+)`", identity)
        if role:
            assert role.group(1).replace("<env>", "prod") in names, identity
    assert {row[0] for row in rows} >= {"`ml-platform-<env>-ci-deploy`", "`ml-platform-<env>-ci-preview`",
                                        "`ml-platform-<env>-previewer`", "`OrganizationAccountAccessRole`"}
