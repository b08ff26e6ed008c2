"""ping: answer "pong"; touches no table, so it works while DynamoDB is down."""

from __future__ import annotations

from function import Invocation, operation


@operation("ping", response={"type": "string", "enum": ["pong"]}, example={})
def ping(call: Invocation) -> str:
    """Answer "pong"."""
    return "pong"
