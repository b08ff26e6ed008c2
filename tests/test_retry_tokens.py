"""A retry never changes what the call means: both attempts carry one idempotency token.

DynamoDB may apply a ``TransactWriteItems`` and fail to answer within the read
timeout; the client's retry is then safe only if DynamoDB can tell it is the
same transaction, by its ``ClientRequestToken``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler

import pytest

from function import deadline
from function.dynamodb import bounded_client
from tests.fake_dynamodb import serving

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


@contextmanager
def slow_first_answer() -> Iterator[tuple[str, list[dict]]]:
    """An endpoint that answers every second request only: the first of each pair times out.

    Yields the endpoint and the bodies of every request it was sent.
    """
    received: list[dict] = []
    released = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
            if len(received) % 2 == 1:
                released.wait(10)
                self.close_connection = True
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/x-amz-json-1.0")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    with serving(Handler) as endpoint:
        try:
            yield endpoint, received
        finally:
            released.set()


def test_a_transaction_retried_after_a_read_timeout_carries_the_same_token(
    quick_timeouts, post, monkeypatch
):
    with slow_first_answer() as (endpoint, received):
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        answer = post(BUMP)

    assert (answer.status, answer.json) == (200, {})
    first, retry = received
    assert first["ClientRequestToken"]
    assert retry == first


def test_each_transaction_gets_its_own_token(quick_timeouts, post, monkeypatch):
    with slow_first_answer() as (endpoint, received):
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        post(BUMP)
        post(BUMP)

    tokens = [body["ClientRequestToken"] for body in received]
    assert tokens[0] == tokens[1] != tokens[2] == tokens[3]


def test_a_callers_own_token_is_the_one_sent_on_every_attempt(quick_timeouts, post, monkeypatch):
    mine = {**BUMP, "payload": {**BUMP["payload"], "ClientRequestToken": "order-42"}}
    with slow_first_answer() as (endpoint, received):
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        answer = post(mine)

    assert answer.status == 200
    assert [body["ClientRequestToken"] for body in received] == ["order-42", "order-42"]
