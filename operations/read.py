"""read: fetch one item by its key (DynamoDB GetItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, errors, operation, schemas

SCHEMA = schemas.payload(
    {
        "Key": schemas.ATTRIBUTES,
        "ProjectionExpression": schemas.EXPRESSION,
        "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
        "ConsistentRead": {"type": "boolean"},
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        "AttributesToGet": schemas.ATTRIBUTES_TO_GET,
    },
    required=["Key"],
)


@operation(
    "read",
    actions=["dynamodb:GetItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("GetItem", required=("Item",)),
    example={"Key": {"Id": "1"}},
    errors=[errors.ItemNotFoundError],
)
def read(call: Invocation) -> dict[str, Any]:
    """Read an item by key: GetItem. A key with no item is a 404 over HTTP."""
    response = call.dynamodb.get_item(TableName=call.table, **call.payload)
    if "Item" not in response:
        raise errors.ItemNotFoundError("No item has this key", response)
    return response
