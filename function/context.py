"""The Lambda context object, as far as the function reads it."""

from __future__ import annotations

from typing import Protocol


class LambdaContext(Protocol):
    """What the handler reads of the context Lambda passes it (``None`` is accepted too)."""

    @property
    def aws_request_id(self) -> str: ...

    def get_remaining_time_in_millis(self) -> int: ...
