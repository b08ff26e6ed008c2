"""What the local gateway does around the function, as API Gateway does it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from function import tables
from function.registry import Registry
from function.routes import routes_of
from infra.rest_api import CORS_ALLOW_METHODS
from infra.table_definitions import define
from local_api.code import Loaded
from local_api.gateway import MAX_REQUEST_BYTES, Gateway, StageConfig
from local_api.proxy_event import HttpRequest

NAMES = ("echo", "ping")


class FixedCode:
    """Code that is always one handler (what FunctionCode gives without reload)."""

    reload = False

    def __init__(self, handler: Any) -> None:
        every = Registry().all()
        self.loaded = Loaded(handler=handler, operations={name: every[name] for name in NAMES})

    @contextmanager
    def use(self) -> Iterator[Loaded]:
        yield self.loaded


def request(body: bytes = b'{"operation": "ping"}', **overrides: Any) -> HttpRequest:
    fields = {
        "method": "POST",
        "path": "/DynamoDBManager",
        "headers": [("Content-Type", "application/json"), ("X-Trace", "a"), ("X-Trace", "b")],
        "query": [("page", "1"), ("page", "2"), ("q", "x")],
        "body": body,
        "source_ip": "192.0.2.7",
        **overrides,
    }
    return HttpRequest(**fields)


def gateway(handler: Any, **config: Any) -> Gateway:
    return Gateway(StageConfig(stage_name="dev", **config), FixedCode(handler))


def ok(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": '"pong"'}


def test_the_function_gets_a_faithful_rest_proxy_event():
    seen: list[tuple[dict[str, Any], Any]] = []

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        seen.append((event, context))
        return ok(event, context)

    gateway(handler).handle(request(path="/dev/DynamoDBManager"))

    ((event, context),) = seen
    assert (event["resource"], event["path"], event["httpMethod"]) == ("/DynamoDBManager",) * 2 + (
        "POST",
    )
    assert event["headers"]["X-Trace"] == "b"
    assert event["multiValueHeaders"]["X-Trace"] == ["a", "b"]
    assert event["queryStringParameters"] == {"page": "2", "q": "x"}
    assert event["multiValueQueryStringParameters"] == {"page": ["1", "2"], "q": ["x"]}
    assert event["requestContext"]["stage"] == "dev"
    assert event["requestContext"]["path"] == "/dev/DynamoDBManager"
    assert event["requestContext"]["identity"]["sourceIp"] == "192.0.2.7"
    assert event["requestContext"]["requestId"] == context.aws_request_id
    assert (event["body"], event["isBase64Encoded"]) == ('{"operation": "ping"}', False)
    assert 0 < context.get_remaining_time_in_millis() <= 10_000


def test_binary_bodies_reach_the_function_base64_encoded():
    seen: list[dict[str, Any]] = []
    gateway(
        lambda event, context: seen.append(event) or ok(event, context), cors_origin=None
    ).handle(request(body=b"\xff\x00", headers=[("Content-Type", "application/octet-stream")]))

    assert seen[0]["isBase64Encoded"] is True
    assert base64.b64decode(seen[0]["body"]) == b"\xff\x00"


@pytest.mark.parametrize(
    "answer",
    [
        None,
        "pong",
        {"body": "x"},
        {"statusCode": "two hundred", "body": "x"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "headers": ["x"], "body": ""},
        {"statusCode": 200, "body": "", "surprise": True},
    ],
)
def test_a_malformed_function_response_is_api_gateways_502(answer):
    response = gateway(lambda event, context: answer).handle(request())

    assert response.status == 502
    assert json.loads(response.body) == {"message": "Internal server error"}
    assert "malformed" in (response.note or "")


def test_a_function_that_raises_is_a_502_and_the_log_says_why():
    def broken(event: dict[str, Any], context: Any) -> Any:
        raise RuntimeError("boom")

    response = gateway(broken).handle(request())

    assert (response.status, json.loads(response.body)) == (
        502,
        {"message": "Internal server error"},
    )
    assert "RuntimeError: boom" in (response.note or "")


def test_the_function_response_headers_and_base64_bodies_pass_through():
    def binary(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "statusCode": 201,
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x01\x02").decode(),
            "isBase64Encoded": True,
        }

    response = gateway(binary).handle(request())

    assert (response.status, response.body) == (201, b"\x01\x02")
    assert [value for name, value in response.headers if name == "Set-Cookie"] == ["a=1", "b=2"]


def test_iam_stages_need_a_signed_request():
    stage = gateway(ok, auth_mode="iam")

    assert stage.handle(request()).status == 403
    signed = request(headers=[("Authorization", "AWS4-HMAC-SHA256 Credential=local/...")])
    assert stage.handle(signed).status == 200


def test_the_request_model_is_checked_only_for_json_bodies():
    stage = gateway(ok)

    refused = stage.handle(request(body=b'{"operation": "create"}'))
    assert (refused.status, json.loads(refused.body)) == (400, {"message": "Invalid request body"})
    assert refused.operation == "create"
    assert refused.note == (
        "unknown operation 'create'; this server knows echo, ping "
        "(with --no-reload, new modules need a restart)"
    )
    passed = stage.handle(
        request(body=b'{"operation": "create"}', headers=[("Content-Type", "text/plain")])
    )
    assert passed.status == 200


def test_bodies_api_gateway_cannot_parse_are_400_at_the_edge():
    stage = gateway(ok)

    for body in [b"[" * 100_000, b'{"operation": "ping", "payload": NaN}']:
        refused = stage.handle(request(body=body))
        assert (refused.status, json.loads(refused.body)) == (
            400,
            {"message": "Invalid request body"},
        )


def test_by_default_the_functions_cors_answer_is_narrowed_to_a_page_on_this_machine():
    def any_origin(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {**ok(event, context), "headers": {"Access-Control-Allow-Origin": "*"}}

    stage = gateway(any_origin)

    def allowed(origin: str) -> list[str]:
        answer = stage.handle(request(headers=[("Origin", origin)]))
        return [value for name, value in answer.headers if name == "Access-Control-Allow-Origin"]

    assert allowed("http://localhost:5173") == ["http://localhost:5173"]
    assert allowed("http://[::1]:8080") == ["http://[::1]:8080"]
    assert allowed("https://evil.example") == []
    assert allowed("http://localhost.evil.example") == []
    refused = stage.handle(request(headers=[("Origin", "https://evil.example")]))
    assert ("Vary", "Origin") in refused.headers  # a cache must not hand it to a local page
    named = gateway(any_origin, cors_origin="https://app.example.com")
    assert ("Access-Control-Allow-Origin", "*") in named.handle(request()).headers


ORDERS = define("Orders", hashKey="customerId", rangeKey="orderId")


@pytest.fixture
def served_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables the local stack sets in the server's environment before it serves."""
    monkeypatch.setenv(tables.TABLES_ENV, json.dumps({"Orders": "orders-table"}))
    monkeypatch.setenv(tables.TABLE_KEYS_ENV, tables.encode_keys({"Orders": ORDERS.key_schema}))


