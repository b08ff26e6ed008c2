"""The local gateway as each API type and routing answers: the events the function gets and
what API Gateway answers itself, in process (``test_api_types_served.py`` runs servers).

An HTTP API (``apiType: http``) sends payload format 2.0 events, field by field as AWS
documents them ("Create AWS Lambda proxy integrations for HTTP APIs"), and answers its
own errors its way; ``routes: proxy`` sends every path but ``/DynamoDBManager``'s through
the catch-all, ``/{proxy+}``, so the function routes.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import parse_qsl, unquote

import pytest

from function import tables
from function.handler import handler as function_handler
from function.registry import Registry
from infra.table_definitions import define
from local_api.code import Loaded
from local_api.gateway import (
    MAX_REQUEST_BYTES,
    Gateway,
    HttpResponse,
    StageConfig,
    unverified_claims,
)
from local_api.proxy_event import HttpRequest

pytestmark = pytest.mark.independent

ORDERS = define("Orders", hashKey="customerId", rangeKey="orderId")
PAGE = "http://localhost:5173"
SIGNED = (
    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261207/us-east-1/execute-api/aws4_request, "
    "SignedHeaders=host;x-amz-date, Signature=" + "0" * 64
)


class Code:
    """One handler, and every stock operation, as FunctionCode gives them without reload."""

    reload = False

    def __init__(self, handler: Callable[[dict[str, Any], Any], Any]) -> None:
        self.loaded = Loaded(handler=handler, operations=Registry().all())

    @contextmanager
    def use(self) -> Iterator[Loaded]:
        yield self.loaded


def request(method: str, target: str, body: bytes = b"", **overrides: Any) -> HttpRequest:
    """A request as the server reads it: the target as sent, the path and query decoded."""
    path, _, query = target.partition("?")
    fields: dict[str, Any] = {
        "method": method,
        "path": unquote(path),
        "headers": [("Content-Type", "application/json"), ("User-Agent", "curl/8.5.0")],
        "query": parse_qsl(query, keep_blank_values=True),
        "body": body,
        "source_ip": "192.0.2.7",
        "target": target,
        **overrides,
    }
    return HttpRequest(**fields)


def stage(answer: Any = None, **config: Any) -> tuple[Gateway, list[dict[str, Any]]]:
    """A gateway whose function records each event and answers ``answer`` (a 200 by default)."""
    seen: list[dict[str, Any]] = []
    reply = answer if answer is not None else {"statusCode": 200, "body": "{}"}

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(event)
        if isinstance(reply, Exception):
            raise reply
        return reply

    settings = {"stage_name": "dev", "api_type": "http", **config}
    return Gateway(StageConfig(**settings), Code(handler)), seen  # type: ignore[arg-type]


def message(answer: HttpResponse) -> tuple[int, Any]:
    return answer.status, json.loads(answer.body)


def jwt(claims: dict[str, Any]) -> str:
    """An unsigned JWT carrying ``claims`` (nothing here checks a signature)."""

    def part(document: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(document).encode()).decode().rstrip("=")

    return f"{part({'alg': 'RS256', 'kid': 'k1'})}.{part(claims)}.c2lnbmF0dXJl"


@pytest.fixture
def served_tables(monkeypatch: pytest.MonkeyPatch) -> None:
    """The tables the local stack sets in the server's environment before it serves."""
    monkeypatch.setenv(tables.TABLES_ENV, json.dumps({"Orders": "orders-table"}))
    monkeypatch.setenv(tables.TABLE_KEYS_ENV, tables.encode_keys({"Orders": ORDERS.key_schema}))


