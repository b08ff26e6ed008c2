"""The API's OpenAPI 3 document, generated from the registry: one description for every reader.

``POST /DynamoDBManager`` takes one request schema per registered operation,
told apart by ``operation`` (``oneOf`` with a discriminator); each carries the
operation's payload schema, its example (:mod:`infra.document_examples`), the
statuses it can answer and the schema of its answer. Each table's routes
(:mod:`function.routes`) follow, each method with its path and query parameters,
its body, its answers and the links from a created item to its reads and changes
(:func:`served_routes` says which). The same document is served by ``make serve``
(``/openapi.json`` and ``/docs``), written by ``make openapi`` and checked by the
contract tests, so it cannot drift from the code; the REST API is imported from it
with API Gateway's extensions (:mod:`infra.gateway_document`). No Pulumi here: the
local server imports it.
"""

from __future__ import annotations

import base64
import inspect
import json
import sys
import tomllib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from function.errors import (
    ConditionalCheckFailedError,
    DynamoDBUnavailableError,
    DynamoDBValidationError,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    InvalidCursorError,
    InvalidJsonError,
    InvalidKeyError,
    InvalidPayloadError,
    InvalidQueryError,
    InvalidRequestError,
    ItemExistsError,
    ItemNotFoundError,
    MalformedRequestError,
    OperationNotOnTableError,
    RequestError,
    RequestTooLargeError,
    ResponseTooLargeError,
    TableNotAllowedError,
    TableRequiredError,
    ThrottledError,
    UnknownOperationError,
)
from function.microservice import TABLE_PARAMETER, query_parameters
from function.registry import Operation, OperationDefinitionError, Registry
from function.routes import TABLE_VARIABLE, Route, path_variables, routes_of
from function.table_routes import MAX_LIMIT
from function.tables import KeySchema
from function.validation import compile_schema
from infra.document_examples import blueprint_example, example_request
from infra.dynamodb_outputs import output_schema
from infra.project import PROJECT_DIR
from infra.rest_api import (
    JSON,
    MODEL_NAME,
    RESOURCE_PATH,
)
from infra.settings import Settings, stack_settings

OPENAPI_VERSION = "3.0.3"
TITLE = "DynamoDBOperations"
ERROR_BODY = "ErrorBody"
REQUEST = f"#/components/schemas/{MODEL_NAME}"

#: Errors any request can get, whatever its operation.
ANY_OPERATION: tuple[type[RequestError], ...] = (
    MalformedRequestError,
    InvalidJsonError,
    InvalidRequestError,
    UnknownOperationError,
    InvalidPayloadError,
    RequestTooLargeError,
    ResponseTooLargeError,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
)
#: Errors any operation that calls DynamoDB can get.
ON_A_TABLE: tuple[type[RequestError], ...] = (
    TableRequiredError,
    TableNotAllowedError,
    OperationNotOnTableError,
    DynamoDBValidationError,
    ConditionalCheckFailedError,
    ThrottledError,
    DynamoDBUnavailableError,
)

#: What each status means, for every operation.
STATUSES = {
    200: "The operation's result: DynamoDB's answer, or what the operation returns.",
    400: "The request or its payload is invalid. API Gateway's own refusal of a body its "
    'model does not accept is {"message": "Invalid request body"}.',
    401: "API Gateway found no valid JWT (authMode jwt).",
    403: "The request names a table it may not use, or API Gateway refused the caller.",
    404: "The key names no item.",
    409: "A condition or transaction failed, or a request with this idempotency key is running.",
    413: "The request or the answer is larger than API Gateway or Lambda carries.",
    422: "The idempotency key was used for a different request.",
    429: "DynamoDB or the stage's throttle refused the request; retry later.",
    500: "A bug: the body names only the request id, the function's log has the cause.",
    503: "DynamoDB is unreachable or did not answer in time; retry later.",
}

