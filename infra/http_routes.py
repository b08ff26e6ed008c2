"""Which route of an HTTP API takes each method on a path: one rule for the deployed API
(:func:`infra.http_api.route_keys`) and the local gateway that plays it (no Pulumi here).

A served route is its own route key (``GET /LambdaTable/items/{Id}``). Each of its
path's other methods must reach the function too, whose 405 names those the path
takes, where API Gateway would answer 404 "Not Found" (as a REST API's ANY method
does): one ``ANY`` route, except where the stack turns CORS on. An ANY route takes
OPTIONS too, and API Gateway answers a preflight itself only when no route does
("API Gateway automatically sends a response to preflight OPTIONS requests",
https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-cors.html);
behind ANY it would need the route's authorization, which a browser's preflight never
carries. So with CORS each other method but OPTIONS is a route of its own.
"""

from __future__ import annotations

from collections.abc import Iterable

from function.routes import METHODS

#: Every method a path of the API takes but the preflight's OPTIONS.
ROUTED_METHODS = (*METHODS, "HEAD")


def path_route_keys(path: str, listed: Iterable[str], cors: bool) -> list[str]:
    """The route keys of one path: its ``listed`` methods', then those taking the others."""
    methods = list(listed)
    keys = [f"{method} {path}" for method in methods]
    if not cors:
        return [*keys, f"ANY {path}"]
    return keys + [f"{method} {path}" for method in ROUTED_METHODS if method not in methods]


def other_method_key(method: str, path: str, cors: bool) -> str | None:
    """The route key that takes ``method`` on ``path``, a method the path does not list;
    ``None`` where no route does (OPTIONS with CORS: API Gateway's preflight answer)."""
    if not cors:
        return f"ANY {path}"
    return f"{method} {path}" if method in ROUTED_METHODS else None
