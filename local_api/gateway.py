"""API Gateway's part, locally: what the deployed stage does before and after the Lambda.

Routing (``POST /DynamoDBManager``, with or without the stage prefix), the
stage's authentication (API key or IAM), CORS (for the origins
:mod:`local_api.cors` allows), the request body limit and the request model,
then the Lambda proxy integration: the REST proxy event in, the Lambda's
response out, and API Gateway's 502 when that response is malformed or the
function fails. Answers carry API Gateway's own messages.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

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

RESOURCE = RESOURCE_PATH
#: API Gateway refuses REST API payloads over 10 MB.
MAX_REQUEST_BYTES = 10 * 1024 * 1024


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
            return self._refuse(
                request, 403, "Missing Authentication Token", "MissingAuthenticationToken"
            )
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
        self, request: HttpRequest, handler: Callable[[dict[str, Any], Any], Any]
    ) -> HttpResponse:
        request_id = str(uuid.uuid4())
        event = rest_proxy_event(
            request,
            resource=RESOURCE,
            stage=self.config.stage_name,
            request_id=request_id,
            api_key=self.config.api_key if self.config.auth_mode == "apiKey" else None,
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
