"""DynamoDB failing: each fault is a status and a message, never a hang or a traceback."""

import json
import time
from collections.abc import Iterator
from io import BytesIO

import pytest
from botocore.awsrequest import AWSResponse

from function import dynamodb
from function.deadline import MAX_ATTEMPTS, READ_TIMEOUT_SECONDS, WORST_CASE_SECONDS
from function.dynamodb import bounded_client
from function.errors import RequestError
from tests.fake_dynamodb import (
    DROP,
    HANG,
    Answer,
    FakeDynamoDB,
    Reply,
    Request,
    error,
    refusing_endpoint,
)

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
    with FakeDynamoDB(error(http_status, code, "the details")) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
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
    denied = error(400, "AccessDeniedException", "User arn:aws:iam::123:role/x is not")
    with FakeDynamoDB(denied) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
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


@pytest.mark.timing
def test_a_dynamodb_that_never_answers_is_a_503_within_the_bound(served_table, post, monkeypatch):
    with FakeDynamoDB(HANG) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        started = time.monotonic()
        answer = post(READ)
        elapsed = time.monotonic() - started

    assert (answer.status, answer.json["type"]) == (503, "DynamoDBUnavailable")
    assert elapsed <= WORST_CASE_SECONDS
    # Not a quick failure of some other kind: every attempt waited out its read timeout.
    assert elapsed >= MAX_ATTEMPTS * READ_TIMEOUT_SECONDS


def test_ping_and_echo_work_while_dynamodb_is_down(served_table, post, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", refusing_endpoint())

    assert post({"operation": "ping"}).json == "pong"
    assert post({"operation": "echo", "payload": {"a": 1}}).json == {"a": 1}


def test_any_dynamodb_5xx_is_a_503_whatever_its_code(served_table, post, monkeypatch):
    with FakeDynamoDB(error(502, "SomethingNew", "upstream trouble")) as fake:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", fake.url)
        answer = post(READ)

    assert (answer.status, answer.json["type"]) == (503, "DynamoDBUnavailable")


# --- Items too large, transaction conflicts, recovery ---------------------------------------

ENDPOINT = "AWS_ENDPOINT_URL_DYNAMODB"
BOB = {"Id": "1", "name": "Bob"}
CREATE = {"operation": "create", "tableName": "LambdaTable", "payload": {"Item": BOB}}
UPDATE = {
    "operation": "update",
    "tableName": "LambdaTable",
    "payload": {
        "Key": {"Id": "1"},
        "UpdateExpression": "SET #n = :n",
        "ExpressionAttributeNames": {"#n": "name"},
        "ExpressionAttributeValues": {":n": "Eve"},
    },
}
DELETE = {"operation": "delete", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("ValidationException", "Item size has exceeded the maximum allowed size"),
        (
            "ItemCollectionSizeLimitExceededException",
            "Collection size exceeded for partition key 1",
        ),
    ],
)
def test_an_item_too_large_for_dynamodb_is_a_400_with_dynamodbs_message(
    served_table, post, invoke, monkeypatch, code, message
):
    large = {**CREATE, "payload": {"Item": {"Id": "1", "blob": "x" * 300_000}}}
    with FakeDynamoDB(error(400, code, message)) as fake:
        monkeypatch.setenv(ENDPOINT, fake.url)
        answer = post(large)
        with pytest.raises(dynamodb.DynamoDBValidationError) as raised:
            invoke(large)

    assert (answer.status, answer.json) == (400, {"message": message, "type": "DynamoDBValidation"})
    assert (raised.value.status, raised.value.message) == (400, message)


@pytest.mark.parametrize(
    ("request_", "code", "message", "type_"),
    [
        (
            CREATE,
            "TransactionConflictException",
            "Transaction is ongoing for the item",
            "TransactionConflict",
        ),
        (
            UPDATE,
            "TransactionCanceledException",
            "Transaction cancelled, please refer cancellation reasons for specific reasons "
            "[TransactionConflict]",
            "TransactionCanceled",
        ),
        (
            DELETE,
            "ReplicatedWriteConflictException",
            "Replicated write conflict",
            "TransactionConflict",
        ),
    ],
    ids=["create", "update", "delete"],
)
def test_a_write_that_loses_a_transaction_conflict_is_a_409_with_dynamodbs_message(
    served_table, post, invoke, monkeypatch, code, message, type_, request_
):
    with FakeDynamoDB(error(400, code, message)) as fake:
        monkeypatch.setenv(ENDPOINT, fake.url)
        answer = post(request_)
        with pytest.raises(RequestError) as raised:
            invoke(request_)

    assert (answer.status, answer.json) == (409, {"message": message, "type": type_})
    assert type(raised.value).__name__ == f"{type_}Error"
    assert (raised.value.status, raised.value.message) == (409, message)


