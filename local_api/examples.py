"""What the server suggests trying: a request per operation with an example, and its tables.

Besides the envelope's examples, each route (:mod:`function.routes`) with a
``curl``: each table's on one example item per table, and those operations declare.
"""

from __future__ import annotations

import base64
import json
import shlex
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from function.registry import Operation
from function.routes import TABLE_VARIABLE, Route, path_variables, routes_of
from infra import document_examples
from infra.settings import Settings
from infra.table_definitions import TableDefinition, example_key

#: The tutorial's walk through the API, its deletion kept for last so that pasting the
#: banner's requests in order finds the items the earlier ones wrote.
FIRST = ("create", "read", "update", "list", "query")
LAST = ("delete", "echo", "ping")
#: A table's routes in the order the banner lists them: pasted in order, the POST makes
#: the item the others read and change, and the DELETE comes last.
ROUTE_ORDER = ("insert", "get", "partition", "scan", "index", "replace", "patch", "remove")
#: The example item's key value: 7, which none of the envelope's examples writes (they
#: use 1 to 4), so the routes' POST does not find their item there (a 409).
ROUTE_EXAMPLE_VALUE = 7
#: How many items the example page requests ask for, to show ``?limit=``.
PAGE_LIMIT = 10


def describe(definition: TableDefinition) -> str:
    """One line saying what a table is keyed and indexed by: ``Orders (customerId: S, ...)``."""
    types = definition.attribute_types
    keys = ", ".join(f"{key}: {types[key]}" for key in definition.key_schema.key_attributes)
    parts = [f"{definition.name} ({keys})"]
    if definition.indexes:
        parts.append("indexes " + ", ".join(index.name for index in definition.indexes))
    if definition.ttl_attribute:
        parts.append(f"TTL {definition.ttl_attribute}")
    return "; ".join(parts)


def example_requests(
    settings: Settings, operations: Mapping[str, Operation]
) -> list[tuple[str, dict[str, Any]]]:
    """A request for every operation with an example, plugins' included.

    The tutorial's operations in its order, the others (plugins' too) by name
    before its ``delete``, ``echo`` and ``ping``; each as the OpenAPI document
    shows it, on the stack's keys.
    """
    rest = sorted(set(operations) - {*FIRST, *LAST})
    return [
        (name, document_examples.example_request(operations[name], settings))
        for name in (*FIRST, *rest, *LAST)
        if name in operations and operations[name].example is not None
    ]


def curl(url: str, document: dict[str, Any], api_key: str | None = None) -> str:
    """A ready-to-paste curl command POSTing ``document`` to ``url``."""
    parts = ["curl", "-s", "-X", "POST", url, "-H", "Content-Type: application/json"]
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    parts += ["-d", json.dumps(document)]
    return shlex.join(parts)


def route_examples(
    settings: Settings,
    base: str,
    api_key: str | None = None,
    operations: Mapping[str, Operation] | None = None,
) -> list[str]:
    """The banner's lines for the routes: each table's name, then its routes; then the
    routes operations declare.

    A route's line is its method and template, then a ready-to-paste ``curl``
    (``-i``: the status and headers are half the answer, ``Location`` and 204
    included) on the table's example item, or the operation's example for a
    declared route; templates line up.
    """
    everything = routes_of(
        {name: definition.key_schema for name, definition in settings.tables.items()},
        operations,
        settings.microservice_resource or None,
    )
    tables = {
        name: sorted(
            (route for route in everything if route.table == name and not route.declared_by),
            key=lambda r: ROUTE_ORDER.index(r.kind),
        )
        for name in settings.tables
    }
    declared = [route for route in everything if route.declared_by]
    width = max(len(route.path) for route in everything)

    def line(route: Route, curl: str) -> str:
        return f"    {route.method:<6} {route.path:<{width}}  {curl}"

    lines: list[str] = []
    for name, routes in tables.items():
        example = ExampleItem(settings.tables[name])
        lines.append(f"  {name}:")
        lines += [line(route, route_curl(route, base, example, api_key)) for route in routes]
    if declared and operations is not None:
        lines.append("  operations' own:")
        lines += [
            line(route, declared_curl(route, operations[route.operation], settings, base, api_key))
            for route in declared
        ]
    blueprint = [route for route in everything if route.blueprint]
    if blueprint and operations is not None:
        lines.append("  the microservice blueprint's resource (typed values):")
        lines += [
            line(route, blueprint_curl(route, operations[route.operation], settings, base, api_key))
            for route in blueprint
        ]
    return lines


