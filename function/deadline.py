"""How long a DynamoDB call may take, and the request's deadline it must also respect.

Every call gets at most :data:`MAX_ATTEMPTS` attempts, each bounded by the
connect and read timeouts, with at most :data:`BACKOFF_CAP_SECONDS` between
them: :data:`WORST_CASE_SECONDS` in all, whatever botocore's own retry policy
would do (botocore 1.44 honours an ``x-amz-retry-after`` header that can delay
a retry by seconds). A retry is also skipped when the Lambda context says too
little time is left for it, so the caller gets a 503 rather than a timeout.

This module imports nothing from botocore: the stack settings check the
function's timeout against :data:`WORST_CASE_SECONDS`.
"""

from __future__ import annotations

import math
import time
from contextvars import ContextVar, Token

from function.context import LambdaContext

CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
MAX_ATTEMPTS = 2
BACKOFF_CAP_SECONDS = 1.0
#: One attempt: a connection and a read, each within its timeout.
ATTEMPT_SECONDS = CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS
#: What one DynamoDB call may cost a request, retries and backoff included.
WORST_CASE_SECONDS = MAX_ATTEMPTS * ATTEMPT_SECONDS + BACKOFF_CAP_SECONDS
#: Time kept back for answering once DynamoDB has given up.
ANSWER_MARGIN_SECONDS = 0.2


_deadline: ContextVar[float] = ContextVar("deadline", default=math.inf)


def start(context: LambdaContext | None) -> Token[float]:
    """Set this request's deadline from the Lambda context (none without one)."""
    remaining_millis = getattr(context, "get_remaining_time_in_millis", None)
    if remaining_millis is None:  # no context, or a stand-in without the method
        return _deadline.set(math.inf)
    return _deadline.set(time.monotonic() + remaining_millis() / 1000 - ANSWER_MARGIN_SECONDS)


def end(token: Token[float]) -> None:
    """Forget the request's deadline (the local server reuses threads)."""
    _deadline.reset(token)


def remaining_seconds() -> float:
    """Seconds left before the request must answer (``inf`` outside a request)."""
    return _deadline.get() - time.monotonic()


def allows(seconds: float) -> bool:
    """Whether ``seconds`` more work still ends before the deadline."""
    return remaining_seconds() > seconds
