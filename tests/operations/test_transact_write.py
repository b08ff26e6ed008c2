"""transact-write: writes across tables that all happen or none, a cancellation a 409."""

from __future__ import annotations

import json

import pytest

from infra.settings import stack_settings
from tests.conftest import physical_name
from tests.fake_dynamodb import FakeDynamoDB, error


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders (customerId, orderId)."""
    return stack_settings("orders").tables


ORDER_KEY = {"customerId": "c1", "orderId": "o1"}


def test_every_action_is_applied_across_tables(tables, post):
    tables["LambdaTable"].put({"Id": "stock", "count": 3})

    answer = post(
        {
            "operation": "transact-write",
            "payload": {
                "TransactItems": [
                    {"Put": {"TableName": "Orders", "Item": {**ORDER_KEY, "status": "NEW"}}},
                    {
                        "Update": {
                            "TableName": "LambdaTable",
                            "Key": {"Id": "stock"},
                            "UpdateExpression": "SET #c = #c - :one",
                            "ConditionExpression": "#c >= :one",
                            "ExpressionAttributeNames": {"#c": "count"},
                            "ExpressionAttributeValues": {":one": 1},
                        }
                    },
                ]
            },
        }
    )

    assert answer.status == 200
    assert tables["Orders"].items() == [{**ORDER_KEY, "status": "NEW"}]
    assert tables["LambdaTable"].items() == [{"Id": "stock", "count": 2}]


def test_a_failing_condition_writes_nothing_and_answers_409_with_the_reason(tables, post):
    tables["LambdaTable"].put({"Id": "stock", "count": 0})

    answer = post(
        {
            "operation": "transact-write",
            "payload": {
                "TransactItems": [
                    {"Put": {"TableName": "Orders", "Item": {**ORDER_KEY, "status": "NEW"}}},
                    {
                        "ConditionCheck": {
                            "TableName": "LambdaTable",
                            "Key": {"Id": "stock"},
                            "ConditionExpression": "#c >= :one",
                            "ExpressionAttributeNames": {"#c": "count"},
                            "ExpressionAttributeValues": {":one": 1},
                            "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                        }
                    },
                ]
            },
        }
    )

    assert answer.status == 409
    assert answer.json["cancellationReasons"][0]["Code"] == "None"
    assert answer.json["cancellationReasons"][1]["Code"] == "ConditionalCheckFailed"
    assert answer.json["cancellationReasons"][1]["Item"] == {"Id": "stock", "count": 0}
    assert answer.json["type"] == "TransactionCanceled"
    assert answer.json["message"].startswith("Transaction cancelled, nothing was written: ")
    assert "TransactItems[1]: ConditionalCheckFailed" in answer.json["message"]
    assert "TransactItems[0]" not in answer.json["message"]
    assert tables["Orders"].items() == []
    assert tables["LambdaTable"].items() == [{"Id": "stock", "count": 0}]


def test_more_than_100_actions_are_refused(tables, post):
    puts = [
        {"Put": {"TableName": "Orders", "Item": {"customerId": "c", "orderId": str(n)}}}
        for n in range(101)
    ]

    answer = post({"operation": "transact-write", "payload": {"TransactItems": puts}})

    assert answer.status == 400
    assert "must contain less than or equal to 100 items" in answer.json["message"]
    assert tables["Orders"].items() == []


def test_an_action_on_a_table_the_api_does_not_serve_is_forbidden(tables, post):
    answer = post(
        {
            "operation": "transact-write",
            "payload": {
                "TransactItems": [
                    {"Put": {"TableName": "Orders", "Item": ORDER_KEY}},
                    {"Delete": {"TableName": "Accounts", "Key": {"id": "a1"}}},
                ]
            },
        }
    )

    assert (answer.status, answer.json["type"]) == (403, "TableNotAllowed")
    assert tables["Orders"].items() == []


def test_an_action_must_be_one_of_put_update_delete_or_condition_check(tables, post):
    answer = post(
        {
            "operation": "transact-write",
            "payload": {"TransactItems": [{"Get": {"TableName": "Orders", "Key": ORDER_KEY}}]},
        }
    )

    assert (answer.status, answer.json["type"]) == (400, "InvalidPayload")


@pytest.mark.parametrize(
    ("reasons", "status", "type_"),
    [
        ([{"Code": "None"}, {"Code": "ThrottlingError", "Message": "slow down"}], 429, "Throttled"),
        ([{"Code": "ValidationError", "Message": "bad key"}], 400, "DynamoDBValidation"),
        ([{"Code": "TransactionConflict", "Message": "raced"}], 409, "TransactionCanceled"),
    ],
    ids=["throttled", "invalid", "conflict"],
)
def test_a_cancellation_answers_as_its_reasons_say(post, monkeypatch, reasons, status, type_):
    """Throttling is a retry later, an invalid action the caller's to fix, a conflict a 409."""
    monkeypatch.setenv("TABLES", json.dumps({"Orders": physical_name("Orders")}))
    cancelled = error(
        400, "TransactionCanceledException", "Transaction cancelled", CancellationReasons=reasons
    )
    with FakeDynamoDB(cancelled) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(
            {
                "operation": "transact-write",
                "payload": {"TransactItems": [{"Put": {"TableName": "Orders", "Item": ORDER_KEY}}]},
            }
        )

    assert (answer.status, answer.json["type"]) == (status, type_)
    failed = next(reason for reason in reasons if reason["Code"] != "None")
    assert f"TransactItems[{reasons.index(failed)}]: {failed['Code']}" in answer.json["message"]


def test_a_client_request_token_reused_with_other_actions_is_a_422(post, monkeypatch):
    monkeypatch.setenv("TABLES", json.dumps({"Orders": physical_name("Orders")}))
    message = "Request token was used with different parameters"
    with FakeDynamoDB(error(400, "IdempotentParameterMismatchException", message)) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(
            {
                "operation": "transact-write",
                "payload": {
                    "TransactItems": [{"Put": {"TableName": "Orders", "Item": ORDER_KEY}}],
                    "ClientRequestToken": "token-1",
                },
            }
        )

    assert (answer.status, answer.json) == (
        422,
        {"message": message, "type": "IdempotencyKeyReused"},
    )
