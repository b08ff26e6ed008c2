"""Limits AWS documents that botocore's service models do not carry, each with its page."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import regex


@dataclass(frozen=True)
class Documented:
    """A limit AWS documents that botocore's models do not carry, with its page."""

    type: str
    property: str
    rule: str
    page: str
    holds: Callable[[Any], bool]


def _policy_characters(policy: Any) -> int:
    """A policy's size as IAM counts it: its characters, whitespace left out."""
    text = policy if isinstance(policy, str) else json.dumps(policy)
    return sum(1 for character in text if not character.isspace())


def _environment_bytes(variables: Any) -> int:
    """The size of a function's environment variables, as Lambda's 4 KB limit counts it."""
    return len(json.dumps(variables or {}, separators=(",", ":")).encode())


#: CloudWatch Logs' retention periods (PutRetentionPolicy takes no other).
RETENTION_DAYS = frozenset(
    {1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731}
    | {1096, 1827, 2192, 2557, 2922, 3288, 3653}
)
_LAMBDA_QUOTAS = "https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html"
_IAM_QUOTAS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html"
_DYNAMODB_NAMES = "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html"
_DYNAMODB_QUOTAS = (
    "https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html"
)
_TAGGING = "https://docs.aws.amazon.com/tag-editor/latest/userguide/tagging.html"
_CLOUDWATCH_QUOTAS = (
    "https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/cloudwatch_limits.html"
)
_HTTP_API_QUOTAS = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-quotas.html"
)
#: An HTTP API's route key: ``$default``, or a method (or ``ANY``) and a path of segments, each
#: text or a ``{variable}``, a greedy one (``{proxy+}``) only last.
_ROUTE_KEY = regex.compile(
    r"\$default|(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) "
    r"(/([A-Za-z0-9._~!$&'()*,;=:@-]+|\{[A-Za-z0-9_]+\}))*(/\{[A-Za-z0-9_]+\+\})?"
)

