"""The event shapes the handler accepts, read once into a :class:`Request`, and its answers.

* **Direct** events are the envelope itself (console tests, ``aws lambda invoke``,
  the tutorial's non-proxy integration).
* **REST API proxy** events (payload 1.0: ``httpMethod``, ``body``, ``isBase64Encoded``).
* **HTTP API and Function URL** events (payload 2.0: ``version: "2.0"``).

:func:`read` takes from an event all the handler needs (method, body, the
idempotency header, caller, request id) in one pass; nothing reads the event
again. :func:`response` builds the HTTP answer API Gateway expects. This module
knows nothing of operations.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote

from function import json_codec
from function.context import LambdaContext
from function.envelope import ENVELOPE_PATH
from function.errors import (
    MalformedRequestError,
    MethodNotAllowedError,
    RequestError,
    RequestTooLargeError,
    ResponseTooLargeError,
)

__all__ = [
    "Request",
    "error_response",
    "internal_error_response",
    "is_http",
    "read",
    "response",
]

#: Lambda refuses invocation payloads over 6 MB, so no larger body can be genuine.
MAX_BODY_BYTES = 6 * 1024 * 1024
#: Lambda refuses to return a response over 6 MB (API Gateway then answers a bare
#: 502); what the runtime adds around the body stays well under this margin.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 16 * 1024

JSON_HEADERS = {"Content-Type": "application/json"}
REPLAYED_HEADERS = {**JSON_HEADERS, "Idempotent-Replayed": "true"}
#: The origin browsers may call from (set by the deployment when CORS is on).
CORS_ENV = "CORS_ALLOW_ORIGIN"
#: The answer's headers a page's script may read.
EXPOSED_HEADERS = "Idempotent-Replayed,Location"
#: The request header carrying an idempotency key, lower-cased.
IDEMPOTENCY_HEADER = "idempotency-key"
DIRECT_CALLER = "direct"
#: The catch-all resource: the path below it is the function's to route.
PROXY_RESOURCE = "/{proxy+}"
#: What ``bytes.strip()`` strips: a body of only these is empty.
_ASCII_WHITESPACE = " \t\n\r\x0b\x0c"


@dataclass(frozen=True, slots=True)
class Request:
    """One event, as the handler needs it.

    ``http`` tells an API Gateway or Function URL event from a direct one. For
    HTTP events ``body`` is the raw body (text, or base64 text when
    ``base64_body``); for direct events ``document`` is the event itself.
    ``caller`` is who API Gateway authenticated (idempotency keys are theirs).
    """

    http: bool
    request_id: str
    method: str = "POST"
    body: Any = None
    base64_body: bool = False
    document: Any = None
    idempotency_key: str | None = None
    caller: str = DIRECT_CALLER
    #: The resource API Gateway matched (``/Orders/items/{customerId}``), if a route of ours.
    template: str | None = None
    #: The path below the stage, as sent, for a catch-all resource or a Function URL.
    path: str | None = None
    path_parameters: Mapping[str, str] | None = None
    query: Mapping[str, str] = field(default_factory=dict)
    #: The path the caller sent, stage included: where ``Location`` points below.
    called_path: str = ""

    @property
    def has_body(self) -> bool:
        """Whether the request carries a body that is more than whitespace."""
        raw = self.body
        if raw is None:
            return False
        return bool(raw.strip(_ASCII_WHITESPACE)) if isinstance(raw, str) else True

    @property
    def envelope(self) -> bool:
        """Whether the request is the tutorial's envelope, not one for a table route."""
        if not self.http:
            return True
        where = self.template if self.template is not None else self.path
        return where in (None, "", "/", ENVELOPE_PATH)

    def decode(self) -> Any:
        """The envelope's JSON document, with exact numbers; errors say what is wrong."""
        if not self.http:
            return json_codec.from_python(self.document)
        if self.method != "POST":
            # A body that cannot be read is refused first, whatever the method.
            self._body_bytes()
            raise MethodNotAllowedError(
                f"Method {self.method or '(none)'} is not allowed; use POST"
            )
        return self.json_body(
            'Request body is empty; send a JSON object like {"operation": "ping"}'
        )

    def json_body(self, if_empty: str = "Request body is empty; send a JSON object") -> Any:
        """The body's JSON document, with exact numbers; errors say what is wrong (``if_empty``
        for an empty body)."""
        raw = self.body
        plain = isinstance(raw, str) and not self.base64_body and raw.isascii()
        body = b"" if plain else self._body_bytes()
        if plain:
            # Most bodies: ASCII text, whose bytes are its characters; nothing to re-encode.
            size, blank, text = len(raw), not raw.strip(_ASCII_WHITESPACE), raw
        else:
            size, blank, text = len(body), not body.strip(), None
        if size > MAX_BODY_BYTES:
            raise RequestTooLargeError(
                f"Request body is {size} bytes; the limit is {MAX_BODY_BYTES} bytes"
            )
        if blank:
            raise MalformedRequestError(if_empty)
        if text is None:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                raise MalformedRequestError("Request body is not UTF-8 text") from None
        return json_codec.decode(text)

    def _body_bytes(self) -> bytes:
        raw = self.body
        if raw is None:
            return b""
        if self.base64_body:
            try:
                return base64.b64decode(raw, validate=True)
            except (binascii.Error, ValueError, TypeError):
                raise MalformedRequestError(
                    "Request body is marked base64 but is not valid base64"
                ) from None
        if isinstance(raw, str):
            return raw.encode("utf-8", "surrogatepass")
        raise MalformedRequestError("Request body must be text")


def is_http(event: Any) -> bool:
    """Whether ``event`` came through API Gateway or a Function URL (not a direct invoke)."""
    return (
        isinstance(event, dict)
        and isinstance(event.get("requestContext"), dict)
        and ("httpMethod" in event or event.get("version") == "2.0")
    )


