"""Grafana in `platform-monitoring` (Design Appendix 1.1 values: persistence, an ingress with TLS): the upstream
chart at a pinned version, its dashboards' database on a volume of the `ssd-retain` StorageClass (kept when
the claim goes), the admin credentials read from the Kubernetes Secret `grafana-admin` that External Secrets
Operator syncs from a Secrets Manager secret of this component (its own KMS key; the platform release's
bootstrap Job generates the password into it once, so it never passes through Pulumi or values). The UI is
reached through the internal ALB (platform_ingress.py).

REALITY.md, answered: (1) the login's secret before the platform release whose bootstrap hook fills it, the
release after it (`install`), the `ssd-retain` class and its CSI driver (cluster layer); (2) the SecretStore
authenticates as `grafana-secrets`, whose role reads only that secret; (4) the volume needs the EBS CSI
add-on; (5) a `storage_size` increase expands the claim (the class allows it), a class change would replace the
volume (the release is protected in prod); (7) chart pinned (`CHART_VERSION`); (8) no password in values.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
from pulumi_kubernetes.apiextensions import CustomResource
from pulumi_kubernetes.core.v1 import ServiceAccount
from pulumi_kubernetes.helm.v3 import Release, RepositoryOptsArgs
from pulumi_kubernetes.meta.v1 import ObjectMetaArgs

from components.kubernetes.upstream_chart import checked_values

CHART = "grafana"
CHART_VERSION = "8.8.2"
"""Upstream chart release; pinned, bumped on purpose."""
CHART_REPOSITORY = "https://grafana.github.io/helm-charts"
SERVICE_PORT = 80
CONTAINER_PORT = 3000
POD_LABELS = {"app.kubernetes.io/name": "grafana"}
ADMIN_SECRET = "grafana-admin"
"""The Kubernetes Secret (keys `admin-user`, `admin-password`) Grafana reads its admin login from."""
SECRET_READER = "grafana-secrets"
"""ServiceAccount the SecretStore authenticates as (IRSA: its role reads the admin login only). Grafana's own
pods run as the chart's account, which holds no AWS permission."""


def reader_policy(secret_arn: str, key_arn: str) -> str:
    """Read the one admin-login secret, decrypting with its key only through Secrets Manager for that secret."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Sid": "ReadAdminLogin", "Effect": "Allow",
         "Action": ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], "Resource": secret_arn},
        {"Sid": "DecryptAdminLogin", "Effect": "Allow", "Action": "kms:Decrypt", "Resource": key_arn,
         "Condition": {"StringLike": {"kms:ViaService": "secretsmanager.*.amazonaws.com"},
                       "StringEquals": {"kms:EncryptionContext:SecretARN": secret_arn}}}]})


def trust_policy(provider_arn: str, issuer: str, namespace: str) -> str:
    """Only the secret reader's service account may assume the role, with the STS audience."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"Federated": provider_arn}, "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {f"{issuer}:sub": f"system:serviceaccount:{namespace}:{SECRET_READER}",
                                       f"{issuer}:aud": "sts.amazonaws.com"}}}]})


def key_policy(account_id: str) -> str:
    """Root administers the key (so IAM policies govern its use); in a key policy `*` means this key."""
    return json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "RootAdministersTheKey", "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{account_id}:root"},
        "Action": "kms:*", "Resource": "*"}]})


@dataclass(frozen=True)
class GrafanaArgs:
    namespace: str
    """The monitoring namespace (`platform-monitoring`)."""
    admin_login_secret: str
    """Secrets Manager name of the admin login (`<prefix>/grafana/admin`, {"username", "password"}): created
    here, filled by the bootstrap Job (`writer_role_arn` must be allowed to write it)."""
    account_id: pulumi.Input[str]
    """The member account (administers the secret's key)."""
    region: str
    """AWS region of Secrets Manager (the SecretStore's)."""
    oidc_provider_arn: pulumi.Input[str]
    """The cluster's IAM OIDC provider, trusted by the secret reader's role."""
    oidc_issuer: pulumi.Input[str]
    """The cluster's issuer without `https://`."""
    writer_role_arn: pulumi.Input[str]
    """The bootstrap Job's role, which generates the password (documented here; its grant is PIPELINE_ACCESS)."""
    storage_class: str = "ssd-retain"
    """StorageClass of the persistent volume. Default `ssd-retain` (reclaim policy Retain)."""
    storage_size: str = "10Gi"
    """Size of the volume. Default 10Gi (Design Appendix)."""
    chart_version: str = CHART_VERSION
    """Upstream chart version. Default `CHART_VERSION`."""
    protect: bool = False
    """`protect` on the release, the secret and its key (the volume holds the dashboards). Default off; on in prod."""
    retain_on_delete: bool = True
    """Keep the key when removed from the stack. Default True."""
    key_deletion_window_days: int = 30
    """KMS deletion window, 7..30. Default 30."""
    secret_refresh_interval: str = "15m"
    """How often External Secrets Operator re-reads the login."""


