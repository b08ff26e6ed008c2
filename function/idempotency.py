"""Idempotency keys: a retried request is answered with the first one's result, not applied twice.

A caller that may retry sends a key (the ``Idempotency-Key`` header, or
``idempotencyKey`` in the envelope). The first request with a key records it in
the idempotency table (``IDEMPOTENCY_TABLE``) as in progress, runs, and stores
its result; a retry with the same key and the same request gets that result back
without running again; a retry while the first is still running gets 409; the
same key with a different request gets 422. A request that ends in an error
leaves no record, so it can be retried. Keys are scoped by caller (the IAM
principal or API key API Gateway authenticated), so callers cannot replay or
block each other's requests. Records expire after
:data:`RECORD_TTL_SECONDS` (DynamoDB TTL on ``expiresAt``).

This is the design of Powertools for AWS Lambda's idempotency utility, kept to
what this API needs; the status codes follow the IETF Idempotency-Key draft.
"""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from function import json_codec, tables
from function.dynamodb import bounded_client
from function.errors import (
    ConditionalCheckFailedError,
    ConflictingIdempotencyKeysError,
    IdempotencyKeyInProgressError,
    IdempotencyKeyReusedError,
    IdempotencyNotEnabledError,
    InvalidIdempotencyKeyError,
    RequestError,
)

logger = logging.getLogger(__name__)

RECORD_TTL_SECONDS = 24 * 60 * 60
#: Longer than any request can run (API Gateway gives up at 29 s): a record still
#: "in progress" after this belongs to an invocation that died, and can be retaken.
IN_PROGRESS_SECONDS = 30
#: Results larger than this are not kept (DynamoDB items stop at 400 KB).
MAX_STORED_RESULT_BYTES = 350_000
IN_PROGRESS, COMPLETED = "IN_PROGRESS", "COMPLETED"
MAX_KEY_LENGTH = 255
#: The idempotency table's partition key and its TTL attribute (the Pulumi program
#: and the local server create the table with these).
RECORD_KEY = "id"
EXPIRES_AT = "expiresAt"
#: What this module does to the table: the deployed role gets exactly these.
ACTIONS = ("dynamodb:DeleteItem", "dynamodb:GetItem", "dynamodb:PutItem")

__all__ = [
    "claim",
    "complete",
    "hold",
    "release",
    "replay",
    "request_key",
    "run_once",
]


@dataclass(frozen=True)
class Claim:
    """A request's hold on its key's record; or, replayed, what the key's first run answered."""

    record_id: str
    fingerprint: str
    owner: str
    replay: Any = None
    replayed: bool = False


def request_key(header: str | None, field: str | None) -> str | None:
    """The request's key, from the header or the envelope (which must agree)."""
    if header is not None and field is not None and header != field:
        raise ConflictingIdempotencyKeysError(
            "The Idempotency-Key header and idempotencyKey in the body differ; send one key"
        )
    key = header if header is not None else field
    if key is not None and not (1 <= len(key) <= MAX_KEY_LENGTH and key.isprintable()):
        raise InvalidIdempotencyKeyError(
            f"An idempotency key is 1 to {MAX_KEY_LENGTH} printable characters (a UUID will do)"
        )
    return key


def claim(
    key: str, *, caller: str, owner: str, operation: str, table: str | None, payload: Any
) -> Claim:
    """Hold ``key`` (as ``caller`` sees it) for this request, or replay its first run's answer.

    Keys are scoped by caller, so one caller can neither replay nor block another's.
    ``owner`` (the request id) marks the hold, so only this request can settle it.
    """
    record_id = hashlib.sha256(f"{caller}\n{key}".encode("utf-8", "surrogatepass")).hexdigest()
    held = Claim(record_id, _fingerprint(operation, table, payload), owner)
    for _ in range(3):
        if hold(held):
            return held
        replayed = replay(held)
        if replayed is not None:
            return replayed
        # the record expired and went between the two calls: hold it afresh
    raise IdempotencyKeyInProgressError(
        "This Idempotency-Key's record keeps changing; retry in a moment"
    )