#: Each route kind's success status where it is not 200.
ROUTE_SUCCESS = {"insert": 201, "remove": 204}
#: The errors a table route can answer beyond its operation's (the function's
#: :mod:`function.table_routes`): an unknown query parameter is a 400 on every route.
ROUTE_ERRORS: dict[str, tuple[type[RequestError], ...]] = {
    "insert": (InvalidKeyError, ItemExistsError),
    "scan": (InvalidCursorError,),
    "partition": (InvalidKeyError, InvalidCursorError),
    "index": (InvalidKeyError, InvalidCursorError),
    "get": (InvalidKeyError, ItemNotFoundError),
    "replace": (InvalidKeyError,),
    "patch": (InvalidKeyError, ItemNotFoundError),
    "remove": (InvalidKeyError, ItemNotFoundError),
}
#: Each route kind's verb in its ``operationId`` (``LambdaTable.items.create``) and summary.
ROUTE_VERBS = {
    "insert": ("create", "Create an item"),
    "scan": ("list", "List the items"),
    "partition": ("query", "List one partition's items"),
    "get": ("read", "Read an item"),
    "replace": ("replace", "Replace an item"),
    "patch": ("update", "Update an item"),
    "remove": ("delete", "Delete an item"),
    "index": ("query", "Query an index"),
}
#: What a route's success means, by kind (``{table}`` and ``{index}`` filled in).
ROUTE_DESCRIPTIONS = {
    "insert": "Puts the body as a new item of `{table}`; an item with its key is a 409 "
    "(PUT the item's path to replace it).",
    "scan": "One page of a Scan of `{table}`.",
    "partition": "One page of a Query of `{table}` for one partition key, in sort key order; "
    "`from`, `to` or `prefix` bound the sort key, `order=desc` reverses.",
    "get": "The item of `{table}` the path's key names; 404 if there is none.",
    "replace": "Puts the body as the item the path's key names (created if absent); a key "
    "attribute in the body must be the path's.",
    "patch": "Sets each attribute the body names, and removes each it gives as `null`; 404 if "
    "no item has the path's key. Answers the whole item as it is now.",
    "remove": "Deletes the item the path's key names; 404 if there is none.",
    "index": "One page of a Query of index `{index}` of `{table}` for one partition key.",
}
#: The success answers' descriptions, by kind.
ROUTE_ANSWERS = {
    "insert": "Created: the item as sent; `Location` is its URL.",
    "get": "The item.",
    "replace": "The item as stored now.",
    "patch": "The item after the change, every attribute.",
    "remove": "Deleted: no body.",
    "page": "One page: its `items`, and `next`, the cursor of the next page (null on the last).",
}
#: A binary key in a path or a query: base64url, its padding optional.
BASE64URL = "^[A-Za-z0-9_-]+={0,2}$"


def document(
    operations: Mapping[str, Operation],
    settings: Settings,
    *,
    servers: Iterable[Mapping[str, Any]] | None = None,
) -> dict[str, Any]:
    """The OpenAPI document of the API ``settings`` deploys with these operations.

    ``servers`` defaults to the stage's execute-api URL, its id and region as
    variables; the local server passes its own.
    """
    ordered = [operations[name] for name in sorted(operations)]
    schemas: dict[str, Any] = {
        MODEL_NAME: {
            "oneOf": [{"$ref": _ref(_request_name(op))} for op in ordered],
            "discriminator": {
                "propertyName": "operation",
                "mapping": {op.name: _ref(_request_name(op)) for op in ordered},
            },
        },
        ERROR_BODY: {
            "type": "object",
            "required": ["message"],
            "properties": {
                "message": {"type": "string", "description": "What went wrong, for a person."},
                "type": {
                    "type": "string",
                    "description": "The error's name, for a program (absent from API "
                    "Gateway's own answers).",
                },
            },
        },
    }
    for op in ordered:
        schemas[_payload_name(op)] = openapi_schema(op.schema, _ref(_payload_name(op)))
        schemas[_answer_name(op)] = _answer_schema(op, schemas)
        runs_on = settings.tables_of(op)
        # The handler's rule: a request without tableName means the one table it runs on.
        optional = len(runs_on) == 1
        schemas[_request_name(op)] = _request_schema(
            op, runs_on, optional, statuses_of(op, settings)
        )
    statuses = sorted({status for op in ordered for status in statuses_of(op, settings)})
    post: dict[str, Any] = {
        "operationId": "DynamoDBManager",
        "summary": "Run one operation",
        "description": "The body names an `operation`, a `tableName` and the `payload` (the "
        "DynamoDB call's parameters without `TableName`). Operations: "
        + ", ".join(f"`{op.name}`" for op in ordered)
        + ".",
        "requestBody": {
            "required": True,
            "content": {
                JSON: {
                    "schema": {"$ref": REQUEST},
                    "examples": {
                        op.name: {
                            "summary": _summary(op),
                            "value": example_request(op, settings),
                        }
                        for op in ordered
                        if op.example is not None
                    },
                }
            },
        },
        "responses": {str(status): _response(status) for status in statuses},
    }
    post["responses"]["200"] = _envelope_answer(ordered)
    described: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": TITLE,
            "version": _project_version(),
            "description": "DynamoDB operations over HTTPS: AWS's Lambda and API Gateway "
            f"tutorial, as {_stage_described(settings)} serves it. Tables: "
            + ", ".join(f"`{name}`" for name in settings.tables)
            + ".\n\n"
            + _operations_table(ordered, settings),
        },
        "servers": list(servers) if servers is not None else _stage_servers(settings),
        "paths": {RESOURCE_PATH: {"post": post}},
        "components": {"schemas": schemas},
    }
    security = _security_scheme(settings.auth_mode)
    requirement: list[dict[str, list[str]]] | None = None
    if security is not None:
        scheme, definition = security
        described["components"]["securitySchemes"] = {scheme: definition}
        requirement = [{scheme: []}]
        post["security"] = requirement
    routes = served_routes(operations, settings)
    keys = {name: definition.key_schema for name, definition in settings.tables.items()}
    for table in dict.fromkeys(
        route.table for route in routes if route.declared_by is None and not route.blueprint
    ):
        schemas.update(_table_schemas(str(table), keys[str(table)]))
    described["paths"].update(
        _route_paths(routes, keys, operations, settings, requirement, schemas)
    )
    return described


