"""moto's engine honours ``TransactWriteItems``' ``ClientRequestToken`` as DynamoDB does.

A transaction sent again with its token (the function's retry after a read
timeout, or a caller's) applies once; the token with other actions is refused.
dynalite has no transactions, so these run on moto only.
"""

from __future__ import annotations

import http.client
import json
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.moto_server.werkzeug_app import create_backend_app
from werkzeug.test import Client

from function import deadline
from function.dynamodb import bounded_client
from local_api.client_request_tokens import VALID_SECONDS, ClientRequestTokens
from local_api.engines import Engine
from local_api.moto_server import TARGET_PREFIX, LocalEngine
from local_api.table import client_for
from tests.fake_dynamodb import HANG, Answer, FakeDynamoDB, Reply, Request
from tests.local.conftest import LocalServer, start_server


def bump(token: str | None, counter: str, by: int = 1) -> dict[str, Any]:
    """A transact-write adding ``by`` to ``counter``'s ``n``, sent with ``token`` if any."""
    update = {
        "TableName": "LambdaTable",
        "Key": {"Id": counter},
        "UpdateExpression": "ADD n :by",
        "ExpressionAttributeValues": {":by": by},
    }
    payload: dict[str, Any] = {"TransactItems": [{"Update": update}]}
    if token is not None:
        payload["ClientRequestToken"] = token
    return {"operation": "transact-write", "payload": payload}


def count(server: LocalServer, counter: str) -> Any:
    answer = server.post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": counter}}}
    )
    return answer.json["Item"]["n"]


@pytest.fixture(scope="module")
def moto_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalServer]:
    server = start_server(tmp_path_factory.mktemp("server"), "--stack", "dev", "--engine", "moto")
    try:
        yield server
    finally:
        server.stop()


def test_a_transaction_sent_twice_with_its_token_counts_once(moto_server):
    first = moto_server.post(bump("visit-once", "once"))
    again = moto_server.post(bump("visit-once", "once"))

    assert (first.status, again.status) == (200, 200)
    assert again.json == first.json
    assert count(moto_server, "once") == 1


def test_a_token_sent_with_other_actions_is_a_422_and_applies_nothing(moto_server):
    first = moto_server.post(bump("visit-other", "other"))
    other = moto_server.post(bump("visit-other", "other", by=5))

    assert first.status == 200
    assert (other.status, other.json["type"]) == (422, "IdempotencyKeyReused")
    assert "idempotent token that was already used" in other.json["message"]
    assert count(moto_server, "other") == 1


def test_a_new_token_is_a_new_transaction(moto_server):
    moto_server.post(bump("visit-a", "two"))
    moto_server.post(bump("visit-b", "two"))

    assert count(moto_server, "two") == 2


def test_a_cancelled_transaction_runs_again_when_retried_with_its_token(moto_server):
    existing = {"Id": "taken"}
    create = {"operation": "create", "tableName": "LambdaTable", "payload": {"Item": existing}}
    moto_server.post(create)
    put_if_absent = {
        "operation": "transact-write",
        "payload": {
            "ClientRequestToken": "claim-taken",
            "TransactItems": [
                {
                    "Put": {
                        "TableName": "LambdaTable",
                        "Item": {"Id": "taken", "owner": "me"},
                        "ConditionExpression": "attribute_not_exists(Id)",
                    }
                }
            ],
        },
    }

    cancelled = moto_server.post(put_if_absent)
    moto_server.post(
        {"operation": "delete", "tableName": "LambdaTable", "payload": {"Key": existing}}
    )
    retried = moto_server.post(put_if_absent)

    assert (cancelled.status, cancelled.json["type"]) == (409, "TransactionCanceled")
    assert retried.status == 200
    read = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": existing}}
    assert moto_server.post(read).json == {"Item": {"Id": "taken", "owner": "me"}}


def add(amount: int, table: str = "counters") -> list[dict[str, Any]]:
    """The one action of a transaction adding ``amount`` to the counter's ``n``."""
    update = {
        "TableName": table,
        "Key": {"pk": {"S": "c"}},
        "UpdateExpression": "ADD n :amount",
        "ExpressionAttributeValues": {":amount": {"N": str(amount)}},
    }
    return [{"Update": update}]


