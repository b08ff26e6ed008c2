"""The catalogue of every error a caller can get from the function: status, type and when.

Each class is one answer: its ``status``, its ``type`` (the class name without
``Error``) and, in its docstring, when a caller gets it. The handler turns any
:class:`RequestError` into ``{"message": ..., "type": ...}`` with its status;
anything else is a bug or an outage and becomes a 500 that reveals nothing but
the request id (the bugs an operation's client catches are at the end, after
the answers). ``docs/api.md`` lists the same table, and a test keeps the two
equal.

The features raise these; operations reach them as ``errors`` through the
one door (``from function import errors``), to raise, catch
(``except errors.ConditionalCheckFailedError:``) or subclass. An operation
gives its own answer by subclassing a base here::

    class OutOfStockError(errors.ConflictError):
        \"\"\"The order asks for more than is left (409).\"\"\"

which answers ``409 {"message": ..., "type": "OutOfStock"}``.
"""

from __future__ import annotations

from typing import Any, ClassVar


class RequestError(Exception):
    """A request that cannot be served, with the HTTP status that says why."""

    status: ClassVar[int] = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    @property
    def type(self) -> str:
        """The error's name as callers see it: the class name without ``Error``."""
        name = type(self).__name__
        return name.removesuffix("Error") or name

    @property
    def headers(self) -> dict[str, str]:
        """Headers the answer carries beside the body (``Allow`` on a 405)."""
        return {}

    def to_body(self) -> dict[str, Any]:
        return {"message": self.message, "type": self.type}


# --- Bases: one per status; operations subclass these for answers of their own ---------------


class BadRequestError(RequestError):
    """The request is malformed or asks for something that cannot exist (400)."""

    status = 400


class ForbiddenError(RequestError):
    """The request names something the caller may not touch (403)."""

    status = 403


class NotFoundError(RequestError):
    """The request names something that does not exist (404)."""

    status = 404


class MethodNotAllowedError(RequestError):
    """The path does not take the request's method (405); ``Allow`` lists those it takes."""

    status = 405

    def __init__(self, message: str, allow: tuple[str, ...] = ("POST",)) -> None:
        super().__init__(message)
        self.allow = allow

    @property
    def headers(self) -> dict[str, str]:
        return {"Allow": ", ".join(self.allow)}


class ConflictError(RequestError):
    """The request lost to the current state of the data (409)."""

    status = 409


class PayloadTooLargeError(RequestError):
    """The request or its answer is too large (413)."""

    status = 413


class UnprocessableError(RequestError):
    """The request is well formed but contradicts an earlier one (422)."""

    status = 422


class TooManyRequestsError(RequestError):
    """A dependency is throttling; the caller should retry later (429)."""

    status = 429


class ServiceUnavailableError(RequestError):
    """A dependency is down or not answering; the caller may retry (503)."""

    status = 503


# --- The body: events and JSON -----------------------------------------------------------------


class MalformedRequestError(BadRequestError):
    """The HTTP request has no usable JSON body: empty, not UTF-8, bad base64 (400)."""


class InvalidJsonError(BadRequestError):
    """The body is not JSON this API can accept: syntax, NaN, numbers DynamoDB cannot store,
    nesting deeper than 40, lone surrogates (400)."""


class RequestTooLargeError(PayloadTooLargeError):
    """The body is over 6 MB, Lambda's invocation limit (413)."""


class ResponseTooLargeError(PayloadTooLargeError):
    """The answer would not fit in Lambda's 6 MB response: ask for less (413)."""


# --- The envelope, the registry, the payload ---------------------------------------------------


class InvalidRequestError(BadRequestError):
    """The body is not a request envelope: missing operation, wrong types, unknown fields (400)."""


class UnknownOperationError(BadRequestError):
    """The request names an operation nobody registered (400)."""


class InvalidPayloadError(BadRequestError):
    """The payload does not match the operation's schema (400)."""


class TableInPayloadError(BadRequestError):
    """The payload tries to choose its own table (400); only ``tableName`` may."""


# --- Tables ------------------------------------------------------------------------------------


class TableRequiredError(BadRequestError):
    """The API serves several tables and the request does not say which (400)."""

    def __init__(self, served: str, parameter: str = "tableName") -> None:
        super().__init__(f"{parameter} is required; this API serves {served}")
        #: The tables the request could have named, as the message lists them.
        self.served = served


