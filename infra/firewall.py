"""AWS WAF in front of the stage: AWS's common managed rules and a rate limit per IP.

The common rule set (``AWSManagedRulesCommonRuleSet``) blocks the usual attacks
(cross-site scripting, path traversal, bad bots' user agents, ...). Its
``SizeRestrictions_BODY`` rule would block every body over 8 KB, and this API's
batch and transaction operations legitimately carry more, up to the function's
6 MB payload limit; so that one rule only counts. The rate-based rule blocks an IP
that makes more than ``wafRateLimit`` requests in five minutes, in front of the
stage's own throttling, which is shared by all callers.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws as aws

COMMON_RULE_SET = "AWSManagedRulesCommonRuleSet"
#: Rules of the common set that only count here, and why (see the module's docstring).
COUNTED_RULES = ("SizeRestrictions_BODY",)
RATE_WINDOW_SECONDS = 300


def web_acl(
    name: str,
    acl_name: str,
    rate_limit: int,
    stage: aws.apigateway.Stage,
    opts: pulumi.ResourceOptions,
) -> aws.wafv2.WebAcl:
    """The web ACL, associated with ``stage``; its metrics are named after ``acl_name``."""
    rules: list[dict[str, Any]] = [
        {
            "name": "rate-per-ip",
            "priority": 0,
            "action": {"block": {}},
            "statement": {
                "rate_based_statement": {
                    "limit": rate_limit,
                    "aggregate_key_type": "IP",
                    "evaluation_window_sec": RATE_WINDOW_SECONDS,
                }
            },
            "visibility_config": _visibility(f"{acl_name}-rate-per-ip"),
        },
        {
            "name": COMMON_RULE_SET,
            "priority": 1,
            "override_action": {"none": {}},
            "statement": {
                "managed_rule_group_statement": {
                    "vendor_name": "AWS",
                    "name": COMMON_RULE_SET,
                    "rule_action_overrides": [
                        {"name": rule, "action_to_use": {"count": {}}} for rule in COUNTED_RULES
                    ],
                }
            },
            "visibility_config": _visibility(f"{acl_name}-common"),
        },
    ]
    acl_args: dict[str, Any] = {
        "name": acl_name,
        # WAF takes only letters, digits, spaces and +=:#@/-,. in a description (no apostrophe).
        "description": "The DynamoDB operations API stage: common managed rules, rate per IP",
        "scope": "REGIONAL",
        "default_action": {"allow": {}},
        "rules": rules,
        "visibility_config": _visibility(acl_name),
    }
    acl = aws.wafv2.WebAcl(f"{name}-web-acl", **acl_args, opts=opts)
    aws.wafv2.WebAclAssociation(
        f"{name}-web-acl-association",
        resource_arn=stage.arn,
        web_acl_arn=acl.arn,
        opts=opts,
    )
    return acl


def _visibility(metric_name: str) -> dict[str, Any]:
    return {
        "cloudwatch_metrics_enabled": True,
        "metric_name": metric_name,
        "sampled_requests_enabled": True,
    }
