"""Hostile HTTP for the local server: requests generated from a seed, sent over raw sockets.

Every request comes from ``random.Random(f"{seed}/{n}")`` for its connection
``n``, so a seed names one exact sequence of bytes, whichever thread sends it:
a failure found by ``tests/local/test_http_fuzz.py`` replays against a running
server (``make serve``) with::

    python -m tests.local.http_fuzz --seed N --port P [--count K] [--only INDEX]

Each connection carries one request, or a keep-alive run of several (sent one
at a time, or all at once: pipelined) whose last one may be the hostile one. A
request says how the client ends its side once it is sent, and whether the
server owes it an answer: a clean request must be answered (and, for the API,
in JSON); one whose framing is broken or ambiguous may be answered or dropped,
and a truncated one is abandoned by the client at once, as a dying client would.
"""

from __future__ import annotations

import argparse
import dataclasses
import enum
import json
import random
import socket
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

#: The seed a run uses unless ``FUZZ_SEED`` names another.
DEFAULT_SEED = 20240624
#: The API's own path, and the same API under the stage prefix.
API_PATHS = ("/DynamoDBManager", "/dev/DynamoDBManager")
INVOKE_PATH = "/2015-03-31/functions/LambdaFunctionOverHttps/invocations"
TABLE = "LambdaTable"
#: The gateway's limit on a request body (API Gateway's 10 MB).
MAX_BODY_BYTES = 10 * 1024 * 1024
#: Keys the valid requests create and read, few enough that reads find them.
KEYS = tuple(f"fuzz-{n}" for n in range(12))


class Answer(enum.Enum):
    """What the server owes a request."""

    #: A well-formed message to the API: the gateway answers it, in JSON.
    API = "answered by the API, in JSON"
    #: A well-formed message: some answer (the HTTP server's own refusal will do).
    REQUIRED = "answered"
    #: Broken or ambiguous framing: an answer or a closed connection, either is fine.
    OPTIONAL = "answered or dropped"


class Ending(enum.Enum):
    """How the client ends its side once a request is sent."""

    #: Read the answer; the connection may carry the next request.
    KEEP = "read the answer"
    #: Shut down writing (the server sees end of input), then read until it closes.
    HALF_CLOSE = "half-close, then read"
    #: Close the socket at once, reading nothing: the request is abandoned half-sent.
    CLOSE = "close at once"


@dataclass(frozen=True)
class FuzzRequest:
    """One request's bytes, and what its sender may expect back."""

    kind: str
    data: bytes
    answer: Answer = Answer.REQUIRED
    ending: Ending = Ending.KEEP
    #: Statuses a valid request must get; empty: any status below 500.
    expected: frozenset[int] = frozenset()
    #: Aimed at the API path: an HTML error page there is a failure.
    api: bool = False
    #: A HEAD request, whose answer has headers only.
    head: bool = False
    #: Its position in the whole run, the handle ``--only`` replays it by.
    index: int = -1

    def shown(self, limit: int = 600) -> str:
        """The request's bytes as a Python literal, cut at ``limit`` characters."""
        text = repr(self.data)
        if len(text) <= limit:
            return text
        return f"{text[:limit]}... ({len(self.data)} bytes in all)"


@dataclass(frozen=True)
class Connection:
    """Requests sent on one connection: one at a time, or all at once (pipelined)."""

    number: int
    requests: tuple[FuzzRequest, ...]
    pipelined: bool = False


@dataclass
class Outcome:
    """What came back for one request: a status line (or none), and what was wrong with it."""

    request: FuzzRequest
    status: int | None = None
    content_type: str = ""
    #: Why no answer came: a timeout, the connection closed or reset, refused.
    missing: str = ""
    #: The answer said ``Connection: close``: requests after it may go unanswered.
    closing: bool = False
    #: The client closed the connection without waiting for an answer.
    abandoned: bool = False
    problems: list[str] = field(default_factory=list)

    def describe(self) -> str:
        if self.status is not None:
            got = f"status {self.status}"
        elif self.abandoned:
            got = "abandoned by the client"
        else:
            got = f"no answer ({self.missing or 'not read'})"
        return f"#{self.request.index} {self.request.kind}: {got}"


# --- building requests -----------------------------------------------------------------------


def message(
    target: str | bytes,
    body: bytes = b"",
    *,
    method: str | bytes = "POST",
    version: str | bytes = "HTTP/1.1",
    headers: list[bytes] | None = None,
    length: bool = True,
    host: bytes | None = b"127.0.0.1",
    close: bool = True,
) -> bytes:
    """An HTTP/1.x request as bytes: request line, headers, blank line, body."""

    def raw(text: str | bytes) -> bytes:
        return text if isinstance(text, bytes) else text.encode("utf-8")

    line = b" ".join(part for part in (raw(method), raw(target), raw(version)) if part)
    lines = [line]
    if host is not None:
        lines.append(b"Host: " + host)
    if body or (length and raw(method) == b"POST"):
        lines.append(b"Content-Type: application/json")
    if length:
        lines.append(b"Content-Length: %d" % len(body))
    lines.extend(headers or [])
    if close:
        lines.append(b"Connection: close")
    return b"\r\n".join(lines) + b"\r\n\r\n" + body