def stack_document(settings: Settings) -> dict[str, Any]:
    """The document of a stack's own operations, plugins included: what ``make openapi`` writes."""
    return document(Registry(settings.operation_packages, settings.plugins).all(), settings)


def dumps(described: Mapping[str, Any]) -> str:
    """The document as committed: indented, keys in order, ending with a newline."""
    return json.dumps(described, indent=2, ensure_ascii=False) + "\n"


def committed_name(stack: str) -> str:
    """Where ``make openapi`` writes a stack's document: ``openapi.json`` for dev."""
    return "openapi.json" if stack == "dev" else f"openapi.{stack}.json"


def stale_documents(project_dir: Path = PROJECT_DIR) -> dict[str, str]:
    """Each committed document that differs from what the registry gives, and its stack.

    ``make lint`` runs this, not the tests: the committed file follows the
    operations a user adds, and is stale until ``make openapi`` rewrites it.
    """
    stale = {}
    for path in sorted(project_dir.glob("openapi*.json")):
        stack = path.name.removeprefix("openapi.").removesuffix("json").rstrip(".") or "dev"
        if path.read_text() != dumps(stack_document(stack_settings(stack, project_dir))):
            stale[path.name] = stack
    return stale


def statuses_of(op: Operation, settings: Settings) -> list[int]:
    """Every status ``op`` can answer on this stack: its errors, the gateway's, and 200."""
    errors = (*ANY_OPERATION, *(ON_A_TABLE if op.needs_table else ()), *op.errors)
    statuses = {200, 429, 500, *(error.status for error in errors)}
    if settings.auth_mode != "none":
        statuses.add(403)
    if settings.auth_mode == "jwt":
        statuses.add(401)
    return sorted(statuses)


def served_routes(operations: Mapping[str, Operation], settings: Settings) -> tuple[Route, ...]:
    """The routes the API serves: each table route whose stock operation is registered and
    serves its table (a stack without ``operations`` in its packages has none), and each
    route an operation declares (:func:`function.routes.routes_of`).

    The deployed API has a resource (or an HTTP API route) for each, and API Gateway may
    invoke the function on them (:func:`infra.api.invoke_source_paths`); any other path is
    API Gateway's 403 (an HTTP API's 404), or, behind the catch-all, the function's 404.
    """
    keys = {name: definition.key_schema for name, definition in settings.tables.items()}
    return routes_of(keys, operations, settings.microservice_resource or None)


def route_statuses(route: Route, op: Operation, settings: Settings) -> list[int]:
    """Every status a table route can answer: its operation's (:func:`statuses_of`), with the
    route's own success status for 200, and the route's own errors.

    A 405 is left out: the function answers it to a method the path does not list.
    """
    statuses = set(statuses_of(op, settings)) - {200}
    statuses.add(ROUTE_SUCCESS.get(route.kind, 200))
    errors: tuple[type[RequestError], ...] = (InvalidQueryError, *ROUTE_ERRORS[route.kind])
    statuses |= {error.status for error in errors}
    return sorted(statuses)


def _route_paths(
    routes: Iterable[Route],
    keys: Mapping[str, KeySchema],
    operations: Mapping[str, Operation],
    settings: Settings,
    security: list[dict[str, list[str]]] | None,
    components: dict[str, Any],
) -> dict[str, dict[str, Any]]:
    """The path items of the routes: each template, its methods in route order (the schemas
    they refer to added to ``components``)."""
    paths: dict[str, dict[str, Any]] = {}
    ids: dict[Route, str] = {}
    for route in routes:
        ids[route] = _unique(_operation_id(route), set(ids.values()))
        op = operations[route.operation]
        if route.declared_by is not None:
            operation = _declared_operation(route, op, settings, ids[route])
        elif route.blueprint:
            operation = _blueprint_operation(route, op, settings, ids[route], components)
        else:
            operation = _route_operation(route, keys[str(route.table)], op, settings, ids[route])
        if security is not None:
            operation["security"] = [dict(requirement) for requirement in security]
        paths.setdefault(route.path, {})[route.method.lower()] = operation
    for insert in (route for route in ids if route.kind == "insert"):
        links = _links_to_created_item(insert, keys[str(insert.table)], ids)
        if links:
            paths[insert.path][insert.method.lower()]["responses"]["201"]["links"] = links
    return paths


