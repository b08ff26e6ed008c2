"""The Lambda entry point, ``function.handler.handler``.

A request flows one way: the event is read once into a :class:`~function.events.Request`;
:func:`execute` decodes it, finds the operation in the registry, resolves the
table, validates the payload and runs the operation, and returns a
:class:`Result`; the handler turns that into the HTTP response (proxy events)
or the direct result, and writes one log line. In direct mode bad requests
raise their typed :class:`~function.errors.RequestError`.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from function import (
    attribute_values,
    deadline,
    envelope,
    events,
    idempotency,
    registry,
    snapshot,
    tables,
)
from function.context import LambdaContext
from function.dynamodb.translation import translate
from function.errors import (
    InvalidRequestError,
    ItemNotFoundError,
    RequestError,
    TableInPayloadError,
)
from function.invocation import Invocation
from function.log_line import log_request
from function.registry import Operation

if TYPE_CHECKING:
    from function.microservice import BlueprintRequest
    from function.routes import DeclaredRequest
    from function.table_routes import RoutedRequest

    #: A request a route turned into an operation's payload.
    Routed = RoutedRequest | DeclaredRequest | BlueprintRequest

logger = logging.getLogger(__name__)


def _log_level() -> int:
    """Lambda's application log level (or ``LOG_LEVEL``); INFO when unset or unknown."""
    name = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO").upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


logger.setLevel(_log_level())
snapshot.register()


class InternalError(Exception):
    """A direct invocation failed for a reason that is ours, not the caller's.

    The invoker gets this and the request id; the cause is in the function's logs.
    """


@dataclass(frozen=True, slots=True)
class Result:
    """What one request did: its answer, and what its log line says.

    ``error`` is the caller-facing error (``status`` is then its status) or, with
    status 500, the unexpected exception.
    """

    status: int
    body: Any
    operation: str | None = None
    table: str | None = None
    replayed: bool = False
    error: Exception | None = None
    #: The answer's own headers: ``Location`` of a created item, ``Allow`` of a 405.
    headers: Mapping[str, str] = field(default_factory=dict)
    #: The table route it took (``GET /LambdaTable/items/{Id}``), if not the envelope.
    route: str | None = None


def handler(event: Any, context: LambdaContext | None) -> Any:
    """Serve one Lambda event: an API Gateway/Function URL event or a direct envelope."""
    started = time.perf_counter()
    request = events.read(event, context)
    budget = deadline.start(context)
    try:
        result = execute(request)
    finally:
        deadline.end(budget)
    if request.http:
        result, answer = _http_answer(result, request.request_id)
    if result.status == 500:
        logger.error(
            "Unhandled error serving request %s: %s",
            request.request_id,
            _described(result.error),
            exc_info=result.error,
        )
    log_request(logger, result, request.request_id, started)
    if request.http:
        return answer
    return _direct_answer(result, request.request_id)


def execute(request: events.Request) -> Result:
    """Run one request to its :class:`Result`; never raises.

    The operation is found once and its table resolved once; the operation gets
    one :class:`Invocation` holding both, its validated payload and its client.
    """
    if request.envelope:
        return _run(request, None)
    try:
        routed = _route(request)
    except RequestError as error:
        result = Result(error.status, error.to_body(), error=error)
    except Exception as error:  # noqa: BLE001 - any bug is a 500 that reveals only the request id
        result = _failed(error, request.request_id, None, None)
    else:
        result = _run(request, routed)
        return replace(result, route=f"{routed.route.method} {routed.route.path}")
    return replace(result, route=f"{request.method} {request.template or request.path}")


def _run(
    request: events.Request,
    routed: Routed | None,
) -> Result:
    """:func:`execute` of the envelope, or of a table route's request once it is found."""
    operation_name = table = None
    try:
        if routed is None:
            document = envelope.parse(request.decode())
        else:
            document = envelope.Envelope(routed.operation, routed.table, routed.payload)
        operation_name = document.operation
        operation = registry.lookup(operation_name)
        deployment, served = _table_of(operation, document)
        table = served.physical if served is not None else None
        payload = operation.validate(document.payload)
        if operation.tables_in_payload:
            # its tables are known from a valid payload: a malformed one is a 400 first
            deployment = tables.configured()
        call = Invocation(payload, request.request_id, served, operation, deployment)
        key = (
            None  # most requests carry no key: idempotency is not visited
            if request.idempotency_key is None and document.idempotency_key is None
            else idempotency.request_key(request.idempotency_key, document.idempotency_key)
        )
        if routed is not None and routed.route.method == "GET":
            key = None  # a read, which a retry repeats harmlessly: checked, not recorded
        run, kind = operation.run, operation.name
        if routed is not None and routed.route.blueprint:  # its clients speak DynamoDB JSON
            # the same JSON means other values typed: a key may not replay across the two
            run, kind = _typed(run), f"{operation.name} (DynamoDB JSON)"
        if key is None:
            value, replayed = run(call), False
        else:
            value, replayed = idempotency.run_once(
                lambda: run(call),
                key,
                caller=request.caller,
                owner=request.request_id,
                operation=kind,
                table=table,
                payload=call.payload,
            )
        if routed is None:
            return Result(200, value, operation_name, table, replayed)
        status, body, headers = routed.answer(value)
        return Result(status, body, operation_name, table, replayed, headers=headers)
    except RequestError as error:
        if routed is not None:
            error = routed.refine(error)
        return Result(error.status, error.to_body(), operation_name, table, error=error)
    except (ClientError, BotoCoreError) as error:
        # A waiter, or code using the client's botocore directly, gets past its translation.
        translated = translate(error)
        if translated is None:
            return _failed(error, request.request_id, operation_name, table)
        translated.__cause__ = error
        return Result(
            translated.status, translated.to_body(), operation_name, table, error=translated
        )
    except Exception as error:  # noqa: BLE001 - any bug is a 500 that reveals only the request id
        return _failed(error, request.request_id, operation_name, table)


