"""One log line per request: operation, table, status, duration and request id.

Lambda's JSON log format turns the ``extra`` fields into JSON keys. The record
is made by the process's record factory (so fields a factory adds, such as
trace ids, stay), without the stdlib's caller lookup, which walks the stack to
name a source line that is always this one.
"""

from __future__ import annotations

import logging
import time
from typing import Protocol


class LoggedResult(Protocol):
    """What the log line needs of a request's result."""

    @property
    def status(self) -> int: ...
    @property
    def operation(self) -> str | None: ...
    @property
    def table(self) -> str | None: ...


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
    logger.handle(record)


#: Where the records say they come from: this function.
_LINE = log_request.__code__.co_firstlineno
