"""The local HTTP server against clients that misbehave: idle, half-sent, oversized, foreign.

An in-process server (``http_server`` on a free port, in a thread) in front of a
gateway whose function always answers ``"pong"``: what is tested is the HTTP
front, which needs no DynamoDB.
"""

from __future__ import annotations

import http.client
import io
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from function.registry import Registry
from local_api.code import Loaded
from local_api.gateway import MAX_REQUEST_BYTES, Gateway, StageConfig
from local_api.host_check import AllowedHosts
from local_api.server import AccessLog, HttpServer, http_server, wsgi_app

IDLE_TIMEOUT = 1.0


class PongCode:
    """Function code that always answers ``"pong"``, with whatever headers a test asks for."""

    reload = False

    def __init__(self) -> None:
        self.extra_headers: dict[str, str] = {}
        every = Registry().all()
        self.loaded = Loaded(
            handler=self.handler, operations={name: every[name] for name in ("echo", "ping")}
        )

    def handler(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        headers = {"Content-Type": "application/json", **self.extra_headers}
        return {"statusCode": 200, "headers": headers, "body": '"pong"'}

    @contextmanager
    def use(self) -> Iterator[Loaded]:
        yield self.loaded


class Served:
    """The running server, its function's code and its access log."""

    def __init__(self, server: HttpServer, code: PongCode, log: io.StringIO) -> None:
        self.server, self.code, self.log = server, code, log

    @property
    def port(self) -> int:
        return self.server.port

    def connect(self) -> socket.socket:
        return socket.create_connection(("127.0.0.1", self.port), timeout=10)

    def post(
        self, body: bytes = b'{"operation": "ping"}', **headers: str
    ) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        connection.request(
            "POST",
            "/DynamoDBManager",
            body=body,
            headers={"Content-Type": "application/json", **headers},
        )
        return connection.getresponse()


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    code, log = PongCode(), io.StringIO()
    access_log = AccessLog(log)
    gateway = Gateway(StageConfig(stage_name="dev"), code)  # type: ignore[arg-type]
    hosts = AllowedHosts.serving("127.0.0.1", ["box.internal"])
    server = http_server(
        "127.0.0.1",
        0,
        wsgi_app(gateway, access_log, (), hosts),
        idle_timeout=IDLE_TIMEOUT,
        access_log=access_log,
    )
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    yield Served(server, code, log)
    server.stop()
    serving.join(timeout=10)
    server.close_all()


def closed_after(connection: socket.socket) -> float:
    """Seconds until the server closes ``connection`` (it answers nothing meanwhile)."""
    started = time.monotonic()
    assert connection.recv(1) == b""
    return time.monotonic() - started


def answer_to(connection: socket.socket) -> bytes:
    answer = b""
    while piece := connection.recv(65536):
        answer += piece
    return answer


def test_an_idle_connection_is_closed_after_the_timeout(served):
    with served.connect() as connection:
        assert IDLE_TIMEOUT * 0.9 <= closed_after(connection) < IDLE_TIMEOUT + 5


def test_a_half_sent_request_is_closed_after_the_timeout(served):
    with served.connect() as connection:
        connection.sendall(b"POST /DynamoDBManager HTTP/1.1\r\nHost: localh")
        assert closed_after(connection) < IDLE_TIMEOUT + 5

    with served.connect() as connection:
        connection.sendall(
            b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n{"
        )
        assert closed_after(connection) < IDLE_TIMEOUT + 5


def test_a_kept_alive_connection_serves_one_request_after_another(served):
    connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        for _ in range(3):
            connection.request("POST", "/DynamoDBManager", body=b'{"operation": "ping"}')
            response = connection.getresponse()
            assert (response.status, response.read()) == (200, b'"pong"')
    finally:
        connection.close()


def test_a_body_declared_over_the_limit_is_413_before_it_is_sent(served):
    with served.connect() as connection:
        connection.sendall(
            b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json"
            + f"\r\nContent-Length: {MAX_REQUEST_BYTES + 1}\r\n\r\n".encode()
        )
        answer = answer_to(connection)

    head, body = answer.split(b"\r\n\r\n", 1)
    assert head.startswith(b"HTTP/1.1 413 ")
    assert b"Content-Type: application/json" in head
    assert json.loads(body) == {"message": "Request Too Long"}
    assert "POST /DynamoDBManager - 413" in served.log.getvalue()


def test_a_chunked_body_over_the_limit_is_413_at_the_chunk_that_passes_it(served):
    mebibyte = 1024 * 1024
    with served.connect() as connection:
        connection.sendall(
            b"POST /DynamoDBManager HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked"
            b"\r\n\r\n"
        )
        connection.sendall(b"%x\r\n" % (9 * mebibyte) + b"x" * (9 * mebibyte) + b"\r\n")
        connection.sendall(b"%x\r\n" % (2 * mebibyte))
        answer = answer_to(connection)

    assert answer.startswith(b"HTTP/1.1 413 ")
    assert answer.endswith(b'{"message":"Request Too Long"}')


def test_a_body_of_exactly_the_limit_is_served(served):
    response = served.post(b"x" * MAX_REQUEST_BYTES, **{"Content-Type": "text/plain"})

    assert (response.status, response.read()) == (200, b'"pong"')


def test_host_names_not_allowed_are_refused_and_allowed_ones_served(served):
    refused = served.post(Host="evil.example")

    assert refused.status == 403
    assert json.loads(refused.read())["message"].startswith("Host not allowed: evil.example")
    for host in ("box.internal", "box.internal:8080", "BOX.INTERNAL", "localhost:3000", "[::1]"):
        response = served.post(Host=host)
        assert (response.status, response.read()) == (200, b'"pong"'), host


def test_a_request_without_host_comes_from_no_browser_and_is_served(served):
    with served.connect() as connection:
        connection.sendall(
            b'POST /DynamoDBManager HTTP/1.0\r\nContent-Length: 20\r\n\r\n{"operation":"ping"}'
        )
        answer = answer_to(connection)

    assert answer.startswith(b"HTTP/1.0 200 ")
    assert answer.endswith(b'"pong"')


def test_an_absolute_form_target_naming_another_host_is_refused_whatever_the_header(served):
    """The target's host takes precedence over the Host header (RFC 9112, 3.2.2)."""
    for host_header in (b"Host: 127.0.0.1\r\n", b""):
        with served.connect() as connection:
            connection.sendall(
                b"POST http://evil.example/DynamoDBManager HTTP/1.0\r\n"
                + host_header
                + b'Content-Length: 20\r\n\r\n{"operation":"ping"}'
            )
            answer = answer_to(connection)
        assert answer.startswith(b"HTTP/1.0 403 "), answer
        assert b"Host not allowed: evil.example" in answer


def test_function_headers_http_cannot_carry_are_left_out_not_a_500(served):
    served.code.extra_headers = {
        "X-Split": "a\r\nInjected: yes",
        "X-Snowman": "\u2603",
        "Connection": "upgrade",
        "Content-Length": "999",
        "X-Fine": "kept",
    }
    try:
        response = served.post()
        body = response.read()
    finally:
        served.code.extra_headers = {}

    assert (response.status, body) == (200, b'"pong"')
    assert response.getheader("X-Fine") == "kept"
    assert response.getheader("Injected") is None
    assert response.getheader("X-Snowman") is None
    assert response.getheader("Content-Length") == "6"
