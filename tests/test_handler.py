"""The handler end to end, in every event shape, with the tutorial's own requests."""

import base64
import json
import logging
from decimal import Decimal

import pytest

from function.errors import DynamoDBValidationError, UnknownOperationError
from local_api.pytest_plugin import tutorial_table_definitions
from tests.conftest import load_event, proxy_event
from tests.installed import served_registry

TUTORIAL_FLOW = ["create.json", "read.json", "update.json", "list.json", "delete.json"]


@pytest.fixture
def table_definitions():
    """The tutorial's API: its one table, which its requests need not name."""
    return tutorial_table_definitions()


def test_the_tutorial_flow_works_unchanged_as_direct_events(table, invoke):
    create, read, update, listing, delete = (load_event(name) for name in TUTORIAL_FLOW)

    assert invoke(create) == {}
    assert invoke(read) == {"Item": {"Id": "1", "name": "Bob"}}
    assert invoke(update)["Attributes"] == {"Id": "1", "name": "Alice"}
    assert invoke(listing)["Items"] == [{"Id": "1", "name": "Alice"}]
    assert invoke(delete) == {}
    assert table.items() == []
    assert invoke(load_event("echo.json")) == load_event("echo.json")["payload"]
    assert invoke(load_event("ping.json")) == "pong"


def test_the_tutorial_flow_works_unchanged_through_api_gateway(table, post):
    create, read, update, listing, delete = (load_event(name) for name in TUTORIAL_FLOW)

    answer = post(create)
    assert (answer.status, answer.json) == (200, {})
    assert answer.headers["Content-Type"] == "application/json"
    assert post(read).json == {"Item": {"Id": "1", "name": "Bob"}}
    assert post(update).json["Attributes"] == {"Id": "1", "name": "Alice"}
    assert post(listing).json["Items"] == [{"Id": "1", "name": "Alice"}]
    assert (post(delete).status, table.items()) == (200, [])
    assert post(load_event("echo.json")).json == load_event("echo.json")["payload"]
    assert post(load_event("ping.json")).json == "pong"


def test_the_sample_rest_api_event_creates_bob(table, invoke):
    answer = invoke(load_event("rest-api-proxy.json"))

    assert answer["statusCode"] == 200
    assert table.items() == [{"Id": "1", "name": "Bob"}]


def test_an_http_api_event_with_a_base64_body_is_served(table, invoke):
    table.put({"Id": "1", "name": "Bob"})

    answer = invoke(load_event("http-api-v2.json"))

    assert answer["statusCode"] == 200
    assert json.loads(answer["body"]) == {"Item": {"Id": "1", "name": "Bob"}}


def test_a_function_url_event_echoes_numbers_exactly(invoke):
    answer = invoke(load_event("function-url.json"))

    assert answer["statusCode"] == 200
    assert answer["body"] == '{"price":19.99,"big":12345678901234567890}'


def test_base64_bodies_from_rest_apis_are_decoded(table, post):
    assert post(load_event("create.json"), base64_body=True).status == 200
    assert table.items() == [{"Id": "1", "name": "Bob"}]


def test_numbers_reach_dynamodb_exactly_and_come_back_exactly(table, post):
    body = (
        '{"operation": "create", "payload": {"Item": {"Id": "n", "price": 19.99, '
        '"big": 12345678901234567890, "tiny": 1E-130, '
        '"precise": 0.12345678901234567890123456789012345678}}}'
    )
    assert post(body).status == 200

    stored = table.items()[0]
    assert stored["price"] == Decimal("19.99")
    assert stored["big"] == Decimal("12345678901234567890")
    assert stored["precise"] == Decimal("0.12345678901234567890123456789012345678")
    text = post({"operation": "read", "payload": {"Key": {"Id": "n"}}}).text
    assert '"price":19.99' in text
    assert '"big":12345678901234567890' in text
    assert '"precise":0.12345678901234567890123456789012345678' in text


def test_direct_events_keep_the_digits_the_caller_wrote(table, invoke):
    invoke({"operation": "create", "payload": {"Item": {"Id": "1", "price": 19.99, "n": 10**20}}})

    assert table.items() == [{"Id": "1", "price": Decimal("19.99"), "n": Decimal(10**20)}]


