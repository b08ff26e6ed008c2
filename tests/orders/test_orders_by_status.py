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
