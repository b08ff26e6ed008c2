"""Lambda's Invoke API, locally: ``aws lambda invoke --endpoint-url`` reaches the real handler.

``POST /2015-03-31/functions/{name}/invocations`` with the event as the body,
as ``sam local start-lambda`` and serverless-offline's ``lambdaPort`` answer it:
the handler's result as JSON, or, when the handler raises, status 200 with
``X-Amz-Function-Error: Unhandled`` and the Python runtime's error document
(``errorMessage``, ``errorType``, ``requestId``, ``stackTrace``). ``Event``
invocations answer 202 after running, ``DryRun`` 204; a request or an answer
over 6 MB is refused as Lambda refuses it. The function is known by the
tutorial's name, by the name of the stack's function, or by either's ARN.

It runs any event against the stack's tables, so on a server others can reach
(a ``--host`` other than loopback) it is off unless ``--invoke-api`` turns it
on, and then answers only requests SigV4-signed with the server's key pair, as
Lambda itself does.
"""

from __future__ import annotations

import json
import re
import traceback
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from function import json_codec
from local_api.code import FunctionCode
from local_api.gateway import HttpResponse
from local_api.lambda_context import LambdaContext
from local_api.proxy_event import HttpRequest
from local_api.signature import SigningKey, signature_problem

#: The Invoke API's path; ``name`` may be a name, a partial or full ARN, with a qualifier.
INVOCATIONS = re.compile(r"^/2015-03-31/functions/(?P<name>[^/]+)/invocations/?$")
TUTORIAL_FUNCTION = LambdaContext.function_name
INVOCATION_TYPES = ("RequestResponse", "Event", "DryRun")
#: Lambda's limit on a synchronous invocation's request and response.
MAX_PAYLOAD_BYTES = 6 * 1024 * 1024
UNHANDLED = ("X-Amz-Function-Error", "Unhandled")
#: ``arn:aws:lambda:region:account:function:NAME[:qualifier]`` or ``account:function:NAME``.
_ARN = re.compile(
    r"^(?:arn:[^:]+:lambda:[^:]*:)?(?:\d{12}:)?(?:function:)?(?P<name>[^:]+)(?::.*)?$"
)


@dataclass(frozen=True)
class InvokeAccess:
    """Who may call the Invoke API: anyone (the default), nobody, or SigV4-signed requests."""

    #: Set when it is off: why, and how to turn it on, for the caller.
    off_because: str | None = None
    #: Set when requests must be signed: the key pair they must be signed with.
    signing_key: SigningKey | None = None


class LambdaInvokeApi:
    """Answers Lambda's Invoke API for the one function the local server runs."""

    def __init__(
        self,
        code: FunctionCode,
        function_names: tuple[str, ...],
        timeout_seconds: float,
        access: InvokeAccess = InvokeAccess(),
    ) -> None:
        self.code = code
        #: Names (or prefixes ending in ``-``, for Pulumi's auto-named functions) it answers to.
        self.function_names = function_names
        self.timeout_seconds = timeout_seconds
        self.access = access

    def answer(self, request: HttpRequest) -> HttpResponse | None:
        """The Invoke API's answer, or ``None`` when ``request`` is not for it."""
        route = INVOCATIONS.match(request.path)
        if route is None:
            return None
        named = unquote(route["name"])
        if self.access.off_because is not None:
            return _lambda_error(403, "AccessDeniedException", self.access.off_because)
        if self.access.signing_key is not None:
            problem = signature_problem(request, self.access.signing_key, "lambda")
            if problem is not None:
                return _lambda_error(403, problem.error_type, problem.message)
        if request.method != "POST":
            return _lambda_error(405, "MethodNotAllowedException", "Use POST to invoke")
        if not self.knows(named):
            return _lambda_error(
                404,
                "ResourceNotFoundException",
                f"Function not found: {named}; this server runs "
                + " or ".join(_shown(name) for name in self.function_names),
            )
        kind = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        if kind not in INVOCATION_TYPES:
            return _lambda_error(
                400,
                "InvalidParameterValueException",
                f"Invalid invocation type {kind!r}; use one of {', '.join(INVOCATION_TYPES)}",
            )
        if len(request.body) > MAX_PAYLOAD_BYTES:
            return _lambda_error(
                413,
                "RequestTooLargeException",
                f"Request must be smaller than {MAX_PAYLOAD_BYTES} bytes for the Invoke operation",
            )
        try:
            event = json.loads(request.body or b"{}")
        except (ValueError, RecursionError) as error:
            return _lambda_error(
                400,
                "InvalidRequestContentException",
                f"Could not parse request body into json: {error}",
            )
        if kind == "DryRun":
            return HttpResponse(204, [], b"")
        request_id = str(uuid.uuid4())
        with self.code.use() as loaded:
            status, headers, body = invoke(
                loaded.handler, event, LambdaContext(request_id, self.timeout_seconds)
            )
        if len(body) > MAX_PAYLOAD_BYTES:
            headers = [("Content-Type", "application/json"), UNHANDLED]
            body = json.dumps(
                {
                    "errorMessage": "Response payload size exceeded maximum allowed payload "
                    f"size ({MAX_PAYLOAD_BYTES} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
            ).encode()
        if kind == "Event":  # its result, or its error, goes nowhere the caller sees
            status, headers, body = 202, [], b""
        headers += [("X-Amzn-RequestId", request_id), ("X-Amz-Executed-Version", "$LATEST")]
        response = HttpResponse(status, headers, body, note=f"lambda invoke of {named}")
        operation = event.get("operation") if isinstance(event, dict) else None
        response.operation = operation if isinstance(operation, str) else None
        return response

    def knows(self, named: str) -> bool:
        """Whether ``named`` (a name or ARN, with or without a qualifier) is this function."""
        match = _ARN.match(named)
        name = match["name"] if match else named
        return any(
            name.startswith(known) if known.endswith("-") else name == known
            for known in self.function_names
        )


def invoke(
    handler: Callable[[Any, Any], Any], event: Any, context: LambdaContext
) -> tuple[int, list[tuple[str, str]], bytes]:
    """Run ``handler`` on ``event`` as Lambda does: its result, or its error as Lambda reports."""
    try:
        result = handler(event, context)
    except Exception as error:  # noqa: BLE001 - an unhandled error is Lambda's Unhandled
        body = error_document(error, context.aws_request_id)
        headers = [("Content-Type", "application/json"), UNHANDLED]
        return 200, headers, json.dumps(body).encode()
    return 200, [("Content-Type", "application/json")], json_codec.encode(result).encode()


def error_document(error: BaseException, request_id: str) -> dict[str, Any]:
    """What the Python runtime reports for an exception the handler let out."""
    return {
        "errorMessage": str(error),
        "errorType": type(error).__name__,
        "requestId": request_id,
        "stackTrace": [
            line
            for frame, line in zip(
                traceback.extract_tb(error.__traceback__),
                traceback.format_tb(error.__traceback__),
                strict=True,
            )
            if frame.filename != __file__
        ],
    }


def _shown(name: str) -> str:
    return f"{name}<suffix>" if name.endswith("-") else name


def _lambda_error(status: int, error_type: str, message: str) -> HttpResponse:
    """An error of the Lambda service itself (not of the function)."""
    body = json.dumps({"Type": "User", "message": message}).encode()
    headers = [("Content-Type", "application/json"), ("x-amzn-ErrorType", error_type)]
    response = HttpResponse(status, headers, body)
    response.note = message
    return response
