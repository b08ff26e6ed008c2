"""transact-get: read up to 100 items across tables as one snapshot (DynamoDB TransactGetItems)."""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, payload_tables, schemas

#: DynamoDB takes at most this many actions in one transaction.
MOST_ACTIONS = 100

GET = schemas.payload(
    {
        "TableName": schemas.TABLE_NAME,
        "Key": schemas.ATTRIBUTES,
        "ProjectionExpression": schemas.EXPRESSION,
        "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
    },
    required=["TableName", "Key"],
)

SCHEMA = schemas.payload(
    {
        "TransactItems": {
            "type": "array",
            "items": schemas.payload({"Get": GET}, required=["Get"]),
            "minItems": 1,
            "maxItems": MOST_ACTIONS,
        },
        "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
    },
    required=["TransactItems"],
)


@operation(
    "transact-get",
    actions=["dynamodb:GetItem"],
    schema=SCHEMA,
    response=schemas.DynamoDBOutput("TransactGetItems"),
    tables_in_payload=True,
    example={"TransactItems": [{"Get": {"TableName": "LambdaTable", "Key": {"Id": "1"}}}]},
)
def transact_get(call: Invocation) -> dict[str, Any]:
    """Read items as of one moment; each ``Get`` names its table by logical name.

    ``Responses`` lists one entry per ``Get``, in order (``{}`` for a key with no item).
    """
    items = payload_tables.transact_items_to_physical(call, call.payload["TransactItems"])
    answer = call.dynamodb.transact_get_items(**{**call.payload, "TransactItems": items})
    return payload_tables.to_logical(answer)
