"""The Lambda function, and the one door plugin authors import from.

Handler string: ``function.handler.handler``. Operations live in the ``operations``
package (and any other package named in ``OPERATION_PACKAGES``), one module each,
and need nothing but this::

    from function import Invocation, RouteRequest, errors, operation, payload_tables, route, schemas

* ``operation``: the decorator that declares and registers an operation;
* ``route``: a route for it beside the envelope (``routes=[route("GET", "/x/{id}")]``),
  and ``RouteRequest``, what a route's payload rule reads;
* ``Invocation``: what the operation receives (payload, table, keys, client);
* ``schemas``: JSON Schema fragments for its payload;
* ``errors``: the catalogue of caller-facing errors, to raise, catch or subclass;
* ``payload_tables``: for operations that name their tables in the payload.

Every other module here is the function's own and may change. Each of these
names loads on first use (``import function; function.errors`` works too), so
code that imports one small module of this package (the stack settings read
:mod:`function.deadline`) loads no more.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from function import errors, payload_tables, schemas
    from function.invocation import Invocation
    from function.registry import operation
    from function.routes import RouteRequest, route

__all__ = [
    "Invocation",
    "RouteRequest",
    "errors",
    "operation",
    "payload_tables",
    "route",
    "schemas",
]


#: The door's modules, imported when first asked for (``function.errors`` works alone).
_MODULES = frozenset({"errors", "payload_tables", "schemas"})


def __getattr__(name: str) -> Any:
    """The door's names, each imported when first asked for."""
    found: Any
    if name in _MODULES:
        found = importlib.import_module(f"{__name__}.{name}")
    elif name == "operation":
        from function.registry import operation

        found = operation
    elif name in ("route", "RouteRequest"):
        from function import routes

        found = getattr(routes, name)
    elif name == "Invocation":
        from function.invocation import Invocation

        found = Invocation
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = found
    return found
