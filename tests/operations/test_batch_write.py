"""batch-write: puts and deletes across tables by logical name, within DynamoDB's limits."""

from __future__ import annotations

import json

import pytest

from infra.settings import stack_settings
from local_api.table import create_idempotency_table
from tests.conftest import physical_name
from tests.fake_dynamodb import Answer, FakeDynamoDB


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders (customerId, orderId)."""
    return stack_settings("orders").tables


def order(number: int, status: str = "NEW") -> dict:
    return {
        "customerId": "c1",
        "orderId": f"o{number}",
        "status": status,
        "createdAt": "2026-12-01",
    }


def test_puts_and_deletes_land_in_each_named_table(tables, post):
    tables["Orders"].put(order(9))

    answer = post(
        {
            "operation": "batch-write",
            "payload": {
                "RequestItems": {
                    "LambdaTable": [{"PutRequest": {"Item": {"Id": "1", "name": "Bob"}}}],
                    "Orders": [
                        {"PutRequest": {"Item": order(1)}},
                        {"PutRequest": {"Item": order(2)}},
                        {"DeleteRequest": {"Key": {"customerId": "c1", "orderId": "o9"}}},
                    ],
                }
            },
        }
    )

    assert (answer.status, answer.json["UnprocessedItems"]) == (200, {})
    assert tables["LambdaTable"].items() == [{"Id": "1", "name": "Bob"}]
    assert tables["Orders"].items() == [order(1), order(2)]


def test_more_than_25_requests_are_refused_and_nothing_is_written(tables, post):
    requests = [{"PutRequest": {"Item": order(n)}} for n in range(20)]
    more = [{"PutRequest": {"Item": {"Id": str(n)}}} for n in range(6)]

    answer = post(
        {
            "operation": "batch-write",
            "payload": {"RequestItems": {"Orders": requests, "LambdaTable": more}},
        }
    )

    assert answer.status == 400
    assert answer.json == {
        "message": "RequestItems requests: at most 25 in one request, this one has 26",
        "type": "InvalidPayload",
    }
    assert tables["Orders"].items() == tables["LambdaTable"].items() == []


def test_a_table_the_api_does_not_serve_is_forbidden_and_nothing_is_written(tables, post):
    answer = post(
        {
            "operation": "batch-write",
            "payload": {
                "RequestItems": {
                    "Orders": [{"PutRequest": {"Item": order(1)}}],
                    "Payments": [{"PutRequest": {"Item": {"id": "p1"}}}],
                }
            },
        }
    )

    assert answer.status == 403
    assert answer.json["type"] == "TableNotAllowed"
    assert "'Payments' is not served" in answer.json["message"]
    assert tables["Orders"].items() == []


def test_the_tables_are_named_in_the_payload_not_by_tablename(tables, post):
    answer = post(
        {
            "operation": "batch-write",
            "tableName": "Orders",
            "payload": {"RequestItems": {"Orders": [{"PutRequest": {"Item": order(1)}}]}},
        }
    )

    assert answer.status == 400
    assert "leave out tableName" in answer.json["message"]
    assert tables["Orders"].items() == []


def test_a_request_that_is_neither_a_put_nor_a_delete_is_refused(tables, post):
    answer = post(
        {
            "operation": "batch-write",
            "payload": {"RequestItems": {"Orders": [{"UpdateRequest": {"Key": {}}}]}},
        }
    )

    assert answer.status == 400
    assert answer.json["type"] == "InvalidPayload"


def test_unprocessed_items_come_back_under_logical_names(post, monkeypatch):
    physical = physical_name("Orders")
    left = [{"PutRequest": {"Item": {"customerId": {"S": "c1"}, "orderId": {"S": "o2"}}}}]
    monkeypatch.setenv("TABLES", json.dumps({"Orders": physical, "LambdaTable": "x-lambda"}))

    with FakeDynamoDB(Answer({"UnprocessedItems": {physical: left}})) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(
            {
                "operation": "batch-write",
                "payload": {
                    "RequestItems": {"Orders": [{"PutRequest": {"Item": order(n)}} for n in (1, 2)]}
                },
            }
        )

    assert answer.status == 200
    assert answer.json == {
        "UnprocessedItems": {
            "Orders": [{"PutRequest": {"Item": {"customerId": "c1", "orderId": "o2"}}}]
        }
    }
    assert list(fake.requests[0].document["RequestItems"]) == [physical]


def test_a_retry_with_an_idempotency_key_gets_the_first_answer_back(tables, post, monkeypatch):
    create_idempotency_table(tables["Orders"].client, "batch-idempotency")
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "batch-idempotency")
    request = {
        "operation": "batch-write",
        "idempotencyKey": "import-42",
        "payload": {"RequestItems": {"Orders": [{"PutRequest": {"Item": order(1)}}]}},
    }

    first, retry = post(request), post(request)
    changed = post(
        {**request, "payload": {"RequestItems": {"Orders": [{"PutRequest": {"Item": order(2)}}]}}}
    )

    assert (first.status, retry.status) == (200, 200)
    assert retry.headers.get("Idempotent-Replayed") == "true"
    assert retry.text == first.text
    assert changed.status == 422
    assert tables["Orders"].items() == [order(1)]
