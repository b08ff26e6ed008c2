"""What a table route sends its stock operation, and what it answers.

:func:`request` turns a matched :class:`~function.routes.Route` (its path's key,
the query string, the body) into the payload of the operation it runs, as a
caller of ``/DynamoDBManager`` would have written it; the operation's schema
then checks that payload like any other. :meth:`RoutedRequest.answer` turns the
operation's result into the resource's answer (the item, a page, 201 with
``Location``, 204), and :meth:`RoutedRequest.refine` says a failed condition in
the resource's terms (the item exists: 409; it does not: 404).

Keys in the path are converted to the key's type: ``N`` segments are exact
numbers, ``B`` segments base64url. A page's ``next`` is an opaque cursor,
base64url of the last key's JSON, never the raw ``LastEvaluatedKey``.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from function import json_codec
from function.errors import (
    ConditionalCheckFailedError,
    InvalidCursorError,
    InvalidJsonError,
    InvalidKeyError,
    InvalidPayloadError,
    InvalidQueryError,
    ItemExistsError,
    ItemNotFoundError,
    RequestError,
)
from function.routes import Match, Route, path_variables
from function.tables import KeySchema

__all__ = ["RoutedRequest", "decode_cursor", "encode_cursor", "request"]

#: The most items one page may ask for.
MAX_LIMIT = 1000
#: DynamoDB's largest partition key value and sort key value, in bytes (strings as UTF-8).
MAX_KEY_BYTES = (2048, 1024)
_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")
_NUMBER = re.compile(r"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")


@dataclass(frozen=True)
class RoutedRequest:
    """A request on a table route, as its operation takes it and as its answer needs it."""

    route: Route
    keys: KeySchema
    payload: dict[str, Any]
    #: The item the answer shows for ``POST`` and ``PUT``, as the caller wrote it.
    item: Mapping[str, Any] | None = None
    #: Where a created item lives, for ``Location``.
    location: str | None = None

    @property
    def operation(self) -> str:
        return self.route.operation

    @property
    def table(self) -> str | None:
        return self.route.table

    def answer(self, value: Any) -> tuple[int, Any, dict[str, str]]:
        """The status, body and headers of the resource's answer to the operation's result."""
        kind = self.route.kind
        if kind == "insert":
            return 201, self.item, {"Location": self.location or ""}
        if kind == "replace":
            return 200, self.item, {}
        if kind == "remove":
            return 204, None, {}
        if kind == "get":
            return 200, value["Item"], {}
        if kind == "patch":
            return 200, value.get("Attributes", {}), {}
        last = value.get("LastEvaluatedKey")
        page = {
            "items": value.get("Items", []),
            "next": None if last is None else encode_cursor(last),
        }
        return 200, page, {}

    def refine(self, error: RequestError) -> RequestError:
        """A failed condition in the resource's terms; any other error as it is."""
        if not isinstance(error, ConditionalCheckFailedError):
            return error
        if self.route.kind == "insert":
            refined: RequestError = ItemExistsError(
                "An item with this key exists; PUT its path to replace it"
            )
        else:
            refined = ItemNotFoundError("No item has this key")
        refined.__cause__ = error
        return refined


