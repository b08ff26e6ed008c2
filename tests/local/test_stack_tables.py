"""`make serve STACK=orders`: every table of the stack, created locally from its definition."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator

import pytest

from local_api.cli import main
from local_api.environment import LocalStackError, ensure_tables
from tests.local.conftest import LocalServer, start_server
from tests.test_plugins import dev_settings

ORDERS = [
    {"customerId": "c1", "orderId": "o1", "status": "SHIPPED", "createdAt": "2026-11-30"},
    {"customerId": "c1", "orderId": "o2", "status": "NEW", "createdAt": "2026-12-01"},
    {"customerId": "c2", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-02"},
]

NEEDS_AN_INDEX = textwrap.dedent(
    '''
    """by-region: orders by region, through an index the stack must have."""
    from function.registry import operation


    @operation(
        "by-region",
        actions=["dynamodb:Query"],
        index_actions=["dynamodb:Query"],
        tables=["Orders"],
        indexes=["byRegion"],
    )
    def by_region(call):
        """Query the byRegion index."""
        return call.dynamodb.query(TableName=call.table, IndexName="byRegion", **call.payload)
    '''
)


@pytest.fixture(scope="module")
def orders_server(tmp_path_factory: pytest.TempPathFactory, engine: str) -> Iterator[LocalServer]:
    """The orders stack served locally on each engine, seeded with one item in LambdaTable.

    It is not open (an API key, the default): requests send the key its banner shows.
    """
    tmp = tmp_path_factory.mktemp("orders")
    seed = tmp / "seed.json"
    seed.write_text(json.dumps({"LambdaTable": [{"Id": "seeded", "name": "Bob"}]}))
    server = start_server(tmp, "--stack", "orders", "--seed", str(seed), "--engine", engine)
    server.api_key = server.banner_key()
    try:
        yield server
    finally:
        server.stop()


def test_the_banner_lists_every_table_with_its_keys_and_indexes(orders_server):
    banner = orders_server.log()

    assert "    LambdaTable (Id: S)\n" in banner
    assert "    Orders (customerId: S, orderId: S); indexes byStatus; TTL expiresAt\n" in banner


def test_orders_are_created_and_found_through_the_status_index(orders_server):
    for item in ORDERS:
        created = orders_server.post(
            {"operation": "create", "tableName": "Orders", "payload": {"Item": item}}
        )
        assert created.status == 200, created.text

    found = orders_server.post(
        {
            "operation": "query",
            "tableName": "Orders",
            "payload": {
                "IndexName": "byStatus",
                "KeyConditionExpression": "#s = :s",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": "NEW"},
            },
        }
    )

    assert found.status == 200, found.text
    assert [(i["customerId"], i["orderId"]) for i in found.json["Items"]] == [
        ("c1", "o2"),
        ("c2", "o1"),
    ]


def test_the_sort_key_keeps_two_orders_of_one_customer_apart(orders_server):
    first, second = (
        {"customerId": "c9", "orderId": order, "status": "NEW", "createdAt": "2026-12-02"}
        for order in ("a", "b")
    )
    for item in (first, second):
        orders_server.post(
            {"operation": "create", "tableName": "Orders", "payload": {"Item": item}}
        )

    listed = orders_server.post(
        {
            "operation": "query",
            "tableName": "Orders",
            "payload": {
                "KeyConditionExpression": "customerId = :c",
                "ExpressionAttributeValues": {":c": "c9"},
            },
        }
    )

    assert listed.json["Items"] == [first, second]


def test_the_seed_file_fills_the_table_it_names(orders_server):
    read = orders_server.post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "seeded"}}}
    )

    assert (read.status, read.json) == (200, {"Item": {"Id": "seeded", "name": "Bob"}})


def test_the_stacks_own_operation_is_served_and_needs_no_table_name(orders_server):
    returned = [
        {"customerId": "c7", "orderId": f"o{n}", "status": "RETURNED", "createdAt": f"2026-12-0{n}"}
        for n in (1, 2)
    ]
    for item in returned:
        orders_server.post(
            {"operation": "create", "tableName": "Orders", "payload": {"Item": item}}
        )

    found = orders_server.post({"operation": "orders-by-status", "payload": {"status": "RETURNED"}})

    assert (found.status, found.json) == (200, {"Items": returned[::-1]}), found.text


def test_with_several_tables_a_request_must_name_one(orders_server):
    answer = orders_server.post({"operation": "read", "payload": {"Key": {"Id": "seeded"}}})

    assert (answer.status, answer.json["type"]) == (400, "TableRequired")


def test_a_stack_lacking_an_index_an_operation_needs_does_not_start(
    plugin_package, capsys, monkeypatch
):
    monkeypatch.setenv("LOG_LEVEL", "INFO")  # what serve sets, put back after
    package = plugin_package({"by_region": NEEDS_AN_INDEX})

    status = main(
        ["serve", "--port", "0", "--stack", "orders", "--operations", f"operations,{package}"]
    )

    assert status == 2
    error = capsys.readouterr().err
    assert error.startswith("error: operation 'by-region'")
    assert "needs index 'byRegion' on table 'Orders'" in error


def test_a_seed_file_naming_a_table_the_stack_lacks_is_refused(tmp_path, capsys):
    seed = tmp_path / "seed.json"
    seed.write_text(json.dumps({"Payments": [{"id": "p1"}]}))

    status = main(
        ["invoke", "--stack", "orders", "--seed", str(seed), "--event", "tests/events/ping.json"]
    )

    assert status == 2
    assert (
        "'Payments' is not a table of this stack (LambdaTable, Orders)" in capsys.readouterr().err
    )


def test_a_table_named_as_the_idempotency_records_is_refused_before_anything_is_created():
    settings = dev_settings(tables={"dev-idempotency": {"hashKey": "id"}})

    with pytest.raises(LocalStackError, match="'dev-idempotency' has the name make serve gives"):
        ensure_tables(database=None, stack="dev", settings=settings, create=True)  # type: ignore[arg-type]