#: AWS's documented limits beyond the models, each on the page that states it.
DOCUMENTED: tuple[Documented, ...] = (
    Documented(
        "aws:lambda/function:Function",
        "name",
        "a function name is 1 to 64 letters, digits, hyphens or underscores "
        "(the member's 140 characters are for an ARN)",
        "https://docs.aws.amazon.com/lambda/latest/api/API_CreateFunction.html",
        lambda name: bool(regex.fullmatch(r"[a-zA-Z0-9_-]{1,64}", name)),
    ),
    Documented(
        "aws:lambda/function:Function",
        "environment.variables",
        "all environment variables together take at most 4 KB",
        _LAMBDA_QUOTAS,
        lambda variables: _environment_bytes(variables) <= 4096,
    ),
    Documented(
        "aws:lambda/function:Function",
        "timeout",
        "an invocation runs at most 900 seconds (the model allows 5400 for durable functions)",
        _LAMBDA_QUOTAS,
        lambda seconds: 1 <= seconds <= 900,
    ),
    Documented(
        "aws:lambda/function:Function",
        "memorySize",
        "a function has 128 to 10,240 MB of memory",
        _LAMBDA_QUOTAS,
        lambda megabytes: 128 <= megabytes <= 10240,
    ),
    Documented(
        "aws:iam/rolePolicy:RolePolicy",
        "policy",
        "a role's inline policies together take at most 10,240 characters, whitespace not counted",
        _IAM_QUOTAS,
        lambda policy: _policy_characters(policy) <= 10240,
    ),
    Documented(
        "aws:iam/role:Role",
        "assumeRolePolicy",
        "a role's trust policy takes at most 2,048 characters (the default quota), "
        "whitespace not counted",
        _IAM_QUOTAS,
        lambda policy: _policy_characters(policy) <= 2048,
    ),
    Documented(
        "aws:dynamodb/table:Table",
        "name",
        "a table name is 3 to 255 letters, digits, '_', '-' or '.' "
        "(the member's 1024 characters are for an ARN)",
        _DYNAMODB_NAMES,
        lambda name: bool(regex.fullmatch(r"[a-zA-Z0-9_.-]{3,255}", name)),
    ),
    Documented(
        "aws:dynamodb/table:Table",
        "globalSecondaryIndexes",
        "a table has at most 20 global secondary indexes (the default quota)",
        _DYNAMODB_QUOTAS,
        lambda indexes: len(indexes or ()) <= 20,
    ),
    Documented(
        "aws:dynamodb/table:Table",
        "localSecondaryIndexes",
        "a table has at most 5 local secondary indexes",
        _DYNAMODB_QUOTAS,
        lambda indexes: len(indexes or ()) <= 5,
    ),
    Documented(
        "aws:cloudwatch/logGroup:LogGroup",
        "retentionInDays",
        f"a retention period is one of {sorted(RETENTION_DAYS)} days",
        "https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html",
        lambda days: days in RETENTION_DAYS,
    ),
    Documented(
        "aws:cloudwatch/metricAlarm:MetricAlarm",
        "name",
        "an alarm name holds UTF-8 characters but no ASCII control characters",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html",
        lambda name: not regex.search(r"[\x00-\x1f\x7f]", name),
    ),
    Documented(
        "aws:cloudwatch/dashboard:Dashboard",
        "dashboardName",
        "a dashboard name is 1 to 255 letters, digits, '-' or '_'",
        "https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutDashboard.html",
        lambda name: bool(regex.fullmatch(r"[A-Za-z0-9_-]{1,255}", name)),
    ),
    Documented(
        "aws:cloudwatch/dashboard:Dashboard",
        "dashboardBody",
        "a dashboard has at most 500 widgets",
        _CLOUDWATCH_QUOTAS,
        lambda body: len(json.loads(body).get("widgets", [])) <= 500,
    ),
    Documented(
        "aws:cloudwatch/dashboard:Dashboard",
        "dashboardBody",
        "a dashboard shows at most 2,500 metrics, and a widget at most 500",
        _CLOUDWATCH_QUOTAS,
        lambda body: _dashboard_metrics_fit(json.loads(body)),
    ),
    Documented(
        "aws:apigateway/stage:Stage",
        "stageName",
        "a stage name is 1 to 128 letters, digits, hyphens or underscores",
        "https://docs.aws.amazon.com/apigateway/latest/api/API_CreateStage.html",
        lambda name: bool(regex.fullmatch(r"[A-Za-z0-9_-]{1,128}", name)),
    ),
    Documented(
        "aws:apigateway/stage:Stage",
        "accessLogSettings.format",
        "an access log format holds $context.requestId or $context.extendedRequestId",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/set-up-logging.html",
        lambda text: "$context.requestId" in text or "$context.extendedRequestId" in text,
    ),
    Documented(
        "aws:apigatewayv2/route:Route",
        "routeKey",
        "a route key is $default, or a method (or ANY), a space and a path whose segments are "
        "text or {variables}, a greedy variable ({proxy+}) only at its end",
        "https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-develop-routes.html",
        lambda key: bool(_ROUTE_KEY.fullmatch(key)),
    ),
    Documented(
        "aws:apigatewayv2/stage:Stage",
        "accessLogSettings.format",
        "an access log template takes at most 3 KB",
        _HTTP_API_QUOTAS,
        lambda text: len(text.encode()) <= 3 * 1024,
    ),
    Documented(
        "aws:apigatewayv2/authorizer:Authorizer",
        "jwtConfiguration.audiences",
        "an authorizer takes at most 50 audiences",
        _HTTP_API_QUOTAS,
        lambda audiences: len(audiences or ()) <= 50,
    ),
    Documented(
        "aws:apigatewayv2/integration:Integration",
        "timeoutMilliseconds",
        "an HTTP API waits at most 30 seconds for an integration",
        _HTTP_API_QUOTAS,
        lambda milliseconds: milliseconds <= 30_000,
    ),
    Documented(
        "aws:sns/topic:Topic",
        "name",
        "a topic name is 1 to 256 ASCII letters, digits, hyphens or underscores",
        "https://docs.aws.amazon.com/sns/latest/api/API_CreateTopic.html",
        lambda name: bool(regex.fullmatch(r"[A-Za-z0-9_-]{1,256}", name)),
    ),
    Documented(
        "aws:sns/topic:Topic",
        "displayName",
        "a display name takes at most 100 characters",
        "https://docs.aws.amazon.com/sns/latest/api/API_SetTopicAttributes.html",
        lambda name: len(name) <= 100,
    ),
    Documented(
        "aws:wafv2/webAcl:WebAcl",
        "rules",
        "a rate-based rule's evaluation window is 60, 120, 300 or 600 seconds",
        "https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html",
        lambda rules: all(
            rule.get("statement", {}).get("rateBasedStatement", {}).get("evaluationWindowSec", 300)
            in (60, 120, 300, 600)
            for rule in rules or ()
        ),
    ),
    Documented(
        "aws:route53/record:Record",
        "name",
        "a DNS name is at most 255 octets, each label at most 63",
        "https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/DomainNameFormat.html",
        lambda name: (
            len(name.encode()) <= 255
            and all(len(label) <= 63 for label in name.rstrip(".").split("."))
        ),
    ),
    Documented(
        "*",
        "tagsAll",
        "a resource carries at most 50 tags",
        _TAGGING,
        lambda tags: len(tags or {}) <= 50,
    ),
    Documented(
        "*",
        "tagsAll",
        "tag keys differ in more than case (IAM takes them case-insensitively)",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/id_tags.html",
        lambda tags: len({str(key).lower() for key in tags or {}}) == len(tags or {}),
    ),
    Documented(
        "aws:acm/certificate:Certificate",
        "domainName",
        "the first domain name of a certificate is at most 64 octets (its common name)",
        "https://docs.aws.amazon.com/acm/latest/APIReference/API_RequestCertificate.html",
        lambda name: len(name.encode()) <= 64,
    ),
    Documented(
        "*",
        "tagsAll",
        "a tag key never begins with 'aws:', which AWS reserves",
        _TAGGING,
        lambda tags: not any(str(key).lower().startswith("aws:") for key in tags or {}),
    ),
)


def _dashboard_metrics_fit(body: Mapping[str, Any]) -> bool:
    counts = [len(widget.get("properties", {}).get("metrics", [])) for widget in body["widgets"]]
    return sum(counts) <= 2500 and all(count <= 500 for count in counts)
