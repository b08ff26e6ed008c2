"""API Gateway's part, locally: what the deployed stage does before and after the Lambda.

A REST API (``apiType: rest``), with or without the stage prefix: ``POST
/DynamoDBManager``, and the table routes (``/{table}/items/...``,
:mod:`function.routes`) with every method, as the deployed API's catch-all method
on each route path sends them all to the function (which answers 405 for a method
the path does not take); any other path is API Gateway's 403. With ``routes:
proxy`` every other path goes to the function through ``/{proxy+}`` instead, which
answers 404 for a route it does not have. Then the stage's authentication (API
key or IAM), CORS (for the origins :mod:`local_api.cors` allows), the request body
limit and, on ``/DynamoDBManager`` only, the request model; then the Lambda proxy
integration: the REST proxy event in, the Lambda's response out, and API
Gateway's 502 when that response is malformed or the function fails.

An HTTP API (``apiType: http``, :meth:`Gateway.handle_http`) has one ``$default``
stage, not in the URL: its routes are ``POST /DynamoDBManager`` and each route's
``METHOD /path`` (its path's other methods to the function too), or ``/{proxy+}``,
and a request no route takes is its 404;
CORS is its own (preflights answered, the function's CORS headers replaced); no
request model; IAM or a JWT authorizer; the payload format 2.0 event in, and a
2.0 response out, which may be a bare value. Answers carry each API type's own
messages.
"""

from __future__ import annotations

import base64
import importlib
import json
import re
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from function.errors import RequestError
from function.events import EXPOSED_HEADERS, PROXY_RESOURCE
from function.validation import Validator, compile_schema
from infra.http_routes import other_method_key
from infra.rest_api import (
    CORS_ALLOW_HEADERS,
    CORS_ALLOW_METHODS,
    JSON,
    RESOURCE_PATH,
    request_model_schema,
)
from local_api.code import FunctionCode
from local_api.cors import LOCAL_ORIGINS, allowed_origin
from local_api.lambda_context import LambdaContext
from local_api.proxy_event import HttpRequest, http_api_event, rest_proxy_event

if TYPE_CHECKING:
    from function.routes import RouteTable

RESOURCE = RESOURCE_PATH
#: API Gateway refuses REST API payloads over 10 MB; an HTTP API's quota is the same.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
#: The greedy parameter of the seed's catch-all resource, ``/{proxy+}`` (``routes: proxy``).
PROXY_PARAMETER = "proxy"
#: "My API with a Lambda integration returns {"message":"Internal Server Error"}"
#: (https://docs.aws.amazon.com/apigateway/latest/developerguide/http-api-troubleshooting-lambda.html):
#: an HTTP API's answer when the function fails or answers what it cannot read.
HTTP_API_INTEGRATION_ERROR = (500, "Internal Server Error")
#: What a path may carry unencoded (RFC 3986's pchar and ``/``), escapes included.
_PATH_CHARACTERS = "/%!$&'()*+,;=:@"


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    #: For the access log: the operation asked for and why the gateway refused, if it did.
    operation: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class StageConfig:
    """How the local stage behaves: the deployed stage's settings plus local choices."""

    stage_name: str
    auth_mode: str = "none"
    api_key: str | None = None
    #: ``--cors-origin``: pages on this machine by default, one origin (``*`` any), or ``None``.
    cors_origin: str | None = LOCAL_ORIGINS
    function_timeout_seconds: float = 10.0
    #: ``apiType``: ``rest`` (a REST API's stage) or ``http`` (an HTTP API's ``$default``).
    api_type: str = "rest"
    #: ``routes``: ``listed`` (each route its own), or ``proxy`` (the catch-all routes).
    routes: str = "listed"
    #: Whether the deployed API turns CORS on (``corsAllowOrigin``): an HTTP API then routes
    #: each method but OPTIONS where it would have one ANY route, leaving preflights to CORS.
    api_cors: bool = False


