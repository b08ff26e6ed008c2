"""Hypothesis strategies for whatever a caller can send the handler.

Requests are built as documents (plain values, :class:`Raw` text where Python
cannot hold what a caller can write), serialized by :func:`to_json`, encoded as
bytes in several ways, and wrapped in any of the three HTTP event shapes, or
sent as direct events the way the Lambda runtime would parse them.

The operations and the shape of their payloads are not restated here: the names
come from the registry and each payload is generated from the operation's own
schema (:func:`from_schema`), with DynamoDB-minded values (keys of the seeded
items, expressions that parse) put in for the parameters DynamoDB knows.
"""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from typing import Any

from hypothesis import strategies as st
from jsonschema import Draft4Validator

from function.registry import Registry
from tests.conftest import PHYSICAL_TABLE, TABLE, load_event

#: Every operation the handler serves, as the registry finds them (plugins included).
REGISTRY = Registry(("operations",))
OPERATIONS: tuple[str, ...] = tuple(sorted(REGISTRY.all()))
UNSERVED_TABLE = "Unserved"
UNSERVED_PHYSICAL_TABLE = "dynamodb-operations-test-Unserved"

#: Ids of the items every property test's table holds before each example.
SEEDED_IDS = ("1", "2", "3")


@dataclass(frozen=True)
class Raw:
    """JSON text written verbatim: literals Python cannot hold, deep nesting, broken syntax."""

    text: str


