"""query: the items with one partition key, optionally through an index (DynamoDB Query)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        "KeyConditionExpression": schemas.EXPRESSION,
        "IndexName": {"type": "string", "minLength": 3, "maxLength": 255},
        "Limit": schemas.LIMIT,
        "ExclusiveStartKey": schemas.ATTRIBUTES,
        "FilterExpression": schemas.EXPRESSION,
        "ProjectionExpression": schemas.EXPRESSION,
        "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
        "ExpressionAttributeValues": schemas.ATTRIBUTE_VALUES,
        "ConsistentRead": {"type": "boolean"},
        "ScanIndexForward": {"type": "boolean"},
        "Select": schemas.SELECT,
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        "KeyConditions": {"type": "object"},
        "QueryFilter": {"type": "object"},
        "ConditionalOperator": {"enum": ["AND", "OR"]},
        "AttributesToGet": schemas.ATTRIBUTES_TO_GET,
    },
    anyOf=[{"required": ["KeyConditionExpression"]}, {"required": ["KeyConditions"]}],
)


@operation(
    "query",
    actions=["dynamodb:Query"],
    index_actions=["dynamodb:Query"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("Query"),
    example={"KeyConditionExpression": "Id = :id", "ExpressionAttributeValues": {":id": "1"}},
)
def query(call: Invocation) -> dict[str, Any]:
    """Query by partition key: one Query page; LastEvaluatedKey/ExclusiveStartKey page it."""
    return call.dynamodb.query(TableName=call.table, **call.payload)
