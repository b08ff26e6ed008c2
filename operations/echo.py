"""echo: return the payload as sent; touches no table."""

from __future__ import annotations

from typing import Any

from function.invocation import Invocation
from function.registry import operation


@operation("echo", example={"somekey1": "somevalue1", "somekey2": "somevalue2"})
def echo(call: Invocation) -> Any:
    """Return the payload unchanged (numbers stay exact)."""
    return call.payload
