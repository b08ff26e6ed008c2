"""A stack's tables, as its ``tables`` setting declares them, checked before anything is built.

``tables`` maps each logical name (what callers send as ``tableName``) to a
definition (:class:`TableDefinition`): keys and their types, secondary indexes,
TTL, a stream, and the table's own backups and deletion protection (falling back
to the stack-wide settings). The Pulumi program deploys these definitions and
the local server creates the same tables from them: there is no second definition.

Every mistake is refused with the path of the field at fault
(``tables.Orders.globalSecondaryIndexes.byStatus.hashKey``), and an unknown
field with the nearest known one, because a misspelt key would otherwise be
dropped silently and an index or sort key would simply not exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal, NoReturn, get_args

from pydantic import (
    BeforeValidator,
    Field,
    PrivateAttr,
    TypeAdapter,
    ValidationError,
    model_validator,
)

from function.tables import IndexKeys, KeySchema
from infra.setting_values import (
    ConfigBool,
    ConfigModel,
    SettingsError,
    nearest,
    refuse,
    settings_error,
)

KeyType = Literal["S", "N", "B"]
StreamViewType = Literal["KEYS_ONLY", "NEW_IMAGE", "OLD_IMAGE", "NEW_AND_OLD_IMAGES"]
KEY_TYPES: tuple[str, ...] = get_args(KeyType)
STREAM_VIEW_TYPES: tuple[str, ...] = get_args(StreamViewType)
PROJECTIONS = ("ALL", "KEYS_ONLY")
#: DynamoDB's own limits per table.
MOST_GLOBAL_INDEXES = 20
MOST_LOCAL_INDEXES = 5
MOST_PROJECTED_ATTRIBUTES = 100
#: What a table or index name may be (DynamoDB's rule; locally the logical name is the table's).
_NAME = re.compile(r"[A-Za-z0-9_.-]{3,255}")
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


class TableDefinitionError(SettingsError):
    """A table definition is wrong; the message names the table and the field."""


def _named(what: str) -> Any:
    def check(name: Any) -> str:
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            refuse(f": {what} name must be 3 to 255 letters, digits, '_', '-' or '.'")
        return name

    return BeforeValidator(check)


def _attribute(value: Any) -> str:
    if not isinstance(value, str) or not 1 <= len(value) <= 255:
        refuse(f": {value!r} must be an attribute name (1 to 255 characters)")
    return value


def _key_type(value: Any) -> Any:
    if value is not None and value not in KEY_TYPES:
        refuse(f": {value!r} must be S (string), N (number) or B (binary)")
    return value


def _stream(value: Any) -> Any:
    if value is not None and value not in STREAM_VIEW_TYPES:
        refuse(f": {value!r} is not a stream view type; use one of {', '.join(STREAM_VIEW_TYPES)}")
    return value


def _projection(value: Any) -> Any:
    if value in PROJECTIONS:
        return value
    if not (
        isinstance(value, list)
        and value
        and all(isinstance(item, str) and item for item in value)
        and len(set(value)) == len(value)
    ):
        refuse(f": {value!r} must be ALL, KEYS_ONLY or a list of attribute names")
    return tuple(value)


def _index_map(value: Any) -> Any:
    if not isinstance(value, Mapping):
        refuse('must map index names to definitions, like {"byStatus": {"hashKey": "status"}}')
    return value


TableName = Annotated[str, _named("a table")]
IndexName = Annotated[str, _named("an index")]
AttributeName = Annotated[str, BeforeValidator(_attribute)]
KeyTypeSetting = Annotated[KeyType | None, BeforeValidator(_key_type)]
Projection = Annotated[Literal["ALL", "KEYS_ONLY"] | tuple[str, ...], BeforeValidator(_projection)]


class _DefinitionModel(ConfigModel):
    """A table's or an index's definition: an unknown field is named with its nearest."""

    @classmethod
    def refuse_unknown(cls, key: str, value: Any) -> NoReturn:
        refuse(f": unknown field {key!r}; {nearest(key, cls.config_keys(), SYNONYMS)}")


class GlobalIndex(_DefinitionModel):
    """A global secondary index, as ``globalSecondaryIndexes`` declares it."""

    hash_key: AttributeName = Field(description="The index's partition key attribute.")
    hash_key_type: KeyTypeSetting = Field(
        None, description="S, N or B; the attribute's type as a key elsewhere, else S."
    )
    range_key: AttributeName | None = Field(None, description="The index's sort key attribute.")
    range_key_type: KeyTypeSetting = Field(None, description="As hashKeyType, for rangeKey.")
    projection: Projection = Field(
        "ALL", description="ALL, KEYS_ONLY or the list of attributes it includes."
    )

    @model_validator(mode="after")
    def _keys_differ(self) -> GlobalIndex:
        if self.range_key is None and self.range_key_type is not None:
            refuse(": there is no rangeKey", at=("rangeKeyType",))
        if self.range_key == self.hash_key:
            refuse(f": {self.range_key!r} is the index's hashKey too", at=("rangeKey",))
        return self


class LocalIndex(_DefinitionModel):
    """A local secondary index: the table's hashKey, sorted by another attribute."""

    hash_key: AttributeName | None = Field(
        None, description="The table's hashKey (the only one a local index may have)."
    )
    range_key: AttributeName = Field(description="The attribute the index sorts by.")
    range_key_type: KeyTypeSetting = Field(
        None, description="S, N or B; the attribute's type as a key elsewhere, else S."
    )
    projection: Projection = Field(
        "ALL", description="ALL, KEYS_ONLY or the list of attributes it includes."
    )


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