@pytest.mark.usefixtures("served_tables")
def test_an_http_api_sends_the_payload_format_2_0_event_field_by_field():
    gateway, seen = stage(cors_origin=None)
    sent = request(
        "GET",
        "/Orders/items/c%2F1/o%201?tag=a%20b&tag=c&limit=2",
        headers=[
            ("Content-Type", "application/json"),
            ("User-Agent", "curl/8.5.0"),
            ("X-Trace", "a"),
            ("x-trace", "b"),
            ("Cookie", "session=s1; theme=dark"),
        ],
        host="api.example.com",
    )

    answer = gateway.handle(sent)

    (event,) = seen
    assert answer.status == 200
    assert answer.operation == "read"
    assert [name for name, _ in answer.headers].count("apigw-requestid") == 1
    assert set(event) == {
        "version",
        "routeKey",
        "rawPath",
        "rawQueryString",
        "cookies",
        "headers",
        "queryStringParameters",
        "requestContext",
        "pathParameters",
        "isBase64Encoded",
    }
    assert event["version"] == "2.0"
    assert event["routeKey"] == "GET /Orders/items/{customerId}/{orderId}"
    assert event["rawPath"] == "/Orders/items/c%2F1/o%201"
    assert event["rawQueryString"] == "tag=a%20b&tag=c&limit=2"
    assert event["cookies"] == ["session=s1", "theme=dark"]
    assert event["headers"] == {
        "content-type": "application/json",
        "user-agent": "curl/8.5.0",
        "x-trace": "a,b",
    }
    assert event["queryStringParameters"] == {"tag": "a b,c", "limit": "2"}
    assert event["pathParameters"] == {"customerId": "c/1", "orderId": "o 1"}
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert set(context) == {
        "accountId",
        "apiId",
        "domainName",
        "domainPrefix",
        "http",
        "requestId",
        "routeKey",
        "stage",
        "time",
        "timeEpoch",
    }
    assert context["http"] == {
        "method": "GET",
        "path": "/Orders/items/c%2F1/o%201",
        "protocol": "HTTP/1.1",
        "sourceIp": "192.0.2.7",
        "userAgent": "curl/8.5.0",
    }
    assert (context["routeKey"], context["stage"]) == (event["routeKey"], "$default")
    assert (context["domainName"], context["domainPrefix"]) == ("api.example.com", "api")
    assert context["requestId"] == dict(answer.headers)["apigw-requestid"]
    assert isinstance(context["timeEpoch"], int)


@pytest.mark.usefixtures("served_tables")
def test_a_body_is_text_or_base64_and_the_envelope_has_its_own_route():
    gateway, seen = stage()

    pinged = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))
    gateway.handle(request("POST", "/Orders/items", b"\xff\x00"))

    assert pinged.operation == "ping"  # for the access log
    envelope, binary = seen
    assert (envelope["routeKey"], envelope["body"]) == (
        "POST /DynamoDBManager",
        '{"operation": "ping"}',
    )
    assert "pathParameters" not in envelope
    assert "queryStringParameters" not in envelope
    assert binary["routeKey"] == "POST /Orders/items"
    assert (binary["body"], binary["isBase64Encoded"]) == ("/wA=", True)


def test_the_table_routes_run_on_2_0_events_through_the_real_function(table):
    """Create, read, update and delete an item, and miss it, on an HTTP API's events."""
    seen: list[dict[str, Any]] = []

    def handler(event: dict[str, Any], context: Any) -> Any:
        seen.append(event)
        return function_handler(event, context)

    gateway = Gateway(StageConfig(stage_name="dev", api_type="http"), Code(handler))  # type: ignore[arg-type]
    item = '{"Id": "7", "name": "Ann", "n": 0.10000000000000000001}'

    created = gateway.handle(request("POST", "/LambdaTable/items", item.encode()))
    read = gateway.handle(request("GET", "/LambdaTable/items/7"))
    patched = gateway.handle(request("PATCH", "/LambdaTable/items/7", b'{"name": "Bo"}'))
    deleted = gateway.handle(request("DELETE", "/LambdaTable/items/7"))
    gone = gateway.handle(request("GET", "/LambdaTable/items/7"))

    assert [a.status for a in (created, read, patched, deleted, gone)] == [201, 200, 200, 204, 404]
    # The $default stage is not in the URL, so neither is it in Location.
    assert dict(created.headers)["Location"] == "/LambdaTable/items/7"
    assert read.body == b'{"Id":"7","name":"Ann","n":0.10000000000000000001}'
    assert json.loads(patched.body) == {"Id": "7", "name": "Bo", "n": 0.1}
    assert json.loads(gone.body)["type"] == "ItemNotFound"
    assert [(event["version"], event["routeKey"]) for event in seen] == [
        ("2.0", "POST /LambdaTable/items"),
        ("2.0", "GET /LambdaTable/items/{Id}"),
        ("2.0", "PATCH /LambdaTable/items/{Id}"),
        ("2.0", "DELETE /LambdaTable/items/{Id}"),
        ("2.0", "GET /LambdaTable/items/{Id}"),
    ]


