"""The environment's certificate: ACM, `*.<env domain>` and the apex, validated by DNS in the configured Route 53
zone, and the ALB waits for the validated certificate (ACM docs, "DNS validation": one CNAME per domain; a
wildcard and its apex share it; `aws.acm.CertificateValidation` waits until ACM reports it issued)."""

from __future__ import annotations

import pytest

from components.aws.certificate import EnvironmentCertificateArgs, validate_environment_certificate_args
from stack_config import parse
from tests.support import STACKS, preflight_plan
from tests.test_stack_config import raw_config


@pytest.mark.parametrize("stack", STACKS)
def test_the_certificate_covers_the_environment_domain_and_is_validated_in_its_zone(stack: str) -> None:
    cfg = parse(stack, raw_config(stack))
    assert cfg.ingress is not None
    plan = preflight_plan(stack)
    certificate = plan.one("aws:acm/certificate:Certificate")
    assert certificate.inputs["domainName"] == f"*.{cfg.domain}"
    assert certificate.inputs["subjectAlternativeNames"] == [cfg.domain]
    assert certificate.inputs["validationMethod"] == "DNS"
    record = plan.one("aws:route53/record:Record")
    assert record.inputs["zoneId"] == cfg.ingress.hosted_zone_id
    option = certificate.outputs["domainValidationOptions"][0]
    assert (record.inputs["name"], record.inputs["type"], record.inputs["records"]) == (
        option["resourceRecordName"], option["resourceRecordType"], [option["resourceRecordValue"]])
    validation = plan.one("aws:acm/certificateValidation:CertificateValidation")
    assert validation.inputs["certificateArn"] == certificate.outputs["arn"]
    assert validation.inputs["validationRecordFqdns"] == [record.outputs["fqdn"]]


def test_exactly_one_way_of_getting_a_certificate() -> None:
    with pytest.raises(ValueError) as info:
        validate_environment_certificate_args(EnvironmentCertificateArgs(domain="Bad_Domain"))
    assert "domain must be a DNS name" in str(info.value)
    assert "exactly one of hosted_zone_id and certificate_arn" in str(info.value)
