"""The local HTTP server: waitress, in front of the local gateway, built for hostile input.

waitress rather than werkzeug's development server, which has no timeouts, a
thread per connection with no bound, and a chunked decoder one request could
crash. waitress is pure Python and reads every connection on one event loop:
an idle or half-sent request holds a socket until :data:`IDLE_TIMEOUT_SECONDS`,
never a thread; complete requests go to a bounded pool of :data:`WORKER_THREADS`;
it parses the request line, headers and chunked bodies itself and refuses what
it cannot parse with its own 4xx; and it stops a body at API Gateway's 10 MB
limit, buffering large ones in a temporary file, not in memory.

Each request is then checked against the allowed ``Host`` names, handed to an
endpoint (the docs, Lambda's Invoke API) or the
:class:`~local_api.gateway.Gateway`, and answered; one access-log line per
request says method, path, operation, status and milliseconds. Nothing a
client sends makes the application raise: a bug is the gateway's JSON 500.
"""

from __future__ import annotations

import logging
import socket
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import IO, Any, Protocol
from urllib.parse import parse_qsl

from waitress import wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.parser import HTTPRequestParser
from waitress.receiver import ChunkedReceiver
from waitress.server import TcpWSGIServer
from waitress.task import ErrorTask
from waitress.utilities import BadRequest, RequestEntityTooLarge

from local_api import cors
from local_api.gateway import MAX_REQUEST_BYTES, Gateway, HttpResponse, gateway_error
from local_api.host_check import AllowedHosts
from local_api.proxy_event import HttpRequest

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

#: How long a connection may sit idle, or half-sent, before the server closes it: longer
#: than a browser's or an SDK's pause between requests on a kept-alive connection
#: (clients reopen a closed one), short enough that abandoned sockets do not pile up.
IDLE_TIMEOUT_SECONDS = 60.0
#: Requests handled at once; more wait in line. The function runs under one GIL and
#: its DynamoDB is one process, so more threads would add no throughput: 16 covers a
#: browser's six connections per host with room for a test's concurrent clients.
WORKER_THREADS = 16
#: Request line and headers: well over a browser's cookies for localhost, which every
#: local app shares.
MAX_HEADER_BYTES = 64 * 1024
#: Connections open at once, idle ones included; past it, new ones wait to be accepted.
MAX_CONNECTIONS = 100
#: How much of a body is read at a time.
READ_BYTES = 64 * 1024
#: waitress's logger for "Task queue depth is N": waiting requests are normal here.
_QUEUE_LOGGER = "waitress.queue"
#: Headers a WSGI application may not send (PEP 3333), or that the server sets itself.
_SERVER_HEADERS = frozenset(
    {
        "connection",
        "keep-alive",
        "proxy-authenticate",
        "proxy-authorization",
        "te",
        "trailers",
        "transfer-encoding",
        "upgrade",
        "content-length",
    }
)


class AccessLog:
    """One line per request on a stream (stderr by default)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self.stream = stream or sys.stderr

    def write(
        self,
        method: str,
        path: str,
        operation: str | None,
        status: int,
        ms: float,
        note: str | None,
    ) -> None:
        line = f"{method} {path} {operation or '-'} {status} {ms:.1f}ms"
        if note:
            line += f"  ({note})"
        print(line, file=self.stream, flush=True)


class Endpoint(Protocol):
    """Something the local server answers besides the API: the docs, Lambda's Invoke API."""

    def answer(self, request: HttpRequest) -> HttpResponse | None: ...


def wsgi_app(
    gateway: Gateway,
    access_log: AccessLog,
    endpoints: Sequence[Endpoint] = (),
    allowed_hosts: AllowedHosts | None = None,
) -> WSGIApp:
    """The WSGI application serving ``endpoints`` first, then ``gateway`` for everything else.

    A request whose ``Host`` is not in ``allowed_hosts`` (by default the
    loopback names) is refused before either sees it.
    """
    hosts = allowed_hosts or AllowedHosts.serving("127.0.0.1")

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        method, path = environ.get("REQUEST_METHOD", "GET"), _path(environ)
        try:
            received = http_request(environ)
            origin = received.header("Origin")
            if (
                refused := hosts.allows_request(received.header("Host"), received.target)
            ) is not None:
                answer = hosts.refusal(refused)
            elif not cors.admits(gateway.config.cors_origin, origin, received.header("Host")):
                answer = gateway_error(403, cors.refusal_message(origin or ""), "Forbidden")
                answer.note = f"Origin {origin} is not allowed"
            else:
                answer = next(
                    (found for endpoint in endpoints if (found := endpoint.answer(received))),
                    None,
                ) or gateway.handle(received)
        except Exception:  # noqa: BLE001 - a bug of the local gateway must not kill the server
            traceback.print_exc()
            answer = gateway_error(500, "Internal server error", "InternalServerError")
            answer.note = "the local gateway failed; see the traceback above"
        access_log.write(
            method,
            path,
            answer.operation,
            answer.status,
            (time.perf_counter() - started) * 1000,
            answer.note,
        )
        status, headers, body = _sendable(answer)
        start_response(status, headers)
        return [b"" if method == "HEAD" else body]

    return application


