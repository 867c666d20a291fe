"""No tracked file names a public host except documentation names and the real endpoints the program calls.

Examples live under the domains RFC 2606 reserves (example.com, example.org, example.net); a package index or
any other third-party host slipping in as an example would be copied into real stack files. The allow-list
below is explicit, each entry with its reason: extend it only for an endpoint the program must really call.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from tests.support import PROJECT_DIR

ALLOWED: dict[str, str] = {
    "example.com": "documentation domain (RFC 2606)",
    "example.org": "documentation domain (RFC 2606)",
    "example.net": "documentation domain (RFC 2606)",
    "amazonaws.com": "AWS service principals and endpoints (sts, eks, ec2, logs, the EKS OIDC issuers)",
    "token.actions.githubusercontent.com": "GitHub Actions' OIDC issuer, which the CI roles trust",
    "accounts.cloud.databricks.com": "the Databricks account console (account-level API)",
    "cloud.databricks.com": "Databricks workspace URLs on AWS (every workspace host is under it)",
    "kubernetes.io": "Kubernetes label and annotation prefixes (app.kubernetes.io/..., not a host called)",
    "k8s.io": "Kubernetes API groups (rbac.authorization.k8s.io, ...), not a host called",
    "helm.sh": "Helm's label prefix (helm.sh/chart), not a host called",
    "github.com": "GitHub: the repository, its API (ci/github_api.py) and the actions' sources",
    "json-schema.org": "the JSON Schema dialect identifier of values.schema.json",
    "docs.databricks.com": "cited documentation",
    "docs.aws.amazon.com": "cited documentation",
    "docs.github.com": "cited documentation",
    "www.pulumi.com": "cited documentation",
    "external-secrets.io": "External Secrets Operator: its API group (external-secrets.io/v1) and the chart "
                           "repository the secret-sync release pulls from (charts.external-secrets.io)",
    "stakater.github.io": "Stakater Reloader's chart repository, which the secret-sync release pulls from",
    "reloader.stakater.com": "Reloader's annotation prefix (secret.reloader.stakater.com/reload), not a host called",
    "kubernetes.github.io": "the Kubernetes autoscaler's chart repository, which the cluster-autoscaler release "
                            "pulls from",
    "ebs.csi.aws.com": "the EBS CSI driver's provisioner name in StorageClasses, not a host called",
    "aws.github.io": "the AWS Load Balancer Controller's Helm repository (eks-charts), fetched at its pinned version",
    "grafana.github.io": "Grafana's Helm repository, fetched at its pinned chart version",
}
# Host-like tokens: dotted labels ending in a common public top-level domain. Module paths (`pulumi.export`),
# file names (`values.yaml`) and URNs do not end in one of these.
_TLDS = "com|org|net|io|dev|ai|cloud|co|sh|app|us|uk|de|eu|info|biz|me|tech|xyz|gg|so"
_HOST = re.compile(rf"(?<![\w.-])((?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+(?:{_TLDS}))(?![\w-])")
# Case-sensitive on purpose: hosts are written in lower case, while `Pulumi.dev.yaml` is a file name.


def allowed(host: str) -> bool:
    host = host.lower()
    return any(host == suffix or host.endswith(f".{suffix}") for suffix in ALLOWED)


def hosts_in(text: str) -> set[str]:
    return {match.group(1).lower() for match in _HOST.finditer(text)}


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=PROJECT_DIR,
                            capture_output=True, text=True, check=True).stdout.splitlines()
    return [name for name in listed if (PROJECT_DIR / name).is_file()]


def test_no_tracked_file_names_a_host_outside_the_allow_list() -> None:
    offenders = []
    for name in tracked_files():
        try:
            text = (PROJECT_DIR / name).read_text()
        except UnicodeDecodeError:
            continue
        offenders += [f"{name}: {host}" for host in sorted(hosts_in(text)) if not allowed(host)]
    assert not offenders, "hosts outside tests/test_hosts.py's allow-list (use example.com):\n" + "\n".join(offenders)


# The hosts below are split in the source ("a" ".org") so that this file names none of them itself.
@pytest.mark.parametrize("text, found", [
    ("egressAllowedDomains: [" "pypi" ".org, files.python" "hosted" ".org]",
     {"pypi" ".org", "files.python" "hosted" ".org"}),
    ("--index-url https://mirror.corp" ".io/simple", {"mirror.corp" ".io"}),
    ("email: someone@gmail" ".com", {"gmail" ".com"}),
    ("image: registry.company" ".io/data-platform/mlflow", {"registry.company" ".io"}),
])
def test_the_scan_sees_hosts_in_every_form_a_file_holds_them(text: str, found: set[str]) -> None:
    assert hosts_in(text) == found
    assert not any(allowed(host) for host in found)


@pytest.mark.parametrize("text", [
    "pulumi.export('bucket_names', names)", "values.yaml", "components.aws.network",
    "https://dbc-prod.cloud.databricks.com", "sts.amazonaws.com", "app.kubernetes.io/name",
    "pypi-mirror.example.com"])
def test_documentation_names_code_and_real_endpoints_pass(text: str) -> None:
    assert all(allowed(host) for host in hosts_in(text)), hosts_in(text)


def test_a_lookalike_of_an_allowed_domain_is_not_allowed() -> None:
    assert not allowed("notexample" ".com")
    assert not allowed("example.com.attacker" ".net")