def test_after_dynamodb_faults_the_next_request_to_a_healthy_dynamodb_is_served(
    table, post, invoke, monkeypatch
):
    with FakeDynamoDB(error(500, "InternalServerError")) as fake:
        monkeypatch.setenv(ENDPOINT, fake.url)
        assert post(CREATE).status == 503
    with FakeDynamoDB(error(400, "ThrottlingException")) as fake:
        monkeypatch.setenv(ENDPOINT, fake.url)
        assert post(CREATE).status == 429
    monkeypatch.setenv(ENDPOINT, refusing_endpoint())
    assert post(CREATE).status == 503
    monkeypatch.delenv(ENDPOINT)

    assert post(CREATE).status == 200
    assert post(READ).json == {"Item": BOB}
    assert invoke(READ) == {"Item": BOB}
    assert table.items() == [BOB]


class _Body(BytesIO):
    def stream(self, **_: object) -> Iterator[bytes]:
        yield self.read()


def recovering_from(fault: str) -> tuple[FakeDynamoDB, list[str]]:
    """An endpoint that first meets ``fault`` (fail, drop or hang), then serves Bob once healthy.

    Healthy, GetItem finds Bob and any other call succeeds with ``{}``. The test
    sets the list's one element to ``"healthy"`` when DynamoDB recovers.
    """
    behaviour = [fault]

    def answer(request: Request) -> Reply:
        mode = behaviour[0]
        if mode == "drop":
            return DROP
        if mode == "hang":
            return HANG
        if mode == "fail":
            return error(500, "InternalServerError")
        found = request.operation == "GetItem"
        return Answer({"Item": {"Id": {"S": "1"}, "name": {"S": "Bob"}}} if found else {})

    return FakeDynamoDB(answer), behaviour


@pytest.mark.timing
@pytest.mark.parametrize("fault", ["fail", "drop", "hang"])
def test_the_same_dynamodb_endpoint_serves_again_once_it_recovers_from_a_fault(
    served_table, post, invoke, monkeypatch, fault
):
    fake, behaviour = recovering_from(fault)
    with fake:
        monkeypatch.setenv(ENDPOINT, fake.url)
        started = time.monotonic()
        failed = post(READ)
        elapsed = time.monotonic() - started
        behaviour[0] = "healthy"

        served = post(READ)
        direct = invoke(READ)

    assert (failed.status, failed.json["type"]) == (503, "DynamoDBUnavailable")
    assert elapsed <= WORST_CASE_SECONDS
    assert (served.status, served.json) == (200, {"Item": BOB})
    assert direct == {"Item": BOB}


def test_a_keyed_request_that_failed_on_a_fault_runs_again_once_dynamodb_recovers(
    table, idempotency_table, post, monkeypatch
):
    throttled = [True]

    def throttle_the_served_table(request: object, **_: object) -> AWSResponse | None:
        if not throttled[0] or table.physical.encode() not in request.body:
            return None
        refusal = {
            "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
            "message": "Rate of requests exceeds the allowed throughput",
        }
        return AWSResponse(request.url, 400, {}, _Body(json.dumps(refusal).encode()))

    keyed = {**CREATE, "idempotencyKey": "create-bob-once"}
    client_events = bounded_client.client().meta.events
    client_events.register_first(
        "before-send.dynamodb", throttle_the_served_table, unique_id="throttle"
    )
    try:
        failed = post(keyed)
        records_after_failure = idempotency_table.items()
        throttled[0] = False
        retried = post(keyed)
        replayed = post(keyed)
    finally:
        client_events.unregister("before-send.dynamodb", unique_id="throttle")

    assert (failed.status, failed.json["type"]) == (429, "Throttled")
    assert records_after_failure == []
    assert (retried.status, retried.json) == (200, {})
    assert "Idempotent-Replayed" not in retried.headers
    assert (replayed.status, replayed.headers.get("Idempotent-Replayed")) == (200, "true")
    assert table.items() == [BOB]
