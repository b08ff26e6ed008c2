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

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote

from function.envelope import ENVELOPE_PATH
from function.errors import (
    InvalidKeyError,
    InvalidPayloadError,
    InvalidQueryError,
    MethodNotAllowedError,
    RequestError,
    RouteNotFoundError,
)
from function.tables import KeySchema, Tables

if TYPE_CHECKING:
    from function.registry import Operation

__all__ = [
    "DeclaredRequest",
    "DuplicateRouteError",
    "OperationRoute",
    "Route",
    "RouteDefinitionError",
    "RouteRequest",
    "RouteTable",
    "configured",
    "microservice_routes",
    "parameter_name",
    "path_variables",
    "route",
    "routes_of",
]

#: The generated route table the deployed archive carries (``function/routes.json``).
ROUTES_FILE = "routes.json"
#: The methods a route may take.
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
#: A path template API Gateway takes: literal segments and ``{name}`` variables.
_TEMPLATE = re.compile(r"^(?:/(?:[A-Za-z0-9._~-]+|\{[A-Za-z_][A-Za-z0-9_]*\}))+$")

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
    "blueprint-scan": "list",
    "blueprint-put": "create",
    "blueprint-update": "update",
    "blueprint-delete": "delete",
}
#: The console's microservice blueprint resource: each method's kind (:mod:`function.microservice`).
MICROSERVICE = {
    "GET": "blueprint-scan",
    "POST": "blueprint-put",
    "PUT": "blueprint-update",
    "DELETE": "blueprint-delete",
}
#: What the blueprint resource's name may be: one path segment API Gateway takes.
RESOURCE_SEGMENT = r"^[A-Za-z0-9._~-]{1,128}$"
SEGMENT_REFUSAL = "must be one path segment of letters, digits, '.', '_', '~' or '-'"
#: Where the stack names the blueprint's resource (``microserviceResource``), if it has one.
MICROSERVICE_ENV = "MICROSERVICE_RESOURCE"
#: The kind of a route an operation declares (``route("GET", "/orders/{status}")``).
DECLARED = "declared"
#: The path variable that names the table a declared route runs on (``/counts/{table}``).
TABLE_VARIABLE = "table"
#: The query parameters each kind of route takes.
PAGE_QUERY = ("limit", "cursor")
RANGE_QUERY = ("from", "to", "prefix", "order")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_SEGMENT = re.compile(RESOURCE_SEGMENT)
_BLUEPRINT_KINDS = frozenset(MICROSERVICE.values())
_VARIABLE = re.compile(r"\{([^}]+)\}")


class Route(NamedTuple):
    """One method on one path template, and what it does on which table (and index)."""

    method: str
    #: API Gateway's path template: ``/Orders/items/{customerId}/{orderId}``.
    path: str
    #: One of :data:`OPERATIONS`' keys, or :data:`DECLARED` for an operation's own route.
    kind: str
    #: The logical table; ``None`` for a declared route that leaves it to its operation.
    table: str | None
    index_name: str | None = None
    #: The operation a declared route runs.
    declared_by: str | None = None

    @property
    def operation(self) -> str:
        """The operation the route runs: a stock one, or the one that declares it."""
        return self.declared_by if self.declared_by is not None else OPERATIONS[self.kind]

    @property
    def origin(self) -> str:
        """What made the route, for errors: an operation, a table's key schema or the stack."""
        if self.declared_by is not None:
            return f"operation {self.declared_by!r}"
        if self.blueprint:
            return "the stack's microserviceResource"
        return f"table {self.table!r}"

    @property
    def blueprint(self) -> bool:
        """Whether it is a method of the console's microservice blueprint resource."""
        return self.kind in _BLUEPRINT_KINDS

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
        if self.kind not in ("partition", "index"):
            return ()
        range_key = self.index_keys(keys)[1]
        if range_key is None:
            return (*PAGE_QUERY, "order")
        if keys.type_of(range_key) == "N":  # begins_with takes strings and binaries only
            return (*PAGE_QUERY, *(name for name in RANGE_QUERY if name != "prefix"))
        return (*PAGE_QUERY, *RANGE_QUERY)

    def cursor_keys(self, keys: KeySchema) -> tuple[str, ...]:
        """The attributes a page's last key names: the table's key, and its index's."""
        if self.index_name is None:
            return keys.key_attributes
        index = keys.indexes[self.index_name]
        extra = (index.hash_key, index.range_key)
        return (*keys.key_attributes, *(a for a in extra if a and a not in keys.key_attributes))

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


