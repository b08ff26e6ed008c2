"""Every bad request gets its status and a message that says what is wrong, and writes nothing."""

import json

import pytest

from function.events import MAX_BODY_BYTES

BOB = {"Id": "1", "name": "Bob"}

BAD_REQUESTS = [
    # (body, status, type, words the message must contain)
    ("{", 400, "InvalidJson", "not valid JSON"),
    ("", 400, "MalformedRequest", "empty"),
    (b"\xff\xfe{}", 400, "MalformedRequest", "not UTF-8"),
    ("[]", 400, "InvalidRequest", "request must be object"),
    ("{}", 400, "InvalidRequest", "must contain ['operation']"),
    ({"operation": 7}, 400, "InvalidRequest", "request.operation must be string"),
    (
        {"operation": "frobnicate"},
        400,
        "UnknownOperation",
        "Unknown operation 'frobnicate'; available",
    ),
    (
        {"operation": "create", "tablename": "x"},
        400,
        "InvalidRequest",
        "must not contain {'tablename'}",
    ),
    (
        {"operation": "create", "tableName": 5, "payload": {}},
        400,
        "InvalidRequest",
        "tableName must be string",
    ),
    (
        {"operation": "create", "tableName": "Secrets", "payload": {"Item": {"Id": "2"}}},
        403,
        "TableNotAllowed",
        "'Secrets' is not served by this API; it serves LambdaTable",
    ),
    (
        {"operation": "create", "payload": {"TableName": "Secrets", "Item": {"Id": "2"}}},
        400,
        "TableInPayload",
        "must not contain TableName",
    ),
    (
        {"operation": "create", "payload": {"Itme": {"Id": "2"}}},
        400,
        "InvalidPayload",
        "payload must",
    ),
    ({"operation": "create", "payload": []}, 400, "InvalidPayload", "payload must be object"),
    (
        {
            "operation": "update",
            "payload": {"Key": {"Id": "1"}, "AttributeUpdates": {"name": "Eve"}},
        },
        400,
        "DynamoDBValidation",
        "Invalid type for parameter AttributeUpdates.name",
    ),
    (
        {"operation": "create", "payload": {"Item": {"name": "no key"}}},
        400,
        "DynamoDBValidation",
        "Missing the key Id",
    ),
    (
        {
            "operation": "create",
            "payload": {
                "Item": {"Id": "1", "name": "Eve"},
                "ConditionExpression": "attribute_not_exists(Id)",
            },
        },
        409,
        "ConditionalCheckFailed",
        "conditional request failed",
    ),
    (
        {"operation": "read", "payload": {"Key": {"Id": "404"}}},
        404,
        "ItemNotFound",
        "No item has this key",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": NaN}}}',
        400,
        "InvalidJson",
        "NaN",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": -Infinity}}}',
        400,
        "InvalidJson",
        "-Infinity",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": 1e126}}}',
        400,
        "InvalidJson",
        "outside",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": 1e-131}}}',
        400,
        "InvalidJson",
        "outside",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": ' + "1" * 39 + "}}}",
        400,
        "InvalidJson",
        "38 significant digits",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": "\\ud800"}}}',
        400,
        "InvalidJson",
        "not valid Unicode",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": '
        + "[" * 50
        + "]" * 50
        + "}}}",
        400,
        "InvalidJson",
        "deeper than 40",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": '
        + "[" * 100_000
        + "]" * 100_000
        + "}}}",
        400,
        "InvalidJson",
        "deeper than 40",
    ),
    (
        '{"operation": "create", "payload": {"Item": {"Id": "2", "x": ' + "9" * 5000 + "}}}",
        400,
        "InvalidJson",
        "cannot store",
    ),
]


@pytest.mark.parametrize(("body", "status", "kind", "words"), BAD_REQUESTS)
def test_a_bad_request_gets_its_status_and_message_and_writes_nothing(
    table, post, body, status, kind, words
):
    table.put(BOB)

    answer = post(body)

    assert answer.status == status, answer.text
    assert answer.headers["Content-Type"] == "application/json"
    assert answer.json == {"message": answer.json["message"], "type": kind}
    assert words.lower() in answer.json["message"].lower()
    assert table.items() == [BOB]


def test_a_body_over_lambdas_limit_is_refused_before_parsing(table, post):
    body = json.dumps(
        {"operation": "create", "payload": {"Item": {"Id": "2", "x": "a" * MAX_BODY_BYTES}}}
    )

    answer = post(body)

    assert answer.status == 413
    assert str(MAX_BODY_BYTES) in answer.json["message"]
    assert table.items() == []


def test_an_item_over_dynamodbs_size_limit_is_a_400(table, post):
    answer = post(
        {"operation": "create", "payload": {"Item": {"Id": "big", "blob": "x" * 410_000}}}
    )

    assert answer.status == 400
    assert "size" in answer.json["message"].lower()
    assert table.items() == []


def test_invalid_base64_is_a_400(table, post):
    event_body = "not base64!"
    from function.handler import handler
    from tests.conftest import LambdaContext, proxy_event

    event = proxy_event(event_body)
    event["isBase64Encoded"] = True
    answer = handler(event, LambdaContext())

    assert answer["statusCode"] == 400
    assert "base64" in json.loads(answer["body"])["message"]


def test_a_body_that_cannot_be_read_is_refused_before_the_method():
    """As before the request view: an unreadable body is a 400 whatever the method."""
    from function.handler import handler
    from local_api.lambda_context import LambdaContext
    from tests.conftest import proxy_event

    event = proxy_event({"operation": "ping"}, method="GET")
    event["body"], event["isBase64Encoded"] = "not base64!", True
    answer = handler(event, LambdaContext())

    assert answer["statusCode"] == 400
    assert json.loads(answer["body"])["type"] == "MalformedRequest"
