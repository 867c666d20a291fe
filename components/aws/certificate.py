"""The environment's TLS certificate from ACM for `<env domain>` and `*.<env domain>` (Design Appendix 1.2's
domains), validated by DNS in a Route 53 zone of the member account, or an existing certificate adopted by
ARN when the zone lives elsewhere. The ALB presents it; nothing else holds a private key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from components.patterns import DNS_NAME


@dataclass(frozen=True)
class EnvironmentCertificateArgs:
    domain: str
    """The environment's domain (`dev.internal.example.com`); the certificate covers it and `*.` of it."""
    hosted_zone_id: str | None = None
    """Route 53 zone the validation record is written to. Exactly one of this and `certificate_arn`."""
    certificate_arn: str | None = None
    """An existing, validated certificate covering `*.<domain>`: used as is, nothing created."""
    tags: Mapping[str, str] = field(default_factory=dict)
    """Tags on the certificate."""


def validate_environment_certificate_args(args: EnvironmentCertificateArgs) -> None:
    """Collect every problem with `args` and raise one ValueError naming each property and bad value."""
    problems: list[str] = []
    if not DNS_NAME.fullmatch(args.domain):
        problems.append(f"domain must be a DNS name, got {args.domain!r}")
    if (args.hosted_zone_id is None) == (args.certificate_arn is None):
        problems.append("exactly one of hosted_zone_id and certificate_arn must be set, got "
                        f"{args.hosted_zone_id!r} and {args.certificate_arn!r}")
    if problems:
        raise ValueError("; ".join(problems))


class EnvironmentCertificate(pulumi.ComponentResource):
    """`.arn`: a certificate the ALB may use (issued once the validation record resolves)."""

    arn: pulumi.Output[str]

    def __init__(self, name: str, args: EnvironmentCertificateArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        validate_environment_certificate_args(args)
        super().__init__("platform:acm:EnvironmentCertificate", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        if args.certificate_arn is not None:
            self.arn = pulumi.Output.from_input(args.certificate_arn)
        else:
            certificate = aws.acm.Certificate(
                f"{name}-certificate", domain_name=f"*.{args.domain}", subject_alternative_names=[args.domain],
                validation_method="DNS", key_algorithm="EC_prime256v1", tags=dict(args.tags),
                # A replacement (new domain) must exist before the ALB lets go of the old one.
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(delete_before_replace=False)))
            # The wildcard and the apex share one validation record (ACM derives it from the apex).
            option = certificate.domain_validation_options.apply(lambda options: options[0])
            record = aws.route53.Record(
                f"{name}-validation", zone_id=args.hosted_zone_id, ttl=300,
                name=option.apply(lambda o: o.resource_record_name or ""),
                type=option.apply(lambda o: o.resource_record_type or "CNAME"),
                records=[option.apply(lambda o: o.resource_record_value or "")], opts=child)
            # Bounded wait: ACM issues within minutes once the record resolves; fail the update rather than hang.
            validation = aws.acm.CertificateValidation(
                f"{name}-validated", certificate_arn=certificate.arn, validation_record_fqdns=[record.fqdn],
                opts=pulumi.ResourceOptions.merge(child, pulumi.ResourceOptions(
                    custom_timeouts=pulumi.CustomTimeouts(create="30m"))))
            self.arn = validation.certificate_arn
        self.register_outputs({"arn": self.arn})
