"""The Lambda console's microservice blueprint as a resource, so its clients work unchanged.

The console's blueprint ``microservice-http-endpoint-python`` (the Lambda Developer
Guide's "Create a simple microservice using Lambda and API Gateway",
https://github.com/awsdocs/aws-lambda-developer-guide/blob/main/doc_source/services-apigateway-blueprint.md)
puts one proxy resource before a function whose boto3 DynamoDB client maps each
method to a call, with DynamoDB's typed attribute values (``{"S": "Bob"}``)::

    GET     Scan        the query string is its parameters (``?TableName=MyTable``)
    POST    PutItem     the JSON body is its parameters
    PUT     UpdateItem  likewise
    DELETE  DeleteItem  likewise

A stack that names the resource (``microserviceResource: lambda-microservice``)
serves it beside the envelope. Each method runs the stock operation (``list``,
``create``, ``update``, ``delete``), so IAM, confinement, validation, metrics and
errors are theirs; ``TableName`` is resolved against the served tables as
``tableName`` is, and the call takes and answers DynamoDB JSON
(:func:`function.attribute_values.typed`), without ``ResponseMetadata``.

Where the blueprint differs from DynamoDB JSON, this resource follows DynamoDB: a
binary is base64 text, decoded (boto3 would store the text's own bytes, and the
blueprint then failed to answer them). Where the blueprint answered 400 with its
exception's text, or failed, the errors are the API's. The Node.js variant's
DocumentClient took plain values: its clients are the table routes' and the envelope's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from function.errors import (
    InvalidPayloadError,
    InvalidQueryError,
    RequestError,
    TableRequiredError,
)
from function.routes import Match, Route
from function.schemas import MAX_TABLE_NAME_LENGTH

__all__ = ["BlueprintRequest", "query_parameters", "request"]

#: The parameter that names the table, in the blueprint's requests.
TABLE_PARAMETER = "TableName"
#: An integer a query string may give: DynamoDB's integer parameters fit in 10 digits.
_INTEGER = re.compile(r"-?[0-9]{1,10}")
#: The types of payload member a query string's text can carry.
_TEXT_TYPES = ("string", "integer", "boolean")


@dataclass(frozen=True)
class BlueprintRequest:
    """A request on the blueprint resource: its stock operation's payload and table."""

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
            refined = TableRequiredError(error.served, TABLE_PARAMETER)
            refined.__cause__ = error
            return refined
        return error


def query_parameters(schema: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The members of a payload schema a query string can give (text, numbers, true/false,
    or one of a list of words), each with its schema; ``TableName`` is the request's own."""
    return {
        name: member
        for name, member in schema.get("properties", {}).items()
        if member.get("type") in _TEXT_TYPES or _is_words(member)
    }


def _is_words(member: Mapping[str, Any]) -> bool:
    """Whether a member's schema is a list of words alone (``{"enum": ["COUNT", ...]}``)."""
    words = member.get("enum") or ()
    return "type" not in member and bool(words) and all(isinstance(w, str) for w in words)


def request(
    match: Match,
    query: Mapping[str, str],
    body: Callable[[], Any],
    has_body: bool,
    schema: Mapping[str, Any],
) -> BlueprintRequest:
    """The payload and table of a blueprint request: the query string's for GET, else the body's.

    ``schema`` is the operation's payload schema: a query string's text becomes the
    integer or boolean its member takes (``?Limit=10``), and a name it lacks is a 400.
    """
    if match.route.method == "GET":
        takes = query_parameters(schema)
        payload: dict[str, Any] = {}
        for name, text in query.items():
            if name == TABLE_PARAMETER:
                payload[name] = text
            elif name not in takes:
                raise InvalidQueryError(
                    f"Unknown query parameter {name!r}; GET {match.route.path} takes "
                    f"{', '.join([TABLE_PARAMETER, *takes])}"
                )
            else:
                payload[name] = _from_text(name, text, takes[name])
    else:
        document = body() if has_body else None
        if not isinstance(document, dict):
            raise InvalidPayloadError(
                f"The body must be a JSON object: {match.route.method} takes the DynamoDB "
                "call's parameters, with TableName"
            )
        payload = dict(document)
    table = payload.pop(TABLE_PARAMETER, None)
    named = isinstance(table, str) and 0 < len(table) <= MAX_TABLE_NAME_LENGTH
    if table is not None and not named:
        raise InvalidPayloadError(
            f"{TABLE_PARAMETER} must be a string of 1 to {MAX_TABLE_NAME_LENGTH} characters"
        )
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
