"""The stack's alarms: what breaks first in this API, each notifying one SNS topic.

After CloudWatch's "Recommended alarms" for API Gateway, Lambda and DynamoDB:

* ``api-5xx-rate`` and ``api-latency-p99``: what callers see, at the stage, by the
  metrics the stack's API type publishes (:data:`infra.dashboard.API_GATEWAY_METRICS`);
* ``function-errors``, ``function-throttles`` and ``function-duration``: the
  function failing outside its own error handling, refused for want of
  concurrency, or running into its timeout;
* ``table-<table>-throttled`` and ``table-<table>-system-errors`` for every
  table the stack declares, and ``idempotency-records-...`` for the function's
  own. DynamoDB publishes both metrics per table *and* operation, so an alarm
  on the table alone would see no data; each is a Metrics Insights query
  summing the table's operations, whichever the API calls now or later.

Each alarm also notifies when it recovers. ``docs/operating.md`` says what
each one means and what to do first; the description carries the gist, since
it is what the notification shows.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from infra.alarm_thresholds import AlarmThresholds
from infra.dashboard import API_GATEWAY, API_GATEWAY_METRICS, table_metric_query

#: Every alarm looks at one-minute periods.
PERIOD_SECONDS = 60
OPERATING_GUIDE = "docs/operating.md#alarms-alarms"


@dataclass(frozen=True)
class Watched:
    """What the alarms and the dashboard watch, by the names CloudWatch knows them by."""

    #: ``rest`` or ``http``: which metrics API Gateway publishes for the API.
    api_type: str
    #: What those metrics name the API by: a REST API's name, an HTTP API's id.
    api: pulumi.Input[str]
    stage_name: pulumi.Input[str]
    function_name: pulumi.Input[str]
    timeout_seconds: int
    #: Each table's physical name by label: ``table-<logical name>``, or ``idempotency-records``.
    tables: Mapping[str, pulumi.Input[str]]
    #: The per-operation metrics' namespace, when the stack publishes them.
    metrics_namespace: str | None = None


@dataclass(frozen=True)
class _Alarm:
    key: str
    description: str
    threshold: float
    comparison: str
    periods: int
    namespace: str = ""
    metric_name: str = ""
    statistic: str = ""
    dimensions: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)
    #: A Metrics Insights query, instead of one metric.
    query: pulumi.Input[str] | None = None
    #: Metric math instead of one metric: the metrics it reads (id to metric name, their
    #: ``statistic`` and ``dimensions`` the alarm's), and the expression the alarm watches.
    math: tuple[Mapping[str, str], str] | None = None


def declare_alarms(
    prefix: str,
    watched: Watched,
    thresholds: AlarmThresholds,
    topic_arn: pulumi.Input[str],
    opts: pulumi.ResourceOptions,
) -> list[aws.cloudwatch.MetricAlarm]:
    """One CloudWatch alarm per :func:`_alarms` entry, named ``<prefix>-<key>``."""
    declared = []
    for alarm in _alarms(watched, thresholds):
        declared.append(
            aws.cloudwatch.MetricAlarm(
                f"{prefix}-{alarm.key}",
                name=f"{prefix}-{alarm.key}",
                alarm_description=f"{alarm.description} See {OPERATING_GUIDE}.",
                comparison_operator=alarm.comparison,
                threshold=alarm.threshold,
                evaluation_periods=alarm.periods,
                datapoints_to_alarm=alarm.periods,
                # No requests is no news: quiet stacks stay OK.
                treat_missing_data="notBreaching",
                alarm_actions=[topic_arn],
                ok_actions=[topic_arn],
                opts=opts,
                **_metric(alarm),
            )
        )
    return declared


def _metric(alarm: _Alarm) -> dict[str, Any]:
    """What the alarm watches, as ``MetricAlarm``'s arguments: one metric, a Metrics
    Insights query, or metric math."""
    if alarm.query is not None:
        query = {
            "id": "total",
            "expression": alarm.query,
            "period": PERIOD_SECONDS,
            "return_data": True,
        }
        return {"metric_queries": [query]}
    if alarm.math is not None:
        return {"metric_queries": _metric_math(alarm, *alarm.math)}
    return {
        "namespace": alarm.namespace,
        "metric_name": alarm.metric_name,
        "dimensions": dict(alarm.dimensions),
        "period": PERIOD_SECONDS,
        **(
            {"extended_statistic": alarm.statistic}
            if alarm.statistic.startswith("p")
            else {"statistic": alarm.statistic}
        ),
    }


def _metric_math(
    alarm: _Alarm, metrics: Mapping[str, str], expression: str
) -> list[dict[str, Any]]:
    """The alarm's metric math: each metric it reads, then the expression it watches."""
    return [
        *(
            {
                "id": metric_id,
                "metric": {
                    "namespace": alarm.namespace,
                    "metric_name": metric_name,
                    "dimensions": dict(alarm.dimensions),
                    "period": PERIOD_SECONDS,
                    "stat": alarm.statistic,
                },
                "return_data": False,
            }
            for metric_id, metric_name in metrics.items()
        ),
        {"id": "share", "expression": expression, "label": alarm.key, "return_data": True},
    ]


