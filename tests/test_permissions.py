"""An operation's client makes only the calls the operation declares, as IAM would allow them."""

from __future__ import annotations

import logging

import pytest

from function.dynamodb.permissions import UndeclaredActionError
from function.errors import RequestError
from infra.settings import stack_settings
from tests.conftest import GATEWAY_REQUEST_ID, run_direct

#: Declares reading, then writes: on AWS it would depend on what other operations declare.
SNEAKY = """
from function.registry import operation


@operation("touch", actions=["dynamodb:GetItem"])
def touch(call):
    call.dynamodb.put_item(TableName=call.table, Item={"Id": "touched"})
    return {}


@operation("wait", actions=["dynamodb:GetItem"])
def wait(call):
    call.dynamodb.get_waiter("table_exists").wait(TableName=call.table)
    return {}


@operation("put-if", actions=["dynamodb:PutItem"])
def put_if(call):
    put = {"Put": {"TableName": call.table, "Item": {"Id": "new"}}}
    check = {
        "ConditionCheck": {
            "TableName": call.table,
            "Key": {"Id": "gate"},
            "ConditionExpression": "attribute_exists(Id)",
        }
    }
    checks = call.payload["checks"] * [check]
    return call.dynamodb.transact_write_items(TransactItems=[put, *checks])
"""

#: Queries an index, declaring Query on the table only or on indexes too, as asked.
BY_NAME = """
from function import schemas
from function.registry import operation


@operation("by-name-table", actions=["dynamodb:Query"])
def on_table_only(call):
    return call.dynamodb.query(TableName=call.table, **call.payload)


@operation("by-name", actions=["dynamodb:Query"], index_actions=["dynamodb:Query"])
def on_indexes(call):
    pages = call.dynamodb.get_paginator("query").paginate(TableName=call.table, **call.payload)
    return {"Items": [item for page in pages for item in page["Items"]]}


@operation("count-all", actions=["dynamodb:Query"])
def count_all(call):
    pages = call.dynamodb.get_paginator("scan").paginate(TableName=call.table)
    return sum(page["Count"] for page in pages)


@operation("get-as-sent", actions=["dynamodb:GetItem"])
def get_as_sent(call):
    return call.dynamodb.get_item(TableName=call.table, **call.payload)
"""


@pytest.fixture
def sneaky(plugin_package, monkeypatch, table):
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{plugin_package({'touch': SNEAKY})}")


def test_an_undeclared_call_is_refused_naming_the_operation_and_the_action(
    sneaky, run_operation, table
):
    with pytest.raises(UndeclaredActionError) as refused:
        run_operation("touch", {})

    assert str(refused.value) == (
        "Operation 'touch' called dynamodb:PutItem on a table, which its actions do not "
        "declare (dynamodb:GetItem); add dynamodb:PutItem to its actions"
    )
    assert table.items() == []


def test_over_http_it_is_a_500_that_names_only_the_request_and_the_log_says_why(
    sneaky, post, table, caplog
):
    with caplog.at_level(logging.ERROR, logger="function.handler"):
        answer = post({"operation": "touch", "tableName": "LambdaTable", "payload": {}})

    assert answer.status == 500
    assert answer.json == {
        "message": "Internal server error",
        "type": "InternalServerError",
        "requestId": GATEWAY_REQUEST_ID,
    }
    assert "PutItem" not in answer.text
    (line,) = [record.getMessage() for record in caplog.records if record.levelname == "ERROR"]
    assert line == (
        f"Unhandled error serving request {GATEWAY_REQUEST_ID}: UndeclaredActionError: "
        "Operation 'touch' called dynamodb:PutItem on a table, which its actions do not "
        "declare (dynamodb:GetItem); add dynamodb:PutItem to its actions"
    )
    assert table.items() == []


def test_a_waiter_needs_the_call_it_polls_with(sneaky, run_operation):
    with pytest.raises(UndeclaredActionError, match=r"called dynamodb:DescribeTable on a table"):
        run_operation("wait", {})


def test_a_transaction_needs_each_parts_item_action(sneaky, run_operation, table):
    table.put({"Id": "gate"})

    run_operation("put-if", {"checks": 0})
    with pytest.raises(UndeclaredActionError, match=r"called dynamodb:ConditionCheckItem on a "):
        run_operation("put-if", {"checks": 1})

    assert table.items() == [{"Id": "gate"}, {"Id": "new"}]


@pytest.fixture
def by_name(plugin_package, monkeypatch, tables):
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{plugin_package({'by_name': BY_NAME})}")
    orders = tables["Orders"]
    orders.put({"customerId": "c1", "orderId": "o1", "status": "open", "createdAt": "1"})
    orders.put({"customerId": "c2", "orderId": "o2", "status": "open", "createdAt": "2"})
    return orders


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable (the primary one) and Orders, with byStatus."""
    return stack_settings("orders").tables


OPEN = {
    "IndexName": "byStatus",
    "KeyConditionExpression": "#s = :s",
    "ExpressionAttributeNames": {"#s": "status"},
    "ExpressionAttributeValues": {":s": "open"},
    "Limit": 1,
}


def on_orders(operation: str, payload: dict) -> object:
    return run_direct({"operation": operation, "tableName": "Orders", "payload": payload})


def test_a_query_of_an_index_needs_the_action_on_indexes_as_iam_does(by_name):
    with pytest.raises(UndeclaredActionError, match=r"dynamodb:Query on an index, which its "):
        on_orders("by-name-table", OPEN)

    found = on_orders("by-name", OPEN)

    assert sorted(item["orderId"] for item in found["Items"]) == ["o1", "o2"]


def test_a_paginators_pages_are_checked_too(by_name):
    with pytest.raises(UndeclaredActionError, match=r"called dynamodb:Scan on a table"):
        on_orders("count-all", {})


def test_an_index_named_on_a_call_that_takes_none_is_the_callers_400_not_an_undeclared_action(
    by_name,
):
    with pytest.raises(RequestError) as refused:
        on_orders(
            "get-as-sent", {"Key": {"customerId": "c1", "orderId": "o1"}, "IndexName": "byStatus"}
        )

    assert refused.value.status == 400
    assert "IndexName" in str(refused.value)