@pytest.mark.usefixtures("served_tables")
def test_a_path_no_route_has_is_the_http_apis_404():
    """And the stage is no part of an HTTP API's URL."""
    gateway, seen = stage()

    for method, target in [
        ("GET", "/Elsewhere/items"),
        ("GET", "/dev/Orders/items"),
        ("GET", "/DynamoDBManager"),
        ("GET", "/"),
    ]:
        assert message(gateway.handle(request(method, target))) == (
            404,
            {"message": "Not Found"},
        ), target
    assert seen == []


@pytest.mark.usefixtures("served_tables")
def test_a_method_a_route_path_does_not_list_reaches_the_function_for_its_405():
    """As deployed: the path's other methods are one ANY route, or, where the stack turns
    CORS on, a route each but OPTIONS, which API Gateway's preflight answer keeps."""
    anything, seen_by_any = stage()
    one_by_one, seen_by_method = stage(api_cors=True)

    for gateway in (anything, one_by_one):
        for method in ("PUT", "HEAD"):
            assert gateway.handle(request(method, "/Orders/items")).status == 200
    options_by_any = anything.handle(request("OPTIONS", "/Orders/items"))
    options_by_method = one_by_one.handle(request("OPTIONS", "/Orders/items"))

    assert options_by_any.status == 200
    assert message(options_by_method) == (404, {"message": "Not Found"})
    assert [event["routeKey"] for event in seen_by_any] == ["ANY /Orders/items"] * 3
    assert [event["routeKey"] for event in seen_by_method] == [
        "PUT /Orders/items",
        "HEAD /Orders/items",
    ]


@pytest.mark.usefixtures("served_tables")
def test_the_http_catch_all_sends_every_path_below_the_root_to_the_function():
    gateway, seen = stage(routes="proxy")

    deep = gateway.handle(request("DELETE", "/Nope/a%2Fb/deep"))
    other_method = gateway.handle(request("GET", "/DynamoDBManager"))
    envelope = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))
    root = gateway.handle(request("GET", "/"))

    assert [deep.status, other_method.status, envelope.status] == [200, 200, 200]
    assert message(root) == (404, {"message": "Not Found"})
    assert [(event["routeKey"], event.get("pathParameters")) for event in seen] == [
        ("ANY /{proxy+}", {"proxy": "Nope/a/b/deep"}),
        ("ANY /{proxy+}", {"proxy": "DynamoDBManager"}),
        ("POST /DynamoDBManager", None),
    ]
    assert seen[0]["rawPath"] == "/Nope/a%2Fb/deep"
    with_cors, seen_with_cors = stage(routes="proxy", api_cors=True)
    assert with_cors.handle(request("PATCH", "/Nope")).status == 200
    assert message(with_cors.handle(request("OPTIONS", "/Nope"))) == (404, {"message": "Not Found"})
    assert [event["routeKey"] for event in seen_with_cors] == ["PATCH /{proxy+}"]


