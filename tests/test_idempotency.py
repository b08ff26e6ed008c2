"""Idempotency keys: a retried request is answered, not applied twice."""

from __future__ import annotations

import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest

from function.handler import handler
from function.idempotency import IdempotencyKeyReusedError, claim
from tests.conftest import LambdaContext, proxy_event

COUNT_VISIT = {
    "operation": "update",
    "payload": {
        "Key": {"Id": "counter"},
        "UpdateExpression": "ADD visits :one",
        "ExpressionAttributeValues": {":one": 1},
        "ReturnValues": "UPDATED_NEW",
    },
}


def send(document, key=None):
    event = proxy_event(document)
    if key is not None:
        event["headers"] = {**event["headers"], "Idempotency-Key": key}
    return handler(event, LambdaContext())


def hold(key, operation, payload=None, table=None):
    """What an invocation still running a request under ``key`` leaves behind."""
    return claim(
        key,
        caller="anonymous",
        owner="other-request",
        operation=operation,
        table=table,
        payload={} if payload is None else payload,
    )


def visits(table):
    return {item["Id"]: item for item in table.items()}["counter"]["visits"]


def test_a_retried_request_is_answered_with_the_first_result_and_applied_once(
    idempotency_table, table
):
    first = send(COUNT_VISIT, key="retry-1")
    retry = send(COUNT_VISIT, key="retry-1")

    assert first["statusCode"] == retry["statusCode"] == 200
    assert retry["body"] == first["body"]
    assert json.loads(first["body"])["Attributes"]["visits"] == 1
    assert "Idempotent-Replayed" not in first["headers"]
    assert retry["headers"]["Idempotent-Replayed"] == "true"
    assert visits(table) == Decimal(1)
    assert send(COUNT_VISIT)["statusCode"] == 200
    assert visits(table) == Decimal(2)


def test_the_key_may_travel_in_the_envelope_in_direct_invocations(idempotency_table, table, invoke):
    first = invoke({**COUNT_VISIT, "idempotencyKey": "direct-1"})
    again = invoke({**COUNT_VISIT, "idempotencyKey": "direct-1"})

    assert first == again
    assert visits(table) == Decimal(1)


def test_a_key_reused_for_another_request_is_422_and_writes_nothing(idempotency_table, table):
    send(COUNT_VISIT, key="reused")

    other = {**COUNT_VISIT, "payload": {**COUNT_VISIT["payload"], "Key": {"Id": "other"}}}
    answer = send(other, key="reused")

    assert answer["statusCode"] == 422
    assert "different request" in answer["body"]
    assert [item["Id"] for item in table.items()] == ["counter"]


def test_a_failed_request_releases_its_key(idempotency_table, table):
    table.put({"Id": "taken"})
    create_once = {
        "operation": "create",
        "payload": {"Item": {"Id": "taken"}, "ConditionExpression": "attribute_not_exists(Id)"},
    }

    assert send(create_once, key="fails-first")["statusCode"] == 409
    assert idempotency_table.items() == []
    table.client.delete_item(TableName=table.physical, Key={"Id": {"S": "taken"}})
    assert send(create_once, key="fails-first")["statusCode"] == 200


def test_a_key_still_in_progress_is_a_409_and_runs_nothing(idempotency_table, table):
    hold("running", "update", COUNT_VISIT["payload"], table=table.physical)

    answer = send(COUNT_VISIT, key="running")

    assert answer["statusCode"] == 409
    assert "still in progress" in answer["body"]
    assert table.items() == []


def test_an_in_progress_record_of_a_dead_invocation_can_be_retaken(idempotency_table, table):
    held = hold("stale", "ping")
    idempotency_table.client.update_item(
        TableName=idempotency_table.physical,
        Key={"id": {"S": held.record_id}},
        UpdateExpression="SET lockedUntil = :past",
        ExpressionAttributeValues={":past": {"N": str(int(time.time()) - 60)}},
    )

    answer = send({"operation": "ping"}, key="stale")

    assert (answer["statusCode"], answer["body"]) == (200, '"pong"')


def test_concurrent_retries_apply_the_request_exactly_once(idempotency_table, table):
    barrier = threading.Barrier(8)

    def retry(_: int) -> int:
        barrier.wait()
        return send(COUNT_VISIT, key="stampede")["statusCode"]

    with ThreadPoolExecutor(8) as pool:
        statuses = list(pool.map(retry, range(8)))

    assert set(statuses) <= {200, 409}
    assert 200 in statuses
    assert visits(table) == Decimal(1)