class Gateway:
    """One stage of the REST API in front of a Lambda handler."""

    def __init__(self, config: StageConfig, code: FunctionCode) -> None:
        self.config = config
        self.code = code

    def handle(self, request: HttpRequest) -> HttpResponse:
        if self.config.api_type == "http":
            return self.handle_http(request)
        if request.path.rstrip("/") not in (RESOURCE, f"/{self.config.stage_name}{RESOURCE}"):
            return self._handle_route(request)
        if request.method == "OPTIONS" and self.config.cors_origin:
            return self._preflight(request)
        if request.method != "POST":
            return self._refuse(
                request, 403, "Missing Authentication Token", "MissingAuthenticationToken"
            )
        if len(request.body) > MAX_REQUEST_BYTES:
            return self._refuse(request, 413, "Request Too Long", "RequestTooLong")
        if refusal := self._authenticate(request):
            return refusal
        with self.code.use() as loaded:
            operation, problem = self._check_model(request, loaded.operation_names)
            if problem is not None:
                response = self._refuse(request, 400, "Invalid request body", "BadRequestBody")
                response.operation, response.note = operation, problem
                return response
            response = self._invoke(request, loaded.handler)
        response.operation = operation
        return response

    def _handle_route(self, request: HttpRequest) -> HttpResponse:
        """A request for a table route: any method goes to the function, as deployed; with
        ``routes: proxy``, a request for any path but the root and ``/DynamoDBManager``'s.

        No request model here: the function checks what each route takes.
        """
        with self.code.use() as loaded:
            if self.config.routes == "proxy":
                found = _proxied(_routes_now(), self.config.stage_name, request)
            else:
                found = _table_route(_routes_now(), self.config.stage_name, request)
            if found is None:
                return self._refuse(
                    request, 403, "Missing Authentication Token", "MissingAuthenticationToken"
                )
            if request.method == "OPTIONS" and self.config.cors_origin:
                return self._preflight(request)
            if len(request.body) > MAX_REQUEST_BYTES:
                return self._refuse(request, 413, "Request Too Long", "RequestTooLong")
            if refusal := self._authenticate(request):
                return refusal
            response = self._invoke(
                request,
                loaded.handler,
                resource=found.template,
                path=found.path,
                path_parameters=found.parameters,
            )
        response.operation = found.operation
        return response

    def handle_http(self, request: HttpRequest) -> HttpResponse:
        """A request to an HTTP API's ``$default`` stage, as the deployed API answers it.

        Its CORS first: a preflight is answered by API Gateway, "even if there isn't an
        OPTIONS route configured" ("Configure CORS for HTTP APIs"). Then the route: the
        most specific that takes the method, else ``{"message":"Not Found"}`` ("Create
        routes for HTTP APIs": a full match, then one with a greedy path variable); the
        payload limit; the route's authorization; the function, with the 2.0 event.
        """
        if self.config.cors_origin and _is_preflight(request):
            return self._http_preflight(request)
        with self.code.use() as loaded:
            route = _http_route(
                _routes_now(),
                request,
                proxy=self.config.routes == "proxy",
                per_method=self.config.api_cors,
            )
            if route is None:
                return self._refuse_http(request, 404, "Not Found")
            if len(request.body) > MAX_REQUEST_BYTES:
                return self._refuse_http(request, 413, "Request Entity Too Large")
            authorizer, refusal = self._authorize_http(request)
            if refusal is not None:
                return refusal
            response = self._invoke_http(request, loaded.handler, route, authorizer)
        response.operation = route.operation
        return response

    def _authorize_http(
        self, request: HttpRequest
    ) -> tuple[dict[str, Any] | None, HttpResponse | None]:
        """The HTTP API's authorizer context for the event, or its refusal.

        IAM: a request without a SigV4 ``Authorization`` is ``403 {"message":"Forbidden"}``;
        its signature is not checked here (nor, so, who signed). JWT: a request without a
        token is ``401 {"message":"Unauthorized"}`` ("Troubleshooting issues with HTTP API
        JWT authorizers"); the token, bare or after ``Bearer `` as the authorizer takes it,
        is not verified here either (issuer, audience, signature, expiry), and its claims,
        read unverified, are the event's.
        """
        mode = self.config.auth_mode
        authorization = (request.header("Authorization") or "").strip()
        if mode == "iam":
            if not authorization.startswith("AWS4-HMAC-SHA256"):
                return None, self._refuse_http(request, 403, "Forbidden")
            return {"iam": _iam_authorizer(authorization)}, None
        if mode == "jwt":
            token = _bearer_token(authorization)
            if not token:
                return None, self._refuse_http(request, 401, "Unauthorized")
            return {"jwt": {"claims": unverified_claims(token), "scopes": None}}, None
        return None, None

    def _invoke_http(
        self,
        request: HttpRequest,
        handler: Callable[[dict[str, Any], Any], Any],
        route: HttpRoute,
        authorizer: dict[str, Any] | None,
    ) -> HttpResponse:
        request_id = str(uuid.uuid4())
        event = http_api_event(
            request,
            route_key=route.key,
            path_parameters=route.parameters,
            request_id=request_id,
            authorizer=authorizer,
        )
        context = LambdaContext(request_id, self.config.function_timeout_seconds)
        status, message = HTTP_API_INTEGRATION_ERROR
        try:
            result = handler(event, context)
        except Exception as error:  # noqa: BLE001 - any function failure is API Gateway's 500
            response = self._refuse_http(request, status, message)
            response.note = f"the function raised {type(error).__name__}: {error}"
            return response
        try:
            status, headers, body = http_api_integration_response(result)
        except MalformedResponseError as malformed:
            response = self._refuse_http(request, status, message)
            response.note = f"malformed payload 2.0 response: {malformed}"
            return response
        if self.config.cors_origin:
            # "API Gateway ignores CORS headers returned from your backend integration."
            headers = [
                (name, value)
                for name, value in headers
                if not name.lower().startswith("access-control-")
            ] + self._http_cors(request)
        return HttpResponse(status, [*headers, ("apigw-requestid", request_id)], body)

    def _http_cors(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The CORS headers an HTTP API adds to an answer: the origin, if allowed, and what
        a page may read (the function's ``EXPOSED_HEADERS``)."""
        allowed = self._cors(request)
        if any(name == "Access-Control-Allow-Origin" for name, _ in allowed):
            allowed.append(("Access-Control-Expose-Headers", EXPOSED_HEADERS))
        return allowed

    def _http_preflight(self, request: HttpRequest) -> HttpResponse:
        """An HTTP API's own answer to a preflight: 204, and what the origin may send."""
        allowed = self._cors(request)
        if any(name == "Access-Control-Allow-Origin" for name, _ in allowed):
            allowed += [
                ("Access-Control-Allow-Methods", CORS_ALLOW_METHODS),
                ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
            ]
        response = HttpResponse(204, allowed, b"")
        response.note = "CORS preflight, answered by the HTTP API"
        return response

    def _refuse_http(self, request: HttpRequest, status: int, message: str) -> HttpResponse:
        """An answer an HTTP API gives itself: ``{"message": ...}``, its request id, CORS."""
        body = json.dumps({"message": message}, separators=(",", ":")).encode()
        headers = [("Content-Type", "application/json"), ("apigw-requestid", str(uuid.uuid4()))]
        cors = self._http_cors(request) if self.config.cors_origin else []
        return HttpResponse(status, [*headers, *cors], body)

    def _authenticate(self, request: HttpRequest) -> HttpResponse | None:
        mode = self.config.auth_mode
        if mode == "apiKey" and request.header("x-api-key") != self.config.api_key:
            return self._refuse(request, 403, "Forbidden", "Forbidden")
        if mode == "iam" and not (request.header("Authorization") or "").startswith(
            "AWS4-HMAC-SHA256"
        ):
            return self._refuse(
                request, 403, "Missing Authentication Token", "MissingAuthenticationToken"
            )
        return None

    def _check_model(
        self, request: HttpRequest, operation_names: tuple[str, ...]
    ) -> tuple[str | None, str | None]:
        """The request model check the deployed stage's validator makes on JSON bodies."""
        content_type = (request.header("Content-Type") or JSON).split(";")[0]
        try:
            document = json.loads(request.body or b"null", parse_constant=_refuse_constant)
        except (ValueError, RecursionError) as error:
            return (
                None,
                f"not JSON: {error}" if content_type.strip() == JSON else None,
            )
        operation = document.get("operation") if isinstance(document, dict) else None
        if content_type.strip().lower() != JSON:
            return _name(operation), None
        try:
            _model_validator(operation_names)(document)
        except RequestError as invalid:
            if isinstance(operation, str) and operation not in operation_names:
                restart = (
                    "" if self.code.reload else " (with --no-reload, new modules need a restart)"
                )
                return operation, (
                    f"unknown operation {operation!r}; this server knows "
                    f"{', '.join(operation_names)}{restart}"
                )
            return _name(operation), str(invalid)
        return _name(operation), None

    def _invoke(
        self,
        request: HttpRequest,
        handler: Callable[[dict[str, Any], Any], Any],
        *,
        resource: str = RESOURCE,
        path: str | None = None,
        path_parameters: dict[str, str] | None = None,
    ) -> HttpResponse:
        request_id = str(uuid.uuid4())
        event = rest_proxy_event(
            request,
            resource=resource,
            stage=self.config.stage_name,
            request_id=request_id,
            api_key=self.config.api_key if self.config.auth_mode == "apiKey" else None,
            path=path,
            path_parameters=path_parameters,
        )
        context = LambdaContext(request_id, self.config.function_timeout_seconds)
        try:
            result = handler(event, context)
        except Exception as error:  # noqa: BLE001 - any function failure is API Gateway's 502
            response = self._refuse(request, 502, "Internal server error", "InternalServerError")
            response.note = f"the function raised {type(error).__name__}: {error}"
            return response
        try:
            status, headers, body = integration_response(result)
        except MalformedResponseError as malformed:
            response = self._refuse(request, 502, "Internal server error", "InternalServerError")
            response.note = f"malformed Lambda proxy response: {malformed}"
            return response
        if self.config.cors_origin == LOCAL_ORIGINS:
            headers = [
                (name, value)
                for name, value in headers
                if name.lower() != "access-control-allow-origin"
            ] + self._cors(request)
        return HttpResponse(status, [*headers, ("x-amzn-RequestId", request_id)], body)

    def _cors(self, request: HttpRequest) -> list[tuple[str, str]]:
        """The ``Access-Control-Allow-Origin`` (and ``Vary``) a request's answer carries."""
        origin = allowed_origin(self.config.cors_origin, request.header("Origin"))
        # Under the local default every answer depends on the Origin: caches must know.
        vary = [("Vary", "Origin")] if self.config.cors_origin == LOCAL_ORIGINS else []
        if origin is None:
            return vary
        return [("Access-Control-Allow-Origin", origin), *vary]

    def _preflight(self, request: HttpRequest) -> HttpResponse:
        allowed = self._cors(request)
        if allowed:
            allowed += [
                ("Access-Control-Allow-Methods", CORS_ALLOW_METHODS),
                ("Access-Control-Allow-Headers", CORS_ALLOW_HEADERS),
            ]
        return HttpResponse(200, [*allowed, ("Content-Type", "application/json")], b"{}")

    def _refuse(
        self, request: HttpRequest, status: int, message: str, error_type: str
    ) -> HttpResponse:
        """An answer API Gateway gives itself, without invoking the function."""
        response = gateway_error(status, message, error_type)
        response.headers += self._cors(request)
        return response


class TableRoute(NamedTuple):
    """The table route a request's path names: what the proxy event says of it."""

    #: The resource API Gateway matched: ``/Orders/items/{customerId}``.
    template: str
    #: The path below the stage, percent-encoded as sent, as API Gateway's ``path`` has it.
    path: str
    #: The template's variables, decoded, as API Gateway's ``pathParameters`` has them.
    parameters: dict[str, str]
    #: The stock operation the request's method runs there, if it takes that method.
    operation: str | None


def _routes_now() -> RouteTable | None:
    """The routes of the code the server runs now (the tables' and the operations' own);
    ``None`` where no tables are set.

    Taken from the modules the current import of the function loaded (they are
    imported again when ``--reload`` sees a change), from the ``TABLES`` and
    ``TABLE_KEYS`` the local stack set in this process before serving.
    """
    routes = importlib.import_module("function.routes")
    tables = importlib.import_module("function.tables")
    registry = importlib.import_module("function.registry")
    try:
        deployment = tables.configured()
    except tables.TablesConfigError:
        return None
    table: RouteTable = routes.configured(deployment, registry.default_registry())
    return table


def _table_route(routes: RouteTable | None, stage: str, request: HttpRequest) -> TableRoute | None:
    """The table route ``request`` names, its path with or without the ``/{stage}`` prefix."""
    if routes is None:
        return None
    sent = _sent_path(request)
    below_stage = [sent]
    first, _, rest = sent.lstrip("/").partition("/")
    if unquote(first) == stage:
        below_stage.insert(0, f"/{rest}")
    for path in below_stage:
        found = routes.template_of(path)
        if found is not None:
            template, parameters = found
            route = routes.by_path[template].get(request.method)
            return TableRoute(template, path, parameters, route.operation if route else None)
    return None


def _proxied(routes: RouteTable | None, stage: str, request: HttpRequest) -> TableRoute | None:
    """What ``/{proxy+}`` makes of ``request`` (``routes: proxy``), its path with or without
    the ``/{stage}`` prefix; ``None`` where API Gateway answers 403 itself.

    The catch-all is every path below the root but those of ``/DynamoDBManager``, the
    specific resource beside it, which "takes precedence over a method request against
    a generic resource at the same level" (:data:`infra.gateway_document.PROXY_PRECEDENCE`): so
    the root and ``/DynamoDBManager/...`` are API Gateway's 403, as without the
    catch-all. ``path`` is the path below the stage as sent; the parameter, decoded.
    """
    sent = _sent_path(request)
    first, _, rest = sent.lstrip("/").partition("/")
    if unquote(first) == stage:
        sent = f"/{rest}"
    below = sent.lstrip("/")
    if not below or below.split("/")[0] == RESOURCE.lstrip("/"):
        return None
    operation = _operation_at(routes, request.method, sent)
    return TableRoute(PROXY_RESOURCE, sent, {PROXY_PARAMETER: unquote(below)}, operation)


def _operation_at(routes: RouteTable | None, method: str, path: str) -> str | None:
    """The stock operation the function will run for ``method`` on ``path``, for the log."""
    found = routes.template_of(path) if routes is not None else None
    if found is None or routes is None:
        return None
    route = routes.by_path[found[0]].get(method)
    return route.operation if route else None


class HttpRoute(NamedTuple):
    """The HTTP API route a request matched: what its payload 2.0 event says of it."""

    #: ``routeKey``: ``POST /DynamoDBManager``, ``GET /LambdaTable/items/{Id}``, ``ANY /{proxy+}``.
    key: str
    #: Its path variables, decoded; ``None`` where it has none.
    parameters: dict[str, str] | None
    #: The stock operation the route runs, where the gateway can tell.
    operation: str | None


def _http_route(
    routes: RouteTable | None, request: HttpRequest, *, proxy: bool, per_method: bool
) -> HttpRoute | None:
    """The route an HTTP API picks for ``request``; ``None``: its ``{"message":"Not Found"}``.

    Its routes, as ``infra.http_api.route_keys`` deploys them: ``POST /DynamoDBManager``;
    listed, each route's ``METHOD /path``, and on each such path the other methods too
    (:func:`infra.http_routes.other_method_key`), so that the function answers them its 405;
    with ``routes: proxy``, ``/{proxy+}`` with every method (the same rule), which any path
    below the root matches where no route matches fully: ``GET /DynamoDBManager`` too,
    which the function answers (405). ``per_method``: the deployed API turns CORS on.
    """
    sent = _sent_path(request)
    if request.method == "POST" and sent.rstrip("/") == RESOURCE:
        return HttpRoute(f"POST {RESOURCE}", None, _operation_named(request.body))
    if proxy:
        below = sent.lstrip("/")
        key = other_method_key(request.method, PROXY_RESOURCE, per_method)
        if not below or key is None:
            return None
        operation = _operation_at(routes, request.method, sent)
        return HttpRoute(key, {PROXY_PARAMETER: unquote(below)}, operation)
    found = routes.template_of(sent) if routes is not None else None
    if found is None or routes is None:
        return None
    template, parameters = found
    route = routes.by_path[template].get(request.method)
    if route is not None:
        return HttpRoute(f"{request.method} {template}", parameters or None, route.operation)
    key = other_method_key(request.method, template, per_method)
    return HttpRoute(key, parameters or None, None) if key is not None else None


def _operation_named(body: bytes) -> str | None:
    """The operation an envelope names, for the log: an HTTP API has no request model."""
    try:
        document = json.loads(body or b"null", parse_constant=_refuse_constant)
    except (ValueError, RecursionError):
        return None
    return _name(document.get("operation")) if isinstance(document, dict) else None


def _is_preflight(request: HttpRequest) -> bool:
    """A browser's CORS preflight: OPTIONS, from an origin, asking for a method."""
    return (
        request.method == "OPTIONS"
        and bool(request.header("Origin"))
        and bool(request.header("Access-Control-Request-Method"))
    )


def _iam_authorizer(authorization: str) -> dict[str, Any]:
    """An IAM authorizer's context, as far as is known here: the access key the request
    names. Who it is (``userArn``, ``accountId``) only AWS knows, checking the signature."""
    credential = re.search(r"Credential=([^/,\s]+)/", authorization)
    return {
        "accessKey": credential[1] if credential else None,
        "accountId": None,
        "callerId": None,
        "cognitoIdentity": None,
        "principalOrgId": None,
        "userArn": None,
        "userId": None,
    }


def _bearer_token(authorization: str) -> str:
    """The token a JWT authorizer reads: "The identitySource can include only the token, or
    the token prefixed with ``Bearer``" (https://docs.aws.amazon.com/apigateway/latest/
    developerguide/http-api-jwt-authorizer.html)."""
    scheme, _, rest = authorization.partition(" ")
    return rest.strip() if scheme.lower() == "bearer" else authorization


def unverified_claims(token: str) -> dict[str, str]:
    """A JWT's claims, read without verifying it; none where it does not decode.

    As an HTTP API passes them: every value a string ("exp": "1612061676", as AWS's
    example and https://github.com/awsdocs/amazon-api-gateway-developer-guide/issues/113
    show them), a list's items between brackets, space-separated.
    """
    parts = token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, TypeError, RecursionError):
        return {}
    if not isinstance(payload, dict):
        return {}
    return {str(name): _claim_text(value) for name, value in payload.items()}


def _claim_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return "[" + " ".join(_claim_text(item) for item in value) + "]"
    return json.dumps(value, separators=(",", ":"))


def _sent_path(request: HttpRequest) -> str:
    """The path as the caller sent it, percent-encoded: what a REST API's event carries.

    A REST API hands the function the path still percent-encoded (``/T/items/a%2Fb``)
    and the path parameters decoded (``a/b``). Bytes sent unencoded (beyond ASCII)
    are percent-encoded here byte for byte, so that decoding gives them back.
    """
    target = request.target
    try:
        # An origin-form target (``/T/items?limit=2``) or an absolute-form one.
        raw = target.partition("?")[0] if target.startswith("/") else urlsplit(target).path
    except ValueError:
        raw = ""
    if not raw:  # not over HTTP (a test's request): the decoded path is all there is
        return quote(request.path, safe=_PATH_CHARACTERS.replace("%", ""))
    return quote(raw.encode("latin-1", "replace"), safe=_PATH_CHARACTERS)


def gateway_error(status: int, message: str, error_type: str) -> HttpResponse:
    """API Gateway's own JSON answer, ``{"message": ...}``, with its error type."""
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)]
    body = json.dumps({"message": message}, separators=(",", ":")).encode()
    return HttpResponse(status, headers, body)