@pytest.mark.usefixtures("served_tables")
def test_iam_needs_a_signed_request_and_its_access_key_reaches_the_function():
    gateway, seen = stage(auth_mode="iam")

    unsigned = gateway.handle(request("GET", "/Orders/items"))
    signed = gateway.handle(request("GET", "/Orders/items", headers=[("Authorization", SIGNED)]))

    assert message(unsigned) == (403, {"message": "Forbidden"})
    assert signed.status == 200
    (event,) = seen
    iam = event["requestContext"]["authorizer"]["iam"]
    assert iam["accessKey"] == "AKIDEXAMPLE"
    assert iam["userArn"] is None  # who signed is AWS's to say, checking the signature


@pytest.mark.usefixtures("served_tables")
def test_jwt_needs_a_token_whose_unverified_claims_reach_the_function():
    gateway, seen = stage(auth_mode="jwt")
    token = jwt({"sub": "u1", "exp": 1700000000, "email_verified": True, "groups": ["a", "b"]})

    missing = gateway.handle(request("GET", "/Orders/items"))
    for authorization in (f"Bearer {token}", token, "Bearer not-a-jwt"):
        headers = [("Authorization", authorization)]
        assert gateway.handle(request("GET", "/Orders/items", headers=headers)).status == 200

    assert message(missing) == (401, {"message": "Unauthorized"})
    bearer, bare, undecodable = (event["requestContext"]["authorizer"] for event in seen)
    assert (
        bearer
        == bare
        == {
            "jwt": {
                "claims": {
                    "sub": "u1",
                    "exp": "1700000000",
                    "email_verified": "true",
                    "groups": "[a b]",
                },
                "scopes": None,
            }
        }
    )
    assert undecodable == {"jwt": {"claims": {}, "scopes": None}}
    assert unverified_claims("a.b") == {}
    deep = base64.urlsafe_b64encode(b"[" * 20000 + b"]" * 20000).decode().rstrip("=")
    assert unverified_claims(f"a.{deep}.c") == {}


@pytest.mark.usefixtures("served_tables")
def test_a_body_over_10_mb_is_refused_before_the_function():
    gateway, seen = stage()

    answer = gateway.handle(request("POST", "/Orders/items", b"x" * (MAX_REQUEST_BYTES + 1)))

    assert message(answer) == (413, {"message": "Request Entity Too Large"})
    assert seen == []


@pytest.mark.parametrize(
    ("returned", "status", "body"),
    [
        ("Hello from Lambda!", 200, b"Hello from Lambda!"),
        ({"message": "Hello from Lambda!"}, 200, b'{"message": "Hello from Lambda!"}'),
        ([1, 2], 200, b"[1, 2]"),
        ({"statusCode": 201, "body": "made"}, 201, b"made"),
    ],
    ids=["a string", "an object without statusCode", "a list", "the full shape"],
)
def test_a_2_0_response_may_be_a_bare_json_value(returned, status, body):
    """AWS's table: without a ``statusCode`` the answer is a 200 of JSON, the value its body."""
    gateway, _ = stage(returned)

    answer = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))

    assert (answer.status, answer.body) == (status, body)
    if "statusCode" not in returned:
        assert ("Content-Type", "application/json") in answer.headers


def test_each_cookie_of_a_2_0_response_is_a_set_cookie_header():
    gateway, _ = stage({"statusCode": 200, "body": "{}", "cookies": ["a=1; Secure", "b=2"]})

    answer = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))

    assert [v for name, v in answer.headers if name == "Set-Cookie"] == ["a=1; Secure", "b=2"]


@pytest.mark.parametrize(
    "returned",
    [
        {"statusCode": "teapot", "body": "{}"},
        {"statusCode": 200, "body": {"not": "text"}},
        ValueError("boom"),
    ],
    ids=["a status that is none", "a body that is not text", "the function raising"],
)
def test_a_failing_function_is_the_http_apis_500(returned):
    gateway, _ = stage(returned)

    answer = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))

    assert message(answer) == (500, {"message": "Internal Server Error"})
    assert answer.note


