"""A fake DynamoDB endpoint on 127.0.0.1: scripted answers, recorded requests, silences.

The one hand-written DynamoDB endpoint, shared by the fault tests and ``make
bench`` (:mod:`bench.instant_dynamodb`); standard library only, since the bench
runs without the test dependencies.

* :class:`FakeDynamoDB` answers every request as its script says: one
  :class:`Answer` for all (:func:`error` makes DynamoDB's errors), or a function
  of the :class:`Request` returning an answer, :data:`DROP` (the connection
  closes unanswered) or :data:`HANG` (no answer ever comes). As a context
  manager it serves from a thread and keeps the requests it was sent; the bench
  runs :meth:`FakeDynamoDB.serve_forever` in a process of its own.
* :func:`refusing_endpoint` is a port nobody listens on.
"""

from __future__ import annotations

import enum
import json
import selectors
import socket
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from http import HTTPStatus
from types import TracebackType
from typing import Any, cast


@dataclass(frozen=True)
class Request:
    """One request the endpoint received: its number (from 1), headers, body and arrival time."""

    number: int
    headers: Mapping[str, str]
    body: bytes
    received_at: float

    @property
    def operation(self) -> str:
        """The DynamoDB operation called (``GetItem``), from ``X-Amz-Target``."""
        return self.headers.get("x-amz-target", "").rpartition(".")[2]

    @property
    def document(self) -> Any:
        """The request's JSON body."""
        return json.loads(self.body)


@dataclass(frozen=True)
class Answer:
    """An HTTP answer: a JSON document (or bytes sent as they are), a status and headers."""

    document: Any = field(default_factory=dict)
    status: int = 200
    headers: Mapping[str, str] = field(default_factory=dict)

    @cached_property
    def encoded(self) -> bytes:
        """The whole HTTP/1.1 response, as sent."""
        body = self.document if isinstance(self.document, bytes) else json.dumps(self.document)
        body = body if isinstance(body, bytes) else body.encode()
        headers = {
            "Content-Type": "application/x-amz-json-1.0",
            "x-amzn-RequestId": "fake",
            **self.headers,
            "Content-Length": str(len(body)),
        }
        head = f"HTTP/1.1 {self.status} {_reason(self.status)}\r\n"
        head += "".join(f"{name}: {value}\r\n" for name, value in headers.items())
        return (head + "\r\n").encode("latin-1") + body


def _reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"


def error(
    status: int,
    code: str,
    message: str = "fault injected",
    *,
    headers: Mapping[str, str] | None = None,
    **fields: object,
) -> Answer:
    """DynamoDB's error ``code`` (``ThrottlingException``) with its message and ``fields``."""
    document = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message, **fields}
    return Answer(document, status, headers or {})


class Silence(enum.Enum):
    """No answer: the connection closes at once (``DROP``) or stays open unanswered (``HANG``)."""

    DROP = "drop"
    HANG = "hang"


DROP = Silence.DROP
HANG = Silence.HANG

Reply = Answer | Silence
Script = Reply | Callable[[Request], Reply]


class FakeDynamoDB:
    """An endpoint answering each request as ``script`` says, on a loopback port.

    One thread serves every connection, each request in turn, so a script needs no
    lock. ``with FakeDynamoDB(script) as dynamodb`` serves until the block ends and
    records what it was sent in ``dynamodb.requests``; a script that raised fails
    the block with its exception (the client got a 500 meanwhile).
    """

    def __init__(self, script: Script, port: int = 0, *, record: bool = True) -> None:
        self.script = script
        self.requests: list[Request] = []
        self._record = record
        self._received = 0
        self._listener = socket.create_server(("127.0.0.1", port))
        self._wake, self._woken = socket.socketpair()
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ)
        self._selector.register(self._woken, selectors.EVENT_READ)
        self._buffers: dict[socket.socket, bytes] = {}
        self._held: list[socket.socket] = []
        self._thread: threading.Thread | None = None
        self._failure: BaseException | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._listener.getsockname()[1]}"

    def serve_forever(self, *, busy_poll: bool = False) -> None:
        """Serve until :meth:`close` from another thread.

        ``busy_poll`` polls without ever sleeping: an endpoint that sleeps between
        calls wakes more slowly the longer it slept, which in a benchmark would
        charge whichever contender does more work between its calls for the
        endpoint's wake-up, not for its own work.
        """
        timeout = 0 if busy_poll else None
        while True:
            for key, _ in self._selector.select(timeout):
                if key.fileobj is self._woken:
                    return
                if key.fileobj is self._listener:
                    self._accept()
                else:
                    self._read(cast(socket.socket, key.fileobj))

    def __enter__(self) -> FakeDynamoDB:
        self._thread = threading.Thread(target=self.serve_forever, daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
        if self._failure is not None and value is None:
            raise self._failure

    def close(self) -> None:
        """Stop serving and close every connection, answered or not."""
        self._wake.send(b"x")
        if self._thread is not None:
            self._thread.join()
        for connection in [*self._buffers, *self._held]:
            connection.close()
        for closed in (self._listener, self._wake, self._woken):
            closed.close()
        self._selector.close()

    def _accept(self) -> None:
        connection, _ = self._listener.accept()
        connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self._buffers[connection] = b""
        self._selector.register(connection, selectors.EVENT_READ)

    def _read(self, connection: socket.socket) -> None:
        try:
            data = connection.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._forget(connection)
            connection.close()
            return
        buffer = self._buffers[connection] + data
        while (request := _complete_request(buffer)) is not None:
            headers, body, buffer = request
            if not self._answer(connection, headers, body):
                return
        self._buffers[connection] = buffer

    def _answer(self, connection: socket.socket, headers: dict[str, str], body: bytes) -> bool:
        """Answer one request; whether the connection still takes requests."""
        self._received += 1
        request = Request(self._received, headers, body, time.monotonic())
        if self._record:
            self.requests.append(request)
        try:
            reply = self.script(request) if callable(self.script) else self.script
        except Exception as failure:  # noqa: BLE001 - the test fails with it when the block ends
            self._failure = failure
            reply = error(500, "FakeDynamoDBScriptFailed", repr(failure))
        if isinstance(reply, Answer):
            try:
                connection.sendall(reply.encoded)
            except OSError:
                reply = DROP
            else:
                return True
        self._forget(connection)
        if reply is HANG:
            self._held.append(connection)
        else:
            connection.close()
        return False

    def _forget(self, connection: socket.socket) -> None:
        self._selector.unregister(connection)
        del self._buffers[connection]


def _complete_request(buffer: bytes) -> tuple[dict[str, str], bytes, bytes] | None:
    """The first whole request in ``buffer`` (headers, body) and what follows; ``None`` if none.

    A request is whole with its headers and ``Content-Length`` bytes of body, as
    botocore sends every DynamoDB call. Header names are lower-cased.
    """
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return None
    headers: dict[str, str] = {}
    for line in buffer[:end].split(b"\r\n")[1:]:
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    start = end + 4
    finish = start + int(headers.get("content-length") or 0)
    if len(buffer) < finish:
        return None
    return headers, buffer[start:finish], buffer[finish:]


def refusing_endpoint() -> str:
    """The URL of a loopback port with nothing listening."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"
