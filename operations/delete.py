"""delete: remove one item by its key (DynamoDB DeleteItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        "Key": schemas.ATTRIBUTES,
        "ReturnValues": {"enum": ["NONE", "ALL_OLD"]},
        **schemas.CONDITION,
    },
    required=["Key"],
)


@operation(
    "delete",
    actions=["dynamodb:DeleteItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("DeleteItem"),
    example={"Key": {"Id": "1"}},
)
def delete(call: Invocation) -> dict[str, Any]:
    """Delete an item: DeleteItem with the payload's parameters."""
    return call.dynamodb.delete_item(TableName=call.table, **call.payload)