class TableDefinition(_DefinitionModel):
    """One table of the stack, as its entry in ``tables`` declares it, checked.

    Its name is the entry's key. ``pointInTimeRecovery`` and ``deletionProtection``
    left out are the stack's (filled in by the settings that hold the table).
    """

    hash_key: AttributeName = Field(description="The partition key attribute.")
    hash_key_type: KeyTypeSetting = Field(
        None, description="S, N or B (S unless an index gives the attribute a type)."
    )
    range_key: AttributeName | None = Field(None, description="The sort key attribute.")
    range_key_type: KeyTypeSetting = Field(None, description="As hashKeyType, for rangeKey.")
    global_secondary_indexes: Annotated[
        Mapping[IndexName, GlobalIndex], BeforeValidator(_index_map)
    ] = Field({}, description=f"Index name to definition; at most {MOST_GLOBAL_INDEXES}.")
    local_secondary_indexes: Annotated[
        Mapping[IndexName, LocalIndex], BeforeValidator(_index_map)
    ] = Field({}, description=f"Index name to definition; at most {MOST_LOCAL_INDEXES}.")
    ttl_attribute: AttributeName | None = Field(
        None, description="An attribute holding an expiry time in epoch seconds."
    )
    stream: Annotated[StreamViewType | None, BeforeValidator(_stream)] = Field(
        None, description="A stream view type."
    )
    point_in_time_recovery: ConfigBool | None = Field(
        None, description="This table's own backups; the stack's when left out."
    )
    deletion_protection: ConfigBool | None = Field(
        None, description="This table's own deletion protection; the stack's when left out."
    )

    _name: str = PrivateAttr("")
    _attribute_types: dict[str, str] = PrivateAttr(default_factory=dict)
    _indexes: tuple[Index, ...] = PrivateAttr(())

    @property
    def name(self) -> str:
        return self._name

    @property
    def attribute_types(self) -> Mapping[str, str]:
        """The type (S, N or B) of every key attribute of the table and its indexes."""
        return self._attribute_types

    @property
    def indexes(self) -> tuple[Index, ...]:
        return self._indexes

    @property
    def global_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self._indexes if not index.local)

    @property
    def local_indexes(self) -> tuple[Index, ...]:
        return tuple(index for index in self._indexes if index.local)

    @property
    def index_names(self) -> tuple[str, ...]:
        return tuple(index.name for index in self._indexes)

    @property
    def key_schema(self) -> KeySchema:
        """The keys as the function reads them (``TABLE_KEYS``)."""
        return KeySchema(
            self.hash_key,
            self.range_key,
            {index.name: IndexKeys(index.hash_key, index.range_key) for index in self._indexes},
            {name: kind for name, kind in self.attribute_types.items() if kind != "S"},
        )

    def as_deployed(
        self, name: str, point_in_time_recovery: bool, deletion_protection: bool
    ) -> TableDefinition:
        """This definition named ``name``, its backups and protection the stack's if unset."""
        table = self.model_copy(
            update={
                "point_in_time_recovery": _own_or(
                    self.point_in_time_recovery, point_in_time_recovery
                ),
                "deletion_protection": _own_or(self.deletion_protection, deletion_protection),
            }
        )
        table._name = name
        return table

    @model_validator(mode="after")
    def _consistent(self) -> TableDefinition:
        types = _AttributeTypes()
        types.declare(self.hash_key, self.hash_key_type, "hashKey")
        if self.range_key is not None:
            if self.range_key == self.hash_key:
                refuse(f": {self.range_key!r} is the hashKey too", at=("rangeKey",))
            types.declare(self.range_key, self.range_key_type, "rangeKey")
        elif self.range_key_type is not None:
            refuse(": there is no rangeKey", at=("rangeKeyType",))
        indexes = (*self._global_indexes(types), *self._local_indexes(types))
        seen: set[str] = set()
        for index in indexes:
            if index.name in seen:
                refuse(f": two indexes are named {index.name!r} (global and local)")
            seen.add(index.name)
        projected = sum(len(index.included_attributes) for index in indexes)
        if projected > MOST_PROJECTED_ATTRIBUTES:
            refuse(
                f": its indexes project {projected} attributes by name; "
                f"DynamoDB allows {MOST_PROJECTED_ATTRIBUTES} per table"
            )
        ttl = self.ttl_attribute
        if ttl is not None and ttl in (self.hash_key, self.range_key):
            refuse(
                f": {ttl!r} is the table's {types.used_as[ttl]}; "
                "TTL needs an attribute of its own holding an expiry time in epoch seconds",
                at=("ttlAttribute",),
            )
        if ttl is not None and types.types.get(ttl, "N") != "N":
            refuse(
                f": {ttl!r} is a {types.types[ttl]} key of an index "
                f"({types.used_as[ttl]}); TTL reads a Number of epoch seconds",
                at=("ttlAttribute",),
            )
        self._attribute_types = types.types
        self._indexes = indexes
        return self

    def _global_indexes(self, types: _AttributeTypes) -> tuple[Index, ...]:
        kind = "globalSecondaryIndexes"
        _at_most(len(self.global_secondary_indexes), MOST_GLOBAL_INDEXES, kind)
        for name, index in self.global_secondary_indexes.items():
            types.declare(index.hash_key, index.hash_key_type, f"{name}.hashKey")
            if index.range_key is not None:
                types.declare(index.range_key, index.range_key_type, f"{name}.rangeKey")
        return tuple(
            Index(name, index.hash_key, index.range_key, index.projection, local=False)
            for name, index in self.global_secondary_indexes.items()
        )

    def _local_indexes(self, types: _AttributeTypes) -> tuple[Index, ...]:
        kind = "localSecondaryIndexes"
        _at_most(len(self.local_secondary_indexes), MOST_LOCAL_INDEXES, kind)
        if self.local_secondary_indexes and self.range_key is None:
            refuse(
                ": a local index needs a table with a rangeKey "
                "(it shares the table's hashKey and sorts by another attribute)",
                at=(kind,),
            )
        for name, index in self.local_secondary_indexes.items():
            if index.hash_key not in (None, self.hash_key):
                refuse(
                    f": a local index's hashKey is the table's ({self.hash_key!r}), "
                    f"not {index.hash_key!r}",
                    at=(kind, name, "hashKey"),
                )
            if index.range_key == self.hash_key:
                refuse(
                    f": {index.range_key!r} is the index's hashKey too", at=(kind, name, "rangeKey")
                )
            if index.range_key == self.range_key:
                refuse(
                    f": {index.range_key!r} is the table's own rangeKey; "
                    "a local index sorts by another attribute",
                    at=(kind, name, "rangeKey"),
                )
            types.declare(index.range_key, index.range_key_type, f"{name}.rangeKey")
        return tuple(
            Index(name, self.hash_key, index.range_key, index.projection, local=True)
            for name, index in self.local_secondary_indexes.items()
        )