@pytest.mark.usefixtures("served_tables")
def test_the_http_api_answers_preflights_itself_and_owns_the_cors_headers():
    """ "API Gateway automatically sends a response to preflight OPTIONS requests, even if
    there isn't an OPTIONS route", and "ignores CORS headers returned from your backend"."""
    answering = {"statusCode": 200, "headers": {"Access-Control-Allow-Origin": "*"}, "body": "{}"}
    gateway, seen = stage(answering, cors_origin="https://app.example.com", api_cors=True)
    page = [("Origin", "https://app.example.com"), ("Access-Control-Request-Method", "DELETE")]

    on_a_route = gateway.handle(request("OPTIONS", "/Orders/items/c1/o1", headers=page))
    anywhere = gateway.handle(request("OPTIONS", "/Elsewhere", headers=page))
    not_a_preflight = gateway.handle(request("OPTIONS", "/Elsewhere"))
    read = gateway.handle(
        request("GET", "/Orders/items", headers=[("Origin", "https://app.example.com")])
    )

    for preflight in (on_a_route, anywhere):
        assert (preflight.status, preflight.body) == (204, b"")
        headers = dict(preflight.headers)
        assert headers["Access-Control-Allow-Origin"] == "https://app.example.com"
        assert "DELETE" in headers["Access-Control-Allow-Methods"].split(",")
        assert "Authorization" in headers["Access-Control-Allow-Headers"].split(",")
    assert message(not_a_preflight) == (404, {"message": "Not Found"})
    origins = [v for name, v in read.headers if name.lower() == "access-control-allow-origin"]
    assert origins == ["https://app.example.com"]
    assert len(seen) == 1


@pytest.mark.usefixtures("served_tables")
@pytest.mark.parametrize("stage_prefix", ["", "/dev"])
def test_a_rest_catch_all_sends_the_proxy_resources_event(stage_prefix):
    gateway, seen = stage(api_type="rest", routes="proxy", cors_origin=None)

    unknown = gateway.handle(request("PATCH", f"{stage_prefix}/anything/a%2Fb/deep"))
    route = gateway.handle(request("GET", f"{stage_prefix}/Orders/items/c1"))

    assert [unknown.status, route.status] == [200, 200]
    assert route.operation == "query"
    first, second = seen
    assert first["resource"] == first["requestContext"]["resourcePath"] == "/{proxy+}"
    assert first["path"] == "/anything/a%2Fb/deep"
    assert first["pathParameters"] == {"proxy": "anything/a/b/deep"}
    assert first["requestContext"]["path"] == "/dev/anything/a%2Fb/deep"
    assert first["httpMethod"] == "PATCH"
    assert (second["resource"], second["pathParameters"]) == (
        "/{proxy+}",
        {"proxy": "Orders/items/c1"},
    )


@pytest.mark.usefixtures("served_tables")
def test_the_rest_catch_all_leaves_the_root_and_dynamodbmanager_to_api_gateway():
    """``/DynamoDBManager`` and below are the specific resource's, which takes POST alone:
    anything else there is API Gateway's 403, as is the root, which has no method."""
    gateway, seen = stage(api_type="rest", routes="proxy")
    page = [("Origin", PAGE), ("Access-Control-Request-Method", "PUT")]

    for method, target in [
        ("GET", "/DynamoDBManager"),
        ("PUT", "/dev/DynamoDBManager"),
        ("GET", "/DynamoDBManager/items"),
        ("GET", "/"),
        ("GET", "/dev/"),
    ]:
        assert message(gateway.handle(request(method, target))) == (
            403,
            {"message": "Missing Authentication Token"},
        ), (method, target)
    preflight = gateway.handle(request("OPTIONS", "/anything", headers=page))
    envelope = gateway.handle(request("POST", "/DynamoDBManager", b'{"operation": "ping"}'))

    assert preflight.status == 200
    assert ("Access-Control-Allow-Origin", PAGE) in preflight.headers
    assert envelope.status == 200
    assert [event["resource"] for event in seen] == ["/DynamoDBManager"]