def _declared_operation(
    route: Route, op: Operation, settings: Settings, operation_id: str
) -> dict[str, Any]:
    """A route an operation declares: its parameters as text, its answers the operation's."""
    declared = op.route_for(route.method, route.path)
    # A {table} variable names a served table the operation runs on, as tableName does.
    table = _table_name_schema(settings.tables_of(op), optional=False)
    parameters = [
        {
            "name": name,
            "in": "path",
            "required": True,
            "schema": table if name == TABLE_VARIABLE else {"type": "string", "minLength": 1},
        }
        for name in path_variables(route.path)
    ] + [
        {"name": name, "in": "query", "required": False, "schema": {"type": "string"}}
        for name in declared.query
    ]
    rule = (
        "the operation's own rule makes its payload from the path, the query and the body"
        if declared.payload is not None
        else "its payload is the body's object with each path and query parameter added"
    )
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": _summary(op),
        "description": f"{_description(op)}\n\nRuns `{op.name}`: {rule}.",
        "tags": [route.table or op.name],
    }
    if parameters:
        operation["parameters"] = parameters
    if route.method in ("POST", "PUT", "PATCH"):
        operation["requestBody"] = {
            "required": True,
            "content": {JSON: {"schema": {"type": "object"}}},
        }
    statuses = set(statuses_of(op, settings)) - {200}
    statuses |= {declared.status, InvalidQueryError.status, InvalidKeyError.status}
    operation["responses"] = {
        str(status): (
            _response(status)
            if status != declared.status
            else {"description": "No body."}
            if status == 204
            else {
                "description": STATUSES[200],
                "content": {JSON: {"schema": {"$ref": _ref(_answer_name(op))}}},
            }
        )
        for status in sorted(statuses)
    }
    return operation


def _blueprint_operation(
    route: Route,
    op: Operation,
    settings: Settings,
    operation_id: str,
    components: dict[str, Any],
) -> dict[str, Any]:
    """A method of the microservice blueprint's resource (:mod:`function.microservice`): its
    stock operation's parameters with ``TableName``, attribute values typed both ways."""
    output = op.output
    call = output.call if output is not None else op.name
    runs_on = settings.tables_of(op)
    table = _table_name_schema(runs_on, optional=len(runs_on) == 1)
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": f"{call}, as the console's microservice blueprint runs it",
        "description": f"Runs `{op.name}` ({call}) with DynamoDB JSON: typed attribute values "
        '(`{"S": "Bob"}`, binaries as base64) in and out, as the Lambda console\'s '
        "`microservice-http-endpoint-python` blueprint took and answered them.",
        "tags": ["microservice"],
    }
    if route.method == "GET":
        table_parameter = {"name": TABLE_PARAMETER, "in": "query", "schema": table}
        operation["parameters"] = [
            {**table_parameter, "required": len(runs_on) > 1},
            *(
                {"name": name, "in": "query", "required": False, "schema": dict(schema)}
                for name, schema in query_parameters(op.schema).items()
            ),
        ]
    else:
        operation["requestBody"] = {
            "required": True,
            "content": {
                JSON: {
                    "schema": {
                        "type": "object",
                        "properties": {TABLE_PARAMETER: table},
                        **({"required": [TABLE_PARAMETER]} if len(runs_on) > 1 else {}),
                    },
                    "example": blueprint_example(op, settings),
                }
            },
        }
    answer: dict[str, Any] = {"type": "object"}
    if output is not None:
        answer = output_schema(output, components, typed=True)
    statuses = {*statuses_of(op, settings), InvalidQueryError.status}
    operation["responses"] = {
        str(status): (
            _response(status)
            if status != 200
            else {
                "description": f"{call}'s output in DynamoDB JSON, without `ResponseMetadata`.",
                "content": {JSON: {"schema": answer}},
            }
        )
        for status in sorted(statuses)
    }
    return operation


