"""DynamoDB as operations see it (``call.dynamodb``): a client that keeps three promises.

* It takes and returns plain JSON values (:mod:`function.attribute_values`).
* It reaches only the tables this API serves (:mod:`.confinement`), and each
  operation's view of it only the calls the operation declares on the tables it
  runs on (:mod:`.permissions`). The function's own shared client
  (:mod:`.bounded_client`), which the idempotency module writes its records with,
  is not exported here: operations get theirs as ``call.dynamodb``.
* Its failures are already caller-facing errors (:mod:`.translation`), each call
  bounded in time (:mod:`function.deadline`): an operation can write
  ``except ConditionalCheckFailedError:``.
"""

from __future__ import annotations

from function.deadline import WORST_CASE_SECONDS
from function.dynamodb.confinement import CONFINABLE_CALLS, ConfinementError, UndeclaredTableError
from function.dynamodb.permissions import Permissions, UndeclaredActionError
from function.dynamodb.translation import translate
from function.errors import (
    ConditionalCheckFailedError,
    DynamoDBUnavailableError,
    DynamoDBValidationError,
    ItemNotFoundError,
    ThrottledError,
    TransactionCanceledError,
    TransactionConflictError,
)

__all__ = [
    "CONFINABLE_CALLS",
    "WORST_CASE_SECONDS",
    "ConditionalCheckFailedError",
    "ConfinementError",
    "DynamoDBUnavailableError",
    "DynamoDBValidationError",
    "ItemNotFoundError",
    "Permissions",
    "ThrottledError",
    "TransactionCanceledError",
    "TransactionConflictError",
    "UndeclaredActionError",
    "UndeclaredTableError",
    "translate",
]
