"""moto's ``TransactWriteItems`` at the cost of the items it names, not of whole tables.

moto 5's ``DynamoDBBackend.transact_write_items`` deep-copies every table a
transaction names, once per action, to roll back if one fails: a 100-put
transaction on a 10,000-item table took 27 to 34 s, and the moto engine holds
its write lock meanwhile (:mod:`local_api.moto_server`), so every other
client's write waited as long.

:func:`install` keeps moto's own transaction logic (conditions, the reasons
list, the one-action-per-item check) and changes only what it backs up:

* before moto runs, the wrapper keeps a deep copy of each item a Put, Update or
  Delete names (or notes that it is absent), and where each touched table's
  stream records end;
* while it runs, moto's whole-table ``copy.deepcopy`` returns the table itself,
  so moto's own rollback re-assigns the same table objects and costs nothing;
* if moto raises anything, the wrapper puts those items back as they were
  (removing the ones that were absent) and drops the stream records added,
  then re-raises moto's error unchanged.

Nothing else of a table changes in a transaction: secondary indexes are
computed from the items on each query and scan, and both sort what they read,
so an item put back keeps its place in every answer. Keeping items rather than
reimplementing the transaction means moto's answers stay moto's. One difference
from stock moto, on DynamoDB's side: moto left the actions before a malformed
one (two operations in one entry) applied; here any error undoes them.

The replaced method is checked against the source this was written for, so a
moto whose transaction no longer copies tables this way fails :func:`install`
with a message saying so, instead of silently keeping or breaking the fix.
"""

from __future__ import annotations

import copy
import functools
import inspect
import re
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from types import ModuleType
from typing import Any

import moto
import moto.dynamodb.models as moto_models
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import StreamShard, Table

#: What moto's code must contain for the wrapper to be right about it: function, fragment, why.
EXPECTED_SOURCE = (
    (
        DynamoDBBackend.transact_write_items,
        "original_table_state[table_name]=copy.deepcopy(self.tables[table_name])",
        "its transaction backs up each table it names with copy.deepcopy",
    ),
    (
        DynamoDBBackend.transact_write_items,
        "self.tables[table_name]=original_table_state[table_name]",
        "it rolls back by re-assigning those backups",
    ),
    (
        DynamoDBBackend.transact_write_items,
        "current=self.get_item(table_name,key)",
        "it reads each action's item with get_item",
    ),
    (
        Table.put_item,
        "self.items[hash_value][range_value]=item",
        "a table keeps its items by hash key, then range key",
    ),
    (Table.delete_item, "item=self.items.pop(hash_key)", "a table deletes from there"),
    (StreamShard.add, "self.items.append(", "a stream keeps its records in a list"),
)
#: The operations of a transaction that write an item.
WRITING_ACTIONS = ("Put", "Update", "Delete")

_inside_transaction = threading.local()


class IncompatibleMotoError(RuntimeError):
    """moto's transaction is not the one this module knows how to make cheap."""


class TableCopies(ModuleType):
    """moto's ``copy`` module, except that a table is not copied inside a wrapped transaction.

    Installed as ``moto.dynamodb.models.copy`` once, for good: the thread-local
    flag, not the module, says whether a deep copy of a table is skipped, so a
    copy made anywhere else is the real one.
    """

    def __init__(self) -> None:
        super().__init__("copy", "copy, with tables left uncopied inside a transaction")

    def __getattr__(self, name: str) -> Any:
        return getattr(copy, name)

    @staticmethod
    def deepcopy(value: Any, memo: dict[int, Any] | None = None) -> Any:
        if isinstance(value, Table) and getattr(_inside_transaction, "active", False):
            return value
        return copy.deepcopy(value, memo)


@dataclass
class TouchedItem:
    """One item a transaction may write: where it lives and what it was before."""

    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    before: Item | None
    bucket_existed: bool

    def restore(self) -> None:
        """Put the item back as it was, or remove it if it was absent (its empty bucket too)."""
        items: Any = self.table.items
        if self.range_key is None:
            if self.before is None:
                items.pop(self.hash_key, None)
            else:
                items[self.hash_key] = self.before
            return
        if self.before is None:
            bucket = items.get(self.hash_key)
            if bucket is not None:
                bucket.pop(self.range_key, None)
                if not bucket and not self.bucket_existed:
                    del items[self.hash_key]
        else:
            items[self.hash_key][self.range_key] = self.before


@dataclass
class StreamEnd:
    """Where a table's stream records ended before the transaction."""

    table: Table
    records: list[Any] | None
    length: int

    def restore(self) -> None:
        shard = self.table.stream_shard
        if shard is None or self.records is None:
            return
        del self.records[self.length :]
        shard.items = self.records