def counters_table(table: str = "counters", key: str = "pk") -> dict[str, Any]:
    return {
        "TableName": table,
        "KeySchema": [{"AttributeName": key, "KeyType": "HASH"}],
        "AttributeDefinitions": [{"AttributeName": key, "AttributeType": "S"}],
        "BillingMode": "PAY_PER_REQUEST",
    }


def test_a_transaction_retried_with_its_token_is_applied_once_even_after_a_restart(tmp_path):
    with Engine("moto", tmp_path) as engine:
        dynamodb = client_for(engine.endpoint)
        dynamodb.create_table(**counters_table())
        for _ in range(3):
            dynamodb.transact_write_items(TransactItems=add(1), ClientRequestToken="kept")
        with pytest.raises(ClientError) as mismatch:
            dynamodb.transact_write_items(TransactItems=add(2), ClientRequestToken="kept")
        before = dynamodb.get_item(TableName="counters", Key={"pk": {"S": "c"}})["Item"]

    with Engine("moto", tmp_path) as engine:
        after = client_for(engine.endpoint).get_item(TableName="counters", Key={"pk": {"S": "c"}})

    assert mismatch.value.response["Error"]["Code"] == "IdempotentParameterMismatchException"
    assert mismatch.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert before["n"] == {"N": "1"}
    assert after["Item"] == before


def test_a_token_is_new_again_ten_minutes_after_its_transaction_completed():
    now = [0.0]
    engine = LocalEngine(create_backend_app("dynamodb"), tokens=ClientRequestTokens(lambda: now[0]))
    http = Client(engine)
    table = f"counters-{uuid.uuid4().hex[:8]}"

    def send(operation: str, body: dict[str, Any]) -> Any:
        headers = {"X-Amz-Target": TARGET_PREFIX + operation}
        answer = http.post("/", data=json.dumps(body), headers=headers)
        assert answer.status_code == 200, answer.text
        return json.loads(answer.data)

    def counted() -> str:
        item = send("GetItem", {"TableName": table, "Key": {"pk": {"S": "c"}}})["Item"]
        return str(item["n"]["N"])

    send("CreateTable", counters_table(table))
    transaction = {"TransactItems": add(1, table), "ClientRequestToken": "ten-minutes"}
    send("TransactWriteItems", transaction)
    now[0] = VALID_SECONDS - 1
    send("TransactWriteItems", transaction)
    within = counted()
    now[0] = VALID_SECONDS + 1
    send("TransactWriteItems", transaction)
    send("TransactWriteItems", transaction)

    assert (within, counted()) == ("1", "2")


def late_first_answer(engine: Engine) -> FakeDynamoDB:
    """A proxy to ``engine`` that lets the first request through but never brings its answer back.

    The engine applies that request; the client sees a read timeout and retries.
    """

    def forward(request: Request) -> Reply:
        upstream = http.client.HTTPConnection("127.0.0.1", engine.port, timeout=10)
        try:
            upstream.request("POST", "/", request.body, dict(request.headers))
            answer = upstream.getresponse()
            content = answer.read()
        finally:
            upstream.close()
        if request.number == 1:
            return HANG
        kept = ("content-type", "x-amzn-requestid", "x-amz-crc32")
        headers = {name: value for name, value in answer.getheaders() if name.lower() in kept}
        return Answer(content, answer.status, headers)

    return FakeDynamoDB(forward)


def test_a_transaction_whose_answer_came_too_late_is_applied_once_by_the_functions_retry(
    post, monkeypatch
):
    monkeypatch.setattr(deadline, "READ_TIMEOUT_SECONDS", 0.3)
    monkeypatch.setattr(bounded_client.random, "random", lambda: 0.0)
    with Engine("moto") as engine:
        dynamodb = client_for(engine.endpoint)
        dynamodb.create_table(**counters_table("late", key="Id"))
        with late_first_answer(engine) as proxy:
            monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", proxy.url)
            monkeypatch.setenv("TABLES", json.dumps({"LambdaTable": "late"}))
            bounded_client.forget_clients()
            try:
                answer = post(bump(None, "late"))
            finally:
                bounded_client.forget_clients()
        counter = dynamodb.get_item(TableName="late", Key={"Id": {"S": "late"}})["Item"]

    assert answer.status == 200
    assert counter["n"] == {"N": "1"}
