"""Which tables callers may name, the physical table each name means, and its keys.

Two JSON objects keyed by the logical names callers send as ``tableName`` (the
tutorial's ``LambdaTable``) describe the tables:

* ``TABLES``, an environment variable, maps each to its physical table name,
  known only once the tables are deployed;
* the key schemas, known when the code archive is built, travel in the archive
  as ``function/table_keys.json``, so Lambda's 4 KB of environment holds only
  the names, whatever the indexes. The ``TABLE_KEYS`` variable, when set, takes
  its place (the local server and the tests set it). Each schema is compact:
  ``[hash, range, {index: [hash, range]}]``, a missing range key ``null`` and
  trailing empty parts left out (``["Id"]``,
  ``["customerId", "orderId", {"byStatus": ["status", "createdAt"]}]``). A fourth
  part, when any key attribute is not a string, gives those attributes' types
  (``["Id", null, {}, {"Id": "N"}]``): the REST routes convert path segments by it.

A caller may also send a physical name from the map. With a single entry, a
request without ``tableName`` uses it. Nothing else is reachable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple

from function.errors import OperationNotOnTableError, TableNotAllowedError, TableRequiredError

__all__ = [
    "IndexKeys",
    "KeySchema",
    "ServedTable",
    "TableScope",
    "Tables",
    "TablesConfigError",
]

TABLES_ENV = "TABLES"
TABLE_KEYS_ENV = "TABLE_KEYS"
#: The key schemas' file in the ``function`` package of the deployed archive.
TABLE_KEYS_FILE = "table_keys.json"
#: The function's own table of idempotency records; callers can never name it.
IDEMPOTENCY_TABLE_ENV = "IDEMPOTENCY_TABLE"


class TablesConfigError(RuntimeError):
    """``TABLES`` or ``TABLE_KEYS`` is missing or malformed: the deployment's mistake."""


class IndexKeys(NamedTuple):
    """The key attributes of one secondary index."""

    hash_key: str
    range_key: str | None = None


class KeySchema(NamedTuple):
    """A table's key attributes and its indexes', as an operation reads them.

    Plain records (named tuples, not dataclasses): a cold start builds them for free.
    """

    hash_key: str
    range_key: str | None = None
    indexes: Mapping[str, IndexKeys] = MappingProxyType({})
    #: The type (``N`` or ``B``) of each key attribute that is not a string (``S``).
    types: Mapping[str, str] = MappingProxyType({})

    def type_of(self, attribute: str) -> str:
        """A key attribute's DynamoDB type: ``S``, ``N`` or ``B``."""
        return self.types.get(attribute, "S")

    @property
    def key_attributes(self) -> tuple[str, ...]:
        """The attributes that make an item's primary key, hash key first."""
        return (self.hash_key,) if self.range_key is None else (self.hash_key, self.range_key)

    @property
    def typed_attributes(self) -> frozenset[str]:
        """Every attribute with a declared type: the table's keys and its indexes'."""
        indexed = (name for index in self.indexes.values() for name in index if name)
        return frozenset((*self.key_attributes, *indexed))

    def key_of(self, item: Mapping[str, Any]) -> dict[str, Any]:
        """The primary key of ``item`` (an item or a key), as DynamoDB's ``Key`` wants it."""
        return {name: item[name] for name in self.key_attributes}

    def encode(self) -> list[Any]:
        """The compact form ``TABLE_KEYS`` carries."""
        indexes = {
            name: _pair(index.hash_key, index.range_key) for name, index in self.indexes.items()
        }
        types = {name: kind for name, kind in sorted(self.types.items()) if kind != "S"}
        encoded: list[Any] = [self.hash_key, self.range_key, dict(sorted(indexes.items()))]
        if types:
            return [*encoded, types]
        if not indexes:
            encoded.pop()
            if self.range_key is None:
                encoded.pop()
        return encoded

    @classmethod
    def decode(cls, table: str, encoded: Any) -> KeySchema:
        """Read the compact form; a malformed one is a :class:`TablesConfigError`."""
        problem = (
            f"{TABLE_KEYS_ENV} of table {table!r} must be "
            "[hash, range, {index: [hash, range]}, {attribute: N or B}]"
        )
        if not isinstance(encoded, list) or not 1 <= len(encoded) <= 4:
            raise TablesConfigError(problem)
        hash_key, range_key, indexes, types = (*encoded, None, None, None)[:4]
        if not _names(hash_key, range_key) or not isinstance(indexes, dict | None):
            raise TablesConfigError(problem)
        if not isinstance(types, dict | None) or not all(
            kind in ("S", "N", "B") for kind in (types or {}).values()
        ):
            raise TablesConfigError(problem)
        index_keys = {}
        for name, pair in (indexes or {}).items():
            if not isinstance(pair, list) or not 1 <= len(pair) <= 2 or not _names(*pair, None):
                raise TablesConfigError(problem)
            index_keys[name] = IndexKeys(*pair)
        return cls(hash_key, range_key, index_keys, dict(types or {}))


def _pair(hash_key: str, range_key: str | None) -> list[str]:
    return [hash_key] if range_key is None else [hash_key, range_key]


def _names(hash_key: Any, range_key: Any, *_: Any) -> bool:
    return isinstance(hash_key, str) and bool(hash_key) and isinstance(range_key, str | None)


class TableScope(NamedTuple):
    """The tables an operation runs on, as it declares them (``tables=``, ``indexes=``).

    With ``tables``, those logical tables; with ``indexes`` alone, every table
    that has them all; with neither, every table the API serves.
    """

    tables: tuple[str, ...] | None = None
    indexes: tuple[str, ...] = ()

    def serves(self, table: str, indexes: Collection[str]) -> bool:
        """Whether it runs on the logical table ``table``, which has these ``indexes``."""
        if self.tables is not None:
            return table in self.tables
        return all(index in indexes for index in self.indexes)

    def describe(self) -> str:
        """Where it runs, for an error message."""
        if self.tables is not None:
            return f"it runs on {', '.join(self.tables)}"
        if self.indexes:
            return f"it runs on tables with the index {' and '.join(self.indexes)}"
        return "it runs on the tables this API serves"