def install() -> None:
    """Make moto's ``TransactWriteItems`` back up only the items it names; safe to call again."""
    current = DynamoDBBackend.transact_write_items
    if getattr(current, "backs_up_items", False):
        return
    check_moto()
    if not isinstance(getattr(moto_models, "copy", None), TableCopies):
        setattr(moto_models, "copy", TableCopies())  # noqa: B010 - moto does not export it
    DynamoDBBackend.transact_write_items = item_backups(current)  # type: ignore[method-assign]


def check_moto() -> None:
    """Fail loudly unless moto's transaction and tables are the ones this module was written for."""
    sources: dict[Callable[..., Any], str] = {}
    missing = []
    for function, fragment, why in EXPECTED_SOURCE:
        if function not in sources:
            sources[function] = _compact_source(function)
        if fragment not in sources[function]:
            missing.append(why)
    module_copy = getattr(moto_models, "copy", None)
    if module_copy is not copy and not isinstance(module_copy, TableCopies):
        missing.append("moto.dynamodb.models calls the copy module as copy")
    if missing:
        version = getattr(moto, "__version__", "?")
        raise IncompatibleMotoError(
            f"moto {version} is not the moto local_api.moto_transactions patches "
            f"(no longer: {'; '.join(missing)}): check whether its TransactWriteItems still "
            "copies whole tables, then update or remove this module"
        )


def _compact_source(function: Callable[..., Any]) -> str:
    return re.sub(r"\s+", "", inspect.getsource(function))


def item_backups(transact_write_items: Callable[..., Any]) -> Callable[..., Any]:
    """``transact_write_items`` that backs up the items it names and restores them on any error."""

    @functools.wraps(transact_write_items)
    def transact_write_items_backing_up_items(
        backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
    ) -> None:
        touched = list(touched_items(backend, transact_items))
        streams = [_stream_end(table) for table in {id(t.table): t.table for t in touched}.values()]
        try:
            with _tables_left_uncopied():
                transact_write_items(backend, transact_items)
        except BaseException:
            for item in reversed(touched):
                item.restore()
            for stream in streams:
                stream.restore()
            raise

    transact_write_items_backing_up_items.backs_up_items = True  # type: ignore[attr-defined]
    return transact_write_items_backing_up_items


def touched_items(
    backend: DynamoDBBackend, transact_items: list[dict[str, Any]]
) -> Iterator[TouchedItem]:
    """Each item a Put, Update or Delete of the transaction names, as it is now; once per item.

    An action whose table or key moto cannot read writes nothing (moto refuses
    it before writing), so it has nothing to back up.
    """
    seen: set[tuple[int, DynamoType, DynamoType | None]] = set()
    for entry in transact_items:
        if not isinstance(entry, dict):
            continue
        for action, operation in entry.items():
            if action not in WRITING_ACTIONS or not isinstance(operation, dict):
                continue
            found = _item_key(backend, action, operation)
            if found is None:
                continue
            table, hash_key, range_key = found
            if (id(table), hash_key, range_key) in seen:
                continue
            seen.add((id(table), hash_key, range_key))
            stored: Any = table.items.get(hash_key)
            bucket_existed = stored is not None
            before = stored
            if range_key is not None:
                before = stored.get(range_key) if stored is not None else None
            yield TouchedItem(table, hash_key, range_key, copy.deepcopy(before), bucket_existed)


def _item_key(
    backend: DynamoDBBackend, action: str, operation: dict[str, Any]
) -> tuple[Table, DynamoType, DynamoType | None] | None:
    """The table and key moto writes for one action, read as moto reads them, else ``None``."""
    try:
        table = backend.get_table(operation["TableName"])
        if action == "Put":
            attributes = operation["Item"]
            key = {table.hash_key_attr: attributes[table.hash_key_attr]}
            if table.range_key_attr is not None:
                key[table.range_key_attr] = attributes[table.range_key_attr]
        else:
            key = operation["Key"]
        hash_key, range_key = backend.get_keys_value(table, key)
    except Exception:  # noqa: BLE001 - moto refuses the same action before writing anything
        return None
    return table, hash_key, range_key


def _stream_end(table: Table) -> StreamEnd:
    shard = table.stream_shard
    records = shard.items if shard is not None else None
    return StreamEnd(table, records, len(records) if records is not None else 0)


@contextmanager
def _tables_left_uncopied() -> Iterator[None]:
    _inside_transaction.active = True
    try:
        yield
    finally:
        _inside_transaction.active = False
