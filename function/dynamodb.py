"""The DynamoDB client all operations share, and what its failures mean to a caller.

One client per execution environment (per region and endpoint), built on botocore
alone: importing boto3 and building a resource would cost every cold start for
nothing we use. The client takes and returns plain values
(:mod:`function.attribute_values`) and refuses any call to a table outside
``TABLES`` (defence in depth behind IAM).

Timeouts are deliberate: a DynamoDB that does not answer costs a request at most
:data:`WORST_CASE_SECONDS`, well inside the function's timeout and API Gateway's
29 s, and the caller gets a 503 rather than a gateway timeout.
"""

from __future__ import annotations

import os
from functools import lru_cache
from typing import Any

import botocore.loaders
import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    ClientError,
    ConnectionError,
    HTTPClientError,
    ParamValidationError,
)

from function import attribute_values, tables
from function.errors import (
    BadRequestError,
    ConflictError,
    NotFoundError,
    RequestError,
    ServiceUnavailableError,
    TooManyRequestsError,
)

CONNECT_TIMEOUT_SECONDS = 1.0
READ_TIMEOUT_SECONDS = 2.0
MAX_ATTEMPTS = 2
#: Every attempt may spend its connect and read timeouts; standard retry mode
#: backs off at most 1 s before the second attempt.
WORST_CASE_SECONDS = MAX_ATTEMPTS * (CONNECT_TIMEOUT_SECONDS + READ_TIMEOUT_SECONDS) + 1.0


class ItemNotFoundError(NotFoundError):
    """The key names no item (404). Carries DynamoDB's response for direct invocations."""

    def __init__(self, message: str, response: dict[str, Any]) -> None:
        super().__init__(message)
        self.response = response


class ConditionalCheckFailedError(ConflictError):
    """The item's current state fails the request's condition (409)."""


class TransactionConflictError(ConflictError):
    """Another request changed the same items at the same time (409)."""


class ThrottledError(TooManyRequestsError):
    """DynamoDB is throttling requests (429)."""


class DynamoDBValidationError(BadRequestError):
    """DynamoDB refused the parameters (400)."""


class DynamoDBUnavailableError(ServiceUnavailableError):
    """DynamoDB is unreachable, not answering, or failing internally (503)."""


def client() -> Any:
    """The shared DynamoDB client for the current region and endpoint.

    Keyed by ``AWS_REGION`` (Lambda's; botocore falls back to ``AWS_DEFAULT_REGION``)
    and the endpoint variables, so a process that points them elsewhere (a test,
    the local server) gets a client that follows.
    """
    environ = os.environ
    return _client(
        environ.get("AWS_REGION"),
        environ.get("AWS_ENDPOINT_URL_DYNAMODB"),
        environ.get("AWS_ENDPOINT_URL"),
    )


@lru_cache(maxsize=4)
def _client(region: str | None, endpoint_url: str | None, fallback_endpoint_url: str | None) -> Any:
    config = Config(
        connect_timeout=CONNECT_TIMEOUT_SECONDS,
        read_timeout=READ_TIMEOUT_SECONDS,
        retries={"mode": "standard", "total_max_attempts": MAX_ATTEMPTS},
        tcp_keepalive=True,
    )
    session = botocore.session.get_session()
    session.register_component("data_loader", _DynamoDBLoader())
    dynamodb = session.create_client(
        "dynamodb",
        region_name=region,
        endpoint_url=endpoint_url or fallback_endpoint_url,
        config=config,
    )
    attribute_values.install(dynamodb)
    dynamodb.meta.events.register("before-parameter-build.dynamodb", _confine_to_served_tables)
    return dynamodb


class _DynamoDBLoader(botocore.loaders.Loader):
    """botocore's model loader, told that DynamoDB is the one service this process loads.

    Stock botocore checks a service name by scanning every service's data
    directory (about 400 of them, thousands of ``stat`` calls) before loading
    the model: a tenth of a cold start, spent to validate a constant.
    """

    def list_available_services(self, type_name: str) -> list[str]:
        return ["dynamodb"]


class ConfinementError(RuntimeError):
    """Operation code tried to leave the function's tables: a bug, answered with a 500."""


#: The calls whose tables the client can tell from their parameters. Everything
#: else (PartiQL statements, table management, ARN-addressed calls) is refused.
CONFINABLE_CALLS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "DescribeTable",
    }
)


def _confine_to_served_tables(params: dict[str, Any], model: Any, **_: Any) -> None:
    """Refuse any call that could reach a table outside the function's own, whatever built it."""
    if model.name not in CONFINABLE_CALLS:
        raise ConfinementError(
            f"The function may not call DynamoDB {model.name}: its tables could not be checked"
        )
    allowed = tables.reachable()
    for name in _tables_named(params):
        if name not in allowed:
            raise ConfinementError(f"Operation code named table {name!r}, which is not this API's")


def _tables_named(params: dict[str, Any]) -> list[str]:
    named = [params.get("TableName")] if "TableName" in params else []
    named.extend(params.get("RequestItems") or ())
    for item in params.get("TransactItems") or ():
        for action in item.values() if isinstance(item, dict) else ():
            if isinstance(action, dict):
                named.append(action.get("TableName"))
    return named


_BY_CODE: dict[str, type[RequestError]] = {
    "ConditionalCheckFailedException": ConditionalCheckFailedError,
    "TransactionConflictException": TransactionConflictError,
    "TransactionCanceledException": TransactionConflictError,
    "ReplicatedWriteConflictException": TransactionConflictError,
    "ProvisionedThroughputExceededException": ThrottledError,
    "ThrottlingException": ThrottledError,
    "RequestLimitExceeded": ThrottledError,
    "ValidationException": DynamoDBValidationError,
    "SerializationException": DynamoDBValidationError,
    "ItemCollectionSizeLimitExceededException": DynamoDBValidationError,
    "InternalServerError": DynamoDBUnavailableError,
    "ServiceUnavailable": DynamoDBUnavailableError,
}

_UNAVAILABLE = "DynamoDB is unavailable or not answering; retry later"


def translate(error: Exception) -> RequestError | None:
    """The caller-facing error for a botocore failure, or ``None`` if it is our fault."""
    if isinstance(error, ClientError):
        code = error.response.get("Error", {}).get("Code", "")
        kind = _BY_CODE.get(code)
        if (
            kind is None
            and error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        ):
            kind = DynamoDBUnavailableError
        if kind is None:
            return None
        if issubclass(kind, DynamoDBUnavailableError):
            return kind(_UNAVAILABLE)
        message = error.response.get("Error", {}).get("Message") or code
        return kind(message)
    if isinstance(error, ParamValidationError):
        return DynamoDBValidationError(str(error.kwargs.get("report", error)).strip())
    if isinstance(error, ConnectionError | HTTPClientError):
        return DynamoDBUnavailableError(_UNAVAILABLE)
    return None
