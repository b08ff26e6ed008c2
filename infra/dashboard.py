"""The stack's CloudWatch dashboard, as the JSON body CloudWatch takes (no Pulumi here).

Read top to bottom, it follows a request: the alarms, what callers saw at API
Gateway, the function, each operation (with ``metrics``), then each table.
Tables' per-operation metrics are summed by Metrics Insights queries, as the
alarms do; operations are found by a ``SEARCH`` over the stack's namespace, so
an operation added later shows up without a deploy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

#: CloudWatch's dashboard grid is 24 units wide.
GRID_WIDTH = 24
_HALF, _HEIGHT = 12, 6
_TABLE_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
API_GATEWAY = "AWS/ApiGateway"


@dataclass(frozen=True)
class ApiGatewayMetrics:
    """How CloudWatch names an API type's metrics, all in namespace ``AWS/ApiGateway``."""

    #: The dimension naming the API (beside ``Stage``).
    dimension: str
    client_errors: str
    server_errors: str
    #: What a title calls the API.
    kind: str
    requests: str = "Count"
    latency: str = "Latency"
    integration_latency: str = "IntegrationLatency"


#: Each ``apiType``'s metrics. REST APIs: ``ApiName``, ``4XXError``, ``5XXError``
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-dimensions.html);
#: HTTP APIs: ``ApiId``, ``4xx``, ``5xx``, the same ``Count``, ``Latency`` and
#: ``IntegrationLatency`` ("Monitor CloudWatch metrics for HTTP APIs in API Gateway",
#: https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html).
API_GATEWAY_METRICS = {
    "rest": ApiGatewayMetrics("ApiName", "4XXError", "5XXError", kind="API Gateway"),
    "http": ApiGatewayMetrics("ApiId", "4xx", "5xx", kind="API Gateway HTTP API"),
}


def dashboard_body(
    *,
    title: str,
    region: str,
    api_type: str,
    api: str,
    stage_name: str,
    function_name: str,
    tables: Mapping[str, str],
    metrics_namespace: str | None,
    alarm_arns: Sequence[str],
) -> dict[str, Any]:
    """The dashboard: its widgets laid out two to a row, alarms and headings full width.

    ``api`` is what the API type's metrics name the API by (:data:`API_GATEWAY_METRICS`):
    a REST API's name, an HTTP API's id.
    """
    named = API_GATEWAY_METRICS[api_type]
    stage = [named.dimension, api, "Stage", stage_name]
    function = ["FunctionName", function_name]
    widgets: list[dict[str, Any]] = [
        _text(
            f"# {title}\n{named.kind} `{api}` stage `{stage_name}`, function "
            f"`{function_name}`. What each alarm means and what to do first: "
            "docs/operating.md in the project."
        )
    ]
    if alarm_arns:
        widgets.append(
            {"type": "alarm", "properties": {"title": "Alarms", "alarms": list(alarm_arns)}}
        )
    widgets += [
        _graph(
            "Requests and errors (API Gateway)",
            region,
            "Sum",
            [
                [API_GATEWAY, named.requests, *stage],
                [API_GATEWAY, named.client_errors, *stage],
                [API_GATEWAY, named.server_errors, *stage],
            ],
        ),
        _graph(
            "Latency, ms (API Gateway)",
            region,
            "p99",
            [
                [API_GATEWAY, named.latency, *stage, {"stat": "p50", "label": "Latency p50"}],
                [API_GATEWAY, named.latency, *stage, {"label": "Latency p99"}],
                [API_GATEWAY, named.integration_latency, *stage, {"label": "Integration p99"}],
            ],
        ),
        _graph(
            "Invocations, errors, throttles (function)",
            region,
            "Sum",
            [
                ["AWS/Lambda", "Invocations", *function],
                ["AWS/Lambda", "Errors", *function],
                ["AWS/Lambda", "Throttles", *function],
                ["AWS/Lambda", "ConcurrentExecutions", *function, {"stat": "Maximum"}],
            ],
        ),
        _graph(
            "Duration, ms (function)",
            region,
            "p99",
            [
                ["AWS/Lambda", "Duration", *function, {"stat": "p50", "label": "p50"}],
                ["AWS/Lambda", "Duration", *function, {"label": "p99"}],
                ["AWS/Lambda", "Duration", *function, {"stat": "Maximum", "label": "max"}],
            ],
        ),
    ]
    if metrics_namespace is not None:
        widgets += [
            _graph(
                f"{name} by operation",
                region,
                stat,
                [[_search(metrics_namespace, name, stat, f"q{index}")]],
            )
            for index, (name, stat) in enumerate(
                [
                    ("Requests", "Sum"),
                    ("ServerErrors", "Sum"),
                    ("ClientErrors", "Sum"),
                    ("Latency", "p99"),
                ]
            )
        ]
    for label, table in tables.items():
        # A graph holds at most one Metrics Insights query (GetMetricData's limit).
        widgets += [
            _graph(
                f"{label}: throttled requests, and throttle events (batches' partial ones too)",
                region,
                "Sum",
                [
                    [_insights("ThrottledRequests", table, "throttled", "SUM")],
                    ["AWS/DynamoDB", "ReadThrottleEvents", "TableName", table],
                    ["AWS/DynamoDB", "WriteThrottleEvents", "TableName", table],
                ],
            ),
            _graph(
                f"{label}: system errors",
                region,
                "Sum",
                [[_insights("SystemErrors", table, "system", "SUM")]],
            ),
            _graph(
                f"{label}: capacity consumed, and latency (right, ms)",
                region,
                "Sum",
                [
                    ["AWS/DynamoDB", "ConsumedReadCapacityUnits", "TableName", table],
                    ["AWS/DynamoDB", "ConsumedWriteCapacityUnits", "TableName", table],
                    [_insights("SuccessfulRequestLatency", table, "latency", "AVG", "right")],
                ],
            ),
        ]
    return {"widgets": _laid_out(widgets)}


