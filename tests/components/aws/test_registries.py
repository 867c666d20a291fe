"""The platform images' ECR repositories as planned: one per image, immutable tags, scan on push, our KMS key,
a lifecycle that bounds them, and pulls only from this organisation's accounts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.aws.registries import ImageRegistriesArgs, validate_image_registries_args
from preflight.harness import reveal
from stack_config import parse
from tests.components.iam_plan import as_list
from tests.support import STACKS, preflight_plan, run_snippet
from tests.test_stack_config import raw_config

# The README's platform services row: "one ECR repository per platform image (`ml-platform/{pipeline,mlflow,dbt,
# db-bootstrap,dagster}` and `ml-platform/team-<name>` per team's code location".
PLATFORM_REPOSITORIES = ("ml-platform/pipeline", "ml-platform/mlflow", "ml-platform/dbt", "ml-platform/db-bootstrap",
                         "ml-platform/dagster")
# What pulling an image takes from a repository (Amazon ECR User Guide, "Private repository policy examples",
# "Allow pull"; "Amazon ECR managed policies": AmazonEC2ContainerRegistryPullOnly). Nothing that pushes
# (ecr:PutImage, ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload), deletes or reads the
# policy. ecr:GetAuthorizationToken is account-wide (Resource "*"), never in a repository policy: the pullers' own
# roles hold it.
PULL_ACTIONS = ["ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


@pytest.mark.parametrize("stack", STACKS)
def test_one_immutable_scanned_kms_encrypted_repository_per_image(stack: str) -> None:
    """ECR: IMMUTABLE refuses a push over an existing tag, scanOnPush scans each image, KMS encryption uses
    the key named (Amazon ECR User Guide, "Image tag mutability", "Image scanning", "Encryption at rest")."""
    plan = preflight_plan(stack)
    repositories = {reveal(r.inputs)["name"]: reveal(r.inputs) for r in plan.of_type("aws:ecr/repository:Repository")}
    cfg = parse(stack, raw_config(stack))
    # The platform chart's images, the Dagster control plane's, one per team's code location (issue 20;
    # `codeLocation.repository`, by default `team-<name>`).
    teams = {f"ml-platform/{team.code_location.repository}" for team in cfg.teams}
    assert sorted(repositories) == sorted({*PLATFORM_REPOSITORIES, *teams})
    keys = {reveal(k.outputs)["arn"] for k in plan.of_type("aws:kms/key:Key") if k.name == f"{stack}-registries-key"}
    for repository in repositories.values():
        assert repository["imageTagMutability"] == "IMMUTABLE"
        assert repository["imageScanningConfiguration"] == {"scanOnPush": True}
        (encryption,) = repository["encryptionConfigurations"]
        assert encryption["encryptionType"] == "KMS" and encryption["kmsKey"] in keys
        assert not repository.get("forceDelete")


@pytest.mark.parametrize("stack", STACKS)
def test_pulls_only_from_the_organisation_and_a_bounded_lifecycle(stack: str) -> None:
    """`aws:PrincipalOrgID` limits a `"*"` principal to the organisation's accounts (IAM User Guide, "AWS global
    condition context keys"); the policy grants pulls only, no push or delete."""
    plan = preflight_plan(stack)
    cfg = parse(stack, raw_config(stack))
    policies = [json.loads(reveal(p.inputs)["policy"])
                for p in plan.of_type("aws:ecr/repositoryPolicy:RepositoryPolicy")]
    repositories = len(plan.of_type("aws:ecr/repository:Repository"))
    assert len(policies) == repositories
    for policy in policies:
        (statement,) = policy["Statement"]
        assert statement["Effect"] == "Allow" and sorted(as_list(statement["Action"])) == sorted(PULL_ACTIONS)
        assert statement["Principal"] == {"AWS": "*"} and "NotAction" not in statement
        assert statement["Condition"] == {"StringEquals": {"aws:PrincipalOrgID": cfg.registries.organization_id}}
    lifecycles = [json.loads(reveal(p.inputs)["policy"])
                  for p in plan.of_type("aws:ecr/lifecyclePolicy:LifecyclePolicy")]
    assert len(lifecycles) == repositories
    for lifecycle in lifecycles:
        untagged, kept = sorted(lifecycle["rules"], key=lambda r: r["rulePriority"])
        assert untagged["selection"] == {"tagStatus": "untagged", "countType": "sinceImagePushed",
                                         "countUnit": "days", "countNumber": 7}
        assert kept["selection"] == {"tagStatus": "any", "countType": "imageCountMoreThan",
                                     "countNumber": cfg.registries.keep_images}


def test_the_nodes_pull_with_ecr_read_only() -> None:
    plan = preflight_plan("prod")
    attached = {reveal(a.inputs)["policyArn"]
                for a in plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
    assert "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly" in attached
    assert not any("ContainerRegistryFullAccess" in arn or "PowerUser" in arn for arn in attached)


def test_bad_args_are_refused_together() -> None:
    with pytest.raises(ValueError, match=r"organization_id .*; keep_images"):
        validate_image_registries_args(ImageRegistriesArgs(name_prefix="ml-platform", organization_id="org",
                                                           account_id="123456789012", keep_images=0))


def test_extra_tags_reach_the_key_and_every_repository(tmp_path: Path) -> None:
    """The shipped program passes none (the provider's default tags carry the stack's); a caller's extra tags
    reach each tagged child."""
    plan = run_snippet(tmp_path, """
        from components.aws.registries import ImageRegistries, ImageRegistriesArgs

        ImageRegistries("prod-registries", ImageRegistriesArgs(
            name_prefix="ml-platform", organization_id="o-abcdefghij", account_id="111111111111",
            images=("pipeline", "dbt"), tags={"cost-center": "ml"}))
    """)
    tagged = [*plan.of_type("aws:kms/key:Key"), *plan.of_type("aws:ecr/repository:Repository")]
    assert len(tagged) == 3
    assert [r.inputs.get("tags") for r in tagged] == [{"cost-center": "ml"}] * 3
