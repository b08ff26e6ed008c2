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

from function import attribute_values
from function.errors import (
    ConditionalCheckFailedError,
    DynamoDBCallUnsupportedError,
    DynamoDBUnavailableError,
    DynamoDBValidationError,
    IdempotencyKeyReusedError,
    RequestError,
    ThrottledError,
    TransactionCanceledError,
    TransactionConflictError,
)

BY_CODE: dict[str, type[RequestError]] = {
    "ConditionalCheckFailedException": ConditionalCheckFailedError,
    "TransactionConflictException": TransactionConflictError,
    "TransactionInProgressException": TransactionConflictError,
    "IdempotentParameterMismatchException": IdempotencyKeyReusedError,
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
    "UnknownOperationException": DynamoDBCallUnsupportedError,
}

UNAVAILABLE = "DynamoDB is unavailable or not answering; retry later"


#: Cancellation reasons that mean the caller should retry later, or fix the request.
THROTTLED_REASONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"}
)
INVALID_REASONS = frozenset({"ValidationError"})


def _canceled(reasons: Sequence[Mapping[str, Any]], message: str | None) -> RequestError:
    """A cancelled transaction as the caller should see it, naming each failed action.

    Throttled actions make it a 429 (retry later), actions DynamoDB found invalid a
    400; any other reason (a failed condition, a conflict) a 409. Without reasons
    to list, DynamoDB's own message says what it knows.
    """
    kept = [_plain_reason(reason) for reason in reasons]
    codes = {reason.get("Code") for reason in kept} - {None, "None"}
    failed = "; ".join(
        f"TransactItems[{number}]: {reason.get('Code')}"
        + (f" ({reason['Message']})" if reason.get("Message") else "")
        for number, reason in enumerate(kept)
        if reason.get("Code") in codes
    )
    text = f"Transaction cancelled, nothing was written: {failed}" if failed else message
    text = text or "Transaction cancelled, nothing was written"
    if codes & THROTTLED_REASONS:
        return ThrottledError(text)
    if codes and codes <= INVALID_REASONS:
        return DynamoDBValidationError(text)
    return TransactionCanceledError(text, kept)


def _plain_reason(reason: Mapping[str, Any]) -> dict[str, Any]:
    """A cancellation reason with its item (if any) in plain values, as answers carry them."""
    plain = dict(reason)
    if isinstance(reason.get("Item"), dict):
        plain["Item"] = {
            name: attribute_values.deserialize(value) for name, value in reason["Item"].items()
        }
    return plain


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
        if kind is DynamoDBCallUnsupportedError:
            return kind(f"This DynamoDB does not support {error.operation_name}")
        if kind is TransactionCanceledError:
            reasons = error.response.get("CancellationReasons") or []
            return _canceled(reasons, details.get("Message"))
        return kind(details.get("Message") or code)
    if isinstance(error, ParamValidationError):
        return DynamoDBValidationError(str(error.kwargs.get("report", error)).strip())
    if isinstance(error, ConnectionError | HTTPClientError | ChecksumError):
        return DynamoDBUnavailableError(UNAVAILABLE)
    return None
