"""One ECR repository per platform image, in the environment's account: immutable tags, scan on push, a KMS key
of its own, a lifecycle that keeps the last N images and expires untagged ones after 7 days, and a repository
policy that lets only this organisation's accounts pull. The nodes pull with their role's ECR read-only
managed policy (the node pools attach it); CI pushes with its own identity.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

PLATFORM_IMAGES = ("pipeline", "mlflow", "dbt", "db-bootstrap")
"""The images the ml-platform chart runs (workers, MLflow, dbt, the database bootstrap Job)."""
PULL_ACTIONS = ("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer")
UNTAGGED_EXPIRY_DAYS = 7
_ORG_ID_RE = re.compile(r"^o-[a-z0-9]{10,32}$")
_REPO_RE = re.compile(r"^[a-z0-9]+(?:[._-][a-z0-9]+)*(?:/[a-z0-9]+(?:[._-][a-z0-9]+)*)*$")


@dataclass(frozen=True)
class ImageRegistriesArgs:
    name_prefix: str
    """Start of each repository name: `<prefix>/<image>` (`ml-platform/mlflow`)."""
    organization_id: str
    """AWS Organizations id (`o-...`): only principals of its accounts may pull (aws:PrincipalOrgID)."""
    account_id: pulumi.Input[str]
    """The account holding the repositories: its root administers the key."""
    images: Sequence[str] = PLATFORM_IMAGES
    """One repository each. Default PLATFORM_IMAGES."""
    keep_images: int = 30
    """Images kept per repository (the oldest beyond that expire). Default 30."""
    key_deletion_window_days: int = 30
    """KMS deletion window, 7..30. Default 30."""
    retain_on_delete: bool = True
    """Keep the key when removed from the stack (images in a retained repository need it). Default True."""
    protect: bool = False
    """`protect` on the repositories and key. Default off."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Extra tags on every child."""


def validate_image_registries_args(args: ImageRegistriesArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not _ORG_ID_RE.match(args.organization_id):
        problems.append(f"organization_id must be an AWS Organizations id (o-...), got {args.organization_id!r}")
    if not args.images or len(set(args.images)) != len(args.images):
        problems.append(f"images must be a non-empty list without duplicates, got {list(args.images)}")
    for image in args.images:
        if not _REPO_RE.match(f"{args.name_prefix}/{image}"):
            problems.append(f"images: {args.name_prefix}/{image!s} is not an ECR repository name")
    if not 1 <= args.keep_images <= 1000:
        problems.append(f"keep_images must be between 1 and 1000, got {args.keep_images}")
    if not 7 <= args.key_deletion_window_days <= 30:
        problems.append(f"key_deletion_window_days must be between 7 and 30, got {args.key_deletion_window_days}")
    if problems:
        raise ValueError("ImageRegistries: " + "; ".join(problems))


def lifecycle_policy(keep_images: int) -> str:
    """Untagged images expire after 7 days; of the rest, only the newest `keep_images` stay."""
    return json.dumps({"rules": [
        {"rulePriority": 1, "description": f"untagged images expire after {UNTAGGED_EXPIRY_DAYS} days",
         "selection": {"tagStatus": "untagged", "countType": "sinceImagePushed", "countUnit": "days",
                       "countNumber": UNTAGGED_EXPIRY_DAYS},
         "action": {"type": "expire"}},
        {"rulePriority": 2, "description": f"keep the last {keep_images} images",
         "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": keep_images},
         "action": {"type": "expire"}},
    ]}, sort_keys=True)


def repository_policy(organization_id: str) -> str:
    """Pull only, and only by principals of this organisation's accounts."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "PullFromOrganizationAccounts", "Effect": "Allow", "Principal": {"AWS": "*"},
        "Action": list(PULL_ACTIONS),
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
    }]}, sort_keys=True)


class ImageRegistries(pulumi.ComponentResource):
    """`repositories` and `repository_urls` by image name."""

    repositories: dict[str, aws.ecr.Repository]
    repository_urls: dict[str, pulumi.Output[str]]

    def __init__(self, name: str, args: ImageRegistriesArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_image_registries_args(args)
        super().__init__("platform:registry:ImageRegistries", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        stateful = pulumi.ResourceOptions(parent=self, protect=args.protect)
        tags = dict(args.tags)
        self.key = aws.kms.Key(
            f"{name}-key", description=f"Encrypts the {args.name_prefix} image repositories",
            enable_key_rotation=True, deletion_window_in_days=args.key_deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(lambda account: json.dumps({
                "Version": "2012-10-17", "Statement": [{
                    "Sid": "RootAdministersTheKey", "Effect": "Allow",
                    "Principal": {"AWS": f"arn:aws:iam::{account}:root"}, "Action": "kms:*", "Resource": "*"}]})),
            tags=tags, opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(
                retain_on_delete=args.retain_on_delete)))
        self.repositories = {}
        for image in args.images:
            repository = aws.ecr.Repository(
                f"{name}-{image}", name=f"{args.name_prefix}/{image}", image_tag_mutability="IMMUTABLE",
                image_scanning_configuration=aws.ecr.RepositoryImageScanningConfigurationArgs(scan_on_push=True),
                encryption_configurations=[aws.ecr.RepositoryEncryptionConfigurationArgs(
                    encryption_type="KMS", kms_key=self.key.arn)],
                force_delete=False, tags=tags, opts=stateful)
            aws.ecr.LifecyclePolicy(f"{name}-{image}-lifecycle", repository=repository.name,
                                    policy=lifecycle_policy(args.keep_images), opts=child)
            aws.ecr.RepositoryPolicy(f"{name}-{image}-policy", repository=repository.name,
                                     policy=repository_policy(args.organization_id), opts=child)
            self.repositories[image] = repository
        self.repository_urls = {image: r.repository_url for image, r in self.repositories.items()}
        self.register_outputs({"repositoryUrls": self.repository_urls})