def request(
    match: Match,
    keys: KeySchema,
    query: Mapping[str, str],
    body: Callable[[], Any],
    called_path: str,
) -> RoutedRequest:
    """The operation's payload for a request on a table route.

    ``body`` decodes the request's JSON body (called only by routes that take
    one); ``called_path`` is the path the caller sent, which ``Location`` extends.
    """
    route = match.route
    _check_query(route, keys, query)
    attributes = route.path_keys(keys)
    names = path_variables(route.path)
    key = {
        attribute: _typed(keys, attribute, match.parameters.get(name, ""), "the path's")
        for attribute, name in zip(attributes, names, strict=True)
    }
    for position, (attribute, value) in enumerate(key.items()):
        _check_size(attribute, value, MAX_KEY_BYTES[position])
    kind = route.kind
    if kind in ("scan", "partition", "index"):
        return RoutedRequest(route, keys, _page(route, keys, key, query))
    if kind in ("get", "remove"):
        payload: dict[str, Any] = {"Key": key}
        if kind == "remove":
            payload.update(_exists(keys))
        return RoutedRequest(route, keys, payload)
    document = _object_body(body())
    if kind == "insert":
        missing = [name for name in keys.key_attributes if name not in document]
        if missing:
            raise InvalidKeyError(f"The item must have its key: {', '.join(missing)}")
        item = {name: _body_value(keys, name, value) for name, value in document.items()}
        for position, attribute in enumerate(keys.key_attributes):
            _check_size(attribute, item[attribute], MAX_KEY_BYTES[position])
        # One leading slash: "//LambdaTable/..." would name a host to a client.
        location = "/".join(
            [
                "/" + called_path.strip("/"),
                *(_segment(keys, name, item[name]) for name in keys.key_attributes),
            ]
        )
        new_item = {
            "Item": item,
            "ConditionExpression": "attribute_not_exists(#k)",
            "ExpressionAttributeNames": {"#k": keys.hash_key},
        }
        return RoutedRequest(route, keys, new_item, document, location)
    rest = _without_key(keys, key, document)
    typed = {name: _body_value(keys, name, value) for name, value in rest.items()}
    if kind == "replace":
        shown = {**{name: _shown(value) for name, value in key.items()}, **rest}
        return RoutedRequest(route, keys, {"Item": {**key, **typed}}, shown)
    return RoutedRequest(route, keys, _patch(keys, key, typed))


def _check_query(route: Route, keys: KeySchema, query: Mapping[str, str]) -> None:
    allowed = route.query(keys)
    for name in query:
        if name not in allowed:
            takes = f"takes {', '.join(allowed)}" if allowed else "takes no query parameters"
            raise InvalidQueryError(f"Unknown query parameter {name!r}; {route.path} {takes}")


def _page(
    route: Route, keys: KeySchema, key: Mapping[str, Any], query: Mapping[str, str]
) -> dict[str, Any]:
    """A Scan or Query page's parameters: the partition, sort-key conditions, limit, cursor."""
    payload: dict[str, Any] = {}
    if route.kind != "scan":
        hash_key, range_key = route.index_keys(keys)
        names = {"#h": hash_key}
        values: dict[str, Any] = {":h": key[hash_key]}
        condition = "#h = :h"
        bounds = {name: query[name] for name in ("from", "to", "prefix") if name in query}
        if bounds and range_key is not None:
            names["#r"] = range_key
            condition += " AND " + _range_condition(keys, range_key, bounds, values)
        payload = {
            "KeyConditionExpression": condition,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }
        if route.index_name is not None:
            payload["IndexName"] = route.index_name
        order = query.get("order", "asc")
        if order not in ("asc", "desc"):
            raise InvalidQueryError(f"order must be asc or desc, not {order!r}")
        if order == "desc":
            payload["ScanIndexForward"] = False
    if "limit" in query:
        payload["Limit"] = _limit(query["limit"])
    if "cursor" in query:
        start = decode_cursor(keys, query["cursor"], route.cursor_keys(keys))
        if route.kind != "scan":
            hash_key = route.index_keys(keys)[0]
            if start[hash_key] != key[hash_key]:
                raise InvalidCursorError("cursor is another partition's; start again without it")
        payload["ExclusiveStartKey"] = start
    return payload