def http_request(environ: dict[str, Any]) -> HttpRequest:
    """The request a WSGI server received, its body read a piece at a time up to the limit."""
    headers = [
        (_header_name(key), value)
        for key, value in environ.items()
        if key.startswith("HTTP_") or (key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value)
    ]
    host = environ.get("HTTP_HOST") or "localhost"
    query = environ.get("QUERY_STRING", "")
    return HttpRequest(
        method=environ.get("REQUEST_METHOD", "GET"),
        path=_path(environ),
        headers=headers,
        query=parse_qsl(query, keep_blank_values=True, errors="replace"),
        body=_body(environ),
        source_ip=environ.get("REMOTE_ADDR") or "127.0.0.1",
        host=host,
        target=environ.get("REQUEST_URI", ""),
    )


def _path(environ: dict[str, Any]) -> str:
    """The decoded path, as UTF-8 (WSGI hands it over as latin-1)."""
    raw = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    return str(raw.encode("latin-1", "replace").decode("utf-8", "replace")) or "/"


def _header_name(key: str) -> str:
    return "-".join(part.capitalize() for part in key.removeprefix("HTTP_").split("_"))


def _body(environ: dict[str, Any]) -> bytes:
    """Up to one byte over API Gateway's limit: enough to tell a body is too long."""
    stream = environ.get("wsgi.input")
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if stream is None or length <= 0:
        return b""
    wanted = min(length, MAX_REQUEST_BYTES + 1)
    pieces: list[bytes] = []
    while wanted > 0:
        piece = stream.read(min(READ_BYTES, wanted))
        if not piece:
            break
        pieces.append(piece)
        wanted -= len(piece)
    return b"".join(pieces)


def _sendable(answer: HttpResponse) -> tuple[str, list[tuple[str, str]], bytes]:
    """Status line, headers and body as HTTP can carry them.

    A function may answer any header: those only the server may send, and those
    no HTTP header can hold (a line break, a character beyond latin-1), are left
    out rather than fail the response.
    """
    try:
        phrase = HTTPStatus(answer.status).phrase
    except ValueError:
        phrase = "Unknown"
    headers = [
        (name, value)
        for name, value in answer.headers
        if name.lower() not in _SERVER_HEADERS and _fits_a_header(name) and _fits_a_header(value)
    ]
    has_body = not (answer.status < 200 or answer.status in (204, 304))
    body = answer.body if has_body else b""
    if has_body:
        headers.append(("Content-Length", str(len(body))))
    return f"{answer.status} {phrase}", headers, body