def test_a_key_without_an_idempotency_table_is_refused(table):
    answer = send(COUNT_VISIT, key="nowhere")

    assert answer["statusCode"] == 400
    assert "does not keep idempotency keys" in answer["body"]
    assert table.items() == []


def test_header_and_body_keys_must_agree(idempotency_table, table):
    answer = send({**COUNT_VISIT, "idempotencyKey": "a"}, key="b")

    assert answer["statusCode"] == 400
    assert table.items() == []


def test_the_mismatch_error_is_a_422_request_error(idempotency_table, table, invoke):
    other = {**COUNT_VISIT, "payload": {**COUNT_VISIT["payload"], "Key": {"Id": "other"}}}
    send(COUNT_VISIT, key="over-http")
    invoke({**COUNT_VISIT, "idempotencyKey": "direct"})

    answer = send(other, key="over-http")
    with pytest.raises(IdempotencyKeyReusedError) as raised:
        invoke({**other, "idempotencyKey": "direct"})

    message = "This Idempotency-Key was already used for a different request; use a new key"
    assert answer["statusCode"] == 422
    assert json.loads(answer["body"]) == {"message": message, "type": "IdempotencyKeyReused"}
    assert (raised.value.status, raised.value.message) == (422, message)
    assert [item["Id"] for item in table.items()] == ["counter"]


@pytest.mark.parametrize("key", ["", "x" * 256])
def test_keys_must_be_1_to_255_characters(idempotency_table, table, key):
    answer = send({**COUNT_VISIT, "idempotencyKey": key})

    assert answer["statusCode"] == 400
    assert table.items() == []


def test_the_same_request_with_its_keys_in_another_order_is_a_retry(idempotency_table, table):
    reordered = {
        "payload": dict(reversed(list(COUNT_VISIT["payload"].items()))),
        "operation": "update",
    }

    assert send(COUNT_VISIT, key="order")["statusCode"] == 200
    retry = send(reordered, key="order")

    assert retry["statusCode"] == 200
    assert retry["headers"]["Idempotent-Replayed"] == "true"
    assert visits(table) == Decimal(1)


@pytest.mark.parametrize("key", ["", "x" * 256, "tab\there"])
def test_header_keys_are_checked_like_body_keys(idempotency_table, table, key):
    answer = send(COUNT_VISIT, key=key)

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["type"] == "InvalidIdempotencyKey"
    assert table.items() == []


def test_keys_belong_to_their_caller(idempotency_table, table):
    def as_caller(arn):
        event = proxy_event(COUNT_VISIT)
        event["headers"] = {**event["headers"], "Idempotency-Key": "shared"}
        event["requestContext"]["identity"]["userArn"] = arn
        return handler(event, LambdaContext())

    alice = as_caller("arn:aws:iam::123456789012:user/alice")
    bob = as_caller("arn:aws:iam::123456789012:user/bob")

    assert alice["statusCode"] == bob["statusCode"] == 200
    assert "Idempotent-Replayed" not in bob["headers"]
    assert visits(table) == Decimal(2)


def test_a_result_that_cannot_be_kept_is_still_answered_and_not_applied_again_at_once(
    idempotency_table, table, monkeypatch
):
    from function import idempotency

    real_complete = idempotency.complete
    failures = []

    def complete_while_dynamodb_fails(claim, result):
        original_put = idempotency.bounded_client.client().put_item

        def refuse(**kwargs):
            failures.append(kwargs["TableName"])
            raise idempotency.ClientError(
                {"Error": {"Code": "InternalServerError", "Message": "down"}}, "PutItem"
            )

        monkeypatch.setattr(idempotency.bounded_client.client(), "put_item", refuse)
        try:
            real_complete(claim, result)
        finally:
            monkeypatch.setattr(idempotency.bounded_client.client(), "put_item", original_put)

    monkeypatch.setattr(idempotency, "complete", complete_while_dynamodb_fails)

    first = send(COUNT_VISIT, key="unsaved")
    retry = send(COUNT_VISIT, key="unsaved")

    assert failures == [idempotency_table.physical]
    assert first["statusCode"] == 200
    assert retry["statusCode"] == 409
    assert visits(table) == Decimal(1)
