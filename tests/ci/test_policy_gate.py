"""The prod preview gate: a policy that could not run (unknown values during preview) fails the preview."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy import EnforcementLevel, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy

from ci.policy_gate import main, policies_that_could_not_run
from preflight.policy import LoadedPack, evaluate
from tests.support import run_snippet

SKIPPED = ("    - [advisory]  bucket-encryption  (aws:s3/bucket:Bucket: prod-raw-bucket)\n"
           "      can't run policy 'bucket-encryption' from policy pack 'least-privilege@v0.1.0' during preview: "
           "can't access property 'serverSideEncryptionConfiguration'; value is unknown\n")
CLEAN = "Previewing update (prod):\n ~ aws:s3/bucket:Bucket prod-raw-bucket update\nResources:\n    1 to update\n"


def test_gate_recognises_what_pulumi_policy_reports_for_a_skipped_policy(tmp_path: Path) -> None:
    """The real diagnostic, not a copy of it: a policy that reads an input unknown during preview, replayed
    through the pinned pulumi-policy analyzer by the preflight. If an upgrade rewords it, this goes red."""
    plan = run_snippet(tmp_path, """
        import pulumi_aws as aws
        key = aws.kms.Key("probe-key")
        aws.s3.Bucket("probe-bucket", bucket=key.arn)
    """, preview=True)

    def reads_bucket(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        if args.resource_type == "aws:s3/bucket:Bucket" and not args.props["bucket"]:
            report_violation("bucket has no name")

    pack = LoadedPack(folder=tmp_path, name="probe-pack", version="1.2.3", initial_config=None,
                      enforcement_level=EnforcementLevel.MANDATORY,
                      policies=[ResourceValidationPolicy(name="reads-bucket", description="probe",
                                                         validate=reads_bucket)])
    messages = "\n".join(v.message for v in evaluate(tmp_path, plan, packs=[pack], policy_config={}))
    assert policies_that_could_not_run(messages) == ["probe-pack@v1.2.3/reads-bucket"]


def test_skipped_policies_are_listed_once_each() -> None:
    other = SKIPPED.replace("bucket-encryption", "no-public-egress").replace("least-privilege", "prod-guardrails")
    assert policies_that_could_not_run(CLEAN + SKIPPED + other + SKIPPED) == [
        "least-privilege@v0.1.0/bucket-encryption", "prod-guardrails@v0.1.0/no-public-egress"]


def test_clean_preview_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], {"PREVIEW_OUTPUT": CLEAN}) == 0
    assert capsys.readouterr().out == "every policy ran during the preview\n"


def test_a_skipped_policy_fails(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], {"PREVIEW_OUTPUT": CLEAN + SKIPPED}) == 1
    assert capsys.readouterr().err == ("error: policy least-privilege@v0.1.0/bucket-encryption could not run "
                                       "during the preview (a value it reads is unknown)\n")


@pytest.mark.parametrize("environ", [{}, {"PREVIEW_OUTPUT": "  \n"}])
def test_missing_output_is_an_error_not_a_pass(environ: dict[str, str]) -> None:
    assert main([], environ) == 2
