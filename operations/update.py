"""update: change attributes of one item (DynamoDB UpdateItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        "Key": schemas.ATTRIBUTES,
        "UpdateExpression": schemas.EXPRESSION,
        "ReturnValues": {"enum": ["NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"]},
        "AttributeUpdates": {"type": "object"},
        **schemas.CONDITION,
    },
    required=["Key"],
)


@operation(
    "update",
    actions=["dynamodb:UpdateItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("UpdateItem"),
    example={
        "Key": {"Id": "1"},
        "UpdateExpression": "SET #n = :name",
        "ExpressionAttributeNames": {"#n": "name"},
        "ExpressionAttributeValues": {":name": "Alice"},
        "ReturnValues": "ALL_NEW",
    },
)
def update(call: Invocation) -> dict[str, Any]:
    """Update an item: UpdateItem with the payload's parameters."""
    return call.dynamodb.update_item(TableName=call.table, **call.payload)
