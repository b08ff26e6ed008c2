"""Caller mistakes moto answers unlike DynamoDB: DynamoDB's answer, given before moto sees them.

moto validates less than DynamoDB. On some mistakes it raises inside its own
code, which its server answers as a 500; the function then reports "retry
later" (503) for a request that no retry will mend. On others it answers
wrongly. Each check here refuses such a request with the ``ValidationException``
message DynamoDB (and dynalite, which validates like it) gives:

* an attribute value with no type (``{"Id": {}}``), or with two;
* a ``Key`` or ``ExclusiveStartKey`` whose attributes do not match the table's
  key schema (moto answers a number where the key is a string as "no item", and
  crashes on such a start key); an item whose key has the wrong type;
* an expression naming a ``#name`` or ``:value`` the request does not define;
* an item with an empty attribute name (``{"Id": "y", "": 1}``), and an empty
  name in ``ExpressionAttributeNames`` (``{"#e": ""}``): moto stored the
  first and answered every later read of the table wrongly;
* a number written into a condition, filter, key condition or projection
  (``attribute_not_exists(Id) OR 1=1``, ``Id = 1``, ``a.1``): DynamoDB's
  grammar has no literals, so it is a syntax error, where moto read
  ``... OR 1=1`` as true and carried out the write.

A map with an empty key (``{"meta": {"": "v"}}``) is not refused: DynamoDB
stores and returns it, and so does moto once :mod:`local_api.moto_fixes` is in.

What moto still gets wrong is listed in ``docs/local-development.md``; any
other crash inside moto is answered as a 400 that names moto
(:func:`crash_message`), never as a 500.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import Any

#: A table's primary key attributes and their types (``{"Id": "S"}``), or ``None`` if unknown.
KeyTypes = Callable[[str], Mapping[str, str] | None]

TYPES = frozenset({"S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"})
NAME = re.compile(r"#[A-Za-z0-9_]+")
VALUE = re.compile(r":[A-Za-z0-9_]+")
#: An expression's tokens: names, placeholders, two-character comparators, any other character.
TOKEN = re.compile(r"[#:]?[A-Za-z0-9_]+|<>|<=|>=|\S")
EXPRESSIONS = (
    "KeyConditionExpression",
    "UpdateExpression",
    "ConditionExpression",
    "FilterExpression",
    "ProjectionExpression",
)
NO_MATCH = "The provided key element does not match the schema"
EMPTY_NAME = "One or more parameter values were invalid: Empty attribute name in the item"


class Refused(Exception):
    """DynamoDB would refuse the request with a ``ValidationException`` saying this."""


def check(operation: str, body: Mapping[str, Any], key_types: KeyTypes) -> str | None:
    """DynamoDB's ``ValidationException`` message for this request; ``None``: moto answers."""
    try:
        for table, action in _actions(operation, body):
            _check_action(action, table, key_types)
    except Refused as refusal:
        return str(refusal)
    return None


#: How the answer to a crash inside moto begins, whatever the request.
CRASHED = "moto, the local engine, failed on this"


def crash_message(operation: str, error: BaseException) -> str:
    """What a caller is told when moto itself fails on a request."""
    return (
        f"{CRASHED} {operation} "
        f"({type(error).__name__}: {error}). DynamoDB answers such a request with a "
        "validation error or a result of its own; start the server with --engine dynalite "
        "to see it"
    )


