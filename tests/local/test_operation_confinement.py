"""Under ``make serve`` an operation reaches only the tables it declares, as in Lambda."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from tests.local.conftest import LocalServer, start_server
from tests.test_table_confinement import OPERATIONS

ORDER = {"customerId": "c1", "orderId": "o1"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    plugins = tmp_path_factory.mktemp("plugins")
    (plugins / "reaching_ops").mkdir()
    (plugins / "reaching_ops" / "__init__.py").write_text("")
    (plugins / "reaching_ops" / "reach.py").write_text(OPERATIONS)
    served = start_server(
        tmp_path_factory.mktemp("serve"),
        *("--stack", "orders", "--operations", "operations,reaching_ops", "--verbose"),
        env={"PYTHONPATH": str(plugins)},
    )
    served.api_key = served.banner_key()
    yield served
    served.stop()


def reach(server: LocalServer, table: str, item: dict) -> int:
    return server.post(
        {"operation": "orders-reach", "payload": {"table": table, "item": item}}
    ).status


def items(server: LocalServer, table: str) -> list:
    return server.post({"operation": "list", "tableName": table}).json["Items"]


def test_the_declared_table_is_written(server: LocalServer) -> None:
    assert reach(server, "Orders", ORDER) == 200
    assert ORDER in items(server, "Orders")


def test_the_tutorials_table_and_the_idempotency_records_are_refused(server: LocalServer) -> None:
    assert reach(server, "LambdaTable", {"Id": "reached"}) == 500
    assert reach(server, "idempotency", {"id": "someone-elses", "poisoned": True}) == 500

    assert {"Id": "reached"} not in items(server, "LambdaTable")
    assert (
        "UndeclaredTableError: Operation 'orders-reach' called DynamoDB on table 'LambdaTable'"
        in (server.log())
    )
    assert "poisoned" not in json.dumps(items(server, "LambdaTable"))


def test_a_kept_result_cannot_be_rewritten_by_another_operation(server: LocalServer) -> None:
    key = {"Idempotency-Key": "order-42"}
    first = server.post(
        {"operation": "create", "tableName": "Orders", "payload": {"Item": ORDER}}, **key
    )
    poisoning = reach(server, "idempotency", {"id": "order-42", "poisoned": True})
    again = server.post(
        {"operation": "create", "tableName": "Orders", "payload": {"Item": ORDER}}, **key
    )

    assert (first.status, poisoning, again.status) == (200, 500, 200)
    assert again.json == first.json
    assert again.headers.get("idempotent-replayed") == "true"
