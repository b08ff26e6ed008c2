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
import json
from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

from infra.config_keys import config_key


class AlarmThresholdsError(ValueError):
    """An ``alarmThresholds`` entry is unknown or out of range; the message names it."""


@dataclass(frozen=True)
class AlarmThresholds:
    """When each alarm fires. Field ``api_latency_p99`` is the key ``apiLatencyP99``."""

    #: Share of requests API Gateway answered with a 5xx, per minute (0.05: 5 %).
    api_server_error_rate: float = 0.05
    #: API Gateway's p99 latency per minute, in milliseconds.
    api_latency_p99: float = 2500
    #: Invocations per minute that failed in Lambda (crash, timeout, out of memory).
    function_errors: float = 0
    #: Invocations per minute Lambda refused for want of concurrency.
    function_throttles: float = 0
    #: The function's p99 duration per minute, as a share of its timeout.
    function_duration_of_timeout: float = 0.9
    #: Requests per minute a table throttled (after the SDK's retries were spent or not).
    table_throttled_requests: float = 0
    #: Requests per minute a table failed with an internal error (HTTP 500).
    table_system_errors: float = 0

    def __post_init__(self) -> None:
        for setting in fields(self):
            value = getattr(self, setting.name)
            if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
                raise AlarmThresholdsError(
                    f"config alarmThresholds.{config_key(setting.name)}: {value!r} is not a "
                    "number of at least 0"
                )
        for name in ("api_server_error_rate", "function_duration_of_timeout"):
            if not 0 < getattr(self, name) <= 1:
                raise AlarmThresholdsError(
                    f"config alarmThresholds.{config_key(name)} is a share: more than 0, at most 1"
                )


def alarm_thresholds(raw: Any) -> AlarmThresholds:
    """The thresholds a stack sets (a mapping, or its JSON text as the CLI hands it over)."""
    if isinstance(raw, str):
        try:
            raw = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise AlarmThresholdsError(
                f"config alarmThresholds: {raw!r} is not an object"
            ) from None
    if not isinstance(raw, Mapping):
        raise AlarmThresholdsError(f"config alarmThresholds: {raw!r} is not an object")
    known = {config_key(setting.name): setting.name for setting in fields(AlarmThresholds)}
    for key in raw:
        if key not in known:
            nearest = difflib.get_close_matches(str(key), sorted(known), n=1, cutoff=0.6)
            hint = f"did you mean {nearest[0]}?" if nearest else f"known: {', '.join(known)}"
            raise AlarmThresholdsError(f"config alarmThresholds: unknown threshold {key!r}; {hint}")
    return AlarmThresholds(**{known[key]: value for key, value in raw.items()})
