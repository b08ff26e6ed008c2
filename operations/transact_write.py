"""transact-write: up to 100 writes and checks across tables, all or none (TransactWriteItems)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, payload_tables, schemas

#: DynamoDB takes at most this many actions in one transaction.
MOST_ACTIONS = 100

_CONDITION = {
    "ConditionExpression": schemas.EXPRESSION,
    "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
    "ExpressionAttributeValues": schemas.ATTRIBUTE_VALUES,
    "ReturnValuesOnConditionCheckFailure": {"enum": ["ALL_OLD", "NONE"]},
}
ACTIONS = {
    "Put": schemas.payload(
        {"TableName": schemas.TABLE_NAME, "Item": schemas.ATTRIBUTES, **_CONDITION},
        required=["TableName", "Item"],
    ),
    "Update": schemas.payload(
        {
            "TableName": schemas.TABLE_NAME,
            "Key": schemas.ATTRIBUTES,
            "UpdateExpression": schemas.EXPRESSION,
            **_CONDITION,
        },
        required=["TableName", "Key", "UpdateExpression"],
    ),
    "Delete": schemas.payload(
        {"TableName": schemas.TABLE_NAME, "Key": schemas.ATTRIBUTES, **_CONDITION},
        required=["TableName", "Key"],
    ),
    "ConditionCheck": schemas.payload(
        {"TableName": schemas.TABLE_NAME, "Key": schemas.ATTRIBUTES, **_CONDITION},
        required=["TableName", "Key", "ConditionExpression"],
    ),
}

SCHEMA = schemas.payload(
    {
        "TransactItems": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": ACTIONS,
                "minProperties": 1,
                "maxProperties": 1,
                "additionalProperties": False,
            },
            "minItems": 1,
            "maxItems": MOST_ACTIONS,
        },
        "ClientRequestToken": {"type": "string", "minLength": 1, "maxLength": 36},
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        "ReturnItemCollectionMetrics": schemas.RETURN_ITEM_COLLECTION_METRICS,
    },
    required=["TransactItems"],
)


@operation(
    "transact-write",
    actions=[
        "dynamodb:PutItem",
        "dynamodb:UpdateItem",
        "dynamodb:DeleteItem",
        "dynamodb:ConditionCheckItem",
    ],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("TransactWriteItems"),
    tables_in_payload=True,
    example={
        "TransactItems": [
            {
                "Put": {
                    "TableName": "LambdaTable",
                    "Item": {"Id": "4", "name": "Dan"},
                    "ConditionExpression": "attribute_not_exists(Id)",
                }
            },
            {"Delete": {"TableName": "LambdaTable", "Key": {"Id": "3"}}},
        ]
    },
)
def transact_write(call: Invocation) -> dict[str, Any]:
    """Write atomically; each action names its table by logical name.

    A failed condition cancels the whole transaction: nothing is written and the
    caller gets a 409 ``TransactionCanceled`` naming each failed action.
    """
    items = payload_tables.transact_items_to_physical(call, call.payload["TransactItems"])
    answer = call.dynamodb.transact_write_items(**{**call.payload, "TransactItems": items})
    return payload_tables.to_logical(answer)