def _at_most(count: int, most: int, kind: str) -> None:
    if count > most:
        refuse(f": {count} indexes; DynamoDB allows {most} per table", at=(kind,))


def _own_or(own: bool | None, stack: bool) -> bool:
    return stack if own is None else own


class _AttributeTypes:
    """Every key attribute's one type, across the table's keys and its indexes'.

    A type given anywhere is the attribute's type wherever it is left out, in
    whatever order the keys come; two different types given are a mistake.
    """

    def __init__(self) -> None:
        self.given: dict[str, tuple[str, str]] = {}
        self.used_as: dict[str, str] = {}

    def declare(self, attribute: str, key_type: str | None, used_as: str) -> None:
        self.used_as.setdefault(attribute, used_as)
        if key_type is None:
            return
        known = self.given.get(attribute)
        if known is not None and known[0] != key_type:
            refuse(
                f": attribute {attribute!r} is {known[0]} as {known[1]} but {key_type} as {used_as}"
            )
        self.given.setdefault(attribute, (key_type, used_as))

    @property
    def types(self) -> dict[str, str]:
        """Each key attribute's type, ``S`` where none is given."""
        return {attribute: self.given.get(attribute, ("S", ""))[0] for attribute in self.used_as}


def _non_empty(tables: Any) -> Any:
    if not isinstance(tables, Mapping) or not tables:
        refuse(
            "must map at least one table name to its definition, "
            'like {"LambdaTable": {"hashKey": "Id"}}'
        )
    return tables


