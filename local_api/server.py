"""The local HTTP server: werkzeug, threaded, in front of the local gateway.

Each request is read (up to API Gateway's limit), handed to the
:class:`~local_api.gateway.Gateway` and answered; one access-log line per
request says method, path, operation, status and milliseconds.
"""

from __future__ import annotations

import logging
import socket
import sys
import time
import traceback
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Protocol

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local_api.gateway import MAX_REQUEST_BYTES, Gateway, HttpResponse
from local_api.proxy_event import HttpRequest

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


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
    gateway: Gateway, access_log: AccessLog, endpoints: Sequence[Endpoint] = ()
) -> WSGIApp:
    """The WSGI application serving ``endpoints`` first, then ``gateway`` for everything else."""

    def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        started = time.perf_counter()
        request = Request(environ)
        request_body = request.stream.read(MAX_REQUEST_BYTES + 1)
        received = HttpRequest(
            method=request.method,
            path=request.path,
            headers=list(request.headers.items()),
            query=list(request.args.items(multi=True)),
            body=request_body,
            source_ip=request.remote_addr or "127.0.0.1",
            host=request.host,
        )
        try:
            answer = next(
                (found for endpoint in endpoints if (found := endpoint.answer(received))),
                None,
            ) or gateway.handle(received)
        except Exception:  # noqa: BLE001 - a bug of the local gateway must not kill the server
            traceback.print_exc()
            answer = HttpResponse(
                500,
                [("Content-Type", "application/json")],
                b'{"message":"Internal server error"}',
                note="the local gateway failed; see the traceback above",
            )
        response = Response(answer.body, status=answer.status, headers=answer.headers)
        if len(request_body) > MAX_REQUEST_BYTES:
            response.headers["Connection"] = "close"
        access_log.write(
            request.method,
            request.path,
            answer.operation,
            answer.status,
            (time.perf_counter() - started) * 1000,
            answer.note,
        )
        return response(environ, start_response)

    return application


class QuietRequestHandler(WSGIRequestHandler):
    """werkzeug's handler without its own request log (the access log replaces it)."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def http_server(host: str, port: int, app: WSGIApp, *, threaded: bool = True) -> BaseWSGIServer:
    """A threaded server (a thread per connection, HTTP/1.1 keep-alive), or one at a time.

    A port in use raises ``OSError`` here, for the caller to report: werkzeug
    itself would print its own advice and exit.
    """
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind((host, port))
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    return make_server(host, port, app, threaded=threaded, request_handler=QuietRequestHandler)