def _route_operation(
    route: Route, keys: KeySchema, op: Operation, settings: Settings, operation_id: str
) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": operation_id,
        "summary": ROUTE_VERBS[route.kind][1],
        "description": ROUTE_DESCRIPTIONS[route.kind].format(
            table=route.table, index=route.index_name
        )
        + f" Runs `{route.operation}`.",
        "tags": [route.table],
    }
    parameters = _path_parameters(route, keys) + _query_parameters(route, keys)
    if parameters:
        operation["parameters"] = parameters
    if route.takes_body:
        operation["requestBody"] = {
            "required": True,
            "content": {
                JSON: {"schema": _body_schema(route, keys), "example": _example_body(route, keys)}
            },
        }
    responses: dict[str, Any] = {}
    for status in route_statuses(route, op, settings):
        responses[str(status)] = _route_response(route, status)
    operation["responses"] = responses
    return operation


def _path_parameters(route: Route, keys: KeySchema) -> list[dict[str, Any]]:
    """The route's path parameters: each key attribute its path names, typed like the key."""
    names = path_variables(route.path)
    return [
        {
            "name": name,
            "in": "path",
            "required": True,
            "description": f"`{attribute}`, the {('partition', 'sort')[number]} key"
            + (" (base64url)" if keys.type_of(attribute) == "B" else ""),
            "schema": _key_text_schema(keys.type_of(attribute)),
        }
        for number, (name, attribute) in enumerate(zip(names, route.path_keys(keys), strict=True))
    ]


def _query_parameters(route: Route, keys: KeySchema) -> list[dict[str, Any]]:
    range_key = route.index_keys(keys)[1]
    range_type = keys.type_of(range_key) if range_key is not None else "S"
    described: dict[str, tuple[str, dict[str, Any]]] = {
        "limit": (
            f"The most items the page holds (DynamoDB's Limit: it may hold fewer), "
            f"1 to {MAX_LIMIT}.",
            {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT},
        ),
        "cursor": (
            "Where the page starts: the previous page's `next`.",
            {"type": "string", "minLength": 1},
        ),
        "from": (
            f"The least `{range_key}` the page holds.",
            _key_text_schema(range_type),
        ),
        "to": (f"The greatest `{range_key}` the page holds.", _key_text_schema(range_type)),
        "prefix": (
            f"What `{range_key}` begins with (not with `from` or `to`).",
            {"type": "string", "minLength": 1},
        ),
        "order": (
            "`asc` (the default) or `desc`"
            + (f", by `{range_key}`." if range_key is not None else "."),
            {"type": "string", "enum": ["asc", "desc"]},
        ),
    }
    return [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": described[name][0],
            "schema": described[name][1],
        }
        for name in route.query(keys)
    ]


def _key_text_schema(kind: str) -> dict[str, Any]:
    """A key value sent as text (a path segment, a query value): ``B`` is base64url there."""
    if kind == "N":
        return {"type": "number"}
    if kind == "B":
        return {"type": "string", "pattern": BASE64URL}
    return {"type": "string", "minLength": 1}


def _key_body_schema(kind: str) -> dict[str, Any]:
    """A key value in JSON (a body, an answer): ``B`` is base64 there, as reads show it."""
    if kind == "N":
        return {"type": "number"}
    if kind == "B":
        return {"type": "string", "format": "byte"}
    return {"type": "string", "minLength": 1}


def _table_schemas(table: str, keys: KeySchema) -> dict[str, Any]:
    """A table's item and page schemas, for its routes to refer to."""
    return {
        _item_name(table): {
            "type": "object",
            "description": f"An item of `{table}`: its key, and any other attributes.",
            "required": list(keys.key_attributes),
            "properties": {
                name: _key_body_schema(keys.type_of(name)) for name in keys.key_attributes
            },
        },
        _page_name(table): {
            "type": "object",
            "required": ["items", "next"],
            "properties": {
                "items": {"type": "array", "items": {"$ref": _ref(_item_name(table))}},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "description": "The next page's `cursor`; null on the last page.",
                },
            },
        },
    }


def _body_schema(route: Route, keys: KeySchema) -> dict[str, Any]:
    """The request body: a new item whole, or attributes of the item the path names."""
    if route.kind == "insert":
        return {"$ref": _ref(_item_name(str(route.table)))}
    schema: dict[str, Any] = {
        "type": "object",
        "description": "The item's attributes; a key attribute, if given, must be the path's."
        if route.kind == "replace"
        else "The attributes to set; `null` removes one.",
        "properties": {name: _key_body_schema(keys.type_of(name)) for name in keys.key_attributes},
    }
    if route.kind == "patch":
        schema["minProperties"] = 1
    return schema


