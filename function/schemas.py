"""JSON Schema fragments for DynamoDB call parameters, for operations to compose.

Payloads are the DynamoDB call's own parameters with plain JSON values
(``{"Key": {"Id": "1"}}``), so these fragments check shape and spelling and
leave the finer rules to DynamoDB, whose refusals are 400s too. ``TableName`` is
never a property: the table comes from the request's ``tableName`` (operations
that name several tables, like ``batch-get``, take logical names in the payload).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

#: An item, a key or an exclusive start key: attribute names to plain JSON values.
ATTRIBUTES = {"type": "object", "minProperties": 1}
EXPRESSION = {"type": "string", "minLength": 1, "maxLength": 4096}
ATTRIBUTE_NAMES = {"type": "object", "additionalProperties": {"type": "string"}}
ATTRIBUTE_VALUES = {"type": "object"}
RETURN_CONSUMED_CAPACITY = {"enum": ["INDEXES", "TOTAL", "NONE"]}
RETURN_ITEM_COLLECTION_METRICS = {"enum": ["SIZE", "NONE"]}
LIMIT = {"type": "integer", "minimum": 1}
SELECT = {"enum": ["ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES", "COUNT"]}

#: The legacy parameters DynamoDB still accepts (the tutorial era used them).
LEGACY_CONDITIONS = {
    "Expected": {"type": "object"},
    "ConditionalOperator": {"enum": ["AND", "OR"]},
}
ATTRIBUTES_TO_GET = {"type": "array", "items": {"type": "string"}, "minItems": 1}

#: What a condition on a write may use.
CONDITION = {
    "ConditionExpression": EXPRESSION,
    "ExpressionAttributeNames": ATTRIBUTE_NAMES,
    "ExpressionAttributeValues": ATTRIBUTE_VALUES,
    "ReturnConsumedCapacity": RETURN_CONSUMED_CAPACITY,
    "ReturnItemCollectionMetrics": RETURN_ITEM_COLLECTION_METRICS,
    **LEGACY_CONDITIONS,
}


def payload(
    properties: Mapping[str, Any], required: Iterable[str] = (), **extra: Any
) -> dict[str, Any]:
    """An object schema with exactly ``properties``: misspelled parameters are refused."""
    schema: dict[str, Any] = {
        "type": "object",
        "properties": dict(properties),
        "additionalProperties": False,
        **extra,
    }
    if required := list(required):
        schema["required"] = required
    return schema


#: An answer of one page of items: ``Items`` and, while more follow, ``LastEvaluatedKey``.
PAGE = {
    "type": "object",
    "properties": {
        "Items": {"type": "array", "items": {"type": "object"}},
        "LastEvaluatedKey": ATTRIBUTES,
    },
    "required": ["Items"],
    "additionalProperties": False,
}

#: A logical (or physical) table name, as callers send it.
MAX_TABLE_NAME_LENGTH = 1024
TABLE_NAME = {"type": "string", "minLength": 1, "maxLength": MAX_TABLE_NAME_LENGTH}


def by_table(value: Mapping[str, Any]) -> dict[str, Any]:
    """An object keyed by table name (``RequestItems``), each value matching ``value``."""
    return {"type": "object", "minProperties": 1, "additionalProperties": value}


@dataclass(frozen=True)
class DynamoDBOutput:
    """An answer that is a DynamoDB call's output in plain values, as a stock operation's is.

    ``response=schemas.DynamoDBOutput("GetItem")`` names the call; its JSON Schema is
    built from botocore's model of that output when the API's document is made, never in
    the Lambda. ``required`` lists the members the operation always answers (``read``
    answers 404 rather than a GetItem output without ``Item``).
    """

    call: str
    required: tuple[str, ...] = ()