class RouteDefinitionError(ValueError):
    """A route an operation declares is invalid: a bug in the plugin, found at import or scan."""


class DuplicateRouteError(RouteDefinitionError):
    """Two routes collide (one method on one path); the message names both."""


@dataclass(frozen=True)
class RouteRequest:
    """What a declared route's rule reads: the path's parameters, the query string, the body.

    Values are strings as the URL gives them (decoded); ``body`` is the decoded
    JSON body, exact numbers and all, or ``None`` without one.
    """

    path: Mapping[str, str]
    query: Mapping[str, str]
    body: Any = None


#: How a declared route makes its operation's payload from the request.
PayloadRule = Callable[[RouteRequest], Any]


@dataclass(frozen=True)
class OperationRoute:
    """A route an operation declares next to its name (:func:`route`)."""

    method: str
    path: str
    payload: PayloadRule | None = None
    table: str | None = None
    status: int = 200
    query: tuple[str, ...] = ()

    def payload_of(self, request: RouteRequest) -> Any:
        """The payload for this request: the rule's, else the body with the parameters added."""
        if self.payload is not None:
            return self.payload(request)
        body = request.body
        if body is not None and not isinstance(body, dict):
            raise InvalidPayloadError("The body must be a JSON object")
        payload = dict(body or {})
        for name, value in {**request.query, **request.path}.items():
            if name in payload and payload[name] != value:
                raise InvalidKeyError(f"The body's {name} differs from the URL's")
            payload[name] = value
        return payload


def route(
    method: str,
    path: str,
    *,
    payload: PayloadRule | None = None,
    table: str | None = None,
    status: int = 200,
    query: Iterable[str] = (),
) -> OperationRoute:
    """Declare a route for an operation: ``@operation("x", routes=[route("GET", "/x/{id}")])``.

    ``path`` is API Gateway's template: literal segments and ``{name}``
    variables. ``payload`` makes the operation's payload from a
    :class:`RouteRequest`; without it, the payload is the JSON body's object
    with each path and query parameter added under its own name, as text. The
    operation's schema checks the result either way. ``query`` lists the query
    parameters the route takes (any other is a 400); ``table`` the logical table
    it runs on, when its operation runs on several, or else a ``{table}``
    variable in the path names it per request (not a payload field); ``status``
    its success status (204 answers no body).
    """
    where = f"route {method} {path}"
    if method not in METHODS:
        raise RouteDefinitionError(f"{where}: the method must be one of {', '.join(METHODS)}")
    if not isinstance(path, str) or not _TEMPLATE.fullmatch(path):
        raise RouteDefinitionError(
            f"{where}: the path must be segments of letters, digits, '.', '_', '~' or '-', "
            "or {name} variables, like /orders/{status}"
        )
    if path == ENVELOPE_PATH:
        raise RouteDefinitionError(f"{where}: {ENVELOPE_PATH} is the envelope's resource")
    if path.startswith("/{"):
        raise RouteDefinitionError(
            f"{where}: the first segment must be literal (/orders/{{id}}, not /{{id}}): a "
            "variable there would take every table's paths"
        )
    variables = path_variables(path)
    if len(set(variables)) != len(variables):
        raise RouteDefinitionError(f"{where}: a variable is named twice")
    if table is not None and TABLE_VARIABLE in variables:
        raise RouteDefinitionError(
            f"{where}: table= and a {{{TABLE_VARIABLE}}} variable both name the table; keep one"
        )
    if status not in (200, 201, 202, 204):
        raise RouteDefinitionError(f"{where}: the status must be 200, 201, 202 or 204")
    if payload is not None and not callable(payload):
        raise RouteDefinitionError(f"{where}: payload must be a function of a RouteRequest")
    if isinstance(query, str):
        raise RouteDefinitionError(f"{where}: query must be a list of names, not one string")
    return OperationRoute(method, path, payload, table, status, tuple(query))