def error_body(code: str, message: str) -> bytes:
    """DynamoDB's JSON body for an error answer with ``code`` (``ValidationException``)."""
    document = {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": message}
    return json.dumps(document).encode()


def _actions(operation: str, body: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Each table-level action a request makes, with its table: one, or one per batch entry."""
    if operation in ("GetItem", "PutItem", "UpdateItem", "DeleteItem", "Query", "Scan"):
        yield str(body.get("TableName", "")), {"operation": operation, **body}
    elif operation == "BatchGetItem":
        for table, request in _mapping(body.get("RequestItems")).items():
            for key in _list(_mapping(request).get("Keys")):
                yield table, {"operation": "GetItem", "Key": key}
            yield table, _expressions_of(_mapping(request))
    elif operation == "BatchWriteItem":
        for table, requests in _mapping(body.get("RequestItems")).items():
            for request in _list(requests):
                request = _mapping(request)
                if "PutRequest" in request:
                    yield table, {"operation": "PutItem", **_mapping(request["PutRequest"])}
                if "DeleteRequest" in request:
                    yield table, {"operation": "DeleteItem", **_mapping(request["DeleteRequest"])}
    elif operation in ("TransactGetItems", "TransactWriteItems"):
        kinds = {"Get": "GetItem", "Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem"}
        for item in _list(body.get("TransactItems")):
            for kind, action in _mapping(item).items():
                action = _mapping(action)
                yield (
                    str(action.get("TableName", "")),
                    {**action, "operation": kinds.get(kind, "ConditionCheck")},
                )


def _check_action(action: Mapping[str, Any], table: str, key_types: KeyTypes) -> None:
    if action.get("operation") == "PutItem" and "" in _mapping(action.get("Item")):
        raise Refused(EMPTY_NAME)
    for field in ("Item", "Key", "ExclusiveStartKey"):
        if isinstance(action.get(field), dict):
            for value in action[field].values():
                _check_value(value)
    for value in _mapping(action.get("ExpressionAttributeValues")).values():
        _check_value(value)
    _check_expressions(action)
    types = key_types(table) if table else None
    if types is None:
        return
    operation = action.get("operation")
    key, start = action.get("Key"), action.get("ExclusiveStartKey")
    if isinstance(key, dict) and not _matches(key, types, exact=True):
        raise Refused(NO_MATCH)
    if isinstance(start, dict) and not _matches(start, types, exact=False):
        raise Refused(f"The provided starting key is invalid: {NO_MATCH}")
    if operation == "PutItem" and isinstance(action.get("Item"), dict):
        for name, kind in types.items():
            value = action["Item"].get(name)
            if value is None:
                raise Refused(
                    f"One or more parameter values were invalid: Missing the key {name} in the item"
                )
            actual = _type_of(value)
            if actual != kind:
                raise Refused(
                    "One or more parameter values were invalid: Type mismatch for key "
                    f"{name} expected: {kind} actual: {actual}"
                )


def _check_value(value: Any) -> None:
    if not isinstance(value, dict):
        return  # not an attribute value at all: moto's own parsing answers it
    kinds = [kind for kind in value if kind in TYPES]
    if not kinds:
        raise Refused(
            "Supplied AttributeValue is empty, must contain exactly one of the supported datatypes"
        )
    if len(kinds) > 1:
        raise Refused(
            "Supplied AttributeValue has more than one datatypes set, "
            "must contain exactly one of the supported datatypes"
        )
    inner = value[kinds[0]]
    if kinds[0] == "M" and isinstance(inner, dict):
        for member in inner.values():
            _check_value(member)
    elif kinds[0] == "L" and isinstance(inner, list):
        for member in inner:
            _check_value(member)


def _check_expressions(action: Mapping[str, Any]) -> None:
    names = _mapping(action.get("ExpressionAttributeNames"))
    values = _mapping(action.get("ExpressionAttributeValues"))
    for key, name in names.items():
        if name == "":
            raise Refused(
                "ExpressionAttributeNames contains invalid value: "
                f"Empty attribute name for key {key}"
            )
    for field in EXPRESSIONS:
        expression = action.get(field)
        if not isinstance(expression, str):
            continue
        _check_syntax(field, expression)
        for name in NAME.findall(expression):
            if name not in names:
                raise Refused(
                    f"Invalid {field}: An expression attribute name used in the document path "
                    f"is not defined; attribute name: {name}"
                )
        for value in VALUE.findall(expression):
            if value not in values:
                raise Refused(
                    f"Invalid {field}: An expression attribute value used in expression "
                    f"is not defined; attribute value: {value}"
                )


def _check_syntax(field: str, expression: str) -> None:
    """Refuse a number outside a list index (``a[1]``): DynamoDB's expressions have no literals."""
    tokens = list(TOKEN.finditer(expression))
    for position, token in enumerate(tokens):
        if not token.group()[0].isdigit() or (position and tokens[position - 1].group() == "["):
            continue
        start = tokens[position - 1].start() if position else token.start()
        end = tokens[position + 1].end() if position + 1 < len(tokens) else token.end()
        raise Refused(
            f'Invalid {field}: Syntax error; token: "{token.group()}", '
            f'near: "{expression[start:end]}"'
        )


def _matches(key: Mapping[str, Any], types: Mapping[str, str], *, exact: bool) -> bool:
    if exact and set(key) != set(types):
        return False
    return all(name in key and _type_of(key[name]) == kind for name, kind in types.items())


def _type_of(value: Any) -> str | None:
    if isinstance(value, dict) and len(value) == 1:
        return next(iter(value))
    return None


def _expressions_of(request: Mapping[str, Any]) -> dict[str, Any]:
    return {
        field: request[field]
        for field in ("ProjectionExpression", "ExpressionAttributeNames")
        if field in request
    }


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