#: The ``tables`` setting: each table's logical name to its definition.
Tables = Annotated[Mapping[TableName, TableDefinition], BeforeValidator(_non_empty)]
_TABLES: TypeAdapter[Mapping[str, TableDefinition]] = TypeAdapter(Tables)

#: The table fields a stack file may write, for hints where one is misplaced.
TABLE_FIELDS = TableDefinition.config_keys()


def with_stack_protection(
    tables: Mapping[str, TableDefinition],
    *,
    point_in_time_recovery: bool,
    deletion_protection: bool,
) -> dict[str, TableDefinition]:
    """``tables``, each named for its key, the stack-wide backups and protection given
    here where a table has none of its own."""
    return {
        name: table.as_deployed(name, point_in_time_recovery, deletion_protection)
        for name, table in tables.items()
    }


def table_definitions(
    raw: Any, *, point_in_time_recovery: bool, deletion_protection: bool
) -> dict[str, TableDefinition]:
    """Check the ``tables`` setting (a mapping) and return its tables.

    A table without ``pointInTimeRecovery`` or ``deletionProtection`` takes the
    stack-wide value given here.
    """
    try:
        tables = _TABLES.validate_python(raw)
    except ValidationError as error:
        raise settings_error(error, Tables, under=("tables",), kind=TableDefinitionError) from None
    return with_stack_protection(
        tables,
        point_in_time_recovery=point_in_time_recovery,
        deletion_protection=deletion_protection,
    )


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
    return table_definitions(
        {name: fields}, point_in_time_recovery=False, deletion_protection=False
    )[name]
