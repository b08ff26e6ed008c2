"""The local server end to end, over real HTTP, on its embedded DynamoDB."""

from __future__ import annotations

import json
import re
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import load_event
from tests.installed import served_registry
from tests.local.conftest import VISIT, start_server

TUTORIAL_FLOW = ["create.json", "read.json", "update.json", "list.json", "delete.json"]


def test_the_tutorial_flow_over_http(dev_server):
    create, read, update, listing, delete = (load_event(name) for name in TUTORIAL_FLOW)

    assert (dev_server.post(create).status, dev_server.post(create).json) == (200, {})
    answer = dev_server.post(read)
    assert (answer.status, answer.json) == (200, {"Item": {"Id": "1", "name": "Bob"}})
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-amzn-requestid"]
    assert dev_server.post(update).json["Attributes"] == {"Id": "1", "name": "Alice"}
    assert {"Id": "1", "name": "Alice"} in dev_server.post(listing).json["Items"]
    assert dev_server.post(delete).status == 200
    assert dev_server.post(read).status == 404
    assert dev_server.post(load_event("echo.json")).json == load_event("echo.json")["payload"]
    assert dev_server.post(load_event("ping.json")).json == "pong"


def test_the_stage_prefixed_path_serves_the_same_api(dev_server):
    assert dev_server.post({"operation": "ping"}, path="/dev/DynamoDBManager").json == "pong"


def test_an_unknown_route_or_method_is_api_gateways_403(dev_server):
    for method, path in [
        ("POST", "/nope"),
        ("POST", "/prod/DynamoDBManager"),
        ("GET", "/DynamoDBManager"),
    ]:
        answer = dev_server.request(method, path)
        assert answer.status == 403, (method, path)
        assert answer.json == {"message": "Missing Authentication Token"}


def test_function_errors_come_back_with_status_and_message(dev_server):
    assert dev_server.post("{").status == 400
    answer = dev_server.post(
        {"operation": "read", "tableName": "Elsewhere", "payload": {"Key": {"Id": "1"}}}
    )
    assert (answer.status, answer.json["type"]) == (403, "TableNotAllowed")
    answer = dev_server.post(
        '{"operation": "create", "tableName": "LambdaTable", '
        '"payload": {"Item": {"Id": "2", "x": 1e400}}}'
    )
    assert answer.status == 400
    assert "outside what DynamoDB can store" in answer.json["message"]


def test_a_body_that_does_not_match_the_request_model_is_refused_at_the_edge(dev_server):
    answer = dev_server.post({"operation": "frobnicate"})

    assert (answer.status, answer.json) == (400, {"message": "Invalid request body"})
    assert "frobnicate" in dev_server.log()


def test_cors_answers_pages_on_this_machine_by_default_naming_the_page(dev_server):
    page = {"Origin": "http://localhost:5173"}
    preflight = dev_server.request(
        "OPTIONS", "/DynamoDBManager", headers={**page, "Access-Control-Request-Method": "POST"}
    )

    assert preflight.status == 200
    assert preflight.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert preflight.headers["vary"] == "Origin"
    assert "POST" in preflight.headers["access-control-allow-methods"]
    assert "x-api-key" in preflight.headers["access-control-allow-headers"].lower()
    answer = dev_server.post({"operation": "ping"}, **page)
    assert answer.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "Idempotent-Replayed" in answer.headers["access-control-expose-headers"]
    other_port = dev_server.post({"operation": "ping"}, Origin="http://127.0.0.1:8080")
    assert other_port.headers["access-control-allow-origin"] == "http://127.0.0.1:8080"


def test_a_page_on_another_site_can_neither_read_nor_write_the_local_tables(dev_server):
    """CORS keeps the answer from the page; refusing its Origin keeps the write from happening.

    A page can send a "simple" request, a text/plain POST, without a preflight.
    """
    elsewhere = {"Origin": "https://evil.example"}
    preflight = dev_server.request(
        "OPTIONS",
        "/DynamoDBManager",
        headers={**elsewhere, "Access-Control-Request-Method": "POST"},
    )
    create = {
        "operation": "create",
        "tableName": "LambdaTable",
        "payload": {"Item": {"Id": "written-by-a-page"}},
    }
    simple = dev_server.request(
        "POST", "/DynamoDBManager", json.dumps(create), {"Content-Type": "text/plain", **elsewhere}
    )
    invoked = dev_server.request(
        "POST",
        "/2015-03-31/functions/LambdaFunctionOverHttps/invocations",
        json.dumps(create),
        {"Content-Type": "text/plain", **elsewhere},
    )
    read = {
        "operation": "read",
        "tableName": "LambdaTable",
        "payload": {"Key": {"Id": "written-by-a-page"}},
    }

    assert "access-control-allow-origin" not in preflight.headers
    for refused in (preflight, simple, invoked):
        assert refused.status == 403
        assert "--cors-origin https://evil.example" in refused.json["message"]
        assert "access-control-allow-origin" not in refused.headers
    assert dev_server.post(read).status == 404
    same_origin = {"Origin": f"http://127.0.0.1:{dev_server.port}"}  # this server's /docs page
    assert dev_server.post({"operation": "ping"}, **same_origin).status == 200
    assert "access-control-allow-origin" not in dev_server.post({"operation": "ping"}).headers