def _range_condition(
    keys: KeySchema, range_key: str, bounds: Mapping[str, str], values: dict[str, Any]
) -> str:
    if "prefix" in bounds:
        if len(bounds) > 1:
            raise InvalidQueryError("prefix cannot be combined with from or to")
        if keys.type_of(range_key) == "N":
            raise InvalidQueryError(f"prefix needs a string sort key; {range_key} is a number")
    for name, text in bounds.items():
        values[f":{name}"] = _typed(keys, range_key, text, f"?{name}=")
    if "prefix" in bounds:
        return "begins_with(#r, :prefix)"
    if "from" in bounds and "to" in bounds:
        low, high = values[":from"], values[":to"]
        if _ordered(low) > _ordered(high):
            raise InvalidQueryError(f"from ({bounds['from']!r}) is after to ({bounds['to']!r})")
        return "#r BETWEEN :from AND :to"
    return "#r >= :from" if "from" in bounds else "#r <= :to"


def _ordered(value: Any) -> Any:
    """A sort key value as DynamoDB orders it: numbers by value, strings by their UTF-8 bytes."""
    return value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value


def _check_size(attribute: str, value: Any, most: int) -> None:
    """A key value DynamoDB takes: not empty, and no longer than its key may be."""
    if isinstance(value, str | bytes):
        size = len(value.encode("utf-8", "surrogatepass") if isinstance(value, str) else value)
        if size == 0:
            raise InvalidKeyError(f"{attribute} is a key: it cannot be empty")
        if size > most:
            raise InvalidKeyError(f"{attribute} is {size} bytes; DynamoDB's limit is {most}")


def _limit(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 4 and 1 <= int(text) <= MAX_LIMIT):
        raise InvalidQueryError(f"limit must be a whole number from 1 to {MAX_LIMIT}, not {text!r}")
    return int(text)


def _exists(keys: KeySchema) -> dict[str, Any]:
    """The condition that the item exists: a change to an absent item is a 404, not an upsert."""
    return {
        "ConditionExpression": "attribute_exists(#k)",
        "ExpressionAttributeNames": {"#k": keys.hash_key},
    }


