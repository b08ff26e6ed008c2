"""Operations that name their tables in the payload: the caller's names in, and back out.

``batch-get``, ``batch-write`` and their transactional forms name each table
in ``RequestItems`` or ``TransactItems`` by the logical name callers use as
``tableName``. Each name is resolved to its physical table (a 403 if this API
does not serve it, or the operation does not run on it) before the call, and
the answer names tables the caller's way again: ``Responses``,
``UnprocessedKeys``, ``UnprocessedItems``, ``ItemCollectionMetrics`` and
``ConsumedCapacity``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from function import tables
from function.errors import InvalidPayloadError
from function.invocation import Invocation

#: Answer fields keyed by table name.
KEYED_BY_TABLE = ("Responses", "UnprocessedKeys", "UnprocessedItems", "ItemCollectionMetrics")


def to_physical(call: Invocation, by_table: Mapping[str, Any]) -> dict[str, Any]:
    """``RequestItems`` keyed by physical table; a table named twice (two ways) is refused."""
    resolved: dict[str, Any] = {}
    for name, value in by_table.items():
        physical = call.resolve_table(name).physical
        if physical in resolved:
            raise InvalidPayloadError(f"Payload names table {name!r} twice in RequestItems")
        resolved[physical] = value
    return resolved


def transact_items_to_physical(
    call: Invocation, items: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """``TransactItems`` with each action's ``TableName`` resolved to its physical table."""
    resolved = []
    for item in items:
        ((action, parameters),) = item.items()
        resolved.append(
            {
                action: {
                    **parameters,
                    "TableName": call.resolve_table(parameters["TableName"]).physical,
                }
            }
        )
    return resolved


def to_logical(answer: dict[str, Any]) -> dict[str, Any]:
    """DynamoDB's answer with every table named as the caller names it."""
    logical_name = tables.configured().logical_name
    renamed = dict(answer)
    for field in KEYED_BY_TABLE:
        if isinstance(answer.get(field), dict):
            renamed[field] = {
                logical_name(physical): value for physical, value in answer[field].items()
            }
    if isinstance(answer.get("ConsumedCapacity"), list):
        renamed["ConsumedCapacity"] = [
            {**used, "TableName": logical_name(used["TableName"])} if "TableName" in used else used
            for used in answer["ConsumedCapacity"]
        ]
    return renamed


def count_at_most(what: str, count: int, most: int) -> None:
    """Refuse a request over one of DynamoDB's per-call limits, before it is sent."""
    if count > most:
        raise InvalidPayloadError(f"{what}: at most {most} in one request, this one has {count}")
