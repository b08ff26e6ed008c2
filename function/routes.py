"""The resource routes over every served table, derived from its key schema.

Beside the tutorial's envelope at ``POST /DynamoDBManager``, each table the API
serves has resources in the style callers' front ends, ``curl`` habits and HTTP
caches expect (``{T}`` is the logical name, ``{hash}`` and ``{range}`` the key)::

    POST   /{T}/items                        create an item; 409 if its key exists
    GET    /{T}/items                        one Scan page
    GET    /{T}/items/{hash}                 the item; one Query page with a sort key
    GET    /{T}/items/{hash}/{range}         the item (tables with a sort key)
    PUT    the item's path                   replace the item
    PATCH  the item's path                   change attributes; null removes one
    DELETE the item's path                   delete it; 404 if absent
    GET    /{T}/indexes/{I}/items/{hash}     one Query page of an index

A :class:`Route` says what one method on one path template does; the
:class:`RouteTable` finds the route of a request, by the template API Gateway
matched or by the path itself (a catch-all resource, a Function URL). Nothing
is imported to match: the routes come from the key schemas the function
already reads (:mod:`function.tables`). What a matched route sends its
operation, and what it answers, is :mod:`function.table_routes`'s job.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import NamedTuple
from urllib.parse import unquote

from function.errors import MethodNotAllowedError, RouteNotFoundError
from function.tables import KeySchema, Tables

__all__ = ["Route", "RouteTable", "configured", "parameter_name", "routes_of"]

ITEMS = "items"
INDEXES = "indexes"
#: What each kind of route runs: the stock operation, so IAM, confinement and errors are its.
OPERATIONS = {
    "insert": "create",
    "scan": "list",
    "get": "read",
    "partition": "query",
    "replace": "create",
    "patch": "update",
    "remove": "delete",
    "index": "query",
}
#: The query parameters each kind of route takes.
PAGE_QUERY = ("limit", "cursor")
RANGE_QUERY = ("from", "to", "prefix", "order")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Route(NamedTuple):
    """One method on one path template, and what it does on which table (and index)."""

    method: str
    #: API Gateway's path template: ``/Orders/items/{customerId}/{orderId}``.
    path: str
    #: One of :data:`OPERATIONS`' keys.
    kind: str
    table: str
    index_name: str | None = None

    @property
    def operation(self) -> str:
        """The stock operation the route runs."""
        return OPERATIONS[self.kind]

    @property
    def takes_body(self) -> bool:
        return self.kind in ("insert", "replace", "patch")

    @property
    def pages(self) -> bool:
        """Whether it answers a page, ``{"items": [...], "next": cursor}``."""
        return self.kind in ("scan", "partition", "index")

    def query(self, keys: KeySchema) -> tuple[str, ...]:
        """The query parameters it takes: paging, and sort-key conditions where there is one."""
        if self.kind == "scan":
            return PAGE_QUERY
        if self.kind == "partition" or (self.kind == "index" and self.index_keys(keys)[1]):
            return (*PAGE_QUERY, *RANGE_QUERY)
        if self.kind == "index":
            return (*PAGE_QUERY, "order")
        return ()

    def index_keys(self, keys: KeySchema) -> tuple[str, str | None]:
        """The hash and range key of what the route reads: its index, else the table."""
        if self.index_name is not None:
            index = keys.indexes[self.index_name]
            return index.hash_key, index.range_key
        return keys.hash_key, keys.range_key

    def path_keys(self, keys: KeySchema) -> tuple[str, ...]:
        """The key attributes its path names, in order (none for ``/{T}/items``)."""
        if self.kind in ("insert", "scan"):
            return ()
        hash_key, range_key = self.index_keys(keys)
        if self.kind in ("partition", "index") or range_key is None:
            return (hash_key,)
        return (hash_key, range_key)


def parameter_name(attribute: str, taken: Iterable[str] = ()) -> str:
    """The path parameter naming a key attribute: itself when it is an identifier.

    API Gateway's path parameters are letters, digits and ``_``; a key named
    otherwise (``order-id``) is ``key`` in the template, numbered if taken.
    """
    name = attribute if _IDENTIFIER.fullmatch(attribute) else "key"
    used = set(taken)
    candidate, number = name, 1
    while candidate in used:
        number += 1
        candidate = f"{name}{number}"
    return candidate


def _parameters(attributes: Iterable[str]) -> list[str]:
    names: list[str] = []
    for attribute in attributes:
        names.append(parameter_name(attribute, names))
    return names


def routes_of(tables: Mapping[str, KeySchema]) -> tuple[Route, ...]:
    """Every route over these tables (logical name to key schema), in a stable order."""
    found: list[Route] = []
    for table, keys in sorted(tables.items()):
        items = f"/{table}/{ITEMS}"
        found += [Route("GET", items, "scan", table), Route("POST", items, "insert", table)]
        names = _parameters(keys.key_attributes)
        item = f"{items}/{{{names[0]}}}"
        if keys.range_key is not None:
            found.append(Route("GET", item, "partition", table))
            item = f"{item}/{{{names[1]}}}"
        found += [
            Route("GET", item, "get", table),
            Route("PUT", item, "replace", table),
            Route("PATCH", item, "patch", table),
            Route("DELETE", item, "remove", table),
        ]
        for index, index_keys in sorted(keys.indexes.items()):
            (name,) = _parameters([index_keys.hash_key])
            found.append(
                Route(
                    "GET", f"/{table}/{INDEXES}/{index}/{ITEMS}/{{{name}}}", "index", table, index
                )
            )
    return tuple(found)


class Match(NamedTuple):
    """A request's route, and its path parameters by template name (decoded)."""

    route: Route
    parameters: Mapping[str, str]