def _fits_a_header(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return not any(character in text for character in "\r\n\0")


class _RefusalTask(ErrorTask):
    """waitress's answer to a request it refuses itself, logged; a long body as API Gateway's 413.

    The rest (an unparseable request line, headers or chunking) keep waitress's
    own plain-text 4xx: no gateway would have seen them. Its one 5xx, 501 for a
    transfer coding other than chunked, is a 400 here: the client is at fault.
    """

    def execute(self) -> None:
        request: Any = self.request  # waitress's parser, which its stubs call an Error
        if request.error.code >= 500:
            request.error = BadRequest(request.error.body)
        error = request.error
        if error.code == 413:
            refused = gateway_error(413, "Request Too Long", "RequestTooLong")
            self.status = "413 Request Entity Too Large"
            self.response_headers = [*self.response_headers, *refused.headers]
            self.set_close_on_finish()
            self.content_length = len(refused.body)
            self.write(refused.body)
        else:
            super().execute()
        server = self.channel.server
        if isinstance(server, HttpServer) and server.access_log is not None:
            server.access_log.write(
                getattr(request, "command", None) or "-",
                getattr(request, "path", None) or "-",
                None,
                error.code,
                (time.time() - self.start_time) * 1000,
                f"refused by the HTTP server: {error.reason}, {error.body}",
            )


class _BoundedChunks(ChunkedReceiver):
    """waitress's chunked body reader, refusing a chunk at once if it cannot fit the limit.

    waitress itself counts a chunk's bytes as they come, so a client declaring a
    huge chunk and sending a few bytes would wait for the idle timeout.
    """

    def received(self, s: bytes) -> int:
        consumed = super().received(s)
        if self.error is None and self.chunk_remainder + len(self.buf) > MAX_REQUEST_BYTES:
            self.error = RequestEntityTooLarge(
                f"a chunk of {self.chunk_remainder} bytes takes the body over "
                f"{MAX_REQUEST_BYTES} bytes"
            )
            self.all_chunks_received = True
        return consumed


class _Parser(HTTPRequestParser):
    def received(self, data: bytes) -> int:
        consumed = super().received(data)
        if self.error is not None:
            # Refused already: no "100 Continue" inviting the body (waitress would send one).
            self.expect_continue = False
        return consumed

    def parse_header(self, header_plus: bytes) -> None:
        super().parse_header(header_plus)
        if isinstance(self.body_rcv, ChunkedReceiver):
            self.body_rcv = _BoundedChunks(self.body_rcv.buf)


class _Channel(HTTPChannel):
    parser_class = _Parser
    error_task_class = _RefusalTask


class HttpServer(TcpWSGIServer):
    """waitress on one listening socket, stoppable from another thread."""

    channel_class = _Channel

    def __init__(self, app: WSGIApp, listening: socket.socket, adjustments: Adjustments) -> None:
        self.access_log: AccessLog | None = None
        self.stopping = threading.Event()
        self.port: int = listening.getsockname()[1]
        #: Every socket the server's loop watches: the listening one and each connection.
        self.sockets: dict[int, Any] = {}
        super().__init__(
            app,
            map=self.sockets,
            _sock=listening,
            adj=adjustments,
            bind_socket=False,
            sockinfo=(listening.family, listening.type, listening.proto, listening.getsockname()),
        )

    def serve_forever(self) -> None:
        """Serve until :meth:`stop`; a signal's exception (``KeyboardInterrupt``) passes."""
        while not self.stopping.is_set() and self.sockets:
            wasyncore.loop(
                timeout=self.adj.asyncore_loop_timeout,
                map=self.sockets,
                use_poll=True,
                count=1,
            )

    def stop(self) -> None:
        """Make :meth:`serve_forever` return (from another thread)."""
        self.stopping.set()
        self.pull_trigger()

    def close_all(self) -> None:
        """Stop the worker threads and close every connection and the listening socket."""
        self.task_dispatcher.shutdown(timeout=2)
        wasyncore.close_all(self.sockets)


def http_server(
    host: str,
    port: int,
    app: WSGIApp,
    *,
    threads: int = WORKER_THREADS,
    idle_timeout: float = IDLE_TIMEOUT_SECONDS,
    access_log: AccessLog | None = None,
) -> HttpServer:
    """A server listening on ``host:port`` (``0``: any free port), ready to :meth:`serve_forever`.

    A port in use raises ``OSError`` here, for the caller to report.
    ``access_log`` gets a line for each request the server refuses itself.
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listening = socket.socket(family, socket.SOCK_STREAM)
    try:
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((host, port))
    except OSError:
        listening.close()
        raise
    adjustments = Adjustments(
        threads=threads,
        channel_timeout=idle_timeout,
        # The idle check runs this often; waitress's default (30 s) is coarser than a timeout.
        cleanup_interval=max(0.2, min(idle_timeout / 4, 10.0)),
        max_request_body_size=MAX_REQUEST_BYTES + 1,
        max_request_header_size=MAX_HEADER_BYTES,
        connection_limit=MAX_CONNECTIONS,
        # A client that goes away mid-answer is no error of the server's.
        log_socket_errors=False,
        asyncore_use_poll=True,
        ident="local_api",
    )
    logging.getLogger(_QUEUE_LOGGER).setLevel(logging.ERROR)
    server = HttpServer(app, listening, adjustments)
    server.access_log = access_log
    return server
