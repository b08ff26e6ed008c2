"""The event API Gateway hands a Lambda for a REST API proxy integration (payload 1.0).

Built field by field as the deployed stage builds it, so the handler runs
locally on exactly the input it gets in the cloud.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, unquote

from function import registry, routes, tables
from infra.rest_api import RESOURCE_PATH

#: The account id placed in local events (no real account is involved).
LOCAL_ACCOUNT_ID = "000000000000"
LOCAL_API_ID = "local"


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