def _patch(keys: KeySchema, key: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    """UpdateItem's parameters: SET each attribute the body gives, REMOVE each it gives as null."""
    if not changes:
        raise InvalidPayloadError("The body names no attribute to change")
    names = {"#k": keys.hash_key}
    values: dict[str, Any] = {}
    sets, removes = [], []
    for number, (name, value) in enumerate(changes.items()):
        names[f"#a{number}"] = name
        if value is None:
            removes.append(f"#a{number}")
        else:
            values[f":v{number}"] = value
            sets.append(f"#a{number} = :v{number}")
    expression = " ".join(
        part
        for part in (
            f"SET {', '.join(sets)}" if sets else "",
            f"REMOVE {', '.join(removes)}" if removes else "",
        )
        if part
    )
    payload: dict[str, Any] = {
        "Key": key,
        "UpdateExpression": expression,
        "ConditionExpression": "attribute_exists(#k)",
        "ExpressionAttributeNames": names,
        "ReturnValues": "ALL_NEW",
    }
    if values:
        payload["ExpressionAttributeValues"] = values
    return payload


def _object_body(document: Any) -> dict[str, Any]:
    if not isinstance(document, dict):
        raise InvalidPayloadError("The body must be a JSON object of the item's attributes")
    return document


def _without_key(
    keys: KeySchema, key: Mapping[str, Any], document: Mapping[str, Any]
) -> dict[str, Any]:
    """The body without the key attributes, which must be the path's where it names them."""
    rest = {}
    for name, value in document.items():
        if name not in key:
            rest[name] = value
        elif _body_value(keys, name, value) != key[name]:
            raise InvalidKeyError(
                f"The body's {name} differs from the path's; the path names the item"
            )
    return rest


def _typed(keys: KeySchema, attribute: str, text: str, where: str) -> Any:
    """A key value sent as text (a path segment, a query value), as its type wants it."""
    kind = keys.type_of(attribute)
    if kind == "N":
        if not _NUMBER.fullmatch(text):
            raise InvalidKeyError(f"{where} {attribute} must be a number, not {text!r}")
        try:
            return json_codec.decode(text)
        except InvalidJsonError:
            raise InvalidKeyError(
                f"{where} {attribute} is a number DynamoDB cannot store: {text[:60]!r}"
            ) from None
    if kind == "B":
        unpadded = text.rstrip("=")
        refused = InvalidKeyError(f"{where} {attribute} must be base64url, not {text!r}")
        if not _BASE64URL.fullmatch(text):
            raise refused
        try:
            value = base64.urlsafe_b64decode(unpadded + "=" * (-len(unpadded) % 4))
        except (binascii.Error, ValueError):
            raise refused from None
        if base64.urlsafe_b64encode(value).decode("ascii").rstrip("=") != unpadded:
            raise refused  # another spelling of other bytes: one item, one URL
        return value
    return text


def _body_value(keys: KeySchema, attribute: str, value: Any) -> Any:
    """An attribute as the body gives it, checked against its type if it is a key (the
    table's or an index's): a binary key is base64 text there, as reads show it; ``null``
    stays (a PATCH's removal)."""
    if value is None or attribute not in keys.typed_attributes:
        return value
    kind = keys.type_of(attribute)
    if kind == "S" and not isinstance(value, str):
        raise InvalidKeyError(f"{attribute} is a string key; the body gives {_json_type(value)}")
    if kind == "N" and (isinstance(value, bool) or not isinstance(value, int | Decimal)):
        raise InvalidKeyError(f"{attribute} is a number key; the body gives {_json_type(value)}")
    if kind != "B":
        return value
    if not isinstance(value, str):
        raise InvalidKeyError(f"{attribute} is a binary key: send it as base64 text")
    try:
        return _canonical_base64(value)
    except ValueError:
        raise InvalidKeyError(f"{attribute} is a binary key: {value!r} is not base64") from None


def _json_type(value: Any) -> str:
    """What a JSON value is, for a message: a string, a number, an object, ..."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | Decimal):
        return "a number"
    if isinstance(value, str):
        return "a string"
    return "an object" if isinstance(value, dict) else "an array"


def _shown(value: Any) -> Any:
    """A key value as answers show it: binary as base64 text."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _segment(keys: KeySchema, attribute: str, value: Any) -> str:
    """A key value as a path segment: binary as base64url, the rest percent-encoded."""
    if isinstance(value, bytes):
        return base64.urlsafe_b64encode(value).decode("ascii").rstrip("=")
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise InvalidKeyError(f"{attribute} must be a {_TYPE_NAMES[keys.type_of(attribute)]}")
    return quote(str(value) if not isinstance(value, str) else value, safe="")


_TYPE_NAMES = {"S": "string", "N": "number", "B": "base64 string"}


def encode_cursor(last_key: Mapping[str, Any]) -> str:
    """The opaque ``next`` of a page: base64url of the last key's exact JSON."""
    text = json_codec.encode(dict(last_key), sort_keys=True)
    return base64.urlsafe_b64encode(text.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(keys: KeySchema, cursor: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The ``ExclusiveStartKey`` a cursor stands for: exactly the key attributes ``names``,
    each of its type. One this API did not give is a 400."""
    refused = InvalidCursorError("cursor is not one this API gave; start again without it")
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("utf-8")
        value = json_codec.decode(text)
    except (binascii.Error, ValueError, RequestError):
        raise refused from None
    if not isinstance(value, dict) or sorted(value) != sorted(names):
        raise refused
    for name, part in value.items():
        kind = keys.type_of(name)
        if kind == "N" and (isinstance(part, bool) or not isinstance(part, int | Decimal)):
            raise refused
        if kind in ("S", "B") and not (isinstance(part, str) and part):
            raise refused
        if kind == "B":
            try:
                value[name] = _canonical_base64(part)
            except ValueError:
                raise refused from None
    return value


def _canonical_base64(text: str) -> bytes:
    """The bytes of standard base64 text, refusing any other spelling of them."""
    decoded = base64.b64decode(text, validate=True)
    if base64.b64encode(decoded).decode("ascii") != text:
        raise ValueError("not canonical base64")
    return decoded
