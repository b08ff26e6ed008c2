"""Plain JSON values in and out of DynamoDB, like boto3's Table resource, for any call.

DynamoDB speaks typed AttributeValues (``{"S": "Bob"}``); callers of this API and
operation authors speak plain values (``"Bob"``). :func:`install` teaches a
botocore DynamoDB client to convert both ways, guided by botocore's own service
model: every parameter whose shape is ``AttributeValue`` is serialized on the way
in and deserialized on the way out, so any DynamoDB call (including ones a plugin
adds) takes and returns plain values. boto3's resource layer does the same, but
costs a resource model and class factory at every cold start.

Out of DynamoDB: numbers become ``int`` when integral and ``Decimal`` otherwise
(exact either way), sets become lists, binary becomes base64 text.

Within :func:`typed`, the same client takes and returns DynamoDB JSON instead
(``{"S": "Bob"}``, binaries as base64 text, as DynamoDB's own wire format has
them): for callers written against the typed API, whose sets and binaries plain
values cannot say.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from function.errors import InvalidPayloadError

_AV = "AttributeValue"
_TYPED: ContextVar[bool] = ContextVar("typed_attribute_values", default=False)


@contextmanager
def typed() -> Iterator[None]:
    """Within it, the clients :func:`install` taught take and return DynamoDB JSON."""
    token = _TYPED.set(True)
    try:
        yield
    finally:
        _TYPED.reset(token)


def serialize(value: Any) -> dict[str, Any]:
    """A plain Python/JSON value as a DynamoDB AttributeValue."""
    if isinstance(value, str):
        return {"S": value}
    if isinstance(value, bool):
        return {"BOOL": value}
    if value is None:
        return {"NULL": True}
    if isinstance(value, int | Decimal):
        return {"N": _number_text(value)}
    if isinstance(value, dict):
        return {"M": {key: serialize(item) for key, item in value.items()}}
    if isinstance(value, list | tuple):
        return {"L": [serialize(item) for item in value]}
    if isinstance(value, bytes | bytearray):
        return {"B": bytes(value)}
    if isinstance(value, set | frozenset):
        return _serialize_set(value)
    if isinstance(value, float):
        raise TypeError("float values lose precision in DynamoDB: pass Decimal or int instead")
    raise TypeError(f"{type(value).__name__} cannot be stored in DynamoDB")


def deserialize(attribute: dict[str, Any]) -> Any:
    """A DynamoDB AttributeValue as a plain value that renders as exact JSON."""
    ((tag, value),) = attribute.items()
    if tag == "S":
        return value
    if tag == "N":
        return _number(value)
    if tag == "M":
        return {key: deserialize(item) for key, item in value.items()}
    if tag == "L":
        return [deserialize(item) for item in value]
    if tag == "BOOL":
        return value
    if tag == "NULL":
        return None
    if tag == "B":
        return base64.b64encode(value).decode("ascii")
    if tag == "SS":
        return list(value)
    if tag == "NS":
        return [_number(item) for item in value]
    if tag == "BS":
        return [base64.b64encode(item).decode("ascii") for item in value]
    raise ValueError(f"unknown AttributeValue type {tag!r}")


def install(client: Any) -> None:
    """Make a botocore DynamoDB ``client`` take and return plain values."""
    client.meta.events.register("before-parameter-build.dynamodb", _serialize_parameters)
    client.meta.events.register("after-call.dynamodb", _deserialize_response)


def _serialize_parameters(params: dict[str, Any], model: Any, **_: Any) -> None:
    members = model.input_shape.members if model.input_shape is not None else {}
    convert = _from_json if _TYPED.get() else serialize
    for name in list(params):
        shape = members.get(name)
        if shape is not None and _holds_attribute_values(shape):
            params[name] = _convert(params[name], shape, convert)


def _deserialize_response(http_response: Any, parsed: dict[str, Any], model: Any, **_: Any) -> None:
    if http_response.status_code >= 300 or model.output_shape is None:
        return
    parsed.pop("ResponseMetadata", None)
    members = model.output_shape.members
    convert = _to_json if _TYPED.get() else deserialize
    for name in list(parsed):
        shape = members.get(name)
        if shape is not None and _holds_attribute_values(shape):
            parsed[name] = _convert(parsed[name], shape, convert)


def _from_json(attribute: Any) -> Any:
    """A DynamoDB JSON value as botocore takes it: its binaries decoded from base64.

    Anything that is not an AttributeValue is left for botocore's validation to name.
    """
    if not isinstance(attribute, dict) or len(attribute) != 1:
        return attribute
    ((tag, value),) = attribute.items()
    if tag == "B":
        return {"B": _binary(value)}
    if tag == "BS" and isinstance(value, list):
        return {"BS": [_binary(item) for item in value]}
    if tag == "M" and isinstance(value, dict):
        return {"M": {key: _from_json(item) for key, item in value.items()}}
    if tag == "L" and isinstance(value, list):
        return {"L": [_from_json(item) for item in value]}
    return attribute


def _binary(value: Any) -> Any:
    if not isinstance(value, str):
        raise InvalidPayloadError(f"A binary attribute value must be base64 text, not {value!r}")
    try:
        return base64.b64decode(value, validate=True)
    except binascii.Error:
        raise InvalidPayloadError(
            f"A binary attribute value must be base64 text: {value[:40]!r} is not"
        ) from None


def _to_json(attribute: dict[str, Any]) -> dict[str, Any]:
    """botocore's AttributeValue as DynamoDB JSON: its binaries as base64 text."""
    ((tag, value),) = attribute.items()
    if tag == "B":
        return {"B": base64.b64encode(value).decode("ascii")}
    if tag == "BS":
        return {"BS": [base64.b64encode(item).decode("ascii") for item in value]}
    if tag == "M":
        return {"M": {key: _to_json(item) for key, item in value.items()}}
    if tag == "L":
        return {"L": [_to_json(item) for item in value]}
    return attribute