def test_sets_and_binary_come_back_as_lists_and_base64(table, post):
    table.client.put_item(
        TableName=table.physical,
        Item={
            "Id": {"S": "1"},
            "tags": {"SS": ["a"]},
            "scores": {"NS": ["1.5"]},
            "blob": {"B": b"\x00\xff"},
        },
    )

    item = post({"operation": "read", "payload": {"Key": {"Id": "1"}}}).json["Item"]

    assert item == {"Id": "1", "tags": ["a"], "scores": [Decimal("1.5")], "blob": "AP8="}


def test_a_single_table_api_needs_no_table_name(table, post):
    assert post({"operation": "create", "payload": {"Item": {"Id": "7"}}}).status == 200
    assert table.items() == [{"Id": "7"}]


def test_the_physical_table_name_is_accepted_too(table, post):
    answer = post(
        {"operation": "create", "tableName": table.physical, "payload": {"Item": {"Id": "1"}}}
    )

    assert answer.status == 200


def test_direct_mode_raises_typed_errors_naming_the_problem(table, invoke):
    with pytest.raises(UnknownOperationError) as raised:
        invoke({"operation": "frobnicate"})
    listed = ", ".join(served_registry().names)
    assert str(raised.value) == f"Unknown operation 'frobnicate'; available operations: {listed}"

    with pytest.raises(DynamoDBValidationError):
        invoke({"operation": "create", "payload": {"Item": {"name": "no key"}}})


def test_direct_mode_returns_dynamodbs_answer_for_a_missing_item(table, invoke):
    assert invoke({"operation": "read", "payload": {"Key": {"Id": "nobody"}}}) == {}


def test_one_log_line_per_request_with_operation_table_status_and_duration(table, post, caplog):
    with caplog.at_level(logging.INFO, logger="function.handler"):
        post({"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "x"}}})

    (record,) = [r for r in caplog.records if r.name == "function.handler"]
    assert record.levelno == logging.INFO
    assert (record.operation, record.table, record.status) == ("read", table.physical, 404)
    assert record.duration_ms >= 0
    assert record.request_id == "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


def test_other_methods_are_refused(post):
    answer = post({"operation": "ping"}, method="GET")

    assert answer.status == 405
    assert answer.json["type"] == "MethodNotAllowed"


def test_the_http_api_event_shape_is_recognised_without_a_body(invoke):
    event = load_event("http-api-v2.json")
    del event["body"]
    event["isBase64Encoded"] = False

    answer = invoke(event)

    assert answer["statusCode"] == 400
    assert "empty" in json.loads(answer["body"])["message"]


def test_proxy_event_helper_round_trips_bytes():
    event = proxy_event(b"\x00")
    assert base64.b64decode(event["body"]) == b"\x00"


def test_responses_carry_the_configured_cors_origin(post, monkeypatch):
    assert "Access-Control-Allow-Origin" not in post({"operation": "ping"}).headers

    monkeypatch.setenv("CORS_ALLOW_ORIGIN", "https://app.example.com")
    answer = post({"operation": "nope"})

    assert answer.headers["Access-Control-Allow-Origin"] == "https://app.example.com"
    assert answer.headers["Vary"] == "Origin"


def test_an_unexpected_failure_in_a_direct_invocation_reveals_only_the_request_id(
    monkeypatch, invoke
):
    from function.handler import InternalError

    monkeypatch.setenv("TABLES", "not json")

    with pytest.raises(InternalError) as raised:
        invoke({"operation": "read", "payload": {"Key": {"Id": "1"}}})

    assert str(raised.value) == "Internal error; request id 11111111-2222-3333-4444-555555555555"
    assert raised.value.__cause__ is None


@pytest.mark.parametrize(
    ("setting", "level"), [("debug", logging.DEBUG), ("nonsense", logging.INFO)]
)
def test_the_log_level_setting_is_read_forgivingly(monkeypatch, setting, level):
    from function.handler import _log_level

    monkeypatch.setenv("LOG_LEVEL", setting)

    assert _log_level() == level


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"bogus": 1}, "Payload must contain ['RequestItems'] properties"),
        ([], "Payload must be object"),
    ],
)
def test_a_malformed_payload_of_an_operation_naming_its_tables_is_a_400_before_any_table(
    post, payload, message
):
    """Without TABLES (a test using only ``post``), the payload is still checked first."""
    answer = post({"operation": "batch-get", "payload": payload})

    assert (answer.status, answer.json) == (400, {"message": message, "type": "InvalidPayload"})
