"""orders-by-status: one page of the orders with one status, newest first (the byStatus index).

The orders stack's own operation: only the stacks that list orders_ops in
operationPackages serve it (Pulumi.orders.yaml does). It runs on Orders alone
(``tables``), so a request needs no tableName, and needs the byStatus index
(``indexes``): a stack without it fails ``pulumi up`` and ``make serve``. It
queries the index and never the table, so it declares ``index_actions`` only.
It is also a route, ``GET /Orders/by-status/{status}?limit=``: its rule makes
the payload from the path and the query string, and the schema checks it.
"""

from __future__ import annotations

from typing import Any

from function import Invocation, RouteRequest, operation, route, schemas

SCHEMA = schemas.payload(
    {
        "status": {"type": "string", "minLength": 1},
        "Limit": {"type": "integer", "minimum": 1, "maximum": 100},
        "ExclusiveStartKey": schemas.ATTRIBUTES,
    },
    required=["status"],
)


def from_url(request: RouteRequest) -> dict[str, Any]:
    """The payload of ``GET /Orders/by-status/{status}?limit=``: query values are text."""
    payload: dict[str, Any] = {"status": request.path["status"]}
    if "limit" in request.query:
        limit = request.query["limit"]
        # text the schema then refuses unless it is a small whole number (int() of a
        # thousands-digit string would raise)
        whole = limit.isascii() and limit.isdigit() and len(limit) <= 3
        payload["Limit"] = int(limit) if whole else limit
    return payload


@operation(
    "orders-by-status",
    index_actions=["dynamodb:Query"],
    tables=["Orders"],
    indexes=["byStatus"],
    schema=SCHEMA,
    response=schemas.PAGE,
    example={"status": "NEW", "Limit": 25},
    routes=[route("GET", "/Orders/by-status/{status}", payload=from_url, query=["limit"])],
)
def orders_by_status(call: Invocation) -> dict[str, Any]:
    """One Query page of byStatus, newest first; LastEvaluatedKey pages on."""
    index = call.keys.indexes["byStatus"]
    query: dict[str, Any] = {
        "TableName": call.table,
        "IndexName": "byStatus",
        # status is one of DynamoDB's reserved words: the expression names it.
        "KeyConditionExpression": "#status = :status",
        "ExpressionAttributeNames": {"#status": index.hash_key},
        "ExpressionAttributeValues": {":status": call.payload["status"]},
        "ScanIndexForward": False,
        "Limit": call.payload.get("Limit", 25),
    }
    if "ExclusiveStartKey" in call.payload:
        query["ExclusiveStartKey"] = call.payload["ExclusiveStartKey"]
    page = call.dynamodb.query(**query)
    answer: dict[str, Any] = {"Items": page["Items"]}
    if "LastEvaluatedKey" in page:
        answer["LastEvaluatedKey"] = page["LastEvaluatedKey"]
    return answer