def test_a_request_for_another_host_name_is_refused(dev_server):
    """A page that rebinds its own name to 127.0.0.1 sends its name as Host."""
    answer = dev_server.post({"operation": "ping"}, Host="evil.example")
    bracketed = dev_server.post({"operation": "ping"}, Host="[::1]evil.example")

    assert answer.status == 403
    assert "--allowed-host evil.example" in answer.json["message"]
    assert bracketed.status == 403
    assert "Host evil.example is not allowed" in dev_server.log()
    for name in ("localhost", "127.0.0.1", f"localhost:{dev_server.port}", "[::1]:80"):
        assert dev_server.post({"operation": "ping"}, Host=name).json == "pong", name


def test_an_api_key_stack_requires_the_key(prod_server):
    assert prod_server.post({"operation": "ping"}).status == 403
    assert prod_server.post({"operation": "ping"}, **{"x-api-key": "wrong"}).json == {
        "message": "Forbidden"
    }

    answer = prod_server.post({"operation": "ping"}, **{"x-api-key": "local-test-key"})

    assert (answer.status, answer.json) == (200, "pong")
    assert answer.headers["access-control-allow-origin"] == "https://app.example.com"
    assert (
        prod_server.post(
            {"operation": "ping"}, path="/prod/DynamoDBManager", **{"x-api-key": "local-test-key"}
        ).status
        == 200
    )


def test_a_body_over_api_gateways_limit_is_413_before_it_is_sent(dev_server):
    """As curl sends a large body: headers first, the body once the server says continue."""
    answer = send_raw(
        dev_server.port,
        b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Expect: 100-continue\r\nContent-Length: %d\r\n\r\n" % (10 * 1024 * 1024 + 1),
    )

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'\r\n\r\n{"message":"Request Too Long"}')


def test_sixteen_concurrent_clients_lose_no_write(dev_server):
    clients, per_client = 16, 50

    def write(client: int) -> list[str]:
        acknowledged = []
        for number in range(per_client):
            key = f"concurrent-{client:02}-{number:03}"
            answer = dev_server.post(
                {
                    "operation": "create",
                    "tableName": "LambdaTable",
                    "payload": {"Item": {"Id": key, "client": client}},
                }
            )
            if answer.status == 200:
                acknowledged.append(key)
        return acknowledged

    with ThreadPoolExecutor(clients) as pool:
        acknowledged = [key for keys in pool.map(write, range(clients)) for key in keys]

    stored, payload = [], {"Limit": 100}
    while True:
        page = dev_server.post(
            {"operation": "list", "tableName": "LambdaTable", "payload": payload}
        ).json
        stored += [item["Id"] for item in page["Items"] if item["Id"].startswith("concurrent-")]
        if "LastEvaluatedKey" not in page:
            break
        payload = {"Limit": 100, "ExclusiveStartKey": page["LastEvaluatedKey"]}

    assert len(acknowledged) == clients * per_client
    assert sorted(stored) == sorted(acknowledged)


def test_one_access_log_line_per_request(dev_server):
    marker = f"log-{threading.get_ident()}"
    before = len(dev_server.log().splitlines())

    dev_server.post({"operation": "echo", "payload": marker})
    dev_server.post({"operation": "ping"}, path="/dev/DynamoDBManager")
    dev_server.post("{")
    dev_server.request("GET", "/DynamoDBManager")

    # The server writes a request's line before it answers, so all four are there now.
    lines = dev_server.log().splitlines()[before:]
    assert [re.sub(r" [\d.]+ms(  \(.*\))?$", "", line) for line in lines] == [
        "POST /DynamoDBManager echo 200",
        "POST /dev/DynamoDBManager ping 200",
        "POST /DynamoDBManager - 400",
        "GET /DynamoDBManager - 403",
    ], lines
    assert all(re.search(r" [\d.]+ms(  \(.*\))?$", line) for line in lines), lines
    # Method, path, operation, status and time: never the request's body.
    assert marker not in dev_server.log()


