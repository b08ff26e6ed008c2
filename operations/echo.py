"""echo: return the payload as sent; touches no table."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation

#: Any JSON value, as the tutorial's echo takes (an operation without a schema takes any object).
ANY_VALUE: dict[str, Any] = {}


@operation(
    "echo",
    schema=ANY_VALUE,
    response=ANY_VALUE,
    example={"somekey1": "somevalue1", "somekey2": "somevalue2"},
)
def echo(call: Invocation) -> Any:
    """Return the payload unchanged (numbers stay exact)."""
    return call.payload
