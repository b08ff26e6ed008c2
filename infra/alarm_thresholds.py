"""The alarms' thresholds: AWS's recommended values, each settable per stack.

``alarmThresholds`` in a stack file names only what it changes, for example
``{apiLatencyP99: 1000}``; the rest keep the defaults below. The values come
from CloudWatch's "Recommended alarms" for API Gateway, Lambda and DynamoDB,
adapted where this API knows better: latency is watched at p99 rather than the
recommended p90, since one slow operation among fast ones hides below p90; the
duration alarm is relative to the function's own timeout; and any throttled or
failed DynamoDB request counts, since each costs a caller time or an answer.
"""

from __future__ import annotations

import difflib
import math
from typing import Annotated, Any, NoReturn

from pydantic import BeforeValidator, Field

from infra.setting_values import ConfigModel, refuse, shortened

_AT_LEAST_ZERO = ": {input!r} is not a finite number of at least 0"
_NOT_A_THRESHOLD = ": {} is not a finite number of at least 0"
_SHARE = "is a share: more than 0, at most 1"


def _number(value: Any) -> Any:
    """A number CloudWatch can compare with: finite (``.inf`` and ``1e400`` are not)."""
    try:
        finite = not isinstance(value, bool) and isinstance(value, int | float)
        finite = finite and math.isfinite(value)
    except OverflowError:
        finite = False
    if not finite:
        refuse(_NOT_A_THRESHOLD.format(shortened(value)))
    return value


#: A count or a measure, as the stack file writes it (an integer stays one).
Threshold = Annotated[
    int | float,
    BeforeValidator(_number),
    Field(ge=0, json_schema_extra={"refusal": _AT_LEAST_ZERO}),
]
#: A share of requests or of a timeout: more than 0, at most 1.
Share = Annotated[Threshold, Field(gt=0, le=1, json_schema_extra={"refusal": _SHARE})]


class AlarmThresholds(ConfigModel):
    """When each alarm fires. Field ``api_latency_p99`` is the key ``apiLatencyP99``."""

    api_server_error_rate: Share = Field(
        0.05,
        description="Share of requests API Gateway answered with a 5xx, per minute (0.05: 5 %).",
    )
    api_latency_p99: Threshold = Field(
        2500,
        description="API Gateway's p99 latency per minute, in milliseconds.",
        json_schema_extra={"unit": "ms"},
    )
    function_errors: Threshold = Field(
        0,
        description="Invocations per minute that failed in Lambda (crash, timeout, out of memory).",
    )
    function_throttles: Threshold = Field(
        0, description="Invocations per minute Lambda refused for want of concurrency."
    )
    function_duration_of_timeout: Share = Field(
        0.9, description="The function's p99 duration per minute, as a share of its timeout."
    )
    table_throttled_requests: Threshold = Field(
        0,
        description="Requests per minute a table throttled (after the SDK's retries were spent "
        "or not).",
    )
    table_system_errors: Threshold = Field(
        0, description="Requests per minute a table failed with an internal error (HTTP 500)."
    )

    @classmethod
    def refuse_unknown(cls, key: str, value: Any) -> NoReturn:
        known = cls.config_keys()
        nearest = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"did you mean {nearest[0]}?" if nearest else f"known: {', '.join(known)}"
        refuse(f": unknown threshold {key!r}; {hint}")

    @classmethod
    def refuse_non_object(cls, value: Any) -> NoReturn:
        refuse(f": {value!r} is not an object")