def _route_response(route: Route, status: int) -> dict[str, Any]:
    """One answer of a table route: its success with the item or the page, or an error."""
    if status != ROUTE_SUCCESS.get(route.kind, 200):
        error = _response(status)
        if status == 400:
            error["description"] = "A key in the path, a query parameter or the body is invalid."
        elif status == 409 and route.kind == "insert":
            error["description"] = (
                "An item has this key (PUT its path to replace it), or a request with this "
                "idempotency key is running."
            )
        return error
    if route.kind == "remove":
        return {"description": ROUTE_ANSWERS["remove"]}
    table = str(route.table)
    name = _page_name(table) if route.pages else _item_name(table)
    answer: dict[str, Any] = {
        "description": ROUTE_ANSWERS["page" if route.pages else route.kind],
        "content": {JSON: {"schema": {"$ref": _ref(name)}}},
    }
    if route.kind == "insert":
        answer["headers"] = {
            "Location": {"description": "The created item's URL.", "schema": {"type": "string"}}
        }
    return answer


def _links_to_created_item(
    insert: Route, keys: KeySchema, ids: Mapping[Route, str]
) -> dict[str, Any]:
    """Links from a created item to the reads and changes of its path, its key from the body.

    So a client (and schemathesis's stateful tests) can create an item, then use it. None
    for a binary key: the body shows it as base64, the path takes base64url.
    """
    if any(keys.type_of(name) == "B" for name in keys.key_attributes):
        return {}
    links = {}
    for route, operation_id in ids.items():
        if route.table != insert.table or route.kind not in ("get", "replace", "patch", "remove"):
            continue
        names = path_variables(route.path)
        verb, summary = ROUTE_VERBS[route.kind]
        links[verb] = {
            "operationId": operation_id,
            "parameters": {
                name: f"$response.body#/{_pointer(attribute)}"
                for name, attribute in zip(names, route.path_keys(keys), strict=True)
            },
            "description": f"{summary}: the one created.",
        }
    return links


def _example_body(route: Route, keys: KeySchema) -> dict[str, Any]:
    """The body of the banner's example requests (:mod:`local_api.examples`) on item 7.

    POST sends the item whole; PUT and PATCH its name alone, which fits any path's key: a
    client (and schemathesis's examples phase) can send them to an item it created.
    """
    indexed = {attribute for index in keys.indexes.values() for attribute in index if attribute}
    taken = {*keys.key_attributes, *indexed}
    name = next((n for n in ("name", "title") if n not in taken), "label")
    if route.kind != "insert":
        return {name: "Cy" if route.kind == "replace" else "Bo"}
    shown = {"N": 7, "B": base64.b64encode(b"7").decode()}
    return {
        **{attribute: shown.get(keys.type_of(attribute), "7") for attribute in keys.key_attributes},
        name: "Ann",
    }


def _pointer(attribute: str) -> str:
    """An attribute name as a JSON Pointer token (RFC 6901)."""
    return attribute.replace("~", "~0").replace("/", "~1")


def _operation_id(route: Route) -> str:
    """``LambdaTable.items.create``; ``Orders.indexes.byStatus.query`` for an index;
    ``orders-by-status.get`` for a route an operation declares."""
    if route.declared_by is not None:
        return f"{route.declared_by}.{route.method.lower()}"
    if route.blueprint:
        return f"microservice.{route.method.lower()}"
    verb = ROUTE_VERBS[route.kind][0]
    if route.index_name is not None:
        return f"{route.table}.indexes.{route.index_name}.{verb}"
    return f"{route.table}.items.{verb}"


def _unique(name: str, taken: set[str]) -> str:
    """``name``, numbered if taken (tables named like another's route): ids are unique."""
    candidate, number = name, 1
    while candidate in taken:
        number += 1
        candidate = f"{name}{number}"
    taken.add(candidate)
    return candidate


