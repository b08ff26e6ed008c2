"""What an operation receives when it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from function import dynamodb


@dataclass(frozen=True)
class Invocation:
    """One validated request, handed to an operation.

    ``payload`` has passed the operation's schema; ``table`` is the physical
    table the request resolved to (``None`` for operations that declare no
    table actions); ``dynamodb`` is the shared client, which takes and returns
    plain JSON values and only reaches tables this API serves.
    """

    payload: Any
    table: str | None
    request_id: str

    @property
    def dynamodb(self) -> Any:
        return dynamodb.client()