def _route(request: events.Request) -> Routed:
    """The route a request names, and what it sends the operation that route runs.

    Matching imports no operation; an operation's own route then imports its module. The
    routing modules load with the first route request: the envelope's cold start skips them.
    """
    from function import routes, table_routes

    deployment = tables.configured()
    match = routes.configured(deployment, registry.default_registry()).find(
        request.method, request.template, request.path_parameters, request.path
    )
    route = match.route
    if route.blueprint:
        from function import microservice

        schema = registry.lookup(route.operation).schema
        return microservice.request(
            match, request.query, request.json_body, request.has_body, schema
        )
    if route.declared_by is not None:
        declared = registry.lookup(route.declared_by).route_for(route.method, route.path)
        return routes.declared_request(
            match, declared, request.query, request.json_body, request.has_body
        )
    served = deployment.resolve(route.table)
    if served.keys is None:
        raise tables.TablesConfigError(
            f"{tables.TABLE_KEYS_ENV} does not describe table {served.name!r}"
        )
    return table_routes.request(
        match, served.keys, request.query, request.json_body, request.called_path
    )


def _typed(run: Callable[[Invocation], Any]) -> Callable[[Invocation], Any]:
    """``run`` with its DynamoDB calls taking and answering DynamoDB JSON."""

    def typed(call: Invocation) -> Any:
        with attribute_values.typed():
            return run(call)

    return typed


def _table_of(
    operation: Operation, document: envelope.Envelope
) -> tuple[tables.Tables | None, tables.ServedTable | None]:
    """The deployment's tables, if the operation uses any, and the one ``tableName`` means.

    Neither for an operation that uses none, nor yet for one that names its tables
    in the payload: :func:`execute` reads the deployment's for it once the payload
    is valid.
    """
    if operation.tables_in_payload:
        if document.table_name is not None:
            raise InvalidRequestError(
                f"Operation {operation.name!r} names its tables in its payload; leave out tableName"
            )
        return None, None
    if not operation.needs_table:
        return None, None
    deployment = tables.configured()
    served = deployment.resolve_for(operation.name, operation.scope, document.table_name)
    if isinstance(document.payload, dict) and "TableName" in document.payload:
        raise TableInPayloadError(
            "Payload must not contain TableName; name the table with tableName"
        )
    return deployment, served


def _described(error: Exception | None) -> str:
    """The error's type and message: the log's first line says what failed, before any traceback."""
    return "-" if error is None else f"{type(error).__name__}: {error}"


def _failed(error: Exception, request_id: str, operation: str | None, table: str | None) -> Result:
    """A 500: the caller learns only the request id; the error goes to the log."""
    return Result(500, events.internal_error_body(request_id), operation, table, error=error)


def _http_answer(result: Result, request_id: str) -> tuple[Result, dict[str, Any]]:
    """The proxy response for ``result``; an answer too large for Lambda is a 413 instead."""
    headers = result.error.headers if isinstance(result.error, RequestError) else result.headers
    try:
        return result, events.response(
            result.status, result.body, replayed=result.replayed, headers=headers
        )
    except RequestError as error:
        refused = Result(error.status, error.to_body(), result.operation, result.table, error=error)
        return refused, events.error_response(error)
    except Exception as error:  # noqa: BLE001 - a result that cannot be written is ours: 500
        failed = _failed(error, request_id, result.operation, result.table)
        return failed, events.internal_error_response(request_id)


def _direct_answer(result: Result, request_id: str) -> Any:
    """The direct invocation's answer: the result, DynamoDB's response for a miss, or a raise."""
    error = result.error
    if error is None:
        return result.body
    if isinstance(error, ItemNotFoundError) and error.response is not None:
        return error.response
    if isinstance(error, RequestError):
        raise error
    raise InternalError(f"Internal error; request id {request_id}") from None
