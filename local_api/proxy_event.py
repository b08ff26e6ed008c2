"""The events API Gateway hands a Lambda: a REST API's proxy integration (payload 1.0),
and an HTTP API's (payload format 2.0).

Each is built field by field as the deployed API builds it, so the handler runs
locally on exactly the input it gets in the cloud.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote, urlencode

from function import registry, routes, tables
from infra.rest_api import RESOURCE_PATH

#: The account id placed in local events (no real account is involved).
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_API_ID = "local"
#: Where AWS documents payload format 2.0, the event an HTTP API's Lambda integration gets.
HTTP_API_EVENT = (
    "https://docs.aws.amazon.com/apigateway/latest/developerguide/"
    "http-api-develop-integrations-lambda.html"
)
#: The one stage an HTTP API of this project has: it deploys itself, and is not in the URL.
DEFAULT_STAGE = "$default"


@dataclass(frozen=True)
class HttpRequest:
    """An HTTP request as it reached the gateway."""

    method: str
    path: str
    headers: Sequence[tuple[str, str]]
    query: Sequence[tuple[str, str]]
    body: bytes
    source_ip: str
    host: str = "127.0.0.1"
    #: The path and query exactly as sent (percent-encoded), which a signature covers;
    #: empty where the request did not come over HTTP.
    target: str = ""

    def header(self, name: str) -> str | None:
        """The last value of a header (case-insensitive), as API Gateway's ``headers`` has it."""
        wanted = name.lower()
        found = None
        for key, value in self.headers:
            if key.lower() == wanted:
                found = value
        return found


