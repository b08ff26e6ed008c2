"""orders-by-status, the orders stack's own operation: this folder's name runs it as that stack.

No wiring: the fixtures serve Pulumi.orders.yaml's tables (``table`` is its
LambdaTable, ``tables["Orders"]`` its orders) and its operation packages,
orders_ops among them, under plain ``make test`` as under ``STACK=orders``.
"""

import pytest

from function.errors import OperationNotOnTableError
from function.validation import InvalidPayloadError

ORDERS = [
    {"customerId": "c1", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-01"},
    {"customerId": "c1", "orderId": "o2", "status": "SHIPPED", "createdAt": "2026-12-02"},
    {"customerId": "c2", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-03"},
    {"customerId": "c3", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-04"},
]


def test_pages_through_the_orders_with_one_status_newest_first(tables, run_operation):
    for order in ORDERS:
        tables["Orders"].put(order)

    first = run_operation("orders-by-status", {"status": "NEW", "Limit": 2})
    rest = run_operation(
        "orders-by-status", {"status": "NEW", "ExclusiveStartKey": first["LastEvaluatedKey"]}
    )

    assert [order["createdAt"] for order in first["Items"]] == ["2026-12-04", "2026-12-03"]
    assert rest == {"Items": [ORDERS[0]]}


def test_runs_on_orders_only(table, run_operation):
    table.put({**table.key(1), "status": "NEW", "createdAt": "2026-12-01"})

    with pytest.raises(OperationNotOnTableError):
        run_operation("orders-by-status", {"status": "NEW"}, table_name=table.name)


def test_refuses_a_payload_without_a_status(run_operation):
    with pytest.raises(InvalidPayloadError):
        run_operation("orders-by-status", {"Limit": 10})


def test_is_also_a_route_whose_rule_reads_the_path_and_the_query(tables, http):
    for order in ORDERS:
        tables["Orders"].put(order)

    page = http("GET", "/Orders/by-status/NEW?limit=2")
    not_a_number = http("GET", "/Orders/by-status/NEW?limit=many")
    too_many_digits = http("GET", "/Orders/by-status/NEW?limit=" + "9" * 5000)
    unknown = http("GET", "/Orders/by-status/NEW?page=2")

    assert page.status == 200
    assert [order["createdAt"] for order in page.json["Items"]] == ["2026-12-04", "2026-12-03"]
    assert (not_a_number.status, not_a_number.json["type"]) == (400, "InvalidPayload")
    assert (too_many_digits.status, too_many_digits.json["type"]) == (400, "InvalidPayload")
    assert (unknown.status, unknown.json["type"]) == (400, "InvalidQuery")