def blueprint_curl(
    route: Route, operation: Operation, settings: Settings, base: str, api_key: str | None
) -> str:
    """A curl as a client of the console's microservice blueprint sends it: GET's table in the
    query string, the other methods' parameters and ``TableName`` in the body."""
    example = document_examples.blueprint_example(operation, settings)
    parts = ["curl", "-si"]
    if route.method == "GET":
        parts.append(f"{base}{route.path}?TableName={quote(str(example['TableName']))}")
    else:
        parts += ["-X", route.method, f"{base}{route.path}"]
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    if route.method != "GET":
        parts += ["-H", "Content-Type: application/json", "-d", json.dumps(example)]
    return shlex.join(parts)


def declared_curl(
    route: Route, operation: Operation, settings: Settings, base: str, api_key: str | None
) -> str:
    """A curl for an operation's own route: its path's variables from the operation's
    example where it has them (``{status}`` from ``{"status": "NEW"}``), ``{table}`` a
    table it runs on, the rest as body."""
    example = dict(operation.example or {})
    variables = path_variables(route.path)
    runs_on = settings.tables_of(operation)
    if TABLE_VARIABLE in variables and runs_on:
        example.setdefault(TABLE_VARIABLE, runs_on[0])
    path = route.path
    for name in variables:
        value = example.pop(name, name.upper())
        path = path.replace(f"{{{name}}}", quote(str(value), safe=""))
    parts = ["curl", "-si"]
    if route.method != "GET":
        parts += ["-X", route.method]
    parts.append(f"{base}{path}")
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    if route.method in ("POST", "PUT", "PATCH"):
        parts += ["-H", "Content-Type: application/json", "-d", json.dumps(example)]
    return shlex.join(parts)


class ExampleItem:
    """The item a table's example requests make, read, change and delete."""

    def __init__(self, definition: TableDefinition) -> None:
        self.definition = definition
        keys = definition.key_schema
        self.key = {
            attribute: _typed(definition, attribute, value)
            for attribute, value in example_key(definition, ROUTE_EXAMPLE_VALUE).items()
        }
        #: Attributes the item has besides its key: its indexes' keys (so that an
        #: index's request finds it), and a name.
        self.rest: dict[str, Any] = {}
        for index in keys.indexes.values():
            for attribute in (index.hash_key, index.range_key):
                if attribute and attribute not in self.key:
                    self.rest[attribute] = _typed(definition, attribute, ROUTE_EXAMPLE_VALUE)
        taken = {*self.key, *self.rest}
        self.name = next((name for name in ("name", "title") if name not in taken), "label")

    def body(self, name: str, *, whole: bool = True) -> dict[str, Any]:
        """The item (``whole``) or just a change of its name, as a JSON body writes it."""
        if not whole:
            return {self.name: name}
        shown = {
            attribute: base64.b64encode(value).decode() if isinstance(value, bytes) else value
            for attribute, value in {**self.key, **self.rest}.items()
        }
        return {**shown, self.name: name}

    def segments(self, attributes: tuple[str, ...]) -> list[str]:
        """The path segments naming these attributes' values (binary as base64url)."""
        values = {**self.key, **self.rest}
        return [_segment(values[attribute]) for attribute in attributes]


def route_curl(route: Route, base: str, example: ExampleItem, api_key: str | None = None) -> str:
    """A ready-to-paste curl command for ``route`` on the example item."""
    keys = example.definition.key_schema
    path = route.path.split("{", 1)[0].rstrip("/")
    url = "/".join([f"{base}{path}", *example.segments(route.path_keys(keys))])
    if route.pages:
        url += f"?limit={PAGE_LIMIT}"
    parts = ["curl", "-si"]
    if route.method != "GET":
        parts += ["-X", route.method]
    parts.append(url)
    if api_key:
        parts += ["-H", f"x-api-key: {api_key}"]
    if route.takes_body:
        body = {"insert": example.body("Ann"), "replace": example.body("Cy")}.get(
            route.kind, example.body("Bo", whole=False)
        )
        parts += ["-H", "Content-Type: application/json", "-d", json.dumps(body)]
    return shlex.join(parts)


def _typed(definition: TableDefinition, attribute: str, value: int) -> Any:
    """``value`` as the attribute's type wants it: a number, text, or bytes."""
    kind = definition.attribute_types.get(attribute, "S")
    if kind == "N":
        return value
    return str(value).encode() if kind == "B" else str(value)


def _segment(value: Any) -> str:
    if isinstance(value, bytes):
        return base64.urlsafe_b64encode(value).decode().rstrip("=")
    return quote(str(value), safe="")