def _server_error_rate(watched: Watched, thresholds: AlarmThresholds) -> _Alarm:
    """The share of requests API Gateway answered with a 5xx.

    A REST API's ``5XXError`` counts 0 or 1 for each request, so its average is that
    share. An HTTP API's ``5xx`` is documented as "the number of server-side errors
    captured in a given period", so its share is worked out: its sum over ``Count``'s.
    """
    named = API_GATEWAY_METRICS[watched.api_type]
    api = {named.dimension: watched.api, "Stage": watched.stage_name}
    description = (
        "More than the threshold's share of requests got a 5xx from API Gateway for 3 minutes: "
        "read the function's ServerErrors by operation and its error log lines."
    )
    rest = watched.api_type == "rest"
    return _Alarm(
        "api-5xx-rate",
        description,
        thresholds.api_server_error_rate,
        "GreaterThanThreshold",
        3,
        API_GATEWAY,
        metric_name=named.server_errors if rest else "",
        statistic="Average" if rest else "Sum",
        dimensions=api,
        math=None
        if rest
        else (
            {"errors": named.server_errors, "requests": named.requests},
            "errors / requests",
        ),
    )


def _alarms(watched: Watched, thresholds: AlarmThresholds) -> list[_Alarm]:
    named = API_GATEWAY_METRICS[watched.api_type]
    api = {named.dimension: watched.api, "Stage": watched.stage_name}
    function = {"FunctionName": watched.function_name}
    timeout_ms = watched.timeout_seconds * 1000
    alarms = [
        _server_error_rate(watched, thresholds),
        _Alarm(
            "api-latency-p99",
            "API Gateway's p99 latency was over the threshold (ms) for 5 minutes: compare its "
            "IntegrationLatency and the per-operation Latency to find the slow part.",
            thresholds.api_latency_p99,
            "GreaterThanOrEqualToThreshold",
            5,
            API_GATEWAY,
            named.latency,
            "p99",
            api,
        ),
        _Alarm(
            "function-errors",
            "Invocations failed inside Lambda (crash, timeout, out of memory) for 3 minutes; "
            "callers got 502 or 504: read the function's log group for Task timed out or a "
            "traceback, and roll back if a deploy started it.",
            thresholds.function_errors,
            "GreaterThanThreshold",
            3,
            "AWS/Lambda",
            "Errors",
            "Sum",
            function,
        ),
        _Alarm(
            "function-throttles",
            "Lambda refused invocations for want of concurrency for 5 minutes; API Gateway "
            "answered 500: check ConcurrentExecutions against reservedConcurrency and the "
            "account's quota.",
            thresholds.function_throttles,
            "GreaterThanThreshold",
            5,
            "AWS/Lambda",
            "Throttles",
            "Sum",
            function,
        ),
        _Alarm(
            "function-duration",
            f"The function's p99 duration was over {thresholds.function_duration_of_timeout:.0%} "
            f"of its {watched.timeout_seconds} s timeout for 3 minutes: DynamoDB is slow or "
            "throttling; check the tables' alarms and SuccessfulRequestLatency.",
            thresholds.function_duration_of_timeout * timeout_ms,
            "GreaterThanOrEqualToThreshold",
            3,
            "AWS/Lambda",
            "Duration",
            "p99",
            function,
        ),
    ]
    for label, table in watched.tables.items():
        alarms += [
            _Alarm(
                f"{label}-throttled",
                f"DynamoDB throttled requests to {label} for 3 minutes (the SDK retries them; "
                "callers get 429 when the retries run out): look for a hot key or a burst past "
                "the table's on-demand peak.",
                thresholds.table_throttled_requests,
                "GreaterThanThreshold",
                3,
                query=_table_query("ThrottledRequests", table),
            ),
            _Alarm(
                f"{label}-system-errors",
                f"DynamoDB failed requests to {label} with internal errors for 3 minutes; "
                "callers got 503: check the AWS Health Dashboard for DynamoDB in the region.",
                thresholds.table_system_errors,
                "GreaterThanThreshold",
                3,
                query=_table_query("SystemErrors", table),
            ),
        ]
    return alarms


def _table_query(metric: str, table: pulumi.Input[str]) -> pulumi.Output[str]:
    return pulumi.Output.from_input(table).apply(lambda name: table_metric_query(metric, name))