def openapi_schema(schema: Mapping[str, Any], root: str = "") -> dict[str, Any]:
    """A draft-04 JSON Schema as an OpenAPI 3.0 schema object, which is a subset of it.

    No ``$schema`` or ``id``; a list of types becomes ``nullable`` or an
    ``anyOf``; ``const`` an ``enum`` of one; a list of ``items`` an ``anyOf`` of
    them. What OpenAPI 3.0 cannot say (``patternProperties``, ``dependencies``,
    ``additionalItems``, ``definitions``) is kept under ``x-`` for readers, and
    ``$ref`` into ``definitions`` points there (``root`` is where the converted
    schema will live in the document). The function still checks the original.
    """
    converted: dict[str, Any] = {}
    for key, value in schema.items():
        if key in ("$schema", "id"):
            continue
        if key == "type" and isinstance(value, list):
            kinds = [kind for kind in value if kind != "null"]
            if len(kinds) < len(value):
                converted["nullable"] = True
            if len(kinds) == 1:
                converted["type"] = kinds[0]
            elif kinds:
                converted["anyOf"] = [{"type": kind} for kind in kinds]
            else:
                converted["enum"] = [None]
        elif key == "const":
            converted["enum"] = [value]
        elif key == "$ref" and value == "#" and root:
            converted[key] = root  # the schema itself: its component, not the document
        elif key == "$ref" and isinstance(value, str) and value.startswith("#/definitions/"):
            converted[key] = f"{root}/x-definitions/{value.removeprefix('#/definitions/')}"
        elif key in ("properties", "patternProperties", "definitions", "dependencies"):
            named = {
                name: openapi_schema(sub, root) if isinstance(sub, Mapping) else sub
                for name, sub in value.items()
            }
            converted[key if key == "properties" else f"x-{key}"] = named
        elif key in ("items", "additionalProperties", "not", "additionalItems") and isinstance(
            value, Mapping
        ):
            converted[key if key != "additionalItems" else "x-additionalItems"] = openapi_schema(
                value, root
            )
        elif key == "items" and isinstance(value, list):
            converted[key] = {"anyOf": [openapi_schema(sub, root) for sub in value]}
        elif key in ("allOf", "anyOf", "oneOf"):
            converted[key] = [openapi_schema(sub, root) for sub in value]
        elif key == "additionalItems":
            converted["x-additionalItems"] = value
        else:
            converted[key] = value
    return converted


def _request_schema(
    op: Operation, runs_on: list[str], table_optional: bool, statuses: list[int]
) -> dict[str, Any]:
    """The envelope for one operation: ``operation`` fixed to its name, its payload schema.

    ``tableName`` lists the stack's tables the operation runs on, by logical name
    (the physical name is accepted too, but is no part of the API); it may be left
    out when the API serves one table or the operation runs on one.
    """
    properties: dict[str, Any] = {
        "operation": {"type": "string", "enum": [op.name]},
    }
    if op.needs_table and not op.tables_in_payload:
        properties["tableName"] = _table_name_schema(runs_on, optional=table_optional)
    elif not op.tables_in_payload:
        properties["tableName"] = {
            "type": "string",
            "minLength": 1,
            "maxLength": 1024,
            "description": "Ignored: this operation touches no table.",
        }
    properties["payload"] = {"$ref": _ref(_payload_name(op))}
    properties["idempotencyKey"] = {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "description": "Makes a retry return the first request's result instead of running "
        "again (or send the Idempotency-Key header).",
    }
    required = ["operation"]
    if op.schema.get("required"):
        required.append("payload")
    return {
        "type": "object",
        "title": op.name,
        "description": _description(op),
        "required": required,
        "properties": properties,
        "additionalProperties": False,
        "x-statuses": statuses,
        "x-answer": _ref(_answer_name(op)),
    }


def _table_name_schema(runs_on: list[str], *, optional: bool) -> dict[str, Any]:
    """A parameter naming the table (``tableName``, ``TableName``, ``{table}``): one the
    operation runs on, by its logical name (the physical name works too, but is no part of
    the API)."""
    return {
        "type": "string",
        "enum": runs_on,
        "description": "The table, by its logical name"
        + (" (optional here: there is one)." if optional else "."),
    }


