"""The shipped stacks against both packs: clean, every exemption still needed, and a noncompliant prod variant
that the preflight refuses naming every policy."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from preflight.policy import load_packs, read_policy_config, resolve_config
from tests.policies.rules.conftest import ACCESS_SNIPPET, GUARDRAILS_SNIPPET, IAM_SNIPPET, INTEGRITY_SNIPPET
from tests.support import PROJECT_DIR, STACKS, preflight_plan, preflight_violations


def _found(stack: str, policies: set[str] | None = None, exclude: frozenset[str] | set[str] = frozenset()) -> list[str]:
    return [f"{v.policy} {v.urn.rsplit('::', 1)[-1]}: {v.message.splitlines()[-1]}"
            for v in preflight_violations(stack)
            if (policies is None or v.policy in policies) and v.policy not in exclude]


@pytest.mark.parametrize("stack", STACKS)
def test_shipped_stack_has_no_violation(stack: str) -> None:
    assert _found(stack) == []


@pytest.mark.parametrize("stack", ["staging", "prod"])
def test_every_rule_is_mandatory_in_staging_and_prod(stack: str) -> None:
    """Design Appendix: the gates block in staging and prod; no rule of any pack is left advisory there."""
    config = read_policy_config(PROJECT_DIR, stack)
    levels = {name: level for pack in load_packs(PROJECT_DIR) for name, (level, _) in
              resolve_config(pack, config).items()}
    assert levels and {name for name, level in levels.items() if level != "mandatory"} == set()


@pytest.mark.parametrize("stack", STACKS)
def test_every_exemption_names_a_resource_of_the_stack(stack: str) -> None:
    """A stale exemption (the resource was renamed or removed) would silently exempt a future resource."""
    names = {r.name for r in preflight_plan(stack).registered} | {r.urn for r in preflight_plan(stack).registered}
    for policy, entry in read_policy_config(PROJECT_DIR, stack).items():
        for exemption in entry.get("exemptions", []) if isinstance(entry, dict) else []:
            assert exemption["resource"] in names, f"{stack}: {policy} exempts unknown {exemption['resource']}"


def test_prod_egress_allow_list_matches_the_stack_config() -> None:
    stack_file = yaml.safe_load((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    cidrs = stack_file["config"]["ml-platform:egress"]["allowedCidrs"]
    config = read_policy_config(PROJECT_DIR, "prod")
    for policy in ("kubernetes-networkpolicy-no-open-egress", "aws-ec2-security-group-no-open-egress"):
        assert config[policy]["allowedEgressCidrs"] == cidrs


def test_prod_workspace_ids_match_the_stack_files() -> None:
    """The binding rule knows the other environments' workspaces only from the pack config: it must be theirs."""
    ids = {stack: str(yaml.safe_load((PROJECT_DIR / f"Pulumi.{stack}.yaml").read_text())["config"]
                      ["ml-platform:databricks"]["workspaceId"]) for stack in STACKS}
    assert read_policy_config(PROJECT_DIR, "prod")["databricks-catalog-prod-isolated"]["workspaceIds"] == ids


def test_noncompliant_prod_variant_exits_1_naming_every_policy(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text((PROJECT_DIR / "Pulumi.prod.yaml").read_text())
    # The snippets' resources are on default providers (they exercise the packs, not the providers): the variant
    # lets the engine create those, as the shipped project does not.
    project, denial = (PROJECT_DIR / "Pulumi.yaml").read_text(), '  pulumi:disable-default-providers: ["*"]\n'
    assert denial in project
    (tmp_path / "Pulumi.yaml").write_text(project.replace(denial, ""))
    # The program runs in its project directory, as under the language host: it reads its chart from there.
    for folder in ("policies", "charts"):
        (tmp_path / folder).symlink_to(PROJECT_DIR / folder)
    program = (PROJECT_DIR / "__main__.py").read_text()
    (tmp_path / "__main__.py").write_text("\n".join([program, IAM_SNIPPET, GUARDRAILS_SNIPPET, ACCESS_SNIPPET,
                                                     INTEGRITY_SNIPPET]))
    done = subprocess.run([sys.executable, "-m", "preflight", "--stack", "prod", "--json", "--project-dir",
                           str(tmp_path)], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 1, done.stderr
    violations = json.loads(done.stdout)["violations"]
    mandatory = {v["policy"] for v in violations if v["enforcement"] == "mandatory"}
    every = {p.name for pack in load_packs(PROJECT_DIR) for p in pack.policies}
    assert mandatory == every


def test_prod_preview_only_notes_values_it_cannot_know_yet() -> None:
    """During `pulumi preview` nothing is violated; what cannot be judged is an advisory note, never a crash. The
    stack policies that join buckets and namespaces to their parts still run (by the engine's dependency edges
    where names are unknown)."""
    violations = preflight_violations("prod", preview=True)
    assert [v for v in violations if not (v.enforcement == "advisory" and "during preview" in v.message)] == []
    skipped = {v.policy for v in violations}
    assert not skipped & {"aws-s3-bucket-encryption-kms", "aws-s3-bucket-public-access-block",
                          "kubernetes-namespace-default-deny-egress", "kubernetes-namespace-quota-and-limits"}