def _convert(value: Any, shape: Any, convert: Callable[[Any], Any]) -> Any:
    """Apply ``convert`` to every AttributeValue in ``value``; new containers, input untouched."""
    if shape.name == _AV:
        return convert(value)
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = shape.members
        return {
            key: _convert(item, members[key], convert)
            if key in members and _holds_attribute_values(members[key])
            else item
            for key, item in value.items()
        }
    if kind == "list" and isinstance(value, list):
        return [_convert(item, shape.member, convert) for item in value]
    if kind == "map" and isinstance(value, dict):
        return {key: _convert(item, shape.value, convert) for key, item in value.items()}
    return value


_HOLDS: dict[str, bool] = {}


def _holds_attribute_values(shape: Any) -> bool:
    """Whether a shape can contain an AttributeValue (memoized by shape name)."""
    known = _HOLDS.get(shape.name)
    if known is None:
        _HOLDS[shape.name] = False  # breaks cycles while this shape is being explored
        known = _HOLDS[shape.name] = _explore(shape)
    return known


def _explore(shape: Any) -> bool:
    if shape.name == _AV:
        return True
    kind = shape.type_name
    if kind == "structure":
        return any(_holds_attribute_values(member) for member in shape.members.values())
    if kind == "list":
        return _holds_attribute_values(shape.member)
    if kind == "map":
        return _holds_attribute_values(shape.value)
    return False


def _number(text: str) -> int | Decimal:
    if "." in text or "e" in text or "E" in text:
        return Decimal(text)
    return int(text)


def _number_text(value: int | Decimal) -> str:
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError(f"{value} cannot be stored in DynamoDB")
    return str(value)


def _serialize_set(values: set[Any] | frozenset[Any]) -> dict[str, Any]:
    if all(isinstance(item, str) for item in values):
        return {"SS": sorted(values)}
    if all(isinstance(item, int | Decimal) and not isinstance(item, bool) for item in values):
        return {"NS": [_number_text(item) for item in values]}
    if all(isinstance(item, bytes | bytearray) for item in values):
        return {"BS": [bytes(item) for item in values]}
    raise TypeError("a DynamoDB set holds only strings, only numbers or only binary values")