@dataclass(frozen=True)
class DeclaredRequest:
    """A request on a declared route: its operation's payload, and its success status."""

    route: Route
    payload: Any
    status: int = 200
    #: The logical table the request names: the route's, or its path's ``{table}``.
    table: str | None = None

    @property
    def operation(self) -> str:
        return self.route.operation

    def answer(self, value: Any) -> tuple[int, Any, dict[str, str]]:
        """The operation's result as the answer's body, with the route's status."""
        return self.status, None if self.status == 204 else value, {}

    def refine(self, error: RequestError) -> RequestError:
        return error


def declared_request(
    match: Match,
    declared: OperationRoute,
    query: Mapping[str, str],
    body: Callable[[], Any],
    has_body: bool,
) -> DeclaredRequest:
    """The payload a declared route's rule makes of a request it matched (``body`` decodes
    the request's body; without one, the rule sees ``None``)."""
    for name in query:
        if name not in declared.query:
            takes = f"takes {', '.join(declared.query)}" if declared.query else "takes none"
            raise InvalidQueryError(f"Unknown query parameter {name!r}; {declared.path} {takes}")
    document = body() if declared.method in ("POST", "PUT", "PATCH") and has_body else None
    parameters = dict(match.parameters)
    table = parameters.pop(TABLE_VARIABLE, None) or match.route.table
    payload = declared.payload_of(RouteRequest(parameters, query, document))
    return DeclaredRequest(match.route, payload, declared.status, table)


def path_variables(template: str) -> list[str]:
    """The variables of a path template, in order: ``["customerId", "orderId"]``."""
    return _VARIABLE.findall(template)


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


def routes_of(
    tables: Mapping[str, KeySchema],
    operations: Mapping[str, Operation] | None = None,
    microservice: str | None = None,
) -> tuple[Route, ...]:
    """Every route of a stack: over its tables (logical name to key schema), those its
    ``operations`` declare, and the ``microservice`` blueprint resource if it names one, in
    a stable order.

    With ``operations``, a table or blueprint route is there only if its stock operation
    is (and, for a table route, serves its table); routes that collide, or that API
    Gateway could not tell apart, are a :class:`DuplicateRouteError` naming both.
    """
    found = list(_table_routes(tables))
    if operations is not None:
        found = [
            route
            for route in found
            if route.operation in operations
            and operations[route.operation].serves(
                str(route.table), tables[str(route.table)].indexes
            )
        ]
        for name in sorted(operations):
            found += _declared_routes(operations[name], tables)
    if microservice is not None:
        blueprint = microservice_routes(microservice)
        missing = sorted({r.operation for r in blueprint} - set(operations or OPERATIONS.values()))
        if missing:
            raise RouteDefinitionError(
                f"microserviceResource {microservice!r} runs the stock operations list, create, "
                f"update and delete, and this stack serves no {', '.join(missing)}: add the "
                "operations package to operationPackages, or leave the setting out"
            )
        found += blueprint
    check(found)
    return tuple(found)


def microservice_routes(resource: str) -> list[Route]:
    """The blueprint resource's methods at ``/{resource}`` (:mod:`function.microservice`)."""
    if not _SEGMENT.fullmatch(resource):
        raise RouteDefinitionError(f"microserviceResource {resource!r} {SEGMENT_REFUSAL}")
    if f"/{resource}" == ENVELOPE_PATH:
        raise RouteDefinitionError(f"microserviceResource: {ENVELOPE_PATH} is the envelope's")
    return [Route(method, f"/{resource}", kind, None) for method, kind in MICROSERVICE.items()]


