"""create: write one item (DynamoDB PutItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        "Item": schemas.ATTRIBUTES,
        "ReturnValues": {"enum": ["NONE", "ALL_OLD"]},
        **schemas.CONDITION,
    },
    required=["Item"],
)


@operation(
    "create",
    actions=["dynamodb:PutItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("PutItem"),
    example={"Item": {"Id": "1", "name": "Bob", "price": 19.99}},
)
def create(call: Invocation) -> dict[str, Any]:
    """Create or replace an item: PutItem with the payload's parameters."""
    return call.dynamodb.put_item(TableName=call.table, **call.payload)
