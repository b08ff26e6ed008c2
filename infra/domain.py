"""The API's own domain: a regional custom domain name in front of the stage.

With ``hostedZoneId`` and no ``certificateArn``, ACM issues the certificate and
validates it by DNS in that zone; with ``certificateArn``, the certificate is
yours (in the stack's region, since the endpoint is regional). Either way the
domain maps its root to the stage, so ``https://<domain>/DynamoDBManager`` is
the URL, and with ``hostedZoneId`` an alias record points the name at it;
without one, point a CNAME at the ``domainTarget`` output yourself.

A REST API's stage is mapped by a base path mapping, an HTTP API's by an API
mapping (API Gateway version 2). The domain itself is the same resource for both:
"a Regional custom domain can be associated with REST APIs and HTTP APIs"
(https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-custom-domain-names.html),
and HTTP APIs take its TLS 1.2 policy, so a stack that changes its ``apiType``
keeps its domain, certificate and DNS record, and only its mapping changes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from infra.settings import Settings, SettingsError

#: TLS 1.2 and later (API Gateway's ``SecurityPolicy_*`` policies can be stricter still).
SECURITY_POLICY = "TLS_1_2"


@dataclass(frozen=True)
class CustomDomain:
    """Where callers reach the API, and the name a DNS record must point at."""

    base_url: pulumi.Output[str]
    target: pulumi.Output[str]


def custom_domain(
    name: str,
    settings: Settings,
    rest_api: aws.apigateway.RestApi,
    stage: aws.apigateway.Stage,
    opts: pulumi.ResourceOptions,
) -> CustomDomain:
    """The domain, its certificate (issued here or given), DNS record and the REST API's
    stage mapped at its root."""
    domain = _regional_domain(name, settings, opts)
    aws.apigateway.BasePathMapping(
        f"{name}-base-path-mapping",
        domain_name=domain.domain_name,
        rest_api=rest_api.id,
        stage_name=stage.stage_name,
        opts=opts,
    )
    return _reached_at(domain)


def http_custom_domain(
    name: str,
    settings: Settings,
    api: aws.apigatewayv2.Api,
    stage: aws.apigatewayv2.Stage,
    opts: pulumi.ResourceOptions,
) -> CustomDomain:
    """The domain, its certificate (issued here or given), DNS record and the HTTP API's
    stage mapped at its root (an API mapping without a key)."""
    domain = _regional_domain(name, settings, opts)
    aws.apigatewayv2.ApiMapping(
        f"{name}-api-mapping",
        domain_name=domain.domain_name,
        api_id=api.id,
        stage=stage.name,
        opts=opts,
    )
    return _reached_at(domain)


def _reached_at(domain: aws.apigateway.DomainName) -> CustomDomain:
    return CustomDomain(
        base_url=pulumi.Output.concat("https://", domain.domain_name),
        target=domain.regional_domain_name,
    )


def _regional_domain(
    name: str, settings: Settings, opts: pulumi.ResourceOptions
) -> aws.apigateway.DomainName:
    """The regional domain name, its certificate and, in a hosted zone, its alias record."""
    certificate_arn: pulumi.Input[str] = (
        _in_stack_region(settings.certificate_arn)
        if settings.certificate_arn
        else _issued_certificate(name, settings, opts)
    )
    domain = aws.apigateway.DomainName(
        f"{name}-domain",
        domain_name=settings.domain_name,
        regional_certificate_arn=certificate_arn,
        endpoint_configuration={"types": "REGIONAL"},
        security_policy=SECURITY_POLICY,
        opts=opts,
    )
    if settings.hosted_zone_id:
        aws.route53.Record(
            f"{name}-domain-record",
            zone_id=settings.hosted_zone_id,
            name=settings.domain_name,
            type="A",
            aliases=[
                {
                    "name": domain.regional_domain_name,
                    "zone_id": domain.regional_zone_id,
                    "evaluate_target_health": False,
                }
            ],
            opts=opts,
        )
    return domain


def _in_stack_region(certificate_arn: str) -> str:
    """The certificate's ARN, checked to be in the stack's region where that is known.

    A regional domain takes only a certificate of its own region; one from
    us-east-1, as CloudFront and edge-optimized APIs want, fails the update.
    The region is the provider's, from ``aws:region`` or the environment.
    """
    stack_region = pulumi.Config("aws").get("region") or os.environ.get(
        "AWS_REGION", os.environ.get("AWS_DEFAULT_REGION")
    )
    certificate_region = certificate_arn.split(":")[3]
    if stack_region and certificate_region != stack_region:
        raise SettingsError(
            f"config certificateArn: the certificate is in {certificate_region}, the stack in "
            f"{stack_region}; a regional custom domain takes a certificate of its own region "
            "(request or import one there)"
        )
    return certificate_arn


def _issued_certificate(
    name: str, settings: Settings, opts: pulumi.ResourceOptions
) -> pulumi.Output[str]:
    """A certificate ACM issues for the domain once the zone holds its validation record."""
    certificate = aws.acm.Certificate(
        f"{name}-certificate",
        domain_name=settings.domain_name,
        validation_method="DNS",
        opts=opts,
    )
    validation = certificate.domain_validation_options[0]
    record = aws.route53.Record(
        f"{name}-certificate-validation-record",
        zone_id=settings.hosted_zone_id,
        name=validation.resource_record_name,
        type=validation.resource_record_type,
        records=[validation.resource_record_value],
        ttl=60,
        allow_overwrite=True,
        opts=opts,
    )
    validated = aws.acm.CertificateValidation(
        f"{name}-certificate-validation",
        certificate_arn=certificate.arn,
        validation_record_fqdns=[record.fqdn],
        opts=opts,
    )
    return validated.certificate_arn