def as_json(document: object) -> bytes:
    return json.dumps(document).encode("utf-8")


def chunked(body: bytes, sizes: list[int]) -> bytes:
    """``body`` in chunks of ``sizes`` (the rest in a last chunk), then the final chunk."""
    out, start = [], 0
    for size in [*sizes, len(body)]:
        piece = body[start : start + size]
        if piece:
            out.append(b"%x\r\n%s\r\n" % (len(piece), piece))
        start += len(piece)
    return b"".join(out) + b"0\r\n\r\n"


def with_chunks(target: str, chunks: bytes, *extra: bytes, close: bool = True) -> bytes:
    """A POST whose body is ``chunks`` as sent, under ``Transfer-Encoding: chunked``."""
    headers = [b"Transfer-Encoding: chunked", *extra]
    return message(target, headers=headers, length=False, close=close) + chunks


PING = {"operation": "ping"}


def _key(rng: random.Random) -> str:
    return rng.choice(KEYS)


def _api_path(rng: random.Random) -> str:
    return rng.choice(API_PATHS)


def _text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice("abcxyz09 -_é€😀") for _ in range(size))


# --- the categories ----------------------------------------------------------------------------


def valid(rng: random.Random, close: bool = True) -> FuzzRequest:
    """A request the API must serve: ping, a create or a read of a few keys, maybe chunked."""
    choice = rng.randrange(3)
    document: Mapping[str, object]
    if choice == 0:
        kind, document, expected = "valid ping", PING, {200}
    elif choice == 1:
        item = {"Id": _key(rng), "n": rng.randrange(-(10**9), 10**9), "s": _text(rng, 8)}
        document = {"operation": "create", "tableName": TABLE, "payload": {"Item": item}}
        kind, expected = "valid create", {200}
    else:
        document = {"operation": "read", "tableName": TABLE, "payload": {"Key": {"Id": _key(rng)}}}
        kind, expected = "valid read", {200, 404}
    body, path = as_json(document), _api_path(rng)
    if rng.random() < 0.2:
        sizes = [rng.randrange(1, 8) for _ in range(rng.randrange(4))]
        data = with_chunks(path, chunked(body, sizes), close=close)
        kind += ", chunked"
    else:
        data = message(path, body, close=close)
    return FuzzRequest(kind, data, Answer.API, expected=frozenset(expected), api=True)


def request_line(rng: random.Random) -> FuzzRequest:
    """A request line the HTTP server must refuse or make sense of, before a sound ping."""
    path = _api_path(rng)
    long_query = path + "?q=" + "a" * rng.randrange(1_000, 70_000)
    variants: list[tuple[str, str | bytes, str | bytes, str | bytes]] = [
        # kind, method, target, version
        ("bad method FOO", "FOO", path, "HTTP/1.1"),
        ("lowercase method", "post", path, "HTTP/1.1"),
        ("method with a space", "PO ST", path, "HTTP/1.1"),
        ("method with NUL", b"POST\x00", path, "HTTP/1.1"),
        ("non-ASCII method", "PÖST", path, "HTTP/1.1"),
        ("very long method", "P" * rng.randrange(100, 20_000), path, "HTTP/1.1"),
        ("no version", "POST", path, ""),
        ("HTTP/9.9", "POST", path, "HTTP/9.9"),
        ("HTTP/1.2", "POST", path, "HTTP/1.2"),
        ("HTTP/2.0", "POST", path, "HTTP/2.0"),
        ("HTTP/01.1", "POST", path, "HTTP/01.1"),
        ("lowercase version", "POST", path, "http/1.1"),
        ("version junk", "POST", path, "HTTP/1.1x"),
        ("HTTP/1.0", "POST", path, "HTTP/1.0"),
        ("very long URI", "POST", long_query, "HTTP/1.1"),
        ("NUL in URI", "POST", b"/DynamoDB\x00Manager", "HTTP/1.1"),
        ("non-ASCII URI", "POST", path + "/é", "HTTP/1.1"),
        ("Latin-1 URI", "POST", path.encode() + b"\xff\xfe", "HTTP/1.1"),
        ("absolute-form URI", "POST", "http://127.0.0.1" + path, "HTTP/1.1"),
        ("absolute-form, other host", "POST", "http://evil.example" + path, "HTTP/1.1"),
        ("asterisk target", "POST", "*", "HTTP/1.1"),
        ("no target", "POST", "", "HTTP/1.1"),
        ("double slash target", "POST", "//DynamoDBManager", "HTTP/1.1"),
        ("target with a space", "POST", "/Dynamo DBManager", "HTTP/1.1"),
    ]
    kind, method, target, version = rng.choice(variants)
    data = message(target, as_json(PING), method=method, version=version)
    if rng.random() < 0.1:
        kind, data = kind + ", LF line endings", data.replace(b"\r\n", b"\n")
    if rng.random() < 0.1:
        kind, data = kind + ", blank lines first", b"\r\n\r\n" + data
    return FuzzRequest(f"request line: {kind}", data, Answer.OPTIONAL, Ending.HALF_CLOSE, api=True)