def to_json(value: Any, *, ascii_only: bool = True) -> str:
    """``value`` as JSON text; ``Raw`` parts verbatim, non-finite floats as NaN/Infinity."""
    if isinstance(value, Raw):
        return value.text
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float):
        return json.dumps(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=ascii_only)
    if isinstance(value, dict):
        members = (
            f"{json.dumps(key, ensure_ascii=ascii_only)}:{to_json(item, ascii_only=ascii_only)}"
            for key, item in value.items()
        )
        return "{" + ",".join(members) + "}"
    if isinstance(value, list):
        return "[" + ",".join(to_json(item, ascii_only=ascii_only) for item in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def one_in(n: int) -> st.SearchStrategy[bool]:
    """True about once in ``n`` draws (never on the boundaries hypothesis favours)."""
    return st.integers(0, n + 1).map(lambda roll: roll == n // 2)


def mostly(likely: st.SearchStrategy[Any], other: st.SearchStrategy[Any]) -> st.SearchStrategy:
    """``likely`` about three times in four, ``other`` otherwise."""
    return st.one_of(likely, likely, likely, other)


# --- Leaves -------------------------------------------------------------------------------

LONE_SURROGATES = st.sampled_from(["\ud800", "\udbff", "\udc00", "\udfff", "a\ud83d", "\ude00b"])

odd_strings = st.one_of(
    st.sampled_from(
        [
            "",
            " ",
            "\x00",
            "\ufeff",
            "\u202e",
            "\U0001f600",
            "é",
            "\\",
            '"',
            "</script>",
        ]
    ),
    LONE_SURROGATES,
    st.text(st.characters(codec=None, categories=["Cs", "Co", "Cc", "Zs", "Lo"]), max_size=8),
)

#: Long strings around DynamoDB's limits: 1 KB names, 2 KB keys, 4 KB expressions, 400 KB items.
long_strings = st.builds(
    lambda char, size: char * size,
    st.sampled_from(["x", "é", "\U0001f600", "\\", '"']),
    st.sampled_from([1023, 1024, 1025, 2048, 2049, 4096, 4097, 65_536, 200_000, 410_000]),
)

strings = st.one_of(st.text(max_size=20), st.text(max_size=20), odd_strings)


@st.composite
def number_literals(draw: st.DrawFn) -> Raw:
    """JSON number text of any size: long mantissas, exponents far outside any range."""
    sign = draw(st.sampled_from(["", "-"]))
    digits = draw(
        st.one_of(
            st.integers(0, 10**40).map(str),
            st.integers(1, 6000).map(lambda size: "9" * size),
            st.text("0123456789", min_size=1, max_size=60),
        )
    )
    fraction = draw(st.one_of(st.just(""), st.text("0123456789", min_size=1, max_size=60)))
    exponent = draw(
        st.one_of(
            st.just(""),
            st.builds(
                "{}{}{}".format,
                st.sampled_from(["e", "E"]),
                st.sampled_from(["", "+", "-"]),
                st.one_of(st.integers(0, 200), st.integers(0, 10**30)),
            ),
        )
    )
    return Raw(sign + digits + ("." + fraction if fraction else "") + exponent)


special_numbers = st.sampled_from(
    [
        Raw("NaN"),
        Raw("-NaN"),
        Raw("Infinity"),
        Raw("-Infinity"),
        Raw("-0"),
        Raw("1E125"),
        Raw("9.9999999999999999999999999999999999999E+125"),
        Raw("1E126"),
        Raw("1E-130"),
        Raw("1E-131"),
        Raw("1" * 38),
        Raw("1" * 39),
        Raw("1e999999999999999999"),
        Raw("1e9999999999999999999"),
        Raw("0e99999999999999999999"),
        Raw("1e-99999999999999999999"),
    ]
)

numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(),
    st.decimals(allow_nan=False, allow_infinity=False),
    st.floats(),
    number_literals(),
    special_numbers,
)

scalars = st.one_of(st.none(), st.booleans(), numbers, strings)

keys = st.one_of(strings, st.sampled_from(["Id", "name", "n", "TableName", "", "\ud800"]))


def json_documents(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Any JSON value: odd numbers and strings, small containers, a little nesting."""
    return st.recursive(
        scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


# --- Deep and broken structure, as text ----------------------------------------------------

DEPTHS = st.one_of(
    st.integers(1, 60),
    st.integers(60, 1200),
    st.integers(1200, 40_000),
)


@st.composite
def deep_nesting(draw: st.DrawFn) -> Raw:
    """Arrays or objects nested ``depth`` levels, closed or left open."""
    depth = draw(DEPTHS)
    opener, closer = draw(
        st.sampled_from([("[", "]"), ('{"a":', "}"), ('[{"a":', "}]"), ('{"M":{"a":', "}}")])
    )
    core = to_json(draw(scalars))
    closed = draw(st.booleans())
    return Raw(opener * depth + core + (closer * depth if closed else ""))


broken_fragments = st.sampled_from(
    [
        Raw(""),
        Raw("{"),
        Raw("}"),
        Raw("[1,]"),
        Raw("{'a': 1}"),
        Raw('{"a" 1}'),
        Raw("undefined"),
        Raw("True"),
        Raw("0x10"),
        Raw("01"),
        Raw(".5"),
        Raw("1."),
        Raw('"\\ud800"'),
        Raw('"\\udc00\\ud800"'),
        Raw('"\\u12"'),
        Raw('"\\x41"'),
        Raw('"a\nb"'),
        Raw("/* c */1"),
    ]
)


def hostile_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON values with deep nesting and broken syntax mixed in."""
    return st.recursive(
        st.one_of(scalars, deep_nesting(), broken_fragments),
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


# --- Values a JSON Schema accepts ----------------------------------------------------------


class UnsupportedSchemaError(ValueError):
    """A schema uses a keyword :func:`from_schema` cannot generate for: teach it the keyword."""


#: The draft-04 keywords :func:`from_schema` honours. Any other keyword in a schema is
#: refused loudly, so a payload strategy never silently drifts from its schema.
UNDERSTOOD_KEYWORDS = frozenset(
    {
        "$schema",
        "title",
        "description",
        "type",
        "enum",
        "anyOf",
        "properties",
        "required",
        "additionalProperties",
        "minProperties",
        "maxProperties",
        "items",
        "minItems",
        "maxItems",
        "minLength",
        "maxLength",
        "minimum",
        "maximum",
    }
)


#: Given a top-level property's name and its strategy, the strategy to use in its place.
PropertyStrategies = Callable[[str, st.SearchStrategy[Any]], st.SearchStrategy[Any]]


def _merged(schema: dict[str, Any], branch: dict[str, Any]) -> dict[str, Any]:
    """``schema`` and one ``anyOf`` branch as one schema (both must hold)."""
    merged = dict(schema)
    for keyword, value in branch.items():
        if keyword == "required":
            merged["required"] = [*merged.get("required", ()), *value]
        elif keyword == "properties":
            merged["properties"] = {**merged.get("properties", {}), **value}
        elif keyword in merged and merged[keyword] != value:
            raise UnsupportedSchemaError(f"cannot merge {keyword!r} of an anyOf branch")
        else:
            merged[keyword] = value
    return merged


def from_schema(
    schema: Any,
    *,
    values: st.SearchStrategy[Any],
    names: st.SearchStrategy[str],
    properties: PropertyStrategies | None = None,
) -> st.SearchStrategy[Any]:
    """Values that a draft-04 ``schema`` accepts.

    ``values`` fills what the schema leaves open (no ``type``, members of a plain
    object) and ``names`` names additional properties. ``properties`` may give a
    strategy for some top-level properties: ``properties(name, generated)`` gets the
    property's own strategy and returns the one to use in its place.
    """
    if not isinstance(schema, dict):
        raise UnsupportedSchemaError(f"not a schema: {schema!r}")
    unknown = set(schema) - UNDERSTOOD_KEYWORDS
    if unknown:
        raise UnsupportedSchemaError(f"keywords {sorted(unknown)} are not understood")
    if "anyOf" in schema:
        rest = {keyword: value for keyword, value in schema.items() if keyword != "anyOf"}
        return st.one_of(
            [
                from_schema(
                    _merged(rest, branch), values=values, names=names, properties=properties
                )
                for branch in schema["anyOf"]
            ]
        )
    if "enum" in schema:
        return st.sampled_from(schema["enum"]).filter(Draft4Validator(schema).is_valid)
    kinds = schema.get("type")
    if kinds is None:
        return values.filter(Draft4Validator(schema).is_valid) if len(schema) > 1 else values
    if isinstance(kinds, list):
        return st.one_of(
            [from_schema({**schema, "type": kind}, values=values, names=names) for kind in kinds]
        )
    if kinds == "null":
        return st.none()
    if kinds == "boolean":
        return st.booleans()
    if kinds == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kinds == "number":
        low, high = schema.get("minimum"), schema.get("maximum")
        return st.one_of(
            st.integers(low, high),
            st.decimals(low, high, allow_nan=False, allow_infinity=False, places=4),
        )
    if kinds == "string":
        return st.text(min_size=schema.get("minLength", 0), max_size=schema.get("maxLength"))
    if kinds == "array":
        least = schema.get("minItems", 0)
        items = schema.get("items")
        return st.lists(
            values if items is None else from_schema(items, values=values, names=names),
            min_size=least,
            max_size=min(schema.get("maxItems", least + 4), least + 4),
        )
    if kinds == "object":
        return _object_from_schema(schema, values=values, names=names, properties=properties)
    raise UnsupportedSchemaError(f"type {kinds!r} is not understood")


def _object_from_schema(
    schema: dict[str, Any],
    *,
    values: st.SearchStrategy[Any],
    names: st.SearchStrategy[str],
    properties: PropertyStrategies | None,
) -> st.SearchStrategy[dict[str, Any]]:
    declared = schema.get("properties", {})
    required = list(dict.fromkeys(schema.get("required", ())))
    least = schema.get("minProperties", 0)
    most = schema.get("maxProperties")
    if most == 1 and not required and schema.get("additionalProperties", True) is False:
        # Exactly one of the declared members (a write request, a transaction's action).
        return st.one_of(
            [
                st.fixed_dictionaries({name: from_schema(member, values=values, names=names)})
                for name, member in declared.items()
            ]
        )

    def member(name: str) -> st.SearchStrategy[Any]:
        generated = from_schema(declared.get(name, {}), values=values, names=names)
        return properties(name, generated) if properties else generated

    # Half the objects carry only their required properties: optional ones that do not fit
    # together (a projection naming an undeclared #name) would otherwise hide the success
    # path of nearly every request.
    optional = {name: member(name) for name in declared if name not in required}
    fixed = st.fixed_dictionaries({name: member(name) for name in required}, optional=optional)
    if optional:
        fixed = st.one_of(st.fixed_dictionaries({name: member(name) for name in required}), fixed)
    additional = schema.get("additionalProperties", True)
    if most is not None:
        fixed = fixed.filter(lambda found: len(found) <= most)
    if additional is False:
        return fixed.filter(lambda found: len(found) >= least) if least > len(required) else fixed
    extra_values = (
        values if additional is True else from_schema(additional, values=values, names=names)
    )
    extras = st.dictionaries(
        names.filter(lambda name: name not in declared),
        extra_values,
        min_size=max(0, least - len(required)),
        max_size=max(3, least - len(required)),
    )
    return st.builds(lambda extra, found: {**extra, **found}, extras, fixed)


# --- DynamoDB-ish payloads -----------------------------------------------------------------

clean_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.decimals(min_value=-(10**9), max_value=10**9, places=4),
    st.text(max_size=12),
)

EXPRESSIONS = [
    "SET #n = :v",
    "SET n = :one",
    "SET n = n + :one",
    "SET l = list_append(if_not_exists(l, :empty), :v)",
    "SET #n = :v REMOVE tags",
    "REMOVE n, tags",
    "ADD n :one",
    "ADD s :v",
    "DELETE s :v",
    "attribute_not_exists(Id)",
    "attribute_exists(Id)",
    "Id = :id",
    "Id = :id AND begins_with(#n, :v)",
    "#n = :v",
    "n BETWEEN :one AND :v",
    "Id IN (:id, :v)",
    "size(#n) > :one",
    "attribute_type(n, :v)",
    "contains(tags, :v)",
    "NOT (n < :one) OR n <> :v",
    "Id, #n",
    "n",
    "a.b[0].c",
    "#n.x[1]",
    "Id = :missing",
    "#missing = :v",
    "SET",
    "((((",
    "Id = :id AND Id = :id",
    ":v = Id",
]


class Vocabulary:
    """Strategies for every DynamoDB parameter the operations take.

    ``hostile`` vocabularies mix in what no DynamoDB call can hold (lone surrogates,
    numbers out of range, NaN, wrong types, oversized strings); clean ones keep to
    plausible values, so that requests get as far as DynamoDB.
    """

    def __init__(self, *, hostile: bool) -> None:
        def either(plausible: Any, wild: Any) -> st.SearchStrategy[Any]:
            return mostly(plausible, wild) if hostile else plausible

        leaves = scalars if hostile else clean_scalars
        self.names = keys if hostile else st.text(max_size=8)
        self.values = st.recursive(
            leaves,
            lambda children: st.one_of(
                st.lists(children, max_size=4),
                st.dictionaries(self.names, children, max_size=4),
            ),
            max_leaves=8,
        )
        anything = json_documents(max_leaves=4)
        ids = either(
            st.one_of(st.sampled_from([*SEEDED_IDS, "new", "4"]), st.text(min_size=1, max_size=10)),
            st.one_of(st.just(""), long_strings, numbers, st.none(), st.lists(st.just("1"))),
        )
        names = either(
            st.one_of(
                st.sampled_from(["name", "n", "tags", "l", "s", "m"]),
                st.text(min_size=1, max_size=8),
            ),
            st.one_of(st.sampled_from(["Id", "a.b", "#n", "", " ", "Id "]), long_strings),
        )
        self.keys = either(
            st.fixed_dictionaries({"Id": ids}),
            st.one_of(
                st.fixed_dictionaries({"Id": ids}, optional={"Other": self.values}),
                st.dictionaries(names, self.values, max_size=3),
                anything,
            ),
        )
        self.items = either(
            st.builds(
                lambda id_, rest: {**rest, "Id": id_},
                ids,
                st.dictionaries(names, self.values, max_size=4),
            ),
            st.one_of(
                st.builds(lambda id_, blob: {"Id": id_, "blob": blob}, ids, long_strings),
                st.dictionaries(names, self.values, max_size=3),
                anything,
            ),
        )
        expressions = either(
            st.sampled_from(EXPRESSIONS),
            st.one_of(st.text(max_size=30), long_strings, scalars),
        )
        expression_names = either(
            st.dictionaries(
                st.sampled_from(["#n", "#missing", "#x"]),
                st.sampled_from(["name", "Id", "n"]),
                max_size=3,
            ),
            st.one_of(
                st.dictionaries(st.sampled_from(["n", "#", ""]), strings, max_size=2),
                anything,
            ),
        )
        expression_values = either(
            st.dictionaries(
                st.sampled_from([":v", ":id", ":one", ":empty", ":missing"]),
                st.one_of(st.sampled_from(["1", 1, [], ["a"], "x"]), self.values),
                max_size=4,
            ),
            st.one_of(
                st.dictionaries(st.sampled_from(["v", ":", ""]), self.values, max_size=2),
                anything,
            ),
        )
        conditions = either(
            st.dictionaries(
                names,
                st.one_of(
                    st.fixed_dictionaries(
                        {
                            "ComparisonOperator": st.sampled_from(
                                ["EQ", "NE", "LT", "GE", "BETWEEN", "IN", "BEGINS_WITH", "NULL"]
                            ),
                        },
                        optional={"AttributeValueList": st.lists(self.values, max_size=3)},
                    ),
                    st.fixed_dictionaries(
                        {"Exists": st.booleans()}, optional={"Value": self.values}
                    ),
                ),
                max_size=2,
            ),
            anything,
        )
        updates = either(
            st.dictionaries(
                names,
                st.fixed_dictionaries(
                    {"Action": st.sampled_from(["PUT", "ADD", "DELETE"])},
                    optional={"Value": self.values},
                ),
                max_size=2,
            ),
            anything,
        )

        def choice(*values: str) -> st.SearchStrategy[Any]:
            return either(st.sampled_from(values), st.one_of(st.just("all_new"), scalars))

        def integers(low: int, high: int) -> st.SearchStrategy[Any]:
            return either(st.integers(low, high), numbers)

        def flags() -> st.SearchStrategy[Any]:
            return either(st.booleans(), scalars)

        self.parameters: dict[str, st.SearchStrategy[Any]] = {
            "Item": self.items,
            "Key": self.keys,
            "ExclusiveStartKey": self.keys,
            "UpdateExpression": expressions,
            "ConditionExpression": expressions,
            "KeyConditionExpression": expressions,
            "FilterExpression": expressions,
            "ProjectionExpression": expressions,
            "ExpressionAttributeNames": expression_names,
            "ExpressionAttributeValues": expression_values,
            "ReturnValues": choice("NONE", "ALL_OLD", "UPDATED_OLD", "ALL_NEW", "UPDATED_NEW"),
            "ReturnConsumedCapacity": choice("INDEXES", "TOTAL", "NONE"),
            "ReturnItemCollectionMetrics": choice("SIZE", "NONE"),
            "ReturnValuesOnConditionCheckFailure": choice("ALL_OLD", "NONE"),
            "Expected": conditions,
            "ScanFilter": conditions,
            "QueryFilter": conditions,
            "KeyConditions": conditions,
            "ConditionalOperator": choice("AND", "OR"),
            "AttributeUpdates": updates,
            "Limit": integers(-1, 5),
            "Segment": integers(-1, 3),
            "TotalSegments": integers(0, 3),
            "Select": choice("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "COUNT"),
            "ConsistentRead": flags(),
            "ScanIndexForward": flags(),
            "AttributesToGet": either(st.lists(names, min_size=1, max_size=3), anything),
            "IndexName": either(st.text(min_size=3, max_size=12), strings),
            "TableName": st.sampled_from([UNSERVED_PHYSICAL_TABLE, PHYSICAL_TABLE, TABLE]),
            "RequestItems": st.just(
                {UNSERVED_PHYSICAL_TABLE: [{"PutRequest": {"Item": {"Id": "x"}}}]}
            ),
            "TransactItems": st.just(
                [{"Put": {"TableName": UNSERVED_PHYSICAL_TABLE, "Item": {"Id": "x"}}}]
            ),
        }
        intruders = ("TableName", "RequestItems", "TransactItems")
        self.foreign_payloads = st.lists(
            st.sampled_from(sorted(self.parameters)), unique=True, min_size=1, max_size=4
        ).flatmap(
            lambda chosen: st.fixed_dictionaries({name: self.parameters[name] for name in chosen})
        )
        self.intruding_payloads = st.builds(
            lambda payload, extra: {**payload, **extra},
            self.foreign_payloads,
            st.sampled_from(intruders).flatmap(
                lambda name: st.fixed_dictionaries({name: self.parameters[name]})
            ),
        )
        self.hostile = hostile
        self.shaped = {name: self._shaped(name) for name in OPERATIONS}

    def _shaped(self, operation: str) -> st.SearchStrategy[Any]:
        """Payloads of ``operation``'s schema, DynamoDB's parameters taken from the vocabulary.

        A parameter the vocabulary knows gets the vocabulary's value three times in four.
        In a clean vocabulary such a value is kept only where the schema accepts it
        (otherwise the schema's own value stands), so every payload is one the schema
        accepts; a hostile one puts in any value, and wrong types for the rest.
        """
        schema = REGISTRY.get(operation).schema
        if not schema:
            return self.values

        def member(name: str, generated: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
            known = self.parameters.get(name)
            if self.hostile:
                return mostly(generated, scalars) if known is None else mostly(known, generated)
            if known is None:
                return generated
            fits = Draft4Validator(schema.get("properties", {}).get(name, {})).is_valid
            return mostly(_preferring(known, generated, fits), generated)

        return from_schema(
            schema,
            values=self.values,
            names=self.names,
            properties=member,
        )

    def payloads(self, operation: Any) -> st.SearchStrategy[Any]:
        known = operation if isinstance(operation, str) and operation in self.shaped else None
        shaped = self.shaped[known] if known else self.values
        if not self.hostile:
            return st.one_of(shaped, shaped, shaped, shaped, self.intruding_payloads)
        return st.one_of(
            shaped, shaped, self.foreign_payloads, self.intruding_payloads, self.values, st.none()
        )


@st.composite
def _preferring(
    draw: st.DrawFn,
    preferred: st.SearchStrategy[Any],
    fallback: st.SearchStrategy[Any],
    fits: Callable[[Any], bool],
) -> Any:
    """A ``preferred`` value where ``fits`` accepts it, else a ``fallback`` one."""
    value = draw(preferred)
    return value if fits(value) else draw(fallback)


CLEAN = Vocabulary(hostile=False)
HOSTILE = Vocabulary(hostile=True)

hostile_operation_names = st.one_of(
    st.sampled_from(OPERATIONS),
    st.sampled_from(
        ["Create", "READ", " ping", "ping ", "frobnicate", "a" * 64, "a" * 65, "", "_", "__init__"]
    ),
    st.text(max_size=12),
    scalars,
)
hostile_table_names = st.one_of(
    st.sampled_from([TABLE, PHYSICAL_TABLE]),
    st.sampled_from(
        [
            UNSERVED_TABLE,
            UNSERVED_PHYSICAL_TABLE,
            "lambdatable",
            "LambdaTable ",
            "",
            "*",
            "x" * 1025,
        ]
    ),
    strings,
    scalars,
)

clean_idempotency_keys = st.sampled_from(["k1", "k2", "0b6e2b1c-5d1e-4c53-9a0e-4e8a3b7d2f10"])
hostile_idempotency_keys = st.one_of(
    clean_idempotency_keys,
    st.sampled_from(["", " ", "x" * 255, "x" * 256, "tab\there", "\n", "\ud800", "é"]),
    st.text(max_size=10),
)

_ABSENT = object()


@st.composite
def envelopes(draw: st.DrawFn, vocabulary: Vocabulary) -> dict[str, Any]:
    """A request envelope: an operation, maybe a table, maybe a payload shaped for it."""
    if vocabulary.hostile:
        operation = draw(hostile_operation_names)
        table = draw(st.one_of(st.just(_ABSENT), hostile_table_names))
    else:
        operation = draw(st.sampled_from(OPERATIONS))
        table = draw(st.sampled_from([_ABSENT, TABLE, PHYSICAL_TABLE, UNSERVED_TABLE]))
    document: dict[str, Any] = {"operation": operation}
    if table is not _ABSENT:
        document["tableName"] = table
    payload = draw(st.one_of(st.just(_ABSENT), vocabulary.payloads(operation)))
    if payload is not _ABSENT:
        document["payload"] = payload
    if draw(one_in(5)):
        keys = hostile_idempotency_keys if vocabulary.hostile else clean_idempotency_keys
        document["idempotencyKey"] = draw(st.one_of(keys, scalars) if vocabulary.hostile else keys)
    if vocabulary.hostile and draw(one_in(10)):
        extra = draw(st.sampled_from(["tablename", "Payload", "extra", "requestContext"]))
        document[extra] = draw(scalars)
    return document


# --- Bodies and events ---------------------------------------------------------------------

ENCODINGS = ("utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252")


@st.composite
def encoded(draw: st.DrawFn, document: Any) -> bytes | str:
    """``document`` as a body: text, or bytes in an odd encoding or with bytes spliced in."""
    text = to_json(document, ascii_only=draw(st.booleans()))
    choice = draw(st.integers(0, 9))
    if choice <= 5:
        return text
    data = text.encode("utf-8", "surrogatepass")
    if choice <= 7:
        return data
    if choice == 8:
        return text.encode(draw(st.sampled_from(ENCODINGS)), "replace")
    at = draw(st.integers(0, len(data)))
    noise = draw(st.sampled_from([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x00", b"\xef\xbb\xbf"]))
    return data[:at] + noise + data[at:]


_clean_text = envelopes(CLEAN).map(lambda document: to_json(document, ascii_only=False))
envelope_bodies = st.one_of(
    _clean_text,
    _clean_text,
    _clean_text,
    envelopes(CLEAN).flatmap(encoded),
    envelopes(HOSTILE).flatmap(encoded),
    envelopes(HOSTILE).flatmap(encoded),
)

random_bodies = st.one_of(
    st.binary(max_size=64),
    st.text(max_size=64),
    st.text(st.characters(codec=None), max_size=16),
    json_documents().flatmap(encoded),
    hostile_values().flatmap(encoded),
)

METHODS = one_in(10).flatmap(
    lambda odd: (
        st.sampled_from(["post", "GET", "PUT", "DELETE", "OPTIONS", "", "PO ST"])
        if odd
        else st.just("POST")
    )
)

SHAPES = ("rest-api-proxy.json", "http-api-v2.json", "function-url.json")


@cache
def _template(name: str) -> dict[str, Any]:
    return load_event(name)


@dataclass(frozen=True)
class HttpRequest:
    """What reaches the function over HTTP; :attr:`event` is the Lambda event for it."""

    body: Any
    shape: str = "rest-api-proxy.json"
    method: str = "POST"
    base64: bool = False
    damaged_base64: str = ""
    missing_body: bool = False
    idempotency_key: str | None = None

    @property
    def event(self) -> dict[str, Any]:
        event = copy.deepcopy(_template(self.shape))
        if self.idempotency_key is not None:
            event["headers"]["Idempotency-Key"] = self.idempotency_key
        if "httpMethod" in event:
            event["httpMethod"] = event["requestContext"]["httpMethod"] = self.method
        else:
            event["requestContext"]["http"]["method"] = self.method
        body = self.body
        if self.base64:
            data = body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass")
            body = base64.b64encode(data).decode("ascii")
            if self.damaged_base64:
                body = body.rstrip("=") + self.damaged_base64
        event["body"], event["isBase64Encoded"] = body, self.base64
        if self.missing_body:
            del event["body"]
        return event


@st.composite
def http_requests(
    draw: st.DrawFn,
    bodies: st.SearchStrategy[Any],
    *,
    faithful: bool = False,
) -> HttpRequest:
    """A request through API Gateway (REST or HTTP API) or a Function URL.

    Text bodies travel as text or base64; bytes always as base64, as API Gateway sends
    binary. Unless ``faithful``, the method varies, some carry an ``Idempotency-Key``
    header, and sometimes the base64 is damaged, or the body missing or not text.
    """
    body = draw(bodies)
    shape = draw(st.sampled_from(SHAPES))
    if faithful:
        return HttpRequest(body, shape, base64=isinstance(body, bytes) or draw(st.booleans()))
    if draw(one_in(40)):
        body = draw(st.one_of(st.none(), json_documents(max_leaves=3), st.binary(max_size=8)))
    as_base64 = isinstance(body, bytes) or (isinstance(body, str) and draw(st.booleans()))
    damage = ""
    if as_base64 and draw(one_in(10)):
        damage = draw(st.sampled_from(["!", "=", "\n", "é", "-_", "====="]))
    return HttpRequest(
        body,
        shape,
        method=draw(METHODS),
        base64=as_base64,
        damaged_base64=damage,
        missing_body=draw(one_in(40)),
        idempotency_key=draw(hostile_idempotency_keys) if draw(one_in(6)) else None,
    )


# --- Direct events, as the Lambda runtime parses them ---------------------------------------

runtime_numbers = st.one_of(
    st.integers(-(2**70), 2**70),
    st.integers(min_value=-(10**200), max_value=10**200),
    st.floats(),
    st.sampled_from([-(10**126), 10**125, 1e-131, 1e125, 1.7976931348623157e308]),
    st.builds(pow, st.just(10), st.sampled_from([4300, 4400, 10_000])),
)
runtime_scalars = st.one_of(st.none(), st.booleans(), runtime_numbers, strings)


def runtime_documents(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """Values as ``json.loads`` makes them: floats (NaN and Infinity too), big ints, any str."""
    return st.recursive(
        runtime_scalars,
        lambda children: st.one_of(
            st.lists(children, max_size=4),
            st.dictionaries(keys, children, max_size=4),
        ),
        max_leaves=max_leaves,
    )


def as_runtime_value(value: Any) -> Any:
    """A generated document as the runtime would hand it over: floats for decimals, no Raw."""
    if isinstance(value, Raw):
        try:
            return json.loads(value.text)
        except (ValueError, RecursionError):
            return value.text
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, dict):
        return {key: as_runtime_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [as_runtime_value(item) for item in value]
    return value


direct_envelopes = st.one_of(
    envelopes(CLEAN), envelopes(CLEAN), envelopes(CLEAN), envelopes(HOSTILE)
).map(as_runtime_value)


def nested_python(depth: int, leaf: Any, kind: str) -> Any:
    """A list or dict nested ``depth`` levels, built without recursion."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {"a": value}
    return value


@st.composite
def deep_direct_events(draw: st.DrawFn) -> dict[str, Any]:
    """An envelope whose payload (or item) nests up to tens of thousands of levels."""
    depth = draw(DEPTHS)
    nested = nested_python(depth, draw(runtime_scalars), draw(st.sampled_from(["list", "dict"])))
    operation = draw(st.sampled_from(OPERATIONS))
    payload = {"Item": {"Id": "deep", "x": nested}} if operation == "create" else nested
    return {"operation": operation, "payload": payload}