def validate_grafana_args(args: GrafanaArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems = [f"{key} must not be empty" for key, value in (
        ("namespace", args.namespace), ("admin_login_secret", args.admin_login_secret),
        ("storage_class", args.storage_class)) if not value]
    if not args.chart_version[:1].isdigit():
        problems.append(f"chart_version must pin a release like '8.8.2', got {args.chart_version!r}")
    if not 7 <= args.key_deletion_window_days <= 30:
        problems.append(f"key_deletion_window_days must be between 7 and 30, got {args.key_deletion_window_days}")
    if problems:
        raise ValueError("; ".join(problems))


def grafana_values(args: GrafanaArgs) -> dict[str, object]:
    """The keys we set, checked against our schema (schemas/grafana.json)."""
    return checked_values(CHART, {
        "admin": {"existingSecret": ADMIN_SECRET, "userKey": "admin-user", "passwordKey": "admin-password"},
        "persistence": {"enabled": True, "storageClassName": args.storage_class, "size": args.storage_size},
        # The chown init container runs as root: refused by the namespace's restricted Pod Security Standard;
        # the pod's fsGroup makes the volume writable instead.
        "initChownData": {"enabled": False},
        "testFramework": {"enabled": False},
        # No ClusterRole: without the dashboard sidecars Grafana reads nothing from the API.
        "rbac": {"create": False},
        "service": {"type": "ClusterIP", "port": SERVICE_PORT},
        "nodeSelector": {"pool": "system"},
        "resources": {"requests": {"cpu": "100m", "memory": "256Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}},
    })


class Grafana(pulumi.ComponentResource):
    """The admin login (secret, key, reader role, SecretStore, ExternalSecret) and the pinned Grafana release."""

    secret_arn: pulumi.Output[str]
    login: aws.secretsmanager.Secret
    release: Release | None

    def __init__(self, name: str, args: GrafanaArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        """The login's secret, key, reader role and SecretStore; `install` adds the ExternalSecret and the release
        once the login has a value (the platform release's bootstrap Job writes it, into this secret: so the
        secret exists before that release, and Grafana's release comes after it)."""
        validate_grafana_args(args)
        super().__init__("platform:kubernetes:Grafana", name, None, opts)
        self._name, self._args = name, args
        waits_for = opts.depends_on if opts is not None else None
        child = pulumi.ResourceOptions(parent=self, depends_on=waits_for)
        self._child = child
        stateful = pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(protect=args.protect))
        key = aws.kms.Key(
            f"{name}-key", description=f"Encrypts Grafana's admin login ({args.admin_login_secret})",
            enable_key_rotation=True, deletion_window_in_days=args.key_deletion_window_days,
            policy=pulumi.Output.from_input(args.account_id).apply(key_policy),
            opts=pulumi.ResourceOptions.merge(stateful, pulumi.ResourceOptions(retain_on_delete=args.retain_on_delete)))
        # No value here: the bootstrap Job writes it inside the VPC, so no password passes through Pulumi.
        self.login = aws.secretsmanager.Secret(
            f"{name}-admin-login", name=args.admin_login_secret, kms_key_id=key.arn,
            description="Grafana's admin login (generated by the platform release's bootstrap Job)",
            recovery_window_in_days=args.key_deletion_window_days, opts=stateful)
        role = aws.iam.Role(
            f"{name}-secrets-role", name=f"{name}-secrets-irsa",
            description="IRSA role of Grafana's SecretStore: its admin login only",
            assume_role_policy=pulumi.Output.all(args.oidc_provider_arn, args.oidc_issuer).apply(
                lambda v: trust_policy(str(v[0]), str(v[1]), args.namespace)),
            max_session_duration=3600, opts=child)
        reader_grant = aws.iam.RolePolicy(
            f"{name}-secrets-policy", role=role.id, policy=pulumi.Output.all(self.login.arn, key.arn).apply(
                lambda v: reader_policy(str(v[0]), str(v[1]))), opts=child)
        reader = ServiceAccount(f"{name}-secrets-sa", metadata=ObjectMetaArgs(
            name=SECRET_READER, namespace=args.namespace, annotations={"eks.amazonaws.com/role-arn": role.arn}),
            automount_service_account_token=False, opts=child)
        self._store = CustomResource(
            f"{name}-secret-store", api_version="external-secrets.io/v1", kind="SecretStore",
            metadata=ObjectMetaArgs(name=f"aws-{SECRET_READER}", namespace=args.namespace),
            spec={"provider": {"aws": {"service": "SecretsManager", "region": args.region, "auth": {
                "jwt": {"serviceAccountRef": {"name": SECRET_READER}}}}}},
            opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(depends_on=[reader, reader_grant])))
        self.secret_arn = self.login.arn
        self.release = None
        self.service_name = CHART
        self.register_outputs({"secretArn": self.secret_arn})

    def install(self, after: list[pulumi.Resource]) -> Release:
        """The ExternalSecret writing `grafana-admin` and the pinned release, both after `after` (the platform
        release, whose bootstrap hook fills the login)."""
        name, args = self._name, self._args
        later = pulumi.ResourceOptions.merge(self._child, pulumi.ResourceOptions(depends_on=after))
        admin = CustomResource(
            f"{name}-admin-secret", api_version="external-secrets.io/v1", kind="ExternalSecret",
            metadata=ObjectMetaArgs(name=ADMIN_SECRET, namespace=args.namespace),
            spec={"refreshInterval": args.secret_refresh_interval,
                  "secretStoreRef": {"kind": "SecretStore", "name": f"aws-{SECRET_READER}"},
                  "target": {"name": ADMIN_SECRET, "creationPolicy": "Owner"},
                  "data": [{"secretKey": key_name, "remoteRef": {"key": args.admin_login_secret, "property": prop}}
                           for key_name, prop in (("admin-user", "username"), ("admin-password", "password"))]},
            opts=pulumi.ResourceOptions.merge(later, pulumi.ResourceOptions(depends_on=[self._store, self.login])))
        self.release = Release(
            f"{name}-release", name=CHART, chart=CHART, version=args.chart_version,
            repository_opts=RepositoryOptsArgs(repo=CHART_REPOSITORY), namespace=args.namespace,
            create_namespace=False, values=grafana_values(args), atomic=True, cleanup_on_fail=True, timeout=600,
            opts=pulumi.ResourceOptions.merge(later, pulumi.ResourceOptions(depends_on=[admin], protect=args.protect)))
        return self.release