class TableNotAllowedError(ForbiddenError):
    """The request names a table this API does not serve (403)."""


class OperationNotOnTableError(ForbiddenError):
    """The operation is served, but not on the table the request names (403)."""


# --- The routes over tables (``/{table}/items/...``) -------------------------------------------


class RouteNotFoundError(NotFoundError):
    """No route has this path (404)."""


class InvalidKeyError(BadRequestError):
    """A key in the path is not of the key's type, or the body names a different key (400)."""


class InvalidQueryError(BadRequestError):
    """A query parameter is unknown to the route, or its value is invalid (400)."""


class InvalidCursorError(BadRequestError):
    """The ``cursor`` names no key of the page it is sent to (400)."""


class ItemExistsError(ConflictError):
    """``POST /{table}/items`` names the key of an item that exists (409)."""


# --- DynamoDB's answers ------------------------------------------------------------------------


class ItemNotFoundError(NotFoundError):
    """The key names no item (404).

    ``read`` passes DynamoDB's ``response`` too, so a direct invocation answers it
    (``{}``) as the tutorial's function did; raised with a message alone, a direct
    invocation gets the error, like any other in this catalogue.
    """

    def __init__(self, message: str, response: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.response = response


class ConditionalCheckFailedError(ConflictError):
    """The item's current state fails the request's condition (409)."""


class TransactionConflictError(ConflictError):
    """Another request changed the same items at the same time (409)."""


class TransactionCanceledError(TransactionConflictError):
    """A transaction was cancelled and wrote nothing; the message names each failed action (409).

    The body adds ``cancellationReasons``: DynamoDB's reason for each action, in
    order (``{"Code": "None"}`` for those that would have succeeded), with the
    item as it was where ``ReturnValuesOnConditionCheckFailure`` asked for it.
    """

    def __init__(self, message: str, reasons: list[dict[str, Any]] | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons or []

    def to_body(self) -> dict[str, Any]:
        body = super().to_body()
        if self.reasons:
            body["cancellationReasons"] = self.reasons
        return body


class ThrottledError(TooManyRequestsError):
    """DynamoDB is throttling requests (429)."""


class DynamoDBValidationError(BadRequestError):
    """DynamoDB refused the parameters (400)."""


class DynamoDBUnavailableError(ServiceUnavailableError):
    """DynamoDB is unreachable, failing or not answering within the time bound (503)."""


class DynamoDBCallUnsupportedError(RequestError):
    """The DynamoDB called does not know the call an operation makes: a local engine without
    transactions, such as dynalite (501). AWS's DynamoDB knows every call."""

    status = 501


# --- Idempotency keys --------------------------------------------------------------------------


class IdempotencyNotEnabledError(BadRequestError):
    """A key was sent to a deployment without an idempotency table (400)."""


class ConflictingIdempotencyKeysError(BadRequestError):
    """The header and the envelope carry different keys (400)."""


class InvalidIdempotencyKeyError(BadRequestError):
    """The key is empty, too long or not printable (400)."""


class IdempotencyKeyInProgressError(ConflictError):
    """A request with this key is still running (409); retry after it finishes."""


class IdempotencyKeyReusedError(UnprocessableError):
    """The key was used for a different request (422)."""


# --- Not answers: an operation's bugs, which callers get as a 500 ---------------------------
# Raised by the operation's client (``call.dynamodb``) before the call is sent, as IAM
# would refuse it deployed; the log and ``run_operation``'s tests name them.


class ConfinementError(RuntimeError):
    """Operation code tried to leave the function's tables: a bug, answered with a 500."""


class UndeclaredTableError(ConfinementError):
    """An operation named a table it does not run on: a bug, answered like IAM's refusal (500)."""


class UndeclaredActionError(ConfinementError):
    """An operation called DynamoDB for an action it does not declare (500)."""


#: The bases an operation subclasses; the catalogue proper is every other class here.
BASES: tuple[type[RequestError], ...] = (
    BadRequestError,
    ForbiddenError,
    NotFoundError,
    ConflictError,
    PayloadTooLargeError,
    UnprocessableError,
    TooManyRequestsError,
    ServiceUnavailableError,
)


def catalogue() -> list[type[RequestError]]:
    """Every specific error the function answers with, in the order defined here."""
    return [
        value
        for value in globals().values()
        if isinstance(value, type)
        and issubclass(value, RequestError)
        and value is not RequestError
        and value not in BASES
    ]
