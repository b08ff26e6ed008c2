"""Per-operation metrics in CloudWatch's Embedded Metric Format, carried by the request's log line.

No API call and no dependency: CloudWatch Logs reads the ``_aws`` block of a
JSON log event and turns the members it names into metrics. Each request
counts once under its operation: ``Requests``, ``Latency`` (milliseconds),
``ClientErrors`` (4xx) and ``ServerErrors`` (5xx). The namespace comes from
``METRICS_NAMESPACE``, which the Pulumi program sets per stack when its
``metrics`` setting is on; without it there are no metrics.

The ``operation`` dimension takes registered names only (an unknown name
would be a new metric, and a new charge, per distinct string a caller sends):
requests that never reached an operation count under ``-``.
"""

from __future__ import annotations

import os
from typing import Any

NAMESPACE_VARIABLE = "METRICS_NAMESPACE"
DIMENSION = "operation"
#: Requests that named no registered operation.
NO_OPERATION = "-"
METRICS = (
    {"Name": "Requests", "Unit": "Count"},
    {"Name": "Latency", "Unit": "Milliseconds"},
    {"Name": "ClientErrors", "Unit": "Count"},
    {"Name": "ServerErrors", "Unit": "Count"},
)


def namespace() -> str | None:
    """The stack's metric namespace, or ``None`` when metrics are off."""
    return os.environ.get(NAMESPACE_VARIABLE) or None


def embedded(
    namespace: str, operation: str | None, status: int, duration_ms: float, timestamp_ms: int
) -> dict[str, Any]:
    """The members to add to a JSON log event so that CloudWatch records this request."""
    return {
        "_aws": {
            "Timestamp": timestamp_ms,
            "CloudWatchMetrics": [
                {"Namespace": namespace, "Dimensions": [[DIMENSION]], "Metrics": list(METRICS)}
            ],
        },
        DIMENSION: operation or NO_OPERATION,
        "Requests": 1,
        "Latency": round(duration_ms, 2),
        "ClientErrors": int(400 <= status < 500),
        "ServerErrors": int(status >= 500),
    }
