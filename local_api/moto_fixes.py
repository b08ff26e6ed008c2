"""Fixes to moto's own code where DynamoDB accepts a request and moto then breaks on it.

The local engine (:mod:`local_api.moto_server`) and the pytest plugin's
in-process moto (:mod:`local_api.pytest_plugin`) both call :func:`install`, so a
fix made here holds for ``make serve`` and for an operation's unit tests alike.
Each fix names the moto version it was written against and checks that the
function it replaces is still there, so a moto upgrade that moves it fails at
start rather than silently undoing the fix.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

#: The moto release these fixes were written against (``moto.__version__``).
FIXED_VERSION = "5.2.5"
#: The item size moto refuses past, in bytes (``LimitedSizeDict``): DynamoDB's 400 KB, measured.
MOTO_ITEM_LIMIT = 405_000
#: What an empty map key is serialized under, for the moment, before it is put back.
EMPTY_KEY_STAND_IN = "\x00empty map key"

_installed = False


class MotoChangedError(RuntimeError):
    """moto no longer has the function a fix replaces: the fix needs a look."""


def install() -> None:
    """Apply every fix to the moto that is imported; doing it twice changes nothing."""
    global _installed
    if _installed:
        return
    _serialize_empty_map_keys()
    _update_without_changes()
    _wide_items_in_linear_time()
    _installed = True


def _serialize_empty_map_keys() -> None:
    """Answer an item holding a map with an empty key (``{"m": {"M": {"": ...}}}``) as it is.

    DynamoDB stores and returns such a map. moto 5.2.5 stores it, then writes
    its answer through a serializer whose structure step reads an empty key as
    "no key": the value's ``{"S": "v"}`` lands in the enclosing map itself, and
    every read of the item (GetItem, Query, Scan, BatchGetItem) answers JSON no
    client can parse. Here the value is serialized under a stand-in key and then
    put under the empty one.
    """
    from moto.core import serialize

    serializer = serialize.BaseJSONSerializer
    original = _present(serializer, "_serialize_type_map")

    def serialize_map(self: Any, serialized: Any, value: Any, shape: Any, key: str) -> None:
        if "" not in value:
            original(self, serialized, value, shape, key)
            return
        others = {name: member for name, member in value.items() if name != ""}
        original(self, serialized, others, shape, key)
        holder = self.MAP_TYPE()
        self._serialize(holder, value[""], shape.value, EMPTY_KEY_STAND_IN)
        (member,) = holder.values()
        serialized[self.get_serialized_name(shape, key)][""] = member

    setattr(serializer, "_serialize_type_map", serialize_map)  # noqa: B010 - mypy refuses a method assignment


def _update_without_changes() -> None:
    """Answer an ``UpdateItem`` naming only a ``Key`` as DynamoDB does: the item, created if new.

    DynamoDB takes an update with neither ``UpdateExpression`` nor
    ``AttributeUpdates``: an absent item is created with its key attributes alone.
    moto 5.2.5 creates it, then fails applying updates it was never given
    (``None``), so the caller was told the request failed while the item stayed.
    Here the missing updates are an empty set of them.
    """
    from moto.dynamodb.models import DynamoDBBackend

    original = _present(DynamoDBBackend, "update_item")

    def update_item(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not kwargs.get("update_expression") and kwargs.get("attribute_updates") is None:
            kwargs["attribute_updates"] = {}
        return original(self, *args, **kwargs)

    setattr(DynamoDBBackend, "update_item", update_item)  # noqa: B010 - mypy refuses a method assignment


def _wide_items_in_linear_time() -> None:
    """Store an item of many attributes in time that grows with their number, not its square.

    moto 5.2.5's ``Item`` adds attributes one at a time to a dict that sums the
    size of every attribute already there before taking the next: an item of
    4,000 small attributes (58 KB, well within DynamoDB's 400 KB) took 5 s to
    put, holding the engine's writes meanwhile. Here the item's size is summed
    once and checked against moto's own limit, which is what the per-attribute
    checks came to, since the size only grows as attributes are added.
    """
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models import dynamo_type
    from moto.dynamodb.models.utilities import bytesize

    item = dynamo_type.Item
    _present(item, "__init__")
    _present(dynamo_type.LimitedSizeDict, "__setitem__")

    def item_init(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        values = {key: dynamo_type.DynamoType(value) for key, value in attrs.items()}
        if sum(bytesize(key) + value.size() for key, value in values.items()) > MOTO_ITEM_LIMIT:
            raise ItemSizeTooLarge
        self.attrs = dynamo_type.LimitedSizeDict()
        dict.update(self.attrs, values)

    setattr(item, "__init__", item_init)  # noqa: B010 - mypy refuses a method assignment


def _present(owner: type, name: str) -> Callable[..., Any]:
    found = owner.__dict__.get(name)
    if not callable(found):
        import moto

        raise MotoChangedError(
            f"moto {moto.__version__} has no {owner.__qualname__}.{name}, which "
            f"local_api.moto_fixes replaces (written for moto {FIXED_VERSION}); "
            "check whether the fix is still needed"
        )
    return found