def seen_events(**config: Any) -> tuple[Gateway, list[dict[str, Any]]]:
    seen: list[dict[str, Any]] = []
    return gateway(lambda event, context: seen.append(event) or ok(event, context), **config), seen


@pytest.mark.usefixtures("served_tables")
@pytest.mark.parametrize("stage_prefix", ["", "/dev"])
def test_a_table_route_reaches_the_function_as_the_resource_api_gateway_matched(stage_prefix):
    stage, seen = seen_events()
    sent = f"{stage_prefix}/Orders/items/c%2F1/o%201"

    answer = stage.handle(
        request(method="GET", path=f"{stage_prefix}/Orders/items/c/1/o 1", body=b"", target=sent)
    )

    (event,) = seen
    assert answer.status == 200
    assert answer.operation == "read"
    assert event["resource"] == "/Orders/items/{customerId}/{orderId}"
    assert event["requestContext"]["resourcePath"] == event["resource"]
    # As a REST API sends them: the path percent-encoded, the parameters decoded.
    assert event["path"] == "/Orders/items/c%2F1/o%201"
    assert event["pathParameters"] == {"customerId": "c/1", "orderId": "o 1"}
    assert event["requestContext"]["path"] == "/dev/Orders/items/c%2F1/o%201"
    assert event["httpMethod"] == "GET"


