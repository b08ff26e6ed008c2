"""API Gateway's part, locally: what the deployed stage does before and after the Lambda.

Routing, with or without the stage prefix: ``POST /DynamoDBManager``, and the
table routes (``/{table}/items/...``, :mod:`function.routes`) with every method,
as the deployed API's catch-all method on each route path sends them all to the
function (which answers 405 for a method the path does not take); any other
path is API Gateway's 403. Then the stage's authentication (API key or IAM),
CORS (for the origins :mod:`local_api.cors` allows), the request body limit and,
on ``/DynamoDBManager`` only, the request model; then the Lambda proxy
integration: the REST proxy event in, the Lambda's response out, and API
Gateway's 502 when that response is malformed or the function fails. Answers
carry API Gateway's own messages.
"""

from __future__ import annotations

import base64
import importlib
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any, NamedTuple
from urllib.parse import quote, unquote, urlsplit

from function.errors import RequestError
from function.validation import Validator, compile_schema
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
from local_api.proxy_event import HttpRequest, rest_proxy_event

if TYPE_CHECKING:
    from function.routes import RouteTable

RESOURCE = RESOURCE_PATH
#: API Gateway refuses REST API payloads over 10 MB.
MAX_REQUEST_BYTES = 10 * 1024 * 1024
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


class Gateway:
    """One stage of the REST API in front of a Lambda handler."""

    def __init__(self, config: StageConfig, code: FunctionCode) -> None:
        self.config = config
        self.code = code

    def handle(self, request: HttpRequest) -> HttpResponse:
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
        """A request for a table route: any method goes to the function, as deployed.

        No request model here: the function checks what each route takes.
        """
        with self.code.use() as loaded:
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