def test_the_banner_gives_the_url_the_table_and_a_curl_per_operation_tutorial_first(dev_server):
    banner = dev_server.log()

    assert f"POST http://127.0.0.1:{dev_server.port}/DynamoDBManager" in banner
    assert "    LambdaTable (Id: S)\n" in banner
    curls = [line.strip() for line in banner.splitlines() if line.strip().startswith("curl ")]
    operations = [
        json.loads(re.search(r"-d '(.*)'$", line).group(1))["operation"] for line in curls
    ]
    served = served_registry("dev").all()
    with_examples = [name for name, op in served.items() if op.example is not None]
    assert operations[:5] == ["create", "read", "update", "list", "query"]
    assert operations[-3:] == ["delete", "echo", "ping"]
    assert operations[5:-3] == sorted(set(with_examples) - set(operations[:5] + operations[-3:]))
    assert f"docs: http://127.0.0.1:{dev_server.port}/docs" in banner
    # dev's file says authMode: none, so its curls send no key.
    assert "  auth: none\n" in banner
    assert dev_server.banner_key() is None


def test_ctrl_c_stops_the_server_and_its_database(tmp_path):
    server = start_server(tmp_path, "--stack", "dev")
    try:
        database_port = int(re.search(r"at http://127\.0\.0\.1:(\d+)", server.log()).group(1))

        assert server.stop() == 0
        assert "Stopped." in server.log()
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", database_port)) != 0
    finally:
        if not server.stopped:
            server.process.kill()


def test_a_retried_request_with_an_idempotency_key_is_applied_once(dev_server):
    first = dev_server.post(VISIT, **{"Idempotency-Key": "local-retry"})
    retry = dev_server.post(VISIT, **{"Idempotency-Key": "local-retry"})

    assert (first.status, retry.status) == (200, 200)
    assert retry.text == first.text
    assert retry.headers["idempotent-replayed"] == "true"
    read = dev_server.post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "visits"}}}
    )
    assert read.json["Item"]["hits"] == 1


def send_raw(port: int, request: bytes, *, then_close: bool = False) -> bytes:
    """What the server answers to bytes sent as they are, until it closes the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as connection:
        connection.sendall(request)
        if then_close:
            return b""
        answer = b""
        while piece := connection.recv(65536):
            answer += piece
        return answer


CHUNKED = (
    b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
    b"Transfer-Encoding: chunked\r\n\r\n"
)


def test_a_chunk_bigger_than_the_limit_is_refused_and_the_server_answers_on(dev_server):
    """The request that used to crash the server: a 4 GB chunk, three bytes of it, gone."""
    for _ in range(10):
        send_raw(dev_server.port, CHUNKED + b"ffffffff\r\nabc", then_close=True)
        answer = send_raw(dev_server.port, CHUNKED + b"ffffffff\r\nabc")
        assert answer.startswith(b"HTTP/1.1 413 "), answer
        assert answer.endswith(b'\r\n\r\n{"message":"Request Too Long"}'), answer

    assert dev_server.post({"operation": "ping"}).json == "pong"


def test_malformed_chunking_is_a_400_from_the_server_itself(dev_server):
    for body in [
        b"zz\r\nabc\r\n0\r\n\r\n",
        b"3\r\nabcXY0\r\n\r\n",
        b"3;not an extension\r\nabc\r\n0\r\n\r\n",
        b"-1\r\n\r\n",
    ]:
        answer = send_raw(dev_server.port, CHUNKED + body)
        assert answer.startswith(b"HTTP/1.1 400 "), (body, answer)
        assert b"text/plain" in answer.split(b"\r\n\r\n")[0], answer
    well_formed = send_raw(
        dev_server.port,
        CHUNKED.replace(b"\r\n\r\n", b"\r\nConnection: close\r\n\r\n")
        + b'14\r\n{"operation":"ping"}\r\n0\r\n\r\n',
    )
    assert well_formed.startswith(b"HTTP/1.1 200 ")
    assert well_formed.endswith(b'"pong"')


def test_a_request_the_server_cannot_parse_is_a_4xx_and_never_a_page(dev_server):
    for request in [
        b"\x00\x01\x02 garbage\r\n\r\n",
        b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nContent-Length: -5\r\n\r\n",
        b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n",
        # Headers without end: the server stops reading at 64 KiB, here all that was sent.
        (b"GET / HTTP/1.1\r\nHost: localhost\r\nX-Long: " + b"a" * 65_536)[:65_536],
    ]:
        answer = send_raw(dev_server.port, request)
        status = int(answer.split(b" ", 2)[1])
        assert 400 <= status < 500, answer[:200]
        assert b"<html" not in answer.lower()