@pytest.mark.usefixtures("served_tables")
def test_every_method_on_a_route_path_reaches_the_function_with_no_request_model():
    stage, seen = seen_events(cors_origin=None)

    for method in ("PUT", "OPTIONS", "HEAD"):
        assert stage.handle(request(method=method, path="/Orders/items", body=b"")).status == 200
    not_an_envelope = request(path="/Orders/items", body=b'{"customerId": "c1", "orderId": "o1"}')
    assert stage.handle(not_an_envelope).status == 200
    assert [event["httpMethod"] for event in seen] == ["PUT", "OPTIONS", "HEAD", "POST"]


@pytest.mark.usefixtures("served_tables")
def test_a_path_no_route_has_is_api_gateways_403_without_the_function():
    stage, seen = seen_events()

    for path in ("/Orders", "/Orders/things", "/prod/Orders/items", "/Elsewhere/items", "/"):
        answer = stage.handle(request(method="GET", path=path))
        assert (answer.status, json.loads(answer.body)) == (
            403,
            {"message": "Missing Authentication Token"},
        ), path
    assert seen == []


def test_without_tables_only_the_envelope_is_served(monkeypatch):
    monkeypatch.delenv(tables.TABLES_ENV, raising=False)
    stage, seen = seen_events()

    assert stage.handle(request(method="GET", path="/Orders/items")).status == 403
    assert stage.handle(request()).status == 200
    assert [event["resource"] for event in seen] == ["/DynamoDBManager"]


@pytest.mark.usefixtures("served_tables")
def test_a_preflight_on_a_route_path_answers_as_the_one_on_the_envelope():
    stage, seen = seen_events()
    page = [("Origin", "http://localhost:5173"), ("Access-Control-Request-Method", "PATCH")]

    on_route = stage.handle(request(method="OPTIONS", path="/Orders/items/c1/o1", headers=page))
    on_envelope = stage.handle(request(method="OPTIONS", headers=page))

    assert (on_route.status, on_route.headers) == (on_envelope.status, on_envelope.headers)
    assert ("Access-Control-Allow-Origin", "http://localhost:5173") in on_route.headers
    assert seen == []


def test_the_preflight_allows_every_method_a_route_takes():
    every_route = routes_of({"Orders": ORDERS.key_schema})

    assert {route.method for route in every_route} | {"POST", "OPTIONS"} == set(
        CORS_ALLOW_METHODS.split(",")
    )


@pytest.mark.usefixtures("served_tables")
def test_route_paths_need_the_stages_key_and_keep_the_body_limit():
    stage, seen = seen_events(auth_mode="apiKey", api_key="k")

    refused = stage.handle(request(method="GET", path="/Orders/items"))
    too_long = stage.handle(
        request(path="/Orders/items", body=b"x" * (MAX_REQUEST_BYTES + 1), headers=[])
    )
    keyed = stage.handle(request(method="GET", path="/Orders/items", headers=[("x-api-key", "k")]))

    assert (refused.status, json.loads(refused.body)) == (403, {"message": "Forbidden"})
    assert too_long.status == 413
    assert keyed.status == 200
    assert seen[0]["requestContext"]["identity"]["apiKey"] == "k"