def _answer_schema(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    """What ``op`` answers on success, as it declares (any JSON value when it does not).

    A declaration that gives no schema (a call DynamoDB lacks, a malformed JSON Schema) is
    an :class:`OperationDefinitionError` naming the operation: ``make openapi``, ``pulumi
    up`` and the tests say which plugin to fix.
    """
    try:
        return _declared_answer(op, components)
    except (LookupError, TypeError, ValueError, AttributeError) as error:
        raise OperationDefinitionError(f"operation {op.name!r}: response: {error}") from error


def _declared_answer(op: Operation, components: dict[str, Any]) -> dict[str, Any]:
    if op.output is not None:
        answer = output_schema(op.output, components)
        answer["description"] = (
            f"{op.output.call}'s output, each attribute value as plain JSON, without "
            "`ResponseMetadata`."
        )
        return answer
    if isinstance(op.response, Mapping):
        json.dumps(op.response, allow_nan=False)  # what the document cannot carry
        compile_schema(op.response, "answer")  # a draft-04 schema's errors, as fastjsonschema's
        return openapi_schema(op.response, _ref(_answer_name(op)))
    return {"description": f"`{op.name}` declares no response schema: any JSON value."}


def _envelope_answer(ordered: Iterable[Operation]) -> dict[str, Any]:
    """``POST /DynamoDBManager``'s 200: the answer of the operation the request names.

    OpenAPI cannot tie an answer's schema to a field of the request, so the schema is
    any of the operations' answers, and each operation's request schema names its own
    in ``x-answer`` (which the contract tests check each answer against).
    """
    return {
        "description": "The operation's answer: the schema its request schema names in "
        "`x-answer`:\n\n" + "\n".join(f"- `{op.name}`: `{_answer_name(op)}`" for op in ordered),
        "content": {
            JSON: {"schema": {"anyOf": [{"$ref": _ref(_answer_name(op))} for op in ordered]}}
        },
    }


def _response(status: int) -> dict[str, Any]:
    if status == 200:
        return {"description": STATUSES[200], "content": {JSON: {"schema": {}}}}
    return {
        "description": STATUSES[status],
        "content": {JSON: {"schema": {"$ref": _ref(ERROR_BODY)}}},
    }


def _security_scheme(auth_mode: str) -> tuple[str, dict[str, Any]] | None:
    """API Gateway's security scheme for the stack's ``authMode``; ``None`` for an open API.

    ``jwt`` is an HTTP API's JWT authorizer, which reads ``Authorization: Bearer <token>``
    (a token from the stack's ``jwtIssuer`` for one of its ``jwtAudience``): HTTP bearer.
    """
    if auth_mode == "jwt":
        return "jwt", {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": "A JWT from the stack's issuer (jwtIssuer) for one of its audiences "
            "(jwtAudience), checked by API Gateway's JWT authorizer.",
        }
    if auth_mode == "apiKey":
        return "api_key", {"type": "apiKey", "name": "x-api-key", "in": "header"}
    if auth_mode == "iam":
        return "sigv4", {
            "type": "apiKey",
            "name": "Authorization",
            "in": "header",
            "description": "AWS Signature Version 4 (IAM): sign with credentials allowed "
            "execute-api:Invoke on this API.",
            "x-amazon-apigateway-authtype": "awsSigv4",
        }
    return None


def _stage_described(settings: Settings) -> str:
    """The stage the document describes: the REST API's named one, or the HTTP API's own."""
    if settings.api_type == "http":
        return "the HTTP API's `$default` stage"
    return f"stage `{settings.stage_name}`"


def _stage_servers(settings: Settings) -> list[dict[str, Any]]:
    """Where the deployed API answers: a REST API under its stage, an HTTP API's ``$default``
    stage at the root of its endpoint."""
    if settings.api_type == "http":
        return [
            {
                "url": "https://{apiId}.execute-api.{region}.amazonaws.com",
                "description": "The deployed HTTP API's $default stage (the stack's url output)",
                "variables": {
                    "apiId": {"default": "abcdef1234", "description": "The HTTP API's id"},
                    "region": {"default": "us-east-1"},
                },
            }
        ]
    return [
        {
            "url": "https://{restApiId}.execute-api.{region}.amazonaws.com/{stage}",
            "description": "The deployed stage (the stack's url output)",
            "variables": {
                "restApiId": {"default": "abcdef1234", "description": "The REST API's id"},
                "region": {"default": "us-east-1"},
                "stage": {"default": settings.stage_name},
            },
        }
    ]


def _operations_table(ordered: Iterable[Operation], settings: Settings) -> str:
    """A Markdown table of the operations: the docs page's index of them."""
    rows = [
        "| operation | what it does | DynamoDB calls | answers |",
        "| --- | --- | --- | --- |",
    ]
    for op in ordered:
        calls = ", ".join(sorted({a.removeprefix("dynamodb:") for a in op.actions})) or "none"
        answers = ", ".join(str(status) for status in statuses_of(op, settings))
        rows.append(f"| `{op.name}` | {_summary(op)} | {calls} | {answers} |")
    return "\n".join(rows)


def _summary(op: Operation) -> str:
    """What the operation does: its module docstring's first line, without the name in front."""
    module = sys.modules.get(op.module)
    first = ((module.__doc__ if module else None) or op.run.__doc__ or op.name).strip()
    line = first.splitlines()[0].removeprefix(f"{op.name}:").strip()
    return _markdown(line[:1].upper() + line[1:])


def _description(op: Operation) -> str:
    """The operation function's docstring, in the document's Markdown."""
    return _markdown(inspect.cleandoc(op.run.__doc__ or "")) or _summary(op)


def _markdown(text: str) -> str:
    return text.replace("``", "`")


def _request_name(op: Operation) -> str:
    return f"{_pascal(op.name)}Request"


def _payload_name(op: Operation) -> str:
    return f"{_pascal(op.name)}Payload"


def _answer_name(op: Operation) -> str:
    return f"{_pascal(op.name)}Answer"


def _pascal(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def _item_name(table: str) -> str:
    return f"{table}Item"


def _page_name(table: str) -> str:
    return f"{table}Page"


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


def _project_version() -> str:
    with (PROJECT_DIR / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])