def declared(operation: Operation, table: str | None = None) -> list[Route]:
    """The routes an operation declares, each on its own table, else on ``table``."""
    return [
        Route(each.method, each.path, DECLARED, each.table or table, None, operation.name)
        for each in operation.routes
    ]


def _declared_routes(operation: Operation, tables: Mapping[str, KeySchema]) -> list[Route]:
    """An operation's routes on a stack's tables; one it could not serve there is an error."""
    found = declared(operation, operation.default_table)
    for each in found:
        where = f"operation {operation.name!r}, route {each.method} {each.path}"
        if each.table is not None and each.table in tables:
            if not operation.serves(each.table, tables[each.table].indexes):
                raise RouteDefinitionError(f"{where}: the operation does not run on {each.table}")
        elif each.table is not None and operation.tables is None:
            raise RouteDefinitionError(f"{where}: this stack serves no table {each.table!r}")
        elif (
            operation.needs_table
            and not operation.tables_in_payload
            and len(tables) > 1
            and f"{{{TABLE_VARIABLE}}}" not in each.path
        ):
            raise RouteDefinitionError(
                f"{where}: the operation runs on several tables of this stack; give the route "
                f"table=, or a {{{TABLE_VARIABLE}}} variable in its path (/counts/{{table}})"
            )
    return found


def check(found: Iterable[Route]) -> None:
    """Refuse two routes on one method and path, or variables API Gateway would confuse."""
    seen: dict[tuple[str, ...], Route] = {}
    variables: dict[tuple[str, ...], tuple[str, Route]] = {}
    for each in found:
        segments = _segments(each.path)
        shape = tuple("{}" if part.startswith("{") else part for part in segments)
        other = seen.setdefault((each.method, *shape), each)
        if other is not each:
            raise DuplicateRouteError(
                f"{each.method} {each.path} is declared by both {other.origin} and {each.origin}"
            )
        for position, part in enumerate(segments):
            if part.startswith("{"):
                parent = shape[:position]
                name, first = variables.setdefault(parent, (part, each))
                if name != part:
                    raise DuplicateRouteError(
                        f"{first.path} ({first.origin}) and {each.path} ({each.origin}) name "
                        f"the variable after /{'/'.join(parent)} differently ({name}, {part}): "
                        "API Gateway takes one name there"
                    )


def _table_routes(tables: Mapping[str, KeySchema]) -> list[Route]:
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
            path = f"/{table}/{INDEXES}/{index}/{ITEMS}/{{{name}}}"
            found.append(Route("GET", path, "index", table, index))
    return found


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


class Operations(Protocol):
    """Where the operations come from: a :class:`~function.registry.Registry`."""

    def all(self) -> Mapping[str, Operation]: ...


_built: tuple[Tables, Operations, str | None, RouteTable] | None = None


def configured(deployment: Tables, operations: Operations) -> RouteTable:
    """The route table of this deployment and registry, built once for them.

    A deployed archive carries it (``function/routes.json``, written from the
    registry at deploy time), so matching a request imports no operation;
    elsewhere it is built from every operation and the tables' keys. The
    blueprint resource, if any, is :data:`MICROSERVICE_ENV`'s.
    """
    global _built
    resource = os.environ.get(MICROSERVICE_ENV) or None
    if (
        _built is None
        or _built[0] is not deployment
        or _built[1] is not operations
        or _built[2] != resource
    ):
        listed = _bundled_routes()
        if listed is None:
            listed = routes_of(deployment.keys, operations.all(), resource)
        elif resource is not None:
            listed = (*listed, *microservice_routes(resource))
            check(listed)
        _built = deployment, operations, resource, RouteTable(listed)
    return _built[3]


def encode(listed: Iterable[Route]) -> str:
    """The route table as the archive carries it."""
    return json.dumps([list(each) for each in listed], separators=(",", ":"))


@lru_cache(maxsize=1)
def _bundled_routes() -> tuple[Route, ...] | None:
    path = Path(__file__).with_name(ROUTES_FILE)
    if not path.is_file():
        return None
    return tuple(Route(*each) for each in json.loads(path.read_text(encoding="utf-8")))