def hold(claim: Claim) -> bool:
    """Mark the key's record as this request's, in progress; ``False`` if another has it."""
    now = int(time.time())
    try:
        bounded_client.client().put_item(
            TableName=_store(),
            Item=_record(claim, IN_PROGRESS, now, lockedUntil=now + IN_PROGRESS_SECONDS),
            ConditionExpression=(
                "attribute_not_exists(#key) OR #expires < :now "
                "OR (#status = :in_progress AND lockedUntil < :now)"
            ),
            ExpressionAttributeNames={
                "#key": RECORD_KEY,
                "#expires": EXPIRES_AT,
                "#status": "status",
            },
            ExpressionAttributeValues={":now": now, ":in_progress": IN_PROGRESS},
        )
    except ConditionalCheckFailedError:
        return False
    return True


def replay(claim: Claim) -> Claim | None:
    """The first run's answer for a key another request holds; ``None`` if its record is gone.

    A different request under the key is a 422; one still running, a 409.
    """
    record = (
        bounded_client.client()
        .get_item(TableName=_store(), Key={RECORD_KEY: claim.record_id}, ConsistentRead=True)
        .get("Item")
    )
    if record is None:
        return None
    if record.get("fingerprint") != claim.fingerprint:
        raise IdempotencyKeyReusedError(
            "This Idempotency-Key was already used for a different request; use a new key"
        )
    if record.get("status") != COMPLETED:
        raise IdempotencyKeyInProgressError(
            "A request with this Idempotency-Key is still in progress; retry once it is done"
        )
    return replace(claim, replay=json_codec.decode(record["result"]), replayed=True)


def run_once(
    run: Callable[[], Any],
    key: str,
    *,
    caller: str,
    owner: str,
    operation: str,
    table: str | None,
    payload: Any,
) -> tuple[Any, bool]:
    """``run()``'s result, or the result the key's first run kept; and whether it was kept."""
    held = claim(key, caller=caller, owner=owner, operation=operation, table=table, payload=payload)
    if held.replayed:
        return held.replay, True
    try:
        result = run()
    except BaseException:
        release(held)
        raise
    complete(held, result)
    return result, False


def complete(claim: Claim, result: Any) -> None:
    """Keep the result for retries; the request has succeeded, so failing here is only logged.

    A result too large to keep lets the key go: a retry runs again.
    """
    text = json_codec.encode(result)
    if len(text.encode("utf-8", "surrogatepass")) > MAX_STORED_RESULT_BYTES:
        release(claim)
        return
    try:
        bounded_client.client().put_item(
            TableName=_store(),
            Item=_record(claim, COMPLETED, int(time.time()), result=text),
            ConditionExpression="#owner = :me",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":me": claim.owner},
        )
    except (RequestError, ClientError, BotoCoreError):
        logger.warning(
            "Could not keep the result of idempotency record %s; a retry will run again "
            "once its hold expires",
            claim.record_id,
            exc_info=True,
        )


def release(claim: Claim) -> None:
    """Forget a key whose request failed, so a retry runs it again.

    Best effort: if DynamoDB fails here too, the record stays "in progress" and
    retries get 409 until :data:`IN_PROGRESS_SECONDS` pass; the request's own
    error is what the caller must see.
    """
    try:
        bounded_client.client().delete_item(
            TableName=_store(),
            Key={RECORD_KEY: claim.record_id},
            ConditionExpression="#owner = :me",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":me": claim.owner},
        )
    except (RequestError, ClientError, BotoCoreError):
        logger.warning("Could not release idempotency record %s", claim.record_id, exc_info=True)


def _record(claim: Claim, status: str, now: int, **fields: Any) -> dict[str, Any]:
    """The key's record as this request writes it, expiring :data:`RECORD_TTL_SECONDS` on."""
    return {
        RECORD_KEY: claim.record_id,
        "status": status,
        "owner": claim.owner,
        "fingerprint": claim.fingerprint,
        **fields,
        EXPIRES_AT: now + RECORD_TTL_SECONDS,
    }


def _store() -> str:
    name = tables.idempotency_table()
    if name is None:
        raise IdempotencyNotEnabledError("This deployment does not keep idempotency keys")
    return name


def _fingerprint(operation: str, table: str | None, payload: Any) -> str:
    """The request's identity: the same however its object keys are ordered."""
    canonical = json_codec.encode([operation, table, payload], sort_keys=True)
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