def read(event: Any, context: LambdaContext | None) -> Request:
    """Everything the handler needs of ``event``, read once; never raises.

    The request id is the one a caller can quote: API Gateway's for HTTP events,
    Lambda's otherwise.
    """
    lambda_id = getattr(context, "aws_request_id", None)
    if not is_http(event):
        return Request(http=False, request_id=lambda_id or os.urandom(16).hex(), document=event)
    request_context = event["requestContext"]
    parameters = _strings(event.get("pathParameters"))
    if "httpMethod" in event:
        method = event.get("httpMethod")
        template = _text(event.get("resource"))
        called = _text(request_context.get("path")) or _text(event.get("path"))
        below_stage = _text(event.get("path"))
    else:
        http = _object(request_context.get("http"))
        method = http.get("method")
        route_key = _text(event.get("routeKey")) or "$default"
        template = route_key.partition(" ")[2] or None
        called = below_stage = _text(event.get("rawPath"))
        stage = _text(request_context.get("stage"))
        if below_stage and stage and stage != "$default":
            prefix = f"/{stage}"
            if below_stage == prefix or below_stage.startswith(f"{prefix}/"):
                below_stage = below_stage[len(prefix) :] or "/"
    if template == PROXY_RESOURCE:
        template, below_stage = None, _proxied_path(parameters.get("proxy", ""), below_stage)
    gateway_id = request_context.get("requestId")
    return Request(
        http=True,
        request_id=(gateway_id if isinstance(gateway_id, str) and gateway_id else None)
        or lambda_id
        or os.urandom(16).hex(),
        method=method.upper() if isinstance(method, str) else "",
        body=event.get("body"),
        base64_body=bool(event.get("isBase64Encoded")),
        idempotency_key=_header(event.get("headers"), IDEMPOTENCY_HEADER),
        caller=_caller(request_context),
        template=template,
        path=below_stage,
        path_parameters=parameters,
        query=_strings(event.get("queryStringParameters")),
        called_path=called or "",
    )


def _proxied_path(proxy: str, sent: str | None) -> str:
    """The path below a catch-all resource, percent-encoded as sent, for the router to split.

    The ``proxy`` parameter is decoded (a key's ``%2F`` is a ``/`` there); the path the
    event carries keeps it, behind whatever a custom domain's base path put before it.
    """
    segments = (sent or "").split("/")
    for start in range(len(segments)):
        candidate = "/".join(segments[start:])
        if unquote(candidate) == proxy:
            return f"/{candidate}"
    return "/" + quote(proxy, safe="/")


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _strings(value: Any) -> dict[str, str]:
    """A map of strings from the event (path or query parameters); anything else is left out."""
    if not isinstance(value, dict):
        return {}
    return {
        key: item for key, item in value.items() if isinstance(key, str) and isinstance(item, str)
    }


def _header(headers: Any, wanted: str) -> str | None:
    """A header's value, whatever the case the caller wrote its name in."""
    if not isinstance(headers, dict):
        return None
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def _caller(request_context: dict[str, Any]) -> str:
    """Who API Gateway authenticated: the IAM principal, else a JWT's subject (its issuer's),
    else the API key, else anyone."""
    identity = _object(request_context.get("identity"))
    authorizer = _object(request_context.get("authorizer")) if "http" in request_context else {}
    iam = _object(authorizer.get("iam"))
    principal = identity.get("userArn") or identity.get("caller") or iam.get("userArn")
    if principal:
        return f"iam:{principal}"
    claims = _object(_object(authorizer.get("jwt")).get("claims"))
    subject = claims.get("sub") or claims.get("client_id")
    if subject:
        # JSON keeps issuer and subject apart whatever characters they hold.
        return "jwt:" + json.dumps([claims.get("iss", ""), subject])
    if identity.get("apiKeyId"):
        return f"apiKey:{identity['apiKeyId']}"
    return "anonymous"


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def response(
    status: int,
    body: Any,
    *,
    replayed: bool = False,
    headers: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """An API Gateway proxy response with a JSON body (and CORS headers when configured).

    ``replayed`` marks an answer repeated from an earlier request with the same
    idempotency key; ``headers`` are the answer's own (``Location``, ``Allow``).
    A 204 has no body.
    """
    text = "" if status == 204 else json_codec.encode(body)
    if len(text) * 2 > MAX_RESPONSE_BYTES:
        # The runtime writes the body as a JSON string: quotes and backslashes double.
        size = len(text) + text.count('"') + text.count("\\")
        if size > MAX_RESPONSE_BYTES:
            raise ResponseTooLargeError(
                f"The answer would be {size} bytes, over Lambda's 6 MB response limit; ask for "
                "less (a smaller Limit, a ProjectionExpression)"
            )
    answered = dict(REPLAYED_HEADERS if replayed else JSON_HEADERS)
    if status == 204:
        del answered["Content-Type"]
    if headers:
        answered.update(headers)
    if origin := os.environ.get(CORS_ENV):
        answered["Access-Control-Allow-Origin"] = origin
        answered["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if origin != "*":
            answered["Vary"] = "Origin"
    return {
        "statusCode": status,
        "headers": answered,
        "body": text,
        "isBase64Encoded": False,
    }


def error_response(error: RequestError) -> dict[str, Any]:
    return response(error.status, error.to_body(), headers=error.headers)


def internal_error_body(request_id: str) -> dict[str, Any]:
    """The 500's body for anything unexpected: the request id to quote, nothing else."""
    return {
        "message": "Internal server error",
        "type": "InternalServerError",
        "requestId": request_id,
    }


def internal_error_response(request_id: str) -> dict[str, Any]:
    return response(500, internal_error_body(request_id))
