"""list: scan the table a page at a time (DynamoDB Scan)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        "Limit": schemas.LIMIT,
        "ExclusiveStartKey": schemas.ATTRIBUTES,
        "FilterExpression": schemas.EXPRESSION,
        "ProjectionExpression": schemas.EXPRESSION,
        "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
        "ExpressionAttributeValues": schemas.ATTRIBUTE_VALUES,
        "ConsistentRead": {"type": "boolean"},
        "Segment": {"type": "integer", "minimum": 0},
        "TotalSegments": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "Select": schemas.SELECT,
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        "ScanFilter": {"type": "object"},
        "ConditionalOperator": {"enum": ["AND", "OR"]},
        "AttributesToGet": schemas.ATTRIBUTES_TO_GET,
    }
)


@operation(
    "list",
    actions=["dynamodb:Scan"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("Scan"),
    example={"Limit": 25},
)
def list_items(call: Invocation) -> dict[str, Any]:
    """List items: one Scan page. Pass LastEvaluatedKey back as ExclusiveStartKey for the next."""
    return call.dynamodb.scan(TableName=call.table, **call.payload)
