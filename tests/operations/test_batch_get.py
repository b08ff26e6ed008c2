"""batch-get: items by key from several tables at once, answered under logical names."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest

from infra.settings import stack_settings
from tests.conftest import physical_name
from tests.fake_dynamodb import Answer, FakeDynamoDB


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders (customerId, orderId)."""
    return stack_settings("orders").tables


ORDER = {"customerId": "c1", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-01"}


def test_batch_write_then_batch_get_round_trips_across_tables(tables, post):
    written = post(
        {
            "operation": "batch-write",
            "payload": {
                "RequestItems": {
                    "LambdaTable": [{"PutRequest": {"Item": {"Id": "1", "price": 19.99}}}],
                    "Orders": [{"PutRequest": {"Item": ORDER}}],
                }
            },
        }
    )

    read = post(
        {
            "operation": "batch-get",
            "payload": {
                "RequestItems": {
                    "LambdaTable": {"Keys": [{"Id": "1"}, {"Id": "missing"}]},
                    "Orders": {"Keys": [{"customerId": "c1", "orderId": "o1"}]},
                }
            },
        }
    )

    assert written.status == 200
    assert read.status == 200
    assert read.json["Responses"] == {
        "LambdaTable": [{"Id": "1", "price": Decimal("19.99")}],
        "Orders": [ORDER],
    }
    assert read.json["UnprocessedKeys"] == {}


def test_more_than_100_keys_are_refused_with_dynamodbs_limit(tables, post):
    answer = post(
        {
            "operation": "batch-get",
            "payload": {
                "RequestItems": {
                    "LambdaTable": {"Keys": [{"Id": str(n)} for n in range(60)]},
                    "Orders": {"Keys": [{"customerId": "c", "orderId": str(n)} for n in range(41)]},
                }
            },
        }
    )

    assert answer.status == 400
    assert answer.json["message"] == (
        "RequestItems keys: at most 100 in one request, this one has 101"
    )


def test_a_table_the_api_does_not_serve_is_forbidden(tables, post):
    answer = post(
        {
            "operation": "batch-get",
            "payload": {"RequestItems": {"Secrets": {"Keys": [{"Id": "1"}]}}},
        }
    )

    assert (answer.status, answer.json["type"]) == (403, "TableNotAllowed")


def test_one_table_named_by_both_its_names_is_refused(tables, post):
    answer = post(
        {
            "operation": "batch-get",
            "payload": {
                "RequestItems": {
                    "Orders": {"Keys": [{"customerId": "c1", "orderId": "o1"}]},
                    physical_name("Orders"): {"Keys": [{"customerId": "c1", "orderId": "o2"}]},
                }
            },
        }
    )

    assert answer.status == 400
    assert "names table" in answer.json["message"]


def test_unprocessed_keys_and_consumed_capacity_come_back_under_logical_names(post, monkeypatch):
    physical = physical_name("Orders")
    monkeypatch.setenv("TABLES", json.dumps({"Orders": physical}))
    key = {"customerId": {"S": "c1"}, "orderId": {"S": "o1"}}
    answer_sent = {
        "Responses": {},
        "UnprocessedKeys": {physical: {"Keys": [key]}},
        "ConsumedCapacity": [{"TableName": physical, "CapacityUnits": 0.5}],
    }

    with FakeDynamoDB(Answer(answer_sent)) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(
            {
                "operation": "batch-get",
                "payload": {
                    "RequestItems": {"Orders": {"Keys": [{"customerId": "c1", "orderId": "o1"}]}},
                    "ReturnConsumedCapacity": "TOTAL",
                },
            }
        )

    assert answer.status == 200
    assert answer.json["UnprocessedKeys"] == {
        "Orders": {"Keys": [{"customerId": "c1", "orderId": "o1"}]}
    }
    assert answer.json["ConsumedCapacity"] == [{"TableName": "Orders", "CapacityUnits": 0.5}]
    assert list(fake.requests[0].document["RequestItems"]) == [physical]