class ServedTable(NamedTuple):
    """One table a request resolved to: the caller's name for it, DynamoDB's, and its keys."""

    name: str
    physical: str
    keys: KeySchema | None


@dataclass(frozen=True)
class Tables:
    """The logical-to-physical table map of one deployment, with each table's keys."""

    by_name: Mapping[str, str]
    keys: Mapping[str, KeySchema] = field(default_factory=dict)
    _scopes: dict[TableScope, frozenset[str]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @cached_property
    def physical(self) -> frozenset[str]:
        return frozenset(self.by_name.values())

    @cached_property
    def _logical(self) -> Mapping[str, str]:
        return {physical: name for name, physical in self.by_name.items()}

    def resolve(self, requested: str | None) -> ServedTable:
        """The table a caller's ``tableName`` means (``None`` when not given)."""
        if requested is None:
            if len(self.by_name) == 1:
                return self._served(next(iter(self.by_name)))
            raise TableRequiredError(self.names())
        if requested in self.by_name:
            return self._served(requested)
        if requested in self._logical:
            return self._served(self._logical[requested])
        raise TableNotAllowedError(
            f"Table {requested!r} is not served by this API; it serves {self.names()}"
        )

    def resolve_for(self, operation: str, scope: TableScope, requested: str | None) -> ServedTable:
        """The table a request for ``operation``, which runs on ``scope``, means.

        Without ``requested``, the one table ``scope`` has (else the API's only
        table); a table outside ``scope`` is a 403 for the caller.
        """
        served = self.resolve(self.sole_name_in(scope) if requested is None else requested)
        if not scope.serves(served.name, served.keys.indexes if served.keys else ()):
            raise OperationNotOnTableError(
                f"Operation {operation!r} does not run on table {served.name!r}; {scope.describe()}"
            )
        return served

    def logical_name(self, physical: str) -> str:
        """The caller's name for a physical table (itself, if it is not one of ours)."""
        return self._logical.get(physical, physical)

    def names(self) -> str:
        return ", ".join(sorted(self.by_name))

    def physical_in(self, scope: TableScope) -> frozenset[str]:
        """The physical tables an operation with this ``scope`` may reach (worked out once)."""
        found = self._scopes.get(scope)
        if found is None:
            found = self._scopes[scope] = frozenset(
                physical
                for name, physical in self.by_name.items()
                if scope.serves(name, self._indexes_of(name))
            )
        return found

    def sole_name_in(self, scope: TableScope) -> str | None:
        """What a request without ``tableName`` means: the one table ``scope`` has, if one."""
        reachable = self.physical_in(scope)
        names = [name for name, physical in self.by_name.items() if physical in reachable]
        return names[0] if len(names) == 1 else None

    def _indexes_of(self, name: str) -> Collection[str]:
        keys = self.keys.get(name)
        return keys.indexes if keys is not None else ()

    def _served(self, name: str) -> ServedTable:
        return ServedTable(name, self.by_name[name], self.keys.get(name))


def configured() -> Tables:
    """The tables of this deployment and their keys (parsed once per value)."""
    environ = os.environ
    return _parse(environ.get(TABLES_ENV), environ.get(TABLE_KEYS_ENV) or _bundled_keys())


@lru_cache(maxsize=1)
def _bundled_keys() -> str | None:
    """The key schemas the archive carries, if this is a deployed archive."""
    path = Path(__file__).with_name(TABLE_KEYS_FILE)
    return path.read_text(encoding="utf-8") if path.is_file() else None


def encode_keys(keys: Mapping[str, KeySchema]) -> str:
    """The key schemas as the archive's file and ``TABLE_KEYS`` carry them."""
    return json.dumps(
        {name: schema.encode() for name, schema in sorted(keys.items())}, separators=(",", ":")
    )


def idempotency_table() -> str | None:
    """The physical name of the idempotency table, if the deployment has one."""
    return os.environ.get(IDEMPOTENCY_TABLE_ENV) or None


def reachable() -> frozenset[str]:
    """Every table this function's code may touch: the served ones and its own records."""
    return _reachable(os.environ.get(TABLES_ENV), idempotency_table())


@lru_cache(maxsize=8)
def _reachable(raw_tables: str | None, own: str | None) -> frozenset[str]:
    served = _parse(raw_tables, None).physical if raw_tables else frozenset()
    return served | {own} if own else served


@lru_cache(maxsize=8)
def _parse(raw: str | None, raw_keys: str | None) -> Tables:
    if not raw:
        raise TablesConfigError(f"{TABLES_ENV} is not set: no table can be served")
    mapping = _json_object(TABLES_ENV, raw)
    if not mapping or not all(
        isinstance(k, str) and isinstance(v, str) and k and v for k, v in mapping.items()
    ):
        raise TablesConfigError(
            f"{TABLES_ENV} must be a JSON object of logical to physical table names, "
            f'like {{"LambdaTable": "my-table"}}'
        )
    keys = {
        name: KeySchema.decode(name, encoded)
        for name, encoded in (_json_object(TABLE_KEYS_ENV, raw_keys) if raw_keys else {}).items()
    }
    return Tables(by_name=dict(mapping), keys=keys)


def _json_object(variable: str, raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise TablesConfigError(f"{variable} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise TablesConfigError(f"{variable} must be a JSON object keyed by logical table name")
    return value
