"""The context object Lambda passes the handler, for local invocations, tests and the bench.

Imports nothing but the standard library, so a clean interpreter holding only
the deployed archive can load it by path.
"""

from __future__ import annotations

import time

#: The request id of a context made without one (tests quote it).
DEFAULT_REQUEST_ID = "11111111-2222-3333-4444-555555555555"


class LambdaContext:
    """One invocation's context: its request id and the time it has left."""

    function_name = "LambdaFunctionOverHttps"
    function_version = "$LATEST"
    memory_limit_in_mb = 256
    log_group_name = "local"
    log_stream_name = "local"

    def __init__(
        self, aws_request_id: str = DEFAULT_REQUEST_ID, timeout_seconds: float = 10.0
    ) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = (
            f"arn:aws:lambda:local:000000000000:function:{self.function_name}"
        )
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))
