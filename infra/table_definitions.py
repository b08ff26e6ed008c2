"""A stack's tables, as its ``tables`` setting declares them, checked before anything is built.

``tables`` maps each logical name (what callers send as ``tableName``) to a
definition: keys and their types, secondary indexes, TTL, a stream, and the
table's own backups and deletion protection (falling back to the stack-wide
settings). The Pulumi program deploys these definitions and the local server
creates the same tables from them: there is no second definition.

Every mistake is refused with the path of the field at fault
(``tables.Orders.globalSecondaryIndexes.byStatus.hashKey``), and an unknown
field with the nearest known one, because a misspelt key would otherwise be
dropped silently and an index or sort key would simply not exist.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from function.tables import IndexKeys, KeySchema

KEY_TYPES = ("S", "N", "B")
STREAM_VIEW_TYPES = ("KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES")
PROJECTIONS = ("ALL", "KEYS_ONLY")
#: DynamoDB's own limits per table.
MOST_GLOBAL_INDEXES = 20
MOST_LOCAL_INDEXES = 5
MOST_PROJECTED_ATTRIBUTES = 100
#: What a table or index name may be (DynamoDB's rule; locally the logical name is the table's).
_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")

TABLE_FIELDS = (
    "hashKey",
    "hashKeyType",
    "rangeKey",
    "rangeKeyType",
    "globalSecondaryIndexes",
    "localSecondaryIndexes",
    "ttlAttribute",
    "stream",
    "pointInTimeRecovery",
    "deletionProtection",
)
GLOBAL_INDEX_FIELDS = ("hashKey", "hashKeyType", "rangeKey", "rangeKeyType", "projection")
LOCAL_INDEX_FIELDS = ("hashKey", "rangeKey", "rangeKeyType", "projection")
#: What other tools call these fields (DynamoDB's console, SAM, CDK), for "did you mean".
SYNONYMS = {
    "partitionKey": "hashKey",
    "partitionKeyType": "hashKeyType",
    "sortKey": "rangeKey",
    "sortKeyType": "rangeKeyType",
    "ttl": "ttlAttribute",
    "timeToLiveAttribute": "ttlAttribute",
    "gsi": "globalSecondaryIndexes",
    "lsi": "localSecondaryIndexes",
    "streamViewType": "stream",
}


#: The tutorial's table name, the default; its table keeps its resource name from version 1.
TUTORIAL_TABLE_NAME = "LambdaTable"


class TableDefinitionError(ValueError):
    """A table definition is wrong; the message names the table and the field."""


@dataclass(frozen=True)
class Index:
    """A secondary index. ``projection`` is ALL, KEYS_ONLY or the attributes it includes."""

    name: str
    hash_key: str
    range_key: str | None
    projection: str | tuple[str, ...]
    local: bool

    @property
    def projection_type(self) -> str:
        return self.projection if isinstance(self.projection, str) else "INCLUDE"

    @property
    def included_attributes(self) -> tuple[str, ...]:
        return () if isinstance(self.projection, str) else self.projection


@dataclass(frozen=True)
class TableDefinition:
    """One table of the stack, checked."""

    name: str
    hash_key: str
    range_key: str | None
    #: The type (S, N or B) of every key attribute of the table and its indexes.
    attribute_types: Mapping[str, str]
    indexes: tuple[Index, ...]
    ttl_attribute: str | None
    stream: str | None
    point_in_time_recovery: bool
    deletion_protection: bool

    @property
    def global_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indexes if not index.local)

    @property
    def local_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self.indexes if index.local)

    @property
    def index_names(self) -> tuple[str, ...]:
        return tuple(index.name for index in self.indexes)

    @property
    def key_schema(self) -> KeySchema:
        """The keys as the function reads them (``TABLE_KEYS``)."""
        return KeySchema(
            self.hash_key,
            self.range_key,
            {index.name: IndexKeys(index.hash_key, index.range_key) for index in self.indexes},
        )


def table_definitions(
    raw: Any, *, point_in_time_recovery: bool, deletion_protection: bool
) -> dict[str, TableDefinition]:
    """Check the ``tables`` setting (a mapping, or its JSON text) and return its tables.

    A table without ``pointInTimeRecovery`` or ``deletionProtection`` takes the
    stack-wide value given here.
    """
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise TableDefinitionError(
                f"config tables must be an object of table definitions, not {raw!r}"
            ) from None
    if not isinstance(raw, Mapping) or not raw:
        raise TableDefinitionError(
            "config tables must map at least one table name to its definition, "
            'like {"LambdaTable": {"hashKey": "Id"}}'
        )
    defaults = {
        "pointInTimeRecovery": point_in_time_recovery,
        "deletionProtection": deletion_protection,
    }
    return {name: _table(name, definition, defaults) for name, definition in raw.items()}


def table_resource_names(
    definitions: Mapping[str, TableDefinition], component: str
) -> dict[str, tuple[str, tuple[str, ...]]]:
    """Each table's Pulumi resource name and the names it may have had before (its aliases).

    A name depends on its table alone, so adding or removing another table
    renames nothing. ``LambdaTable`` keeps the name of version 1's one table
    (``<component>-table``), so its URN is unchanged; every other table is
    ``<component>-table-<name>``. In a stack without ``LambdaTable``, the other
    tables name version 1's table as an alias: a stack whose one table had
    another name keeps that table (the engine moves it to the new name). Two
    tables claiming that alias at once make ``pulumi up`` fail, never replace.
    """
    legacy = f"{component}-table"
    aliases = () if TUTORIAL_TABLE_NAME in definitions else (legacy,)
    return {
        name: (legacy, ()) if name == TUTORIAL_TABLE_NAME else (f"{legacy}-{name}", aliases)
        for name in definitions
    }


def primary_table(definitions: Mapping[str, TableDefinition]) -> str | None:
    """The table a request or a seed file without a table name means, if any.

    ``LambdaTable`` when the stack declares it, else the only table.
    """
    if TUTORIAL_TABLE_NAME in definitions:
        return TUTORIAL_TABLE_NAME
    return next(iter(definitions)) if len(definitions) == 1 else None


def example_table(definitions: Mapping[str, TableDefinition]) -> str:
    """The table examples and fixtures use: the primary table, else the first declared."""
    return primary_table(definitions) or next(iter(definitions))


def example_key(definition: TableDefinition, value: int = 1) -> dict[str, Any]:
    """A key of the table, each attribute ``value`` as its type wants it (a number or text)."""
    return {
        key: value if definition.attribute_types[key] == "N" else str(value)
        for key in definition.key_schema.key_attributes
    }


def define(name: str, **fields: Any) -> TableDefinition:
    """One table from its definition's fields, as a stack file writes them.

    ``define("Orders", hashKey="customerId", rangeKey="orderId")``; backups and
    deletion protection default to off.
    """
    return _table(name, fields, {"pointInTimeRecovery": False, "deletionProtection": False})


def _table(name: Any, raw: Any, defaults: Mapping[str, bool]) -> TableDefinition:
    where = f"tables.{name}"
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise TableDefinitionError(
            f"config {where}: a table name must be 3 to 255 letters, digits, '_', '-' or '.'"
        )
    fields = _fields(where, raw, TABLE_FIELDS)
    types = _AttributeTypes(where)
    hash_key = _required(where, fields, "hashKey")
    types.declare(hash_key, _key_type(where, fields, "hashKeyType"), "hashKey")
    range_key = _attribute(where, fields, "rangeKey")
    if range_key is not None:
        if range_key == hash_key:
            raise TableDefinitionError(f"config {where}.rangeKey: {range_key!r} is the hashKey too")
        types.declare(range_key, _key_type(where, fields, "rangeKeyType"), "rangeKey")
    elif "rangeKeyType" in fields:
        raise TableDefinitionError(f"config {where}.rangeKeyType: there is no rangeKey")

    indexes = [
        *_indexes(where, fields, "globalSecondaryIndexes", types, hash_key, range_key),
        *_indexes(where, fields, "localSecondaryIndexes", types, hash_key, range_key),
    ]
    seen: set[str] = set()
    for index in indexes:
        if index.name in seen:
            raise TableDefinitionError(
                f"config {where}: two indexes are named {index.name!r} (global and local)"
            )
        seen.add(index.name)
    projected = sum(len(index.included_attributes) for index in indexes)
    if projected > MOST_PROJECTED_ATTRIBUTES:
        raise TableDefinitionError(
            f"config {where}: its indexes project {projected} attributes by name; "
            f"DynamoDB allows {MOST_PROJECTED_ATTRIBUTES} per table"
        )

    ttl = _attribute(where, fields, "ttlAttribute")
    if ttl is not None and ttl in (hash_key, range_key):
        raise TableDefinitionError(
            f"config {where}.ttlAttribute: {ttl!r} is the table's {types.used_as[ttl]}; "
            "TTL needs an attribute of its own holding an expiry time in epoch seconds"
        )
    if ttl is not None and types.types.get(ttl, "N") != "N":
        raise TableDefinitionError(
            f"config {where}.ttlAttribute: {ttl!r} is a {types.types[ttl]} key of an index "
            f"({types.used_as[ttl]}); TTL reads a Number of epoch seconds"
        )
    stream = fields.get("stream")
    if stream is not None and stream not in STREAM_VIEW_TYPES:
        raise TableDefinitionError(
            f"config {where}.stream: {stream!r} is not a stream view type; "
            f"use one of {', '.join(STREAM_VIEW_TYPES)}"
        )
    return TableDefinition(
        name=name,
        hash_key=hash_key,
        range_key=range_key,
        attribute_types=types.types,
        indexes=tuple(indexes),
        ttl_attribute=ttl,
        stream=stream,
        point_in_time_recovery=_flag(where, fields, "pointInTimeRecovery", defaults),
        deletion_protection=_flag(where, fields, "deletionProtection", defaults),
    )


def _indexes(
    table: str,
    fields: Mapping[str, Any],
    kind: str,
    types: _AttributeTypes,
    table_hash_key: str,
    table_range_key: str | None,
) -> list[Index]:
    raw = fields.get(kind)
    if raw is None:
        return []
    local = kind == "localSecondaryIndexes"
    if not isinstance(raw, Mapping):
        raise TableDefinitionError(
            f"config {table}.{kind} must map index names to definitions, "
            f'like {{"byStatus": {{"hashKey": "status"}}}}'
        )
    most = MOST_LOCAL_INDEXES if local else MOST_GLOBAL_INDEXES
    if len(raw) > most:
        raise TableDefinitionError(
            f"config {table}.{kind}: {len(raw)} indexes; DynamoDB allows {most} per table"
        )
    if local and raw and table_range_key is None:
        raise TableDefinitionError(
            f"config {table}.{kind}: a local index needs a table with a rangeKey "
            "(it shares the table's hashKey and sorts by another attribute)"
        )
    indexes = []
    for name, definition in raw.items():
        where = f"{table}.{kind}.{name}"
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise TableDefinitionError(
                f"config {where}: an index name must be 3 to 255 letters, digits, '_', '-' or '.'"
            )
        index = _fields(where, definition, LOCAL_INDEX_FIELDS if local else GLOBAL_INDEX_FIELDS)
        if local:
            hash_key = _attribute(where, index, "hashKey") or table_hash_key
            if hash_key != table_hash_key:
                raise TableDefinitionError(
                    f"config {where}.hashKey: a local index's hashKey is the table's "
                    f"({table_hash_key!r}), not {hash_key!r}"
                )
            range_key: str | None = _required(where, index, "rangeKey")
        else:
            hash_key = _required(where, index, "hashKey")
            types.declare(hash_key, _key_type(where, index, "hashKeyType"), f"{name}.hashKey")
            range_key = _attribute(where, index, "rangeKey")
        if range_key is not None:
            if range_key == hash_key:
                raise TableDefinitionError(
                    f"config {where}.rangeKey: {range_key!r} is the index's hashKey too"
                )
            types.declare(range_key, _key_type(where, index, "rangeKeyType"), f"{name}.rangeKey")
        elif "rangeKeyType" in index:
            raise TableDefinitionError(f"config {where}.rangeKeyType: there is no rangeKey")
        if local and range_key == table_range_key:
            raise TableDefinitionError(
                f"config {where}.rangeKey: {range_key!r} is the table's own rangeKey; "
                "a local index sorts by another attribute"
            )
        indexes.append(
            Index(name, hash_key, range_key, _projection(where, index.get("projection")), local)
        )
    return indexes


def _projection(where: str, raw: Any) -> str | tuple[str, ...]:
    if raw is None:
        return "ALL"
    if raw in PROJECTIONS:
        return str(raw)
    if (
        isinstance(raw, list)
        and raw
        and all(isinstance(item, str) and item for item in raw)
        and len(set(raw)) == len(raw)
    ):
        return tuple(raw)
    raise TableDefinitionError(
        f"config {where}.projection: {raw!r} must be ALL, KEYS_ONLY or a list of attribute names"
    )


class _AttributeTypes:
    """Every key attribute's one type, across the table's keys and its indexes'.

    A type given anywhere is the attribute's type wherever it is left out, in
    whatever order the keys come; two different types given are a mistake.
    """

    def __init__(self, table: str) -> None:
        self.table = table
        self.given: dict[str, tuple[str, str]] = {}
        self.used_as: dict[str, str] = {}

    def declare(self, attribute: str, key_type: str | None, used_as: str) -> None:
        self.used_as.setdefault(attribute, used_as)
        if key_type is None:
            return
        known = self.given.get(attribute)
        if known is not None and known[0] != key_type:
            raise TableDefinitionError(
                f"config {self.table}: attribute {attribute!r} is {known[0]} as "
                f"{known[1]} but {key_type} as {used_as}"
            )
        self.given.setdefault(attribute, (key_type, used_as))

    @property
    def types(self) -> dict[str, str]:
        """Each key attribute's type, ``S`` where none is given."""
        return {attribute: self.given.get(attribute, ("S", ""))[0] for attribute in self.used_as}


