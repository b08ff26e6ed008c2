"""DynamoDB failing: each fault is a status and a message, never a hang or a traceback."""

import time

import pytest

from function.dynamodb import WORST_CASE_SECONDS
from tests.fake_dynamodb import failing_endpoint, refusing_endpoint, silent_endpoint

READ = {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}


@pytest.fixture
def served_table(monkeypatch):
    monkeypatch.setenv("TABLES", '{"LambdaTable": "physical-table"}')


@pytest.mark.parametrize(
    ("http_status", "code", "status", "kind"),
    [
        (400, "ProvisionedThroughputExceededException", 429, "Throttled"),
        (400, "ThrottlingException", 429, "Throttled"),
        (400, "RequestLimitExceeded", 429, "Throttled"),
        (400, "ConditionalCheckFailedException", 409, "ConditionalCheckFailed"),
        (400, "TransactionConflictException", 409, "TransactionConflict"),
        (400, "ValidationException", 400, "DynamoDBValidation"),
        (500, "InternalServerError", 503, "DynamoDBUnavailable"),
        (503, "ServiceUnavailable", 503, "DynamoDBUnavailable"),
    ],
)
def test_dynamodb_errors_become_caller_errors(
    served_table, post, monkeypatch, http_status, code, status, kind
):
    with failing_endpoint(http_status, code, "the details") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        answer = post(READ)

    assert answer.status == status
    assert answer.json["type"] == kind
    if status < 500:
        assert answer.json["message"] == "the details"
    else:
        assert answer.json["message"] == "DynamoDB is unavailable or not answering; retry later"


def test_an_unexpected_dynamodb_error_is_a_500_with_only_the_request_id(
    served_table, post, monkeypatch
):
    with failing_endpoint(
        400, "AccessDeniedException", "User arn:aws:iam::123:role/x is not"
    ) as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        answer = post(READ)

    assert answer.status == 500
    assert answer.json == {
        "message": "Internal server error",
        "type": "InternalServerError",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
    }


def test_a_refused_connection_is_a_503(served_table, post, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", refusing_endpoint())

    answer = post(READ)

    assert answer.status == 503
    assert answer.json["type"] == "DynamoDBUnavailable"


def test_a_dynamodb_that_never_answers_is_a_503_within_the_bound(served_table, post, monkeypatch):
    with silent_endpoint() as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        started = time.monotonic()
        answer = post(READ)
        elapsed = time.monotonic() - started

    assert answer.status == 503
    assert elapsed <= WORST_CASE_SECONDS
    assert WORST_CASE_SECONDS < 10


def test_ping_and_echo_work_while_dynamodb_is_down(served_table, post, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", refusing_endpoint())

    assert post({"operation": "ping"}).json == "pong"
    assert post({"operation": "echo", "payload": {"a": 1}}).json == {"a": 1}


def test_any_dynamodb_5xx_is_a_503_whatever_its_code(served_table, post, monkeypatch):
    with failing_endpoint(502, "SomethingNew", "upstream trouble") as endpoint:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", endpoint)
        answer = post(READ)

    assert (answer.status, answer.json["type"]) == (503, "DynamoDBUnavailable")
