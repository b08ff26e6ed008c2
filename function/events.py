"""The event shapes the handler accepts, and the HTTP responses it answers with.

* **Direct** events are the envelope itself (console tests, ``aws lambda invoke``,
  the tutorial's non-proxy integration).
* **REST API proxy** events (payload 1.0: ``httpMethod``, ``body``, ``isBase64Encoded``).
* **HTTP API and Function URL** events (payload 2.0: ``version: "2.0"``).

For the HTTP shapes this module decodes the body and builds the response dict
API Gateway expects; it knows nothing of operations.
"""

from __future__ import annotations

import base64
import binascii
import os
from dataclasses import dataclass
from typing import Any

from function import json_codec
from function.errors import (
    BadRequestError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    RequestError,
)

#: Lambda refuses invocation payloads over 6 MB, so no larger body can be genuine.
MAX_BODY_BYTES = 6 * 1024 * 1024
#: Lambda refuses to return a response over 6 MB (API Gateway then answers a bare
#: 502); what the runtime adds around the body stays well under this margin.
MAX_RESPONSE_BYTES = 6 * 1024 * 1024 - 16 * 1024

JSON_HEADERS = {"Content-Type": "application/json"}
REPLAYED_HEADERS = {**JSON_HEADERS, "Idempotent-Replayed": "true"}
#: The origin browsers may call from (set by the deployment when CORS is on).
CORS_ENV = "CORS_ALLOW_ORIGIN"


class MalformedRequestError(BadRequestError):
    """The HTTP request has no usable JSON body (400)."""


class RequestTooLargeError(PayloadTooLargeError):
    """The body is over :data:`MAX_BODY_BYTES` (413)."""


class ResponseTooLargeError(PayloadTooLargeError):
    """The answer would not fit in a Lambda response (413): the request asks for too much."""


@dataclass(frozen=True)
class HttpRequest:
    method: str
    body: bytes


def is_http(event: Any) -> bool:
    """Whether ``event`` came through API Gateway or a Function URL (not a direct invoke)."""
    return (
        isinstance(event, dict)
        and isinstance(event.get("requestContext"), dict)
        and ("httpMethod" in event or event.get("version") == "2.0")
    )


def http_request(event: dict[str, Any]) -> HttpRequest:
    """The method and raw body of an HTTP event."""
    context = event["requestContext"]
    if "httpMethod" in event:
        method = event.get("httpMethod")
    else:
        http = context.get("http")
        method = http.get("method") if isinstance(http, dict) else None
    method = method if isinstance(method, str) else ""
    raw = event.get("body")
    if raw is None:
        body = b""
    elif event.get("isBase64Encoded"):
        try:
            body = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError, TypeError):
            raise MalformedRequestError(
                "Request body is marked base64 but is not valid base64"
            ) from None
    elif isinstance(raw, str):
        body = raw.encode("utf-8", "surrogatepass")
    else:
        raise MalformedRequestError("Request body must be text")
    return HttpRequest(method=method.upper(), body=body)


def header(event: dict[str, Any], name: str) -> str | None:
    """A request header's value, whatever the case the caller wrote its name in."""
    headers = event.get("headers")
    if not isinstance(headers, dict):
        return None
    wanted = name.lower()
    for key, value in headers.items():
        if isinstance(key, str) and key.lower() == wanted:
            return value if isinstance(value, str) else None
    return None


def caller(event: dict[str, Any]) -> str:
    """Who API Gateway authenticated: the IAM principal, else the API key, else anyone."""
    context = event["requestContext"]
    identity = _object(context.get("identity"))
    iam = _object(_object(context.get("authorizer")).get("iam")) if "http" in context else {}
    principal = identity.get("userArn") or identity.get("caller") or iam.get("userArn")
    if principal:
        return f"iam:{principal}"
    if identity.get("apiKeyId"):
        return f"apiKey:{identity['apiKeyId']}"
    return "anonymous"


def gateway_request_id(event: dict[str, Any]) -> str | None:
    """The id API Gateway gave the request (what the caller sees as x-amzn-RequestId)."""
    request_id = event["requestContext"].get("requestId")
    return request_id if isinstance(request_id, str) else None


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def decode_body(request: HttpRequest) -> Any:
    """The request's JSON document, with exact numbers; errors say what is wrong."""
    if request.method != "POST":
        raise MethodNotAllowedError(f"Method {request.method or '(none)'} is not allowed; use POST")
    if len(request.body) > MAX_BODY_BYTES:
        raise RequestTooLargeError(
            f"Request body is {len(request.body)} bytes; the limit is {MAX_BODY_BYTES} bytes"
        )
    if not request.body.strip():
        raise MalformedRequestError(
            'Request body is empty; send a JSON object like {"operation": "ping"}'
        )
    try:
        text = request.body.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedRequestError("Request body is not UTF-8 text") from None
    return json_codec.decode(text)


def response(status: int, body: Any, *, replayed: bool = False) -> dict[str, Any]:
    """An API Gateway proxy response with a JSON body (and CORS headers when configured).

    ``replayed`` marks an answer repeated from an earlier request with the same
    idempotency key.
    """
    text = json_codec.encode(body)
    if len(text) * 2 > MAX_RESPONSE_BYTES:
        # The runtime writes the body as a JSON string: quotes and backslashes double.
        size = len(text) + text.count('"') + text.count("\\")
        if size > MAX_RESPONSE_BYTES:
            raise ResponseTooLargeError(
                f"The answer would be {size} bytes, over Lambda's 6 MB response limit; ask for "
                "less (a smaller Limit, a ProjectionExpression)"
            )
    headers = REPLAYED_HEADERS if replayed else JSON_HEADERS
    if origin := os.environ.get(CORS_ENV):
        headers = {
            **headers,
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Expose-Headers": "Idempotent-Replayed",
        }
        if origin != "*":
            headers["Vary"] = "Origin"
    return {
        "statusCode": status,
        "headers": dict(headers),
        "body": text,
        "isBase64Encoded": False,
    }


def error_response(error: RequestError) -> dict[str, Any]:
    return response(error.status, error.to_body())


def internal_error_response(request_id: str) -> dict[str, Any]:
    """The 500 for anything unexpected: the request id to quote, nothing else."""
    return response(
        500,
        {
            "message": "Internal server error",
            "type": "InternalServerError",
            "requestId": request_id,
        },
    )
