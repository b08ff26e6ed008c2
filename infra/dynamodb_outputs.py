"""What a DynamoDB call answers, in plain values, as OpenAPI schemas made from botocore's model.

A stock operation answers its call's output with every attribute value plain
JSON (:mod:`function.attribute_values`) and no ``ResponseMetadata``; it
declares so with :class:`function.schemas.DynamoDBOutput`. Each structure the
output holds becomes a component named ``DynamoDB`` + its shape name
(``DynamoDBConsumedCapacity``), alphanumeric as API Gateway's model names must
be. A structure refuses members its shape lacks: botocore's parser keeps only
the members it models, so any other member in an answer is ours, and a bug.
The microservice blueprint's resource answers DynamoDB JSON instead
(:mod:`function.microservice`): its components are ``DynamoDBJson`` + the shape's
name, an attribute value a typed one (``{"S": "Bob"}``, binaries as base64).

The schemas follow the botocore in ``uv.lock``: a newer model with a new member
changes the committed documents, which ``make openapi`` writes again.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import botocore.session

from function.schemas import DynamoDBOutput

#: The component every attribute value refers to.
ATTRIBUTE_VALUE = "DynamoDBAttributeValue"
_ATTRIBUTE_VALUE_SHAPE = "AttributeValue"
#: What the components' names start with: plain values', and DynamoDB JSON's.
_PREFIXES = {False: "DynamoDB", True: "DynamoDBJson"}
_SCALARS = {
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "long": {"type": "integer"},
    "double": {"type": "number"},
    "float": {"type": "number"},
    "blob": {"type": "string", "format": "byte"},
}


def output_schema(
    output: DynamoDBOutput, components: dict[str, Any], *, typed: bool = False
) -> dict[str, Any]:
    """The schema of ``output``'s answer (an ``allOf``, so that a description may go beside
    it), adding the components it refers to to ``components``; ``typed``: in DynamoDB JSON.

    Raises ``LookupError`` for a call DynamoDB does not have, or a ``required`` member
    its output lacks: a bug in the operation's declaration.
    """
    model = _model()
    if output.call not in model.operation_names:
        raise LookupError(f"DynamoDB has no call {output.call!r}")
    shape = model.operation_model(output.call).output_shape
    missing = set(output.required) - set(shape.members)
    if missing:
        raise LookupError(f"{output.call}'s output has no member {', '.join(sorted(missing))}")
    parts: list[dict[str, Any]] = [{"$ref": _ref(_component_of(shape, components, typed))}]
    if output.required:
        parts.append({"required": list(output.required)})
    return {"allOf": parts}


def attribute_value_members(call: str) -> tuple[str, ...]:
    """The parameters of ``call`` that map names to attribute values (``Item``, ``Key``)."""
    shape = _model().operation_model(call).input_shape
    return tuple(
        name
        for name, member in shape.members.items()
        if member.type_name == "map" and member.value.name == _ATTRIBUTE_VALUE_SHAPE
    )


def _schema_of(shape: Any, components: dict[str, Any], typed: bool) -> dict[str, Any]:
    kind = shape.type_name
    if kind == "structure":
        return {"$ref": _ref(_component_of(shape, components, typed))}
    if kind == "list":
        return {"type": "array", "items": _schema_of(shape.member, components, typed)}
    if kind == "map":
        return {
            "type": "object",
            "additionalProperties": _schema_of(shape.value, components, typed),
        }
    scalar: dict[str, Any] = dict(_SCALARS[kind])  # a KeyError names a type not seen yet
    if enum := getattr(shape, "enum", None):  # a string shape's allowed values
        scalar["enum"] = list(enum)
    return scalar


def _component_of(shape: Any, components: dict[str, Any], typed: bool) -> str:
    """The component of a structure, made once (a cycle refers to the one being made)."""
    if shape.name == _ATTRIBUTE_VALUE_SHAPE and not typed:
        components.setdefault(
            ATTRIBUTE_VALUE,
            {
                "description": "An attribute value as plain JSON: a string, an exact number, "
                "true or false, null, a list, an object, binary as base64, and a set as a list."
            },
        )
        return ATTRIBUTE_VALUE
    name = _PREFIXES[typed] + shape.name
    if name not in components:
        components[name] = {}  # taken before the members, which may lead back here
        components[name] = {
            "type": "object",
            "properties": {
                member: _schema_of(member_shape, components, typed)
                for member, member_shape in shape.members.items()
            },
            "additionalProperties": False,
        }
    return name


def _ref(name: str) -> str:
    return f"#/components/schemas/{name}"


@lru_cache(maxsize=1)
def _model() -> Any:
    return botocore.session.get_session().get_service_model("dynamodb")
