"""The Lambda console's microservice blueprint as a resource, so its clients work unchanged.

The blueprint ``microservice-http-endpoint`` (AWS Lambda Developer Guide, "Create a
simple microservice using Lambda and API Gateway":
https://github.com/awsdocs/aws-lambda-developer-guide/blob/main/doc_source/services-apigateway-blueprint.md)
puts one proxy resource before a function that maps each method to a DynamoDB call:

    GET     Scan        the query string is its parameters (``?TableName=MyTable``)
    POST    PutItem     the JSON body is its parameters, attribute values typed
    PUT     UpdateItem  likewise
    DELETE  DeleteItem  likewise

A stack that names the resource (``microserviceResource: lambda-microservice``)
serves it beside the envelope. Each method runs the stock operation (``list``,
``create``, ``update``, ``delete``), so IAM, confinement, validation, metrics and
errors are theirs; ``TableName`` is resolved against the served tables as
``tableName`` is, and the call takes and answers DynamoDB JSON
(:func:`function.attribute_values.typed`), without ``ResponseMetadata``. Where the
blueprint answered a 400 with its exception's text, or failed, the errors are the API's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from function.errors import (
    InvalidPayloadError,
    InvalidQueryError,
    RequestError,
    TableRequiredError,
)
from function.routes import Match, Route

__all__ = ["BlueprintRequest", "request"]

#: The parameter that names the table, in the blueprint's requests.
TABLE_PARAMETER = "TableName"
#: An integer a query string may give: DynamoDB's integer parameters fit in 10 digits.
_INTEGER = re.compile(r"-?[0-9]{1,10}")


@dataclass(frozen=True)
class BlueprintRequest:
    """A request on the blueprint resource: its stock operation's payload and table."""

    #: The call takes and answers DynamoDB JSON.
    typed_values: ClassVar[bool] = True

    route: Route
    payload: dict[str, Any]
    #: The table ``TableName`` names (logical or physical); ``None`` leaves it to the stack.
    table: str | None

    @property
    def operation(self) -> str:
        return self.route.operation

    def answer(self, value: Any) -> tuple[int, Any, dict[str, str]]:
        """The call's output as the blueprint answered it: 200 and the output."""
        return 200, value, {}

    def refine(self, error: RequestError) -> RequestError:
        """An error in the blueprint's terms: its clients name the table with TableName."""
        if isinstance(error, TableRequiredError):
            _, _, served = str(error).partition("; ")
            refined = TableRequiredError(f"{TABLE_PARAMETER} is required; {served}")
            refined.__cause__ = error
            return refined
        return error


def request(
    match: Match,
    query: Mapping[str, str],
    body: Callable[[], Any],
    has_body: bool,
    parameters: Mapping[str, Any],
) -> BlueprintRequest:
    """The payload and table of a blueprint request: the query string's for GET, else the body's.

    ``parameters`` are the JSON Schemas of the operation's payload members: a query
    string's text becomes the integer or boolean the member takes (``?Limit=10``).
    """
    if match.route.method == "GET":
        payload: dict[str, Any] = {
            name: _from_text(name, text, parameters.get(name, {})) for name, text in query.items()
        }
    else:
        document = body() if has_body else None
        if not isinstance(document, dict):
            raise InvalidPayloadError(
                f"The body must be a JSON object: {match.route.method} takes the DynamoDB "
                "call's parameters, with TableName"
            )
        payload = dict(document)
    table = payload.pop(TABLE_PARAMETER, None)
    if table is not None and not isinstance(table, str):
        raise InvalidPayloadError(f"{TABLE_PARAMETER} must be a string")
    return BlueprintRequest(match.route, payload, table)


def _from_text(name: str, text: str, schema: Mapping[str, Any]) -> Any:
    kind = schema.get("type")
    if kind == "integer":
        if not _INTEGER.fullmatch(text):
            raise InvalidQueryError(f"Query parameter {name} must be an integer, not {text!r}")
        return int(text)
    if kind == "boolean":
        if text not in ("true", "false"):
            raise InvalidQueryError(f"Query parameter {name} must be true or false, not {text!r}")
        return text == "true"
    return text
