"""The shared DynamoDB client keeps its promises on any botocore: time bounds, other services."""

from __future__ import annotations

import json
import time
import zlib

import pytest

from function import deadline, dynamodb
from function.dynamodb import bounded_client
from local_api.lambda_context import LambdaContext
from tests.fake_dynamodb import Answer, FakeDynamoDB, Request, error

READ = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}


@pytest.fixture
def served_table(monkeypatch):
    monkeypatch.setenv("TABLES", '{"LambdaTable": "physical-table"}')


@pytest.mark.timing
def test_a_retry_after_header_cannot_stretch_a_call_past_its_bound(served_table, post, monkeypatch):
    """botocore 1.44 waits out ``x-amz-retry-after`` (5 s here); our one retry does not."""
    failing = error(500, "InternalServerError", headers={"x-amz-retry-after": "5000"})
    with FakeDynamoDB(failing) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        started = time.monotonic()
        answer = post(READ)
        elapsed = time.monotonic() - started

    assert (answer.status, answer.json["type"]) == (503, "DynamoDBUnavailable")
    calls = [request.received_at for request in fake.requests]
    assert len(calls) == deadline.MAX_ATTEMPTS
    assert calls[1] - calls[0] <= deadline.BACKOFF_CAP_SECONDS + 0.25
    assert elapsed <= deadline.BACKOFF_CAP_SECONDS + 1.0


def test_no_attempt_starts_that_the_lambda_context_has_no_time_left_for(served_table, monkeypatch):
    """A retry needs time for its backoff and a whole attempt; a first attempt, an attempt."""
    from function.handler import handler
    from tests.conftest import proxy_event

    monkeypatch.setattr(bounded_client.random, "random", lambda: 0.5)  # a backoff of 0.5 s
    with FakeDynamoDB(error(400, "ThrottlingException")) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        too_late = handler(proxy_event(READ), LambdaContext(timeout_seconds=2.0))
        none = len(fake.requests)
        short = handler(proxy_event(READ), LambdaContext(timeout_seconds=3.5))
        single = len(fake.requests) - none
        roomy = handler(proxy_event(READ), LambdaContext(timeout_seconds=25.0))

    assert (too_late["statusCode"], json.loads(too_late["body"])["type"]) == (
        503,
        "DynamoDBUnavailable",
    )
    assert (none, single) == (0, 1)
    assert short["statusCode"] == roomy["statusCode"] == 429
    assert len(fake.requests) == 1 + deadline.MAX_ATTEMPTS


def test_a_context_without_remaining_time_is_served_without_a_deadline(table):
    from types import SimpleNamespace

    from function.handler import handler

    table.put({"Id": "1"})

    assert handler(READ, SimpleNamespace(aws_request_id="bare")) == {"Item": {"Id": "1"}}


def test_an_answer_damaged_on_the_way_is_retried(served_table, post, monkeypatch):
    """DynamoDB's x-amz-crc32 header: a body that does not match it is not believed."""
    item = {"Item": {"Id": {"S": "1"}}}
    checksum = zlib.crc32(json.dumps(item).encode())

    def damaged_once(request: Request) -> Answer:
        damage = 1 if request.number == 1 else 0
        return Answer(item, headers={"x-amz-crc32": str(checksum + damage)})

    with FakeDynamoDB(damaged_once) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(READ)

    assert (answer.status, answer.json) == (200, {"Item": {"Id": "1"}})
    assert len(fake.requests) == 2


def test_paginators_page_through_the_bounded_calls(table):
    for number in range(5):
        table.put({"Id": str(number)})
    pages = (
        bounded_client.client()
        .get_paginator("scan")
        .paginate(TableName=table.physical, PaginationConfig={"PageSize": 2})
    )

    assert sorted(item["Id"] for page in pages for item in page["Items"]) == list("01234")
    with pytest.raises(dynamodb.DynamoDBValidationError):
        list(
            bounded_client.client()
            .get_paginator("scan")
            .paginate(TableName=table.physical, FilterExpression="AAA")
        )


def test_an_operation_can_catch_dynamodbs_refusal_as_a_caller_facing_error(table):
    client = bounded_client.client()
    client.put_item(TableName=table.physical, Item={"Id": "1"})

    with pytest.raises(dynamodb.ConditionalCheckFailedError) as raised:
        client.put_item(
            TableName=table.physical,
            Item={"Id": "1"},
            ConditionExpression="attribute_not_exists(Id)",
        )

    assert raised.value.status == 409
    assert raised.value.to_body()["type"] == "ConditionalCheckFailed"


def test_credentials_from_an_assumed_role_work(table, post, tmp_path, monkeypatch):
    """The DynamoDB-first model loader still loads STS, which an assume-role profile needs."""
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\n"
        "aws_access_key_id = testing\n"
        "aws_secret_access_key = testing\n"
        "[profile reader]\n"
        "role_arn = arn:aws:iam::123456789012:role/reader\n"
        "source_profile = base\n"
    )
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_PROFILE", "reader")
    bounded_client.forget_clients()
    table.put({"Id": "1", "name": "Bob"})

    try:
        answer = post(READ)
    finally:
        bounded_client.forget_clients()

    # With no keys of its own, the profile reads only by assuming its role through STS.
    assert (answer.status, answer.json) == (200, {"Item": {"Id": "1", "name": "Bob"}})
