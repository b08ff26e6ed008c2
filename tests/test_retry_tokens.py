"""A retry never changes what the call means: both attempts carry one idempotency token.

DynamoDB may apply a ``TransactWriteItems`` and fail to answer within the read
timeout; the client's retry is then safe only if DynamoDB can tell it is the
same transaction, by its ``ClientRequestToken``.
"""

from __future__ import annotations

import pytest

from function import deadline
from function.dynamodb import bounded_client
from tests.fake_dynamodb import HANG, Answer, FakeDynamoDB, Reply, Request

BUMP = {
    "operation": "transact-write",
    "payload": {
        "TransactItems": [
            {
                "Update": {
                    "TableName": "LambdaTable",
                    "Key": {"Id": "counter"},
                    "UpdateExpression": "ADD n :one",
                    "ExpressionAttributeValues": {":one": 1},
                }
            }
        ]
    },
}


@pytest.fixture
def quick_timeouts(monkeypatch):
    """A read timeout of 0.3 s and no backoff, in a client built for the test alone."""
    monkeypatch.setenv("TABLES", '{"LambdaTable": "physical-table"}')
    monkeypatch.setattr(deadline, "READ_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(bounded_client.random, "random", lambda: 0.0)
    bounded_client.forget_clients()
    yield
    bounded_client.forget_clients()


def every_second_answer(request: Request) -> Reply:
    """No answer to the first request of each pair (it times out), ``{}`` to the second."""
    return HANG if request.number % 2 == 1 else Answer({})


def test_a_transaction_retried_after_a_read_timeout_carries_the_same_token(
    quick_timeouts, post, monkeypatch
):
    with FakeDynamoDB(every_second_answer) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(BUMP)

    assert (answer.status, answer.json) == (200, {})
    first, retry = (request.document for request in fake.requests)
    assert first["ClientRequestToken"]
    assert retry == first


def test_each_transaction_gets_its_own_token(quick_timeouts, post, monkeypatch):
    with FakeDynamoDB(every_second_answer) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        post(BUMP)
        post(BUMP)

    tokens = [request.document["ClientRequestToken"] for request in fake.requests]
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3]


def test_a_callers_own_token_is_the_one_sent_on_every_attempt(quick_timeouts, post, monkeypatch):
    mine = {**BUMP, "payload": {**BUMP["payload"], "ClientRequestToken": "order-42"}}
    with FakeDynamoDB(every_second_answer) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(mine)

    assert answer.status == 200
    sent = [request.document["ClientRequestToken"] for request in fake.requests]
    assert sent == ["order-42", "order-42"]
