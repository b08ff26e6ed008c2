"""The Lambda entry point, ``function.handler.handler``.

Every event shape is reduced to the same envelope and served by :func:`execute`:
find the operation in the registry, resolve the table, validate the payload, run
it, and translate DynamoDB's failures into caller-facing errors. In proxy mode
every outcome is an HTTP response; in direct mode results are returned and bad
requests raise their typed :class:`~function.errors.RequestError`.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from function import dynamodb, envelope, events, idempotency, json_codec, tables
from function.errors import RequestError
from function.invocation import Invocation
from function.registry import default_registry

logger = logging.getLogger(__name__)


def _log_level() -> int:
    """Lambda's application log level (or ``LOG_LEVEL``); INFO when unset or unknown."""
    name = (os.environ.get("AWS_LAMBDA_LOG_LEVEL") or os.environ.get("LOG_LEVEL") or "INFO").upper()
    level = logging.getLevelName(name)
    return level if isinstance(level, int) else logging.INFO


logger.setLevel(_log_level())


class InternalError(Exception):
    """A direct invocation failed for a reason that is ours, not the caller's.

    The invoker gets this and the request id; the cause is in the function's logs.
    """


@dataclass(slots=True)
class Outcome:
    """What one request did, for its log line and its response."""

    operation: str | None = None
    table: str | None = None
    status: int = 200
    replayed: bool = False


def handler(event: Any, context: Any) -> Any:
    """Serve one Lambda event: an API Gateway/Function URL event or a direct envelope."""
    started = time.perf_counter()
    outcome = Outcome()
    http = events.is_http(event)
    # The id a caller can quote: API Gateway's for HTTP events, Lambda's otherwise.
    request_id = (
        (http and events.gateway_request_id(event))
        or getattr(context, "aws_request_id", None)
        or os.urandom(16).hex()
    )
    try:
        if http:
            return _serve_http(event, request_id, outcome)
        return _serve_direct(event, request_id, outcome)
    finally:
        elapsed_ms = (time.perf_counter() - started) * 1000
        logger.info(
            "%s %s %d %.1fms",
            outcome.operation or "-",
            outcome.table or "-",
            outcome.status,
            elapsed_ms,
            extra={
                "operation": outcome.operation,
                "table": outcome.table,
                "status": outcome.status,
                "duration_ms": round(elapsed_ms, 2),
                "request_id": request_id,
            },
        )


def execute(
    document: Any,
    request_id: str,
    outcome: Outcome | None = None,
    *,
    idempotency_key: str | None = None,
    caller: str = "direct",
) -> Any:
    """Run one request envelope to its result; bad requests raise ``RequestError``.

    ``idempotency_key`` is the ``Idempotency-Key`` header of an HTTP request, if
    any; ``caller`` is who API Gateway says is calling (idempotency keys are theirs).
    """
    outcome = outcome or Outcome()
    request = envelope.parse(document)
    outcome.operation = request.operation
    operation = default_registry().get(request.operation)
    table = None
    if operation.needs_table:
        table = tables.configured().resolve(request.table_name)
        outcome.table = table
        if isinstance(request.payload, dict) and "TableName" in request.payload:
            raise envelope.TableInPayloadError(
                "Payload must not contain TableName; name the table with tableName"
            )
    payload = operation.validate(request.payload)
    key = idempotency.request_key(idempotency_key, request.idempotency_key)
    call = Invocation(payload=payload, table=table, request_id=request_id)
    try:
        if key is None:
            return operation.run(call)
        result, outcome.replayed = idempotency.run_once(
            lambda: operation.run(call),
            key,
            caller=caller,
            owner=request_id,
            operation=operation.name,
            table=table,
            payload=payload,
        )
        return result
    except (ClientError, BotoCoreError) as error:
        translated = dynamodb.translate(error)
        if translated is None:
            raise
        raise translated from error


def _serve_http(event: dict[str, Any], request_id: str, outcome: Outcome) -> dict[str, Any]:
    try:
        document = events.decode_body(events.http_request(event))
        key = events.header(event, idempotency.HEADER)
        caller = events.caller(event)
        result = execute(document, request_id, outcome, idempotency_key=key, caller=caller)
        return events.response(200, result, replayed=outcome.replayed)
    except RequestError as error:
        outcome.status = error.status
        return events.error_response(error)
    except Exception:
        outcome.status = 500
        logger.exception("Unhandled error serving request %s", request_id)
        return events.internal_error_response(request_id)


def _serve_direct(event: Any, request_id: str, outcome: Outcome) -> Any:
    try:
        return execute(json_codec.from_python(event), request_id, outcome)
    except dynamodb.ItemNotFoundError as missing:
        outcome.status = missing.status
        return missing.response
    except RequestError as error:
        outcome.status = error.status
        raise
    except Exception:
        outcome.status = 500
        logger.exception("Unhandled error serving request %s", request_id)
        raise InternalError(f"Internal error; request id {request_id}") from None
