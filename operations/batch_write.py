"""batch-write: put or delete up to 25 items across tables at once (DynamoDB BatchWriteItem)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, payload_tables, schemas

#: DynamoDB takes at most this many put and delete requests in one BatchWriteItem.
MOST_REQUESTS = 25

WRITE_REQUEST = {
    "type": "object",
    "minProperties": 1,
    "maxProperties": 1,
    "properties": {
        "PutRequest": schemas.payload({"Item": schemas.ATTRIBUTES}, required=["Item"]),
        "DeleteRequest": schemas.payload({"Key": schemas.ATTRIBUTES}, required=["Key"]),
    },
    "additionalProperties": False,
}

SCHEMA = schemas.payload(
    {
        "RequestItems": schemas.by_table(
            {"type": "array", "items": WRITE_REQUEST, "minItems": 1, "maxItems": MOST_REQUESTS}
        ),
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        "ReturnItemCollectionMetrics": schemas.RETURN_ITEM_COLLECTION_METRICS,
    },
    required=["RequestItems"],
)


@operation(
    "batch-write",
    actions=["dynamodb:BatchWriteItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("BatchWriteItem"),
    tables_in_payload=True,
    example={
        "RequestItems": {
            "LambdaTable": [
                {"PutRequest": {"Item": {"Id": "2", "name": "Carol"}}},
                {"DeleteRequest": {"Key": {"Id": "3"}}},
            ]
        }
    },
)
def batch_write(call: Invocation) -> dict[str, Any]:
    """Put and delete items in the tables ``RequestItems`` names (logical names, as answered).

    Not a transaction: each request succeeds or fails alone, and DynamoDB may
    leave some undone under load, returned as ``UnprocessedItems`` to send again.
    """
    request = call.payload["RequestItems"]
    payload_tables.count_at_most(
        "RequestItems requests", sum(len(writes) for writes in request.values()), MOST_REQUESTS
    )
    answer = call.dynamodb.batch_write_item(
        **{**call.payload, "RequestItems": payload_tables.to_physical(call, request)}
    )
    return payload_tables.to_logical(answer)
