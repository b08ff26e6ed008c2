"""The settings of what stands before the stage: a custom domain and a WAF web ACL.

Each group is a model of its own, with its own rules; :class:`infra.settings.Settings`
holds both, so their keys stay flat in a stack file (``domainName``, ``wafRateLimit``)
and on the settings (``settings.domain_name``).
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, model_validator

from infra.setting_values import ConfigBool, ConfigInt, ConfigModel, ConfigText, refuse

#: The longest domain name ACM issues a certificate for: RequestCertificate's DomainName
#: "cannot exceed 64 octets, including periods" (it becomes the common name).
ACM_COMMON_NAME_LENGTH = 64
#: WAF's bounds on a rate-based rule's requests per IP in five minutes.
WAF_RATE_LIMITS = (10, 2_000_000_000)


class CustomDomain(ConfigModel):
    """A regional custom domain for the API, with its certificate and DNS zone."""

    domain_name: ConfigText = Field(
        "",
        max_length=253,
        pattern=r"^(|([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63})$",
        description="A custom domain for the API (regional); needs certificateArn or "
        "hostedZoneId. The url output then uses it.",
        json_schema_extra={
            "refusal": "must be a lower-case DNS name like api.example.com",
            "docs": "A custom domain the `url` then uses; needs `certificateArn` or "
            "`hostedZoneId` ([Operating](operating.md#custom-domain-domainname)).",
        },
    )
    certificate_arn: ConfigText = Field(
        "",
        pattern=r"^(|arn:aws[a-z-]*:acm:[a-z0-9-]+:[0-9]{12}:certificate/[A-Za-z0-9-]+)$",
        description="An ACM certificate for domainName in the stack's region; empty to issue "
        "one validated by DNS in hostedZoneId.",
        json_schema_extra={
            "refusal": "must be an ACM certificate ARN "
            "(arn:aws:acm:<region>:<account>:certificate/<id>)",
            "docs": "An ACM certificate for `domainName` in the stack's region (one from "
            "another region is refused, naming both); empty to have one issued and validated "
            "by DNS in `hostedZoneId`, which ACM does for names of up to 64 characters.",
        },
    )
    hosted_zone_id: ConfigText = Field(
        "",
        pattern=r"^(|Z[A-Z0-9]{1,31})$",
        description="The Route 53 hosted zone of domainName, where the certificate is "
        "validated (if issued here) and the name points at the API.",
        json_schema_extra={
            "refusal": "must be a Route 53 hosted zone id like Z0123456789ABCDEFGHIJ",
            "docs": "The Route 53 zone of `domainName`: the certificate's validation record "
            "and an alias record pointing the name at the API go there.",
        },
    )

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if not self.domain_name:
            for key, value in (
                ("certificateArn", self.certificate_arn),
                ("hostedZoneId", self.hosted_zone_id),
            ):
                if value:
                    refuse("needs domainName (the custom domain it is for)", at=(key,))
            return self
        if not (self.certificate_arn or self.hosted_zone_id):
            refuse(
                "needs certificateArn (an ACM certificate for it in the stack's region) or "
                "hostedZoneId (the Route 53 zone to validate a new certificate and point the "
                "name in)",
                at=("domainName",),
            )
        if not self.certificate_arn and len(self.domain_name) > ACM_COMMON_NAME_LENGTH:
            refuse(
                f"is over {ACM_COMMON_NAME_LENGTH} characters, the longest name ACM issues a "
                "certificate for (its common name): give certificateArn, a certificate of "
                "yours that names it",
                at=("domainName",),
            )
        return self


class Firewall(ConfigModel):
    """An AWS WAF web ACL on the stage: AWS's common rules and a rate limit per IP."""

    waf: ConfigBool = Field(
        False,
        description="An AWS WAF web ACL on the stage with AWS's common managed rule set and "
        "a rate-based rule per IP.",
        json_schema_extra={
            "docs": "An AWS WAF web ACL on the stage: AWS's common managed rules and a rate "
            "limit per IP ([Operating](operating.md#waf-waf)).",
        },
    )
    waf_rate_limit: ConfigInt = Field(
        2000,
        ge=WAF_RATE_LIMITS[0],
        le=WAF_RATE_LIMITS[1],
        description="Requests one IP may make in 5 minutes before WAF blocks it (with waf).",
        json_schema_extra={
            "refusal": f"must be {WAF_RATE_LIMITS[0]} to {WAF_RATE_LIMITS[1]:,} requests per "
            "IP in 5 minutes",
            "docs": "Requests one IP may make in five minutes before WAF blocks it "
            f"({WAF_RATE_LIMITS[0]} to {WAF_RATE_LIMITS[1]:,}).",
        },
    )
