"""The guide's promises to an operation author: their errors, DynamoDB's, and exact numbers.

The ``take`` operation is the guide's own sample, as ``docs/writing-operations.md`` shows it.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.guide_samples import sample

TAKE_MODULE = sample("take")


@pytest.fixture
def take(plugin_package, monkeypatch, table):
    package = plugin_package({"take": TAKE_MODULE})
    # Alone: a user may have copied the guide's take into operations/.
    monkeypatch.setenv("OPERATION_PACKAGES", package)
    table.put({"Id": "widget", "stock": 3})
    return package


def take_request(count: int) -> dict:
    return {
        "operation": "take",
        "tableName": "LambdaTable",
        "payload": {"Key": {"Id": "widget"}, "Count": count},
    }


def test_an_operations_own_error_answers_with_its_type_and_its_bases_status(take, post, table):
    taken = post(take_request(2))
    refused = post(take_request(2))

    assert (taken.status, taken.json["Attributes"]["stock"]) == (200, 1)
    assert (refused.status, refused.json) == (
        409,
        {"message": "not that many in stock", "type": "OutOfStock"},
    )
    assert table.items() == [{"Id": "widget", "stock": 1}]


def test_run_operation_raises_the_operations_own_error(take, run_operation):
    run_operation("take", {"Key": {"Id": "widget"}, "Count": 3})

    with pytest.raises(Exception, match="not that many in stock") as raised:
        run_operation("take", {"Key": {"Id": "widget"}, "Count": 1})

    assert (type(raised.value).__name__, raised.value.status) == ("OutOfStockError", 409)


def test_run_operation_decodes_a_payload_as_a_request_would(table, run_operation, post):
    """A float in a test payload is the exact decimal a JSON body would carry."""
    run_operation("create", {"Item": {"Id": "1", "price": 0.5, "weight": 19.99}})
    over_http = post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}
    )

    assert table.items() == [{"Id": "1", "price": Decimal("0.5"), "weight": Decimal("19.99")}]
    assert over_http.json == {
        "Item": {"Id": "1", "price": Decimal("0.5"), "weight": Decimal("19.99")}
    }