def http_0_9(rng: random.Random) -> FuzzRequest:
    """A bare ``GET /path``, as HTTP/0.9 sent it: no version, no headers."""
    data = b"GET " + _api_path(rng).encode() + rng.choice([b"\r\n", b"\r\n\r\n", b"\n"])
    return FuzzRequest("request line: HTTP/0.9", data, Answer.OPTIONAL, Ending.HALF_CLOSE)


def headers(rng: random.Random) -> FuzzRequest:
    """Odd header lines that leave the body's framing alone: the server must still answer."""
    big = rng.randrange(1_000, 300_000)
    variants: list[tuple[str, list[bytes]]] = [
        ("no colon", [b"X-Fuzz value"]),
        ("space before colon", [b"X-Fuzz : value"]),
        ("empty name", [b": value"]),
        ("obs-fold continuation", [b"X-Fuzz: one", b" two", b"\tthree"]),
        ("continuation first", [b" folded: value"]),
        ("huge value", [b"X-Fuzz: " + b"v" * big]),
        ("huge name", [b"X-" + b"n" * big + b": v"]),
        ("many headers", [b"X-Fuzz-%d: %d" % (n, n) for n in range(rng.randrange(50, 400))]),
        ("NUL in value", [b"X-Fuzz: a\x00b"]),
        ("CR in value", [b"X-Fuzz: a\rb"]),
        ("non-UTF-8 value", [b"X-Fuzz: \xff\xfe\xfd"]),
        ("UTF-8 value", ["X-Fuzz: é€😀".encode()]),
        ("non-ASCII name", ["X-Fü: v".encode()]),
        ("Expect: 100-continue", [b"Expect: 100-continue"]),
        ("Expect: unknown", [b"Expect: teapot"]),
        ("same Content-Length twice", []),
        ("Content-Type text/html", [b"Content-Type: text/html"]),
        ("Content-Type garbage", [b"Content-Type: ;;;=\xff"]),
        ("Content-Encoding gzip, body plain", [b"Content-Encoding: gzip"]),
        ("Connection: keep-alive, close", [b"Connection: keep-alive, close"]),
        ("Upgrade: h2c", [b"Connection: Upgrade, HTTP2-Settings", b"Upgrade: h2c"]),
        ("x-api-key garbage", [b"x-api-key: \x01\x02"]),
        ("Origin evil", [b"Origin: http://evil.example"]),
        ("x-forwarded-for junk", [b"X-Forwarded-For: ::::, 999.1.1.1"]),
    ]
    kind, extra = rng.choice(variants)
    body = as_json(PING)
    if kind == "same Content-Length twice":
        extra = [b"Content-Length: %d" % len(body)]
    return FuzzRequest(
        f"header: {kind}", message(_api_path(rng), body, headers=extra), Answer.REQUIRED, api=True
    )


def lengths(rng: random.Random) -> FuzzRequest:
    """Content-Length that lies, disagrees with itself, or with Transfer-Encoding."""
    body = as_json(PING)
    path = _api_path(rng)
    n = len(body)
    variants: list[tuple[str, bytes]] = [
        ("two different Content-Lengths", b"Content-Length: %d\r\nContent-Length: %d" % (n, n + 3)),
        ("Content-Length list", b"Content-Length: %d, %d" % (n, n + 1)),
        ("negative Content-Length", b"Content-Length: -1"),
        ("non-numeric Content-Length", b"Content-Length: abc"),
        ("hex Content-Length", b"Content-Length: 0x%x" % n),
        ("plus-signed Content-Length", b"Content-Length: +%d" % n),
        ("Content-Length with spaces inside", b"Content-Length: 1 %d" % n),
        ("huge Content-Length", b"Content-Length: 99999999999999999999999"),
        ("Content-Length over the limit", b"Content-Length: %d" % (MAX_BODY_BYTES + 1)),
        ("Content-Length too small", b"Content-Length: %d" % rng.randrange(0, n)),
        ("Content-Length too large", b"Content-Length: %d" % (n + rng.randrange(1, 5000))),
        ("empty Content-Length", b"Content-Length: "),
        ("Content-Length and chunked", b"Content-Length: %d\r\nTransfer-Encoding: chunked" % n),
        ("Transfer-Encoding: gzip, chunked", b"Transfer-Encoding: gzip, chunked"),
        ("Transfer-Encoding: chunked, gzip", b"Transfer-Encoding: chunked, gzip"),
        ("Transfer-Encoding: identity", b"Transfer-Encoding: identity"),
        ("Transfer-Encoding: Chunked", b"Transfer-Encoding: Chunked"),
        ("Transfer-Encoding: xchunked", b"Transfer-Encoding: xchunked"),
        ("Transfer-Encoding twice", b"Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked"),
        ("Transfer-Encoding with space before colon", b"Transfer-Encoding : chunked"),
    ]
    kind, framing = rng.choice(variants)
    chunking = b"Transfer-Encoding" in framing
    sent = chunked(body, [rng.randrange(1, 10)]) if chunking else body
    data = message(path, headers=[framing], length=False) + sent
    ending = Ending.HALF_CLOSE if rng.random() < 0.8 else Ending.CLOSE
    return FuzzRequest(f"length: {kind}", data, Answer.OPTIONAL, ending, api=True)