def table_metric_query(metric: str, table: str, function: str = "SUM") -> str:
    """A DynamoDB metric over every operation on one table (Metrics Insights SQL).

    DynamoDB publishes ``ThrottledRequests``, ``SystemErrors`` and
    ``SuccessfulRequestLatency`` per table and operation, never per table alone.
    """
    if not _TABLE_NAME.fullmatch(table):
        raise ValueError(f"{table!r} is not a DynamoDB table name")
    # Not an injection: a table name has no quote (checked above).
    return (
        f'SELECT {function}({metric}) FROM SCHEMA("AWS/DynamoDB", Operation, TableName) '  # noqa: S608
        f"WHERE TableName = '{table}'"
    )


def _laid_out(widgets: list[dict[str, Any]]) -> list[dict[str, Any]]:
    x = y = row_height = 0
    for widget in widgets:
        width = _HALF if widget["type"] == "metric" else GRID_WIDTH
        height = 2 if widget["type"] == "text" else _HEIGHT
        if x + width > GRID_WIDTH:
            x, y, row_height = 0, y + row_height, 0
        widget.update(x=x, y=y, width=width, height=height)
        x, row_height = x + width, max(row_height, height)
    return widgets


def _text(markdown: str) -> dict[str, Any]:
    return {"type": "text", "properties": {"markdown": markdown}}


def _graph(title: str, region: str, stat: str, metrics: list[list[Any]]) -> dict[str, Any]:
    return {
        "type": "metric",
        "properties": {
            "title": title,
            "region": region,
            "view": "timeSeries",
            "stat": stat,
            "period": 60,
            "metrics": metrics,
        },
    }


def _search(namespace: str, metric: str, stat: str, expression_id: str) -> dict[str, Any]:
    return {
        "expression": f"SEARCH('{{{namespace},operation}} MetricName=\"{metric}\"', '{stat}', 60)",
        "id": expression_id,
    }


def _insights(
    metric: str, table: str, expression_id: str, function: str, axis: str = "left"
) -> dict[str, Any]:
    return {
        "expression": table_metric_query(metric, table, function),
        "id": expression_id,
        "label": metric,
        "yAxis": axis,
    }
