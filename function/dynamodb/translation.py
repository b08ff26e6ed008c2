"""What a botocore failure means to a caller: an error from the catalogue, or ``None`` (ours)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from botocore.exceptions import (
    ChecksumError,
    ClientError,
    ConnectionError,
    HTTPClientError,
    ParamValidationError,
)

from function.errors import (
    ConditionalCheckFailedError,
    DynamoDBUnavailableError,
    DynamoDBValidationError,
    RequestError,
    ThrottledError,
    TransactionCanceledError,
    TransactionConflictError,
)

BY_CODE: dict[str, type[RequestError]] = {
    "ConditionalCheckFailedException": ConditionalCheckFailedError,
    "TransactionConflictException": TransactionConflictError,
    "TransactionCanceledException": TransactionCanceledError,
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

UNAVAILABLE = "DynamoDB is unavailable or not answering; retry later"


def _canceled(
    reasons: Sequence[Mapping[str, Any]], message: str | None
) -> TransactionCanceledError:
    """The cancellation, saying which actions failed and why (DynamoDB lists one per action).

    Without reasons to list, DynamoDB's own message says what it knows.
    """
    failed = [
        f"TransactItems[{number}]: {reason.get('Code')}"
        + (f" ({reason['Message']})" if reason.get("Message") else "")
        for number, reason in enumerate(reasons)
        if reason.get("Code") not in (None, "None")
    ]
    kept = [dict(reason) for reason in reasons]
    if not failed and message:
        return TransactionCanceledError(message, kept)
    return TransactionCanceledError(
        "Transaction cancelled, nothing was written" + (": " + "; ".join(failed) if failed else ""),
        kept,
    )


def translate(error: Exception) -> RequestError | None:
    """The caller-facing error for a botocore failure, or ``None`` if it is our fault."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code = details.get("Code", "")
        kind = BY_CODE.get(code)
        if (
            kind is None
            and error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) >= 500
        ):
            kind = DynamoDBUnavailableError
        if kind is None:
            return None
        if issubclass(kind, DynamoDBUnavailableError):
            return kind(UNAVAILABLE)
        if kind is TransactionCanceledError:
            reasons = error.response.get("CancellationReasons") or []
            return _canceled(reasons, details.get("Message"))
        return kind(details.get("Message") or code)
    if isinstance(error, ParamValidationError):
        return DynamoDBValidationError(str(error.kwargs.get("report", error)).strip())
    if isinstance(error, ConnectionError | HTTPClientError | ChecksumError):
        return DynamoDBUnavailableError(UNAVAILABLE)
    return None