def oversized(rng: random.Random) -> FuzzRequest:
    """A body just over the gateway's limit, actually sent: a 413 (or any 4xx) will do."""
    body = b'{"operation": "echo", "payload": "' + b"x" * (MAX_BODY_BYTES - 30) + b'"}'
    return FuzzRequest("body: over the 10 MB limit", message(_api_path(rng), body), api=True)


def chunks(rng: random.Random) -> FuzzRequest:
    """Chunked bodies that are broken, truncated or merely unusual."""
    body = as_json(PING)
    path = _api_path(rng)
    whole = chunked(body, [rng.randrange(1, 8)])
    variants: list[tuple[str, bytes, Answer, Ending]] = [
        ("size ffffffff, 3 bytes, close", b"ffffffff\r\nabc", Answer.OPTIONAL, Ending.CLOSE),
        (
            "size ffffffff, 3 bytes, half-close",
            b"ffffffff\r\nabc",
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        ("size -1", b"-1\r\nabc\r\n0\r\n\r\n", Answer.OPTIONAL, Ending.HALF_CLOSE),
        (
            "size 0x10",
            b"0x10\r\n" + b"a" * 16 + b"\r\n0\r\n\r\n",
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        ("size zz", b"zz\r\nabc\r\n0\r\n\r\n", Answer.OPTIONAL, Ending.HALF_CLOSE),
        ("size empty", b"\r\nabc\r\n0\r\n\r\n", Answer.OPTIONAL, Ending.HALF_CLOSE),
        ("size huge", b"f" * 40 + b"\r\nabc\r\n0\r\n\r\n", Answer.OPTIONAL, Ending.HALF_CLOSE),
        (
            "size line very long",
            b"1" + b" " * 70_000 + b"\r\na\r\n0\r\n\r\n",
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        (
            "missing CRLF after data",
            b"%x\r\n%s0\r\n\r\n" % (len(body), body),
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        (
            "data longer than size",
            b"2\r\n%s\r\n0\r\n\r\n" % body,
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        ("no final chunk", whole[: -len(b"0\r\n\r\n")], Answer.OPTIONAL, Ending.HALF_CLOSE),
        (
            "truncated in a chunk",
            whole[: rng.randrange(1, len(whole) - 5)],
            Answer.OPTIONAL,
            rng.choice([Ending.CLOSE, Ending.HALF_CLOSE]),
        ),
        ("chunk larger than data, close", b"400\r\n" + body, Answer.OPTIONAL, Ending.CLOSE),
        ("LF-only chunk lines", whole.replace(b"\r\n", b"\n"), Answer.OPTIONAL, Ending.HALF_CLOSE),
        (
            "chunk extension",
            b'%x;name=value;q="x y"\r\n%s\r\n0;last\r\n\r\n' % (len(body), body),
            Answer.REQUIRED,
            Ending.KEEP,
        ),
        (
            "bad chunk extension",
            b"%x;\x00\xff\r\n%s\r\n0\r\n\r\n" % (len(body), body),
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        (
            "trailers",
            whole[:-2] + b"X-Trailer: yes\r\nContent-Length: 5\r\n\r\n",
            Answer.REQUIRED,
            Ending.KEEP,
        ),
        (
            "malformed trailer",
            whole[:-2] + b"no colon here\r\n\r\n",
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        (
            "size with spaces",
            b" %x \r\n%s\r\n0\r\n\r\n" % (len(body), body),
            Answer.OPTIONAL,
            Ending.HALF_CLOSE,
        ),
        ("many one-byte chunks", chunked(body, [1] * len(body)), Answer.API, Ending.KEEP),
    ]
    kind, sent, answer, ending = rng.choice(variants)
    return FuzzRequest(f"chunked: {kind}", with_chunks(path, sent), answer, ending, api=True)


def _deep(depth: int, rng: random.Random) -> str:
    opening, closing = rng.choice([("[", "]"), ('{"a":', "}")])
    return opening * depth + "1" + closing * depth


def bodies(rng: random.Random) -> FuzzRequest:
    """Well-framed bodies the gateway must refuse in JSON: not JSON, or JSON of the wrong shape."""
    shapes: list[tuple[str, bytes]] = [
        ("empty", b""),
        ("truncated JSON", b'{"operation": "pi'),
        ("JSON null", b"null"),
        ("JSON list", b"[]"),
        ("JSON string", b'"ping"'),
        ("JSON number", b"123"),
        ("single quotes", b"{'operation': 'ping'}"),
        ("NaN", b'{"operation": "echo", "payload": NaN}'),
        ("Infinity", b'{"operation": "echo", "payload": -Infinity}'),
        ("trailing garbage", b'{"operation": "ping"} trailing'),
        ("duplicate keys", b'{"operation": "ping", "operation": "read"}'),
        (
            "deep JSON",
            b'{"operation": "echo", "payload": %s}'
            % _deep(rng.randrange(50, 100_000), rng).encode(),
        ),
        ("deep bare JSON", _deep(rng.randrange(500, 100_000), rng).encode()),
        ("huge exponent", b'{"operation": "echo", "payload": 1e400}'),
        ("many digits", b'{"operation": "echo", "payload": %s}' % (b"9" * rng.randrange(30, 9000))),
        ("tiny number", b'{"operation": "echo", "payload": -1e-400}'),
        ("non-UTF-8", b'{"operation": "echo", "payload": "\xff\xfe\xc3\x28"}'),
        ("UTF-16", '{"operation": "ping"}'.encode("utf-16")),
        ("BOM", b'\xef\xbb\xbf{"operation": "ping"}'),
        ("lone surrogate", b'{"operation": "echo", "payload": "\\ud800"}'),
        ("NUL inside", b'{"operation": "echo", "payload": "a\x00b"}'),
        ("operation a number", b'{"operation": 1}'),
        ("operation a list", b'{"operation": ["ping"]}'),
        ("operation null", b'{"operation": null}'),
        ("operation an object", b'{"operation": {"name": "ping"}}'),
        ("operation empty", b'{"operation": ""}'),
        ("operation unknown", b'{"operation": "__class__"}'),
        ("operation very long", as_json({"operation": "x" * 100_000})),
        ("no operation", b'{"tableName": "LambdaTable"}'),
        ("tableName a number", b'{"operation": "list", "tableName": 7, "payload": {}}'),
        ("tableName a list", b'{"operation": "list", "tableName": ["LambdaTable"], "payload": {}}'),
        ("tableName empty", b'{"operation": "list", "tableName": "", "payload": {}}'),
        (
            "tableName traversal",
            b'{"operation": "list", "tableName": "../LambdaTable", "payload": {}}',
        ),
        (
            "tableName ARN",
            b'{"operation": "list", "tableName": "arn:aws:dynamodb:::table/X", "payload": {}}',
        ),
        (
            "tableName very long",
            as_json({"operation": "list", "tableName": "T" * 5000, "payload": {}}),
        ),
        ("payload a list", b'{"operation": "read", "tableName": "LambdaTable", "payload": []}'),
        ("payload a string", b'{"operation": "read", "tableName": "LambdaTable", "payload": "x"}'),
        ("payload null", b'{"operation": "read", "tableName": "LambdaTable", "payload": null}'),
        ("payload a number", b'{"operation": "create", "tableName": "LambdaTable", "payload": 1}'),
        ("extra top-level keys", b'{"operation": "ping", "tableName": "LambdaTable", "x": 1}'),
        ("echo random text", as_json({"operation": "echo", "payload": _text(rng, 200)})),
    ]
    kind, body = rng.choice(shapes)
    return FuzzRequest(f"body: {kind}", message(_api_path(rng), body), Answer.API, api=True)


#: Stands for a number JSON can carry but Python's ``json`` cannot write: 41 digits.
RAW_NUMBER = "<41 digits>"


def payloads(rng: random.Random) -> FuzzRequest:
    """Real operations on the real table, with payloads DynamoDB must refuse, not fall over on."""
    key = {"Id": _key(rng)}
    calls: list[tuple[str, str, dict[str, object]]] = [
        ("empty attribute name", "create", {"Item": {"Id": "y", "": 1}}),
        ("no key", "create", {"Item": {"name": "x"}}),
        ("key a number", "create", {"Item": {"Id": 1}}),
        ("key empty", "create", {"Item": {"Id": ""}}),
        ("key a list", "create", {"Item": {"Id": ["a"]}}),
        ("key a map", "create", {"Item": {"Id": {"S": "a"}}}),
        ("key over 2048 bytes", "create", {"Item": {"Id": "k" * 3000}}),
        ("item over 400 KB", "create", {"Item": {"Id": "big", "v": "v" * 410_000}}),
        ("empty set-like list", "create", {"Item": {"Id": "y", "s": []}}),
        ("nested empty name", "create", {"Item": {"Id": "y", "m": {"": {"": None}}}}),
        ("number too big for DynamoDB", "create", {"Item": {"Id": "y", "n": 10**130}}),
        ("number too precise", "create", {"Item": {"Id": "y", "n": RAW_NUMBER}}),
        ("surrogate in a value", "create", {"Item": {"Id": "y", "s": "\ud800"}}),
        ("surrogate in the key", "create", {"Item": {"Id": "\udfff"}}),
        (
            "condition OR 1=1",
            "create",
            {"Item": {"Id": "y"}, "ConditionExpression": "attribute_not_exists(Id) OR 1=1"},
        ),
        ("condition garbage", "create", {"Item": {"Id": "y"}, "ConditionExpression": ")))("}),
        (
            "empty ExpressionAttributeNames value",
            "update",
            {
                "Key": key,
                "UpdateExpression": "SET #a = :v",
                "ExpressionAttributeNames": {"#a": ""},
                "ExpressionAttributeValues": {":v": 1},
            },
        ),
        ("undefined placeholder", "update", {"Key": key, "UpdateExpression": "SET #nope = :nope"}),
        (
            "update the key",
            "update",
            {
                "Key": key,
                "UpdateExpression": "SET Id = :v",
                "ExpressionAttributeValues": {":v": "z"},
            },
        ),
        ("UpdateExpression garbage", "update", {"Key": key, "UpdateExpression": "DROP TABLE"}),
        (
            "ReturnValues unknown",
            "update",
            {
                "Key": key,
                "UpdateExpression": "SET a = :v",
                "ExpressionAttributeValues": {":v": 1},
                "ReturnValues": "EVERYTHING",
            },
        ),
        ("Key empty", "read", {"Key": {}}),
        ("Key with an extra attribute", "read", {"Key": {"Id": "x", "extra": 1}}),
        (
            "ProjectionExpression missing name",
            "read",
            {"Key": key, "ProjectionExpression": "#missing"},
        ),
        ("Limit negative", "list", {"Limit": -1}),
        ("Limit a string", "list", {"Limit": "a"}),
        ("Limit huge", "list", {"Limit": 10**30}),
        ("ExclusiveStartKey garbage", "list", {"ExclusiveStartKey": {"Nope": [1, 2]}}),
        ("FilterExpression garbage", "list", {"FilterExpression": "1 = 1 OR"}),
        ("KeyConditionExpression garbage", "query", {"KeyConditionExpression": "Id = "}),
        ("query without a condition", "query", {}),
        (
            "delete with a failing condition",
            "delete",
            {"Key": key, "ConditionExpression": "attribute_exists(nope)"},
        ),
        (
            "batch_get of 101 keys",
            "batch_get",
            {"RequestItems": {TABLE: {"Keys": [{"Id": str(n)} for n in range(101)]}}},
        ),
        (
            "batch_write of 26 items",
            "batch_write",
            {
                "RequestItems": {
                    TABLE: [{"PutRequest": {"Item": {"Id": str(n)}}} for n in range(26)]
                }
            },
        ),
        ("batch_write of nothing", "batch_write", {"RequestItems": {TABLE: []}}),
        (
            "batch_write to another table",
            "batch_write",
            {"RequestItems": {"Other": [{"PutRequest": {"Item": {"Id": "1"}}}]}},
        ),
        ("transact_write garbage", "transact_write", {"TransactItems": [{"Nope": {}}]}),
        (
            "transact_write same key twice",
            "transact_write",
            {"TransactItems": [{"Put": {"TableName": TABLE, "Item": key}}] * 2},
        ),
        ("transact_get of nothing", "transact_get", {"TransactItems": []}),
        ("unknown payload key", "read", {"Key": key, "TableName": "Other"}),
    ]
    kind, operation, payload = rng.choice(calls)
    document = {"operation": operation, "tableName": TABLE, "payload": payload}
    body = as_json(document).replace(b'"%s"' % RAW_NUMBER.encode(), b"1." + b"1" * 40)
    return FuzzRequest(f"payload: {kind}", message(_api_path(rng), body), Answer.API, api=True)


def paths(rng: random.Random) -> FuzzRequest:
    """Every route the local server has, and ones it doesn't, by every method."""
    routes = [
        *API_PATHS,
        INVOKE_PATH,
        "/2015-03-31/functions/Nope/invocations",
        "/2015-03-31/functions/arn%3Aaws%3Alambda%3A%3A%3A/invocations",
        "/docs",
        "/docs/",
        "/openapi.json",
        "/",
        "/../DynamoDBManager",
        "/dev/../DynamoDBManager",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/docs/../../../../etc/passwd",
        "/docs/%2e%2e/%2e%2e/pyproject.toml",
        "/DynamoDBManager/../docs",
        "/DynamoDBManager%00",
        "/DynamoDBManager%2F",
        "/DYNAMODBMANAGER",
        "/dev/DynamoDBManager/",
        "/DynamoDBManager?x=1&x=2&=&&%ff",
        "/DynamoDBManager#fragment",
        "/prod/DynamoDBManager",
    ]
    path = rng.choice(routes)
    method = rng.choice(["POST", "POST", "GET", "HEAD", "PUT", "DELETE", "OPTIONS", "PATCH"])
    body = as_json(PING) if method in ("POST", "PUT", "PATCH") else b""
    if path.startswith("/2015") and method == "POST" and rng.random() < 0.5:
        body = rng.choice([b"{", b"", b"null", as_json({"a": _text(rng, 20)}), b"\xff"])
    extra = []
    if path.startswith("/2015") and rng.random() < 0.3:
        extra = [b"X-Amz-Invocation-Type: " + rng.choice([b"Event", b"DryRun", b"Nope", b""])]
    data = message(path, body, method=method, headers=extra, length=bool(body) or method == "POST")
    return FuzzRequest(
        f"path: {method} {path}",
        data,
        Answer.REQUIRED,
        api=path.split("?")[0].split("#")[0] in API_PATHS,
        head=method == "HEAD",
    )


def hosts(rng: random.Random) -> FuzzRequest:
    """Host headers missing, doubled or hostile."""
    variants: list[tuple[str, bytes | None, list[bytes]]] = [
        ("missing", None, []),
        ("empty", b"", []),
        ("evil", b"evil.example.com", []),
        ("port out of range", b"127.0.0.1:99999", []),
        ("bad IPv6", b"[::1", []),
        ("with a space", b"a b", []),
        ("very long", b"h" * rng.randrange(300, 20_000), []),
        ("twice", b"127.0.0.1", [b"Host: evil.example.com"]),
        ("NUL", b"host\x00evil", []),
        ("non-ASCII", "hôst.example".encode(), []),
        ("with a path", b"127.0.0.1/DynamoDBManager", []),
        ("with credentials", b"user:pass@127.0.0.1", []),
    ]
    kind, host, extra = rng.choice(variants)
    data = message(_api_path(rng), as_json(PING), host=host, headers=extra)
    return FuzzRequest(f"host: {kind}", data, Answer.REQUIRED, api=True)


#: Each category with its weight: valid requests are about one in five.
CATEGORIES: tuple[tuple[Callable[[random.Random], FuzzRequest], int], ...] = (
    (valid, 20),
    (request_line, 11),
    (http_0_9, 1),
    (headers, 12),
    (lengths, 11),
    (chunks, 14),
    (bodies, 13),
    (payloads, 10),
    (paths, 5),
    (hosts, 3),
)
#: One request in this many (on average) is a body over the limit, sent whole: they are slow.
OVERSIZED_ONE_IN = 1000


def hostile(rng: random.Random) -> FuzzRequest:
    """One request of a category drawn by weight."""
    if rng.randrange(OVERSIZED_ONE_IN) == 0:
        return oversized(rng)
    makers, weights = zip(*CATEGORIES, strict=True)
    maker: Callable[[random.Random], FuzzRequest] = rng.choices(makers, weights)[0]
    return maker(rng)


def connection(seed: int, number: int, first_index: int) -> Connection:
    """Connection ``number`` of the run: a request, or a keep-alive run ending in any request."""
    rng = random.Random(f"{seed}/{number}")  # noqa: S311 - reproducible by design
    if rng.random() < 0.75:
        requests = [hostile(rng)]
        pipelined = False
    else:
        kept = [valid(rng, close=False) for _ in range(rng.randrange(1, 5))]
        requests = [*kept, hostile(rng)]
        pipelined = rng.random() < 0.5
    numbered = tuple(
        dataclasses.replace(request, index=first_index + n) for n, request in enumerate(requests)
    )
    # Pipelined requests are all read back: the last one must be answerable too.
    return Connection(number, numbered, pipelined and numbered[-1].ending is Ending.KEEP)


def connections(seed: int, count: int) -> list[Connection]:
    """The run's connections, ``count`` requests in all (the last connection may go past it)."""
    made: list[Connection] = []
    sent = 0
    while sent < count:
        made.append(connection(seed, len(made), sent))
        sent += len(made[-1].requests)
    return made


# --- sending them ------------------------------------------------------------------------------


class Reader:
    """Reads HTTP responses off a socket, one after another."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.buffer = b""

    def _fill(self) -> bool:
        data = self.sock.recv(65536)
        self.buffer += data
        return bool(data)

    def _until(self, mark: bytes, limit: int = 1 << 20) -> bytes | None:
        while mark not in self.buffer:
            if len(self.buffer) > limit or not self._fill():
                return None
        found, self.buffer = self.buffer.split(mark, 1)
        return found

    def _exactly(self, size: int) -> None:
        while len(self.buffer) < size:
            if not self._fill():
                raise ConnectionError("closed in the middle of a response body")
        self.buffer = self.buffer[size:]

    def response(self, head_only: bool) -> tuple[int | None, dict[str, str]]:
        """The next final response's status and headers (``None``: no status line came)."""
        while True:
            head = self._until(b"\r\n\r\n")
            if head is None:
                return None, {}
            status_line, *lines = head.decode("latin-1").split("\r\n")
            parts = status_line.split(" ", 2)
            if not parts[0].startswith("HTTP/") or len(parts) < 2 or not parts[1].isdigit():
                return None, {"status-line": status_line}
            status = int(parts[1])
            fields = {}
            for line in lines:
                name, _, value = line.partition(":")
                fields[name.strip().lower()] = value.strip()
            if 100 <= status < 200:
                continue
            if head_only or status in (204, 304):
                return status, fields
            if "chunked" in fields.get("transfer-encoding", "").lower():
                while True:
                    size_line = self._until(b"\r\n")
                    if size_line is None:
                        raise ConnectionError("closed in the middle of a chunked response")
                    size = int(size_line.split(b";")[0], 16)
                    if size == 0:
                        while self._until(b"\r\n"):  # trailers, up to an empty line
                            pass
                        break
                    self._exactly(size + 2)
            elif "content-length" in fields:
                self._exactly(int(fields["content-length"]))
            else:
                while self._fill():
                    pass
            return status, fields


def judge(outcome: Outcome, excused: bool) -> None:
    """Note in ``outcome.problems`` what the user of the server would see as wrong."""
    request = outcome.request
    if outcome.status is None:
        if request.answer is not Answer.OPTIONAL and not (excused or outcome.abandoned):
            outcome.problems.append(f"no answer ({outcome.missing}) to a well-formed request")
        return
    if outcome.status >= 500:
        outcome.problems.append(f"a {outcome.status} answer")
    if request.api and outcome.content_type.startswith("text/html"):
        outcome.problems.append("an HTML page answering the API")
    if request.answer is Answer.API and not outcome.content_type.startswith("application/json"):
        outcome.problems.append(f"a {outcome.content_type or 'typeless'} answer, not JSON")
    if request.expected and outcome.status not in request.expected:
        expected = " or ".join(str(status) for status in sorted(request.expected))
        outcome.problems.append(f"status {outcome.status}, expected {expected}")


def send(port: int, connection: Connection, timeout: float = 3.0) -> list[Outcome]:
    """Send a connection's requests, read what comes back, and judge every answer."""
    outcomes = [Outcome(request) for request in connection.requests]
    try:
        sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    except OSError as error:
        for outcome in outcomes:
            outcome.missing = f"cannot connect: {error}"
            outcome.problems.append(outcome.missing)
        return outcomes
    with sock:
        _exchange(sock, connection, outcomes)
    excused = False
    for outcome in outcomes:
        judge(outcome, excused)
        # Once the server has ended the connection, the requests after it go unanswered.
        excused = excused or outcome.status is None or outcome.closing
    return outcomes


def _exchange(sock: socket.socket, connection: Connection, outcomes: list[Outcome]) -> None:
    reader = Reader(sock)
    requests = connection.requests
    try:
        if connection.pipelined:
            if _send(sock, b"".join(request.data for request in requests)) and _end(
                sock, requests[-1]
            ):
                return
            for outcome in outcomes:
                _read(reader, outcome)
            return
        for outcome in outcomes:
            if _send(sock, outcome.request.data) and _end(sock, outcome.request):
                outcome.abandoned = True
                return
            _read(reader, outcome)
            if outcome.status is None:
                return
    except TimeoutError:
        _mark_missing(outcomes, "timed out")
    except OSError as error:
        _mark_missing(outcomes, f"{type(error).__name__}: {error}")


def _send(sock: socket.socket, data: bytes) -> bool:
    """Send ``data``; ``False`` if the server stopped reading first (its answer may be waiting)."""
    try:
        sock.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        return False
    return True


def _end(sock: socket.socket, request: FuzzRequest) -> bool:
    """End the client's side as ``request`` asks; ``True`` when nothing more is to be read."""
    if request.ending is Ending.CLOSE:
        return True
    if request.ending is Ending.HALF_CLOSE:
        sock.shutdown(socket.SHUT_WR)
    return False


def _read(reader: Reader, outcome: Outcome) -> None:
    status, fields = reader.response(head_only=outcome.request.head)
    outcome.status = status
    outcome.content_type = fields.get("content-type", "")
    outcome.closing = "close" in fields.get("connection", "").lower()
    if status is None:
        outcome.missing = (
            f"not HTTP: {fields['status-line'][:80]!r}" if fields else "closed without answering"
        )


def _mark_missing(outcomes: list[Outcome], why: str) -> None:
    for outcome in outcomes:
        if outcome.status is None and not outcome.missing:
            outcome.missing = why


# --- replaying a run ---------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Send a seed's requests to a running server; print each with what came back."""
    parser = argparse.ArgumentParser(prog="python -m tests.local.http_fuzz", description=__doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--port", type=int, default=3000)
    parser.add_argument("--count", type=int, default=2000, help="requests in all (default 2000)")
    parser.add_argument("--only", type=int, help="send only the connection holding this request")
    parser.add_argument("--full", action="store_true", help="print each request's bytes in full")
    options = parser.parse_args(argv)
    failed = 0
    for connection in connections(options.seed, options.count):
        indexes = [request.index for request in connection.requests]
        if options.only is not None and options.only not in indexes:
            continue
        if connection.pipelined:
            print(f"-- pipelined: #{indexes[0]} to #{indexes[-1]}")
        for outcome in send(options.port, connection):
            print(outcome.describe() + "".join(f"  FAILED: {p}" for p in outcome.problems))
            print("   ", outcome.request.shown(10**9 if options.full else 300))
            failed += bool(outcome.problems)
    ping = FuzzRequest("ping afterwards", message(API_PATHS[0], as_json(PING)), Answer.API)
    after = send(options.port, Connection(-1, (ping,)))[0]
    print(f"{failed} failed; {after.describe().removeprefix('#-1 ')}")
    return 1 if failed or after.status != 200 else 0


if __name__ == "__main__":
    raise SystemExit(main())
