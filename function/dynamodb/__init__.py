"""DynamoDB as operations see it (``call.dynamodb``): a client that keeps three promises.

* It takes and returns plain JSON values (:mod:`function.attribute_values`).
* It reaches only the tables this API serves (:mod:`.confinement`), and each
  operation's view of it only the calls the operation declares on the tables it
  runs on (:mod:`.permissions`). The function's own shared client
  (:mod:`.bounded_client`), which the idempotency module writes its records with,
  is not offered here: operations get theirs as ``call.dynamodb``.
* Its failures are already caller-facing errors (:mod:`.translation`), each call
  bounded in time (:mod:`function.deadline`): an operation can write
  ``except errors.ConditionalCheckFailedError:``.

Operations import those errors from :mod:`function.errors`. The names below stay
importable from this package for operations written when the guide imported
them from here (and the confinement errors it offered then); nothing else is
offered here.
"""

from __future__ import annotations

from function.errors import (
    ConditionalCheckFailedError,
    ConfinementError,
    DynamoDBUnavailableError,
    DynamoDBValidationError,
    ItemNotFoundError,
    ThrottledError,
    TransactionCanceledError,
    TransactionConflictError,
    UndeclaredActionError,
    UndeclaredTableError,
)

__all__ = [
    "ConditionalCheckFailedError",
    "ConfinementError",
    "DynamoDBUnavailableError",
    "DynamoDBValidationError",
    "ItemNotFoundError",
    "ThrottledError",
    "TransactionCanceledError",
    "TransactionConflictError",
    "UndeclaredActionError",
    "UndeclaredTableError",
]
