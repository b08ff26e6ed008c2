"""One log line per request: operation, table, status, duration, request id (and route).

With the stack's ``metrics`` on, the same line carries the request's metrics
in CloudWatch's Embedded Metric Format (:mod:`function.metrics`), so they cost
no call; they ride the INFO line, so a log level above INFO turns them off too.

Lambda's JSON log format turns the ``extra`` fields into JSON keys. The record
is made by the process's record factory (so fields a factory adds, such as
trace ids, stay), without the stdlib's caller lookup, which walks the stack to
name a source line that is always this one.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol

from function import metrics
from function.errors import UnknownOperationError


class LoggedResult(Protocol):
    """What the log line needs of a request's result."""

    @property
    def status(self) -> int: ...
    @property
    def operation(self) -> str | None: ...
    @property
    def table(self) -> str | None: ...
    @property
    def error(self) -> Exception | None: ...
    @property
    def route(self) -> str | None: ...


def log_request(
    logger: logging.Logger, result: LoggedResult, request_id: str, started: float
) -> None:
    """Write the request's line at INFO, if the logger lets INFO through."""
    if not logger.isEnabledFor(logging.INFO):
        return
    elapsed_ms = (time.perf_counter() - started) * 1000
    record = logging.getLogRecordFactory()(
        logger.name,
        logging.INFO,
        __file__,
        _LINE,
        "%s %s %d %.1fms",
        (result.operation or "-", result.table or "-", result.status, elapsed_ms),
        None,
        "log_request",
    )
    fields = record.__dict__
    fields["operation"] = result.operation
    fields["table"] = result.table
    fields["status"] = result.status
    fields["duration_ms"] = round(elapsed_ms, 2)
    fields["request_id"] = request_id
    if result.route is not None:
        fields["route"] = result.route
    if (stack_metrics := metrics.namespace()) is not None:
        registered = None if isinstance(result.error, UnknownOperationError) else result.operation
        if registered is None and result.operation is not None:
            fields["requested_operation"] = result.operation
        fields.update(
            metrics.embedded(
                stack_metrics, registered, result.status, elapsed_ms, int(record.created * 1000)
            )
        )
    logger.handle(record)


#: Where the records say they come from: this function.
_LINE = log_request.__code__.co_firstlineno