class RouteTable:
    """The routes of one deployment, found by template or by path."""

    def __init__(self, routes: Iterable[Route]) -> None:
        self.routes = tuple(routes)
        self.by_path: dict[str, dict[str, Route]] = {}
        for route in self.routes:
            self.by_path.setdefault(route.path, {})[route.method] = route
        # Literal segments before variables, as API Gateway prefers them.
        self._templates = sorted(
            ((tuple(_segments(path)), path) for path in self.by_path),
            key=lambda pair: [segment.startswith("{") for segment in pair[0]],
        )

    def find(
        self,
        method: str,
        template: str | None,
        parameters: Mapping[str, str] | None,
        path: str | None,
    ) -> Match:
        """The route of a request.

        ``template`` is the resource API Gateway matched, with its decoded
        ``parameters``; without one (a catch-all resource, a Function URL), the
        ``path`` below the stage is matched here. A path no route has is a 404;
        a method its routes do not take, a 405 naming those they do.
        """
        found: tuple[str, dict[str, str]] | None = None
        if template is not None and template in self.by_path:
            found = template, dict(parameters or {})
        else:
            found = self.template_of(path or "")
        if found is None:
            raise RouteNotFoundError(f"No route matches {method} {path or template}")
        template, values = found
        methods = self.by_path[template]
        route = methods.get(method)
        if route is None:
            allow = tuple(sorted(methods))
            raise MethodNotAllowedError(
                f"{template} does not take {method or '(no method)'}; it takes {', '.join(allow)}",
                allow,
            )
        return Match(route, values)

    def template_of(self, path: str) -> tuple[str, dict[str, str]] | None:
        """The template a concrete path (percent-encoded, as sent) matches, and its parameters."""
        sent = path.strip("/").split("/") if path.strip("/") else []
        for segments, template in self._templates:
            if len(segments) != len(sent):
                continue
            values: dict[str, str] = {}
            for pattern, segment in zip(segments, sent, strict=True):
                if pattern.startswith("{"):
                    if not segment:
                        break
                    values[pattern[1:-1]] = unquote(segment)
                elif pattern != unquote(segment):
                    break
            else:
                return template, values
        return None


def _segments(template: str) -> list[str]:
    return template.strip("/").split("/")


_built: tuple[Tables, RouteTable] | None = None


def configured(deployment: Tables) -> RouteTable:
    """The route table of ``deployment``'s tables, built once per deployment."""
    global _built
    if _built is None or _built[0] is not deployment:
        _built = deployment, RouteTable(routes_of(deployment.keys))
    return _built[1]
