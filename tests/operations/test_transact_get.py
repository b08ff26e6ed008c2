"""transact-get: one consistent read across tables, one answer per Get in order."""

from __future__ import annotations

import pytest

from infra.settings import stack_settings


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders (customerId, orderId)."""
    return stack_settings("orders").tables


def test_reads_items_across_tables_in_the_order_asked(tables, post):
    tables["LambdaTable"].put({"Id": "1", "name": "Bob"})
    tables["Orders"].put({"customerId": "c1", "orderId": "o1", "status": "NEW"})

    answer = post(
        {
            "operation": "transact-get",
            "payload": {
                "TransactItems": [
                    {"Get": {"TableName": "Orders", "Key": {"customerId": "c1", "orderId": "o1"}}},
                    {"Get": {"TableName": "LambdaTable", "Key": {"Id": "missing"}}},
                    {"Get": {"TableName": "LambdaTable", "Key": {"Id": "1"}}},
                ]
            },
        }
    )

    assert answer.status == 200
    assert answer.json["Responses"] == [
        {"Item": {"customerId": "c1", "orderId": "o1", "status": "NEW"}},
        {},
        {"Item": {"Id": "1", "name": "Bob"}},
    ]


def test_a_table_the_api_does_not_serve_is_forbidden(tables, post):
    answer = post(
        {
            "operation": "transact-get",
            "payload": {"TransactItems": [{"Get": {"TableName": "Users", "Key": {"id": "1"}}}]},
        }
    )

    assert (answer.status, answer.json["type"]) == (403, "TableNotAllowed")
