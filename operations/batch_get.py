"""batch-get: read up to 100 items from one or more tables at once (DynamoDB BatchGetItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, payload_tables, schemas

#: DynamoDB reads at most this many keys in one BatchGetItem.
MOST_KEYS = 100

SCHEMA = schemas.payload(
    {
        "RequestItems": schemas.by_table(
            schemas.payload(
                {
                    "Keys": {
                        "type": "array",
                        "items": schemas.ATTRIBUTES,
                        "minItems": 1,
                        "maxItems": MOST_KEYS,
                    },
                    "ProjectionExpression": schemas.EXPRESSION,
                    "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
                    "ConsistentRead": {"type": "boolean"},
                    "AttributesToGet": schemas.ATTRIBUTES_TO_GET,
                },
                required=["Keys"],
            )
        ),
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
    },
    required=["RequestItems"],
)


@operation(
    "batch-get",
    actions=["dynamodb:BatchGetItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("BatchGetItem"),
    tables_in_payload=True,
    example={"RequestItems": {"LambdaTable": {"Keys": [{"Id": "1"}, {"Id": "2"}]}}},
)
def batch_get(call: Invocation) -> dict[str, Any]:
    """Read items by key from the tables ``RequestItems`` names (logical names, as answered).

    DynamoDB may leave some keys unread under load: they come back as
    ``UnprocessedKeys``, ready to send again as ``RequestItems``.
    """
    request = call.payload["RequestItems"]
    payload_tables.count_at_most(
        "RequestItems keys", sum(len(table["Keys"]) for table in request.values()), MOST_KEYS
    )
    answer = call.dynamodb.batch_get_item(
        **{**call.payload, "RequestItems": payload_tables.to_physical(call, request)}
    )
    return payload_tables.to_logical(answer)
