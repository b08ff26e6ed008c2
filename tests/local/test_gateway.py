"""What the local gateway does around the function, as API Gateway does it."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from function.registry import Registry
from local_api.code import Loaded
from local_api.gateway import Gateway, StageConfig
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