def rest_proxy_event(
    request: HttpRequest,
    *,
    resource: str,
    stage: str,
    request_id: str | None = None,
    api_key: str | None = None,
    path: str | None = None,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The REST API proxy event for ``request`` routed to ``resource`` on ``stage``.

    ``path`` is the path below the stage (the resource's own, by default) and
    ``path_parameters`` the resource's variables, decoded, as API Gateway gives them.
    """
    request_id = request_id or str(uuid.uuid4())
    now = time.time()
    body, encoded = _body(request.body)
    path = path or resource
    return {
        "resource": resource,
        "path": path,
        "httpMethod": request.method,
        "headers": _single(request.headers),
        "multiValueHeaders": _multi(request.headers),
        "queryStringParameters": _single(request.query),
        "multiValueQueryStringParameters": _multi(request.query),
        "pathParameters": path_parameters or None,
        "stageVariables": None,
        "requestContext": {
            "resourceId": "local",
            "resourcePath": resource,
            "httpMethod": request.method,
            "extendedRequestId": request_id,
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "path": f"/{stage}{path}",
            "accountId": LOCAL_ACCOUNT_ID,
            "protocol": "HTTP/1.1",
            "stage": stage,
            "domainPrefix": request.host.split(".")[0],
            "requestTimeEpoch": int(now * 1000),
            "requestId": request_id,
            "identity": {
                "cognitoIdentityPoolId": None,
                "accountId": None,
                "cognitoIdentityId": None,
                "caller": None,
                "sourceIp": request.source_ip,
                "principalOrgId": None,
                "accessKey": None,
                "cognitoAuthenticationType": None,
                "cognitoAuthenticationProvider": None,
                "userArn": None,
                "userAgent": request.header("User-Agent"),
                "user": None,
                "apiKey": api_key,
                "apiKeyId": "local" if api_key else None,
            },
            "domainName": request.host,
            "apiId": LOCAL_API_ID,
        },
        "body": body,
        "isBase64Encoded": encoded,
    }


def http_api_event(
    request: HttpRequest,
    *,
    route_key: str,
    path_parameters: dict[str, str] | None = None,
    request_id: str | None = None,
    authorizer: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The payload format 2.0 event an HTTP API's ``$default`` stage sends for ``request``.

    Field by field from AWS's example in "Create AWS Lambda proxy integrations for HTTP
    APIs" (:data:`HTTP_API_EVENT`): header names lower-cased and a repeated header's
    values joined with commas; the ``Cookie`` headers' cookies in ``cookies`` instead;
    a repeated query parameter's values joined with commas in ``queryStringParameters``,
    the query as sent in ``rawQueryString``; ``routeKey`` the matched route
    (``GET /LambdaTable/items/{Id}``, ``ANY /{proxy+}``); ``pathParameters`` its
    variables, decoded ("API Gateway decodes URL-encoded request parameters before
    passing them to your backend integration", "Create routes for HTTP APIs"). Fields
    with nothing to say (no query, no body, no variables) are left out, and
    ``authorizer`` only where the route has one (``{"iam": ...}``, ``{"jwt": ...}``).
    """
    request_id = request_id or str(uuid.uuid4())
    now = time.time()
    raw_path, _, raw_query = (request.target or "").partition("?")
    if not raw_path.startswith("/"):  # not over HTTP (a test's request), or absolute-form
        raw_path = request.path
        raw_query = raw_query or urlencode(list(request.query))
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": raw_path,
        "rawQueryString": raw_query,
    }
    cookies = [
        cookie.strip()
        for name, value in request.headers
        if name.lower() == "cookie"
        for cookie in value.split(";")
        if cookie.strip()
    ]
    if cookies:
        event["cookies"] = cookies
    event["headers"] = _joined(
        (name.lower(), value) for name, value in request.headers if name.lower() != "cookie"
    )
    if request.query:
        event["queryStringParameters"] = _joined(request.query)
    context: dict[str, Any] = {
        "accountId": LOCAL_ACCOUNT_ID,
        "apiId": LOCAL_API_ID,
    }
    if authorizer is not None:
        context["authorizer"] = authorizer
    context |= {
        "domainName": request.host,
        "domainPrefix": request.host.split(".")[0],
        "http": {
            "method": request.method,
            "path": raw_path,
            "protocol": "HTTP/1.1",
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent") or "",
        },
        "requestId": request_id,
        "routeKey": route_key,
        "stage": DEFAULT_STAGE,
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    event["requestContext"] = context
    body, encoded = _body(request.body)
    if body is not None:
        event["body"] = body
    if path_parameters:
        event["pathParameters"] = dict(path_parameters)
    event["isBase64Encoded"] = encoded
    return event


def _joined(pairs: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Payload 2.0's maps: one entry a name, a repeated name's values joined with commas."""
    grouped: dict[str, list[str]] = {}
    for name, value in pairs:
        grouped.setdefault(name, []).append(value)
    return {name: ",".join(values) for name, values in grouped.items()}


def _body(raw: bytes) -> tuple[str | None, bool]:
    """Text bodies pass as text; anything that is not UTF-8 goes base64-encoded."""
    if not raw:
        return None, False
    try:
        return raw.decode("utf-8"), False
    except UnicodeDecodeError:
        return base64.b64encode(raw).decode("ascii"), True


def _single(pairs: Sequence[tuple[str, str]]) -> dict[str, str] | None:
    return dict(pairs) or None


def _multi(pairs: Sequence[tuple[str, str]]) -> dict[str, list[str]] | None:
    grouped: dict[str, list[str]] = {}
    for key, value in pairs:
        grouped.setdefault(key, []).append(value)
    return grouped or None


def post_event(
    body: bytes,
    *,
    method: str = "POST",
    stage: str = "dev",
    request_id: str | None = None,
    headers: Sequence[tuple[str, str]] = (("Content-Type", "application/json"),),
    source_ip: str = "203.0.113.10",
) -> dict[str, Any]:
    """The event of a request to the API's resource, as a caller's ``curl`` would make it."""
    request = HttpRequest(
        method=method,
        path=RESOURCE_PATH,
        headers=[*headers, ("User-Agent", "curl/8.5.0")],
        query=[],
        body=body,
        source_ip=source_ip,
    )
    return rest_proxy_event(request, resource=RESOURCE_PATH, stage=stage, request_id=request_id)


def route_event(
    method: str,
    target: str,
    body: bytes = b"",
    *,
    stage: str = "dev",
    request_id: str | None = None,
    headers: Sequence[tuple[str, str]] = (("Content-Type", "application/json"),),
    source_ip: str = "203.0.113.10",
) -> dict[str, Any]:
    """The event of a request on a table route (``GET /LambdaTable/items/7?limit=2``).

    The resource is the route's template, found as the deployed API finds it, with
    its path parameters decoded; a path no route has goes as it is.
    """
    path, _, query = target.partition("?")
    request = HttpRequest(
        method=method,
        path=path,
        headers=[*headers, ("User-Agent", "curl/8.5.0")],
        query=parse_qsl(query, keep_blank_values=True),
        body=body,
        source_ip=source_ip,
        target=target,
    )
    found = routes.configured(tables.configured(), registry.default_registry()).template_of(path)
    resource, parameters = found if found is not None else (path, {})
    return rest_proxy_event(
        request,
        resource=resource,
        stage=stage,
        request_id=request_id,
        path=unquote(path),
        path_parameters=parameters,
    )