class MalformedResponseError(ValueError):
    """The Lambda's answer is not a valid proxy integration response."""


def integration_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from a Lambda proxy response, checked as API Gateway checks it."""
    if not isinstance(result, dict):
        raise MalformedResponseError(f"expected an object, got {type(result).__name__}")
    unknown = set(result) - {
        "statusCode",
        "headers",
        "multiValueHeaders",
        "body",
        "isBase64Encoded",
        "cookies",
    }
    if unknown:
        raise MalformedResponseError(f"unexpected fields {sorted(unknown)}")
    status = result.get("statusCode")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599:
        raise MalformedResponseError(f"statusCode {status!r} is not an HTTP status")
    headers = list(_headers(result.get("headers"), result.get("multiValueHeaders")))
    body = result.get("body")
    if body is None:
        data = b""
    elif not isinstance(body, str):
        raise MalformedResponseError(f"body must be a string, got {type(body).__name__}")
    elif result.get("isBase64Encoded"):
        try:
            data = base64.b64decode(body, validate=True)
        except ValueError as error:
            raise MalformedResponseError(f"body is marked base64 but is not: {error}") from None
    else:
        data = body.encode("utf-8", "surrogatepass")
    return status, headers, data


def http_api_integration_response(result: Any) -> tuple[int, list[tuple[str, str]], bytes]:
    """Status, headers and body from a payload format 2.0 response, as an HTTP API reads it.

    "If your Lambda function returns valid JSON and doesn't return a statusCode", API
    Gateway assumes a 200 of ``application/json`` whose body "is the function's response"
    (:data:`local_api.proxy_event.HTTP_API_EVENT`): a string as it is, anything else as
    its JSON. With a ``statusCode`` it is read as a 1.0 response is, and each of its
    ``cookies`` "becomes a set-cookie header".
    """
    if not isinstance(result, dict) or "statusCode" not in result:
        try:
            text = result if isinstance(result, str) else json.dumps(result)
        except (TypeError, ValueError) as error:
            raise MalformedResponseError(f"the answer is not JSON: {error}") from None
        return 200, [("Content-Type", JSON)], text.encode("utf-8", "surrogatepass")
    status, headers, data = integration_response(result)
    cookies = result.get("cookies")
    if cookies is not None:
        if not isinstance(cookies, list) or not all(isinstance(c, str) for c in cookies):
            raise MalformedResponseError("cookies must be a list of strings")
        headers += [("Set-Cookie", cookie) for cookie in cookies]
    return status, headers, data


def _headers(single: Any, multi: Any) -> Iterable[tuple[str, str]]:
    if single is not None and not isinstance(single, dict):
        raise MalformedResponseError("headers must be an object")
    if multi is not None and not isinstance(multi, dict):
        raise MalformedResponseError("multiValueHeaders must be an object")
    seen = set()
    for name, values in (multi or {}).items():
        if not isinstance(values, list):
            raise MalformedResponseError(f"multiValueHeaders[{name!r}] must be a list")
        seen.add(name.lower())
        for value in values:
            yield name, _header_value(value)
    for name, value in (single or {}).items():
        if name.lower() not in seen:
            yield name, _header_value(value)


def _header_value(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise MalformedResponseError(f"header value {value!r} is not a string")
    return str(value)


def _refuse_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


@lru_cache(maxsize=8)
def _model_validator(operation_names: tuple[str, ...]) -> Validator:
    """The deployed stage's request model for these operations, compiled once."""
    return compile_schema(request_model_schema(operation_names), "request body")


def _name(operation: Any) -> str | None:
    return operation if isinstance(operation, str) else None