def _fields(where: str, raw: Any, known: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(raw, Mapping):
        raise TableDefinitionError(f"config {where} must be an object, not {raw!r}")
    for name in raw:
        if name not in known:
            raise TableDefinitionError(
                f"config {where}: unknown field {name!r}; {nearest_field(str(name), known)}"
            )
    return raw


def _required(where: str, fields: Mapping[str, Any], name: str) -> str:
    value = _attribute(where, fields, name)
    if value is None:
        raise TableDefinitionError(f"config {where}.{name} is required")
    return value


def nearest_field(name: str, known: tuple[str, ...]) -> str:
    """What a misspelt or borrowed field name most likely means, as a hint."""
    synonym = SYNONYMS.get(name) or {k.lower(): v for k, v in SYNONYMS.items()}.get(name.lower())
    if synonym in known:
        return f"did you mean {synonym!r}?"
    nearest = difflib.get_close_matches(name, known, n=1, cutoff=0.5)
    return f"did you mean {nearest[0]!r}?" if nearest else f"known: {', '.join(known)}"


def _attribute(where: str, fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        raise TableDefinitionError(
            f"config {where}.{name}: {value!r} must be an attribute name (1 to 255 characters)"
        )
    return value


def _key_type(where: str, fields: Mapping[str, Any], name: str) -> str | None:
    value = fields.get(name)
    if value is not None and value not in KEY_TYPES:
        raise TableDefinitionError(
            f"config {where}.{name}: {value!r} must be S (string), N (number) or B (binary)"
        )
    return value


def _flag(where: str, fields: Mapping[str, Any], name: str, defaults: Mapping[str, bool]) -> bool:
    value = fields.get(name, defaults[name])
    if isinstance(value, str) and value.lower() in ("true", "false"):
        value = value.lower() == "true"
    if not isinstance(value, bool):
        raise TableDefinitionError(f"config {where}.{name}: {value!r} must be true or false")
    return value
