"""The client reaches only the function's own tables, whatever code built the call.

Defence in depth behind IAM: a call naming any other table, or a call whose
tables cannot be told from its parameters (PartiQL, table management), is
refused before it is sent; an operation's view of the client reaches only the
tables the operation runs on (:func:`check_scope`), never the idempotency
records, which only :mod:`function.idempotency` writes. So is a ``Query`` or
``Scan`` of an index the table does not have, with the answer DynamoDB itself
gives (a 400): deployed, the role may use only the indexes that exist, and IAM
would refuse the call with an access error before DynamoDB could say what is
wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from function import tables
from function.errors import ConfinementError, DynamoDBValidationError, UndeclaredTableError
from function.tables import TableScope

#: The calls whose tables the client can tell from their parameters. Everything
#: else (PartiQL statements, table management, ARN-addressed calls) is refused.
CONFINABLE_CALLS = frozenset(
    {
        "GetItem",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "Query",
        "Scan",
        "BatchGetItem",
        "BatchWriteItem",
        "TransactGetItems",
        "TransactWriteItems",
        "DescribeTable",
    }
)


def install(client: Any) -> None:
    """Make a botocore DynamoDB ``client`` refuse calls outside the served tables."""
    client.meta.events.register("before-parameter-build.dynamodb", _confine)


#: The calls whose requests can name an index; on any other, botocore refuses ``IndexName``.
INDEX_READS = frozenset({"Query", "Scan"})


def _confine(params: dict[str, Any], model: Any, **_: Any) -> None:
    if model.name not in CONFINABLE_CALLS:
        raise ConfinementError(
            f"The function may not call DynamoDB {model.name}: its tables could not be checked"
        )
    allowed = tables.reachable()
    for name in tables_named(model.name, params):
        if name not in allowed:
            raise ConfinementError(f"Operation code named table {name!r}, which is not this API's")
    index = params.get("IndexName")
    if (
        model.name in INDEX_READS
        and isinstance(index, str)
        and isinstance(params.get("TableName"), str)
    ):
        _check_index(params["TableName"], index)


def _check_index(physical: str, index: str) -> None:
    """Refuse an index the table does not have, as DynamoDB would (when its keys are known)."""
    served = tables.configured()
    keys = served.keys.get(served.logical_name(physical))
    if keys is not None and index not in keys.indexes:
        raise DynamoDBValidationError(f"The table does not have the specified index: {index}")


def check_scope(
    operation: str,
    scope: TableScope,
    call: str,
    params: Mapping[str, Any],
    reachable: frozenset[str] | None = None,
) -> None:
    """Refuse ``call`` unless it is one whose tables can be told, and names only tables in
    the operation's ``scope``: the physical tables ``reachable`` lists, when the request
    worked them out already."""
    if call not in CONFINABLE_CALLS:
        raise UndeclaredTableError(
            f"Operation {operation!r} called DynamoDB {call}, whose tables cannot be checked"
        )
    if reachable is None:
        reachable = tables.configured().physical_in(scope)
    name = params.get("TableName")
    if type(name) is str and call not in _TABLES_IN:  # the common call, checked first
        if name not in reachable:
            _refuse(operation, scope, name)
        return
    for name in tables_named(call, params):
        if name not in reachable:
            _refuse(operation, scope, name)


def _refuse(operation: str, scope: TableScope, name: str) -> None:
    """Say which table an operation named that it does not run on, and what to do."""
    served = tables.configured()
    if name in served.by_name and name not in served.physical:
        raise UndeclaredTableError(
            f"Operation {operation!r} named table {name!r} as callers do; DynamoDB knows "
            f"it as {served.by_name[name]!r}: use call.table (or resolve the name)"
        )
    raise UndeclaredTableError(
        f"Operation {operation!r} called DynamoDB on table {served.logical_name(name)!r}, "
        f"which it does not run on ({scope.describe()}); declare the table in its tables="
    )


#: The calls that name their tables as keys of one parameter; the others name one as TableName.
_TABLES_IN = {
    "BatchGetItem": "RequestItems",
    "BatchWriteItem": "RequestItems",
    "TransactGetItems": "TransactItems",
    "TransactWriteItems": "TransactItems",
}


def tables_named(call: str, params: Mapping[str, Any]) -> list[str]:
    """Every table ``call``'s parameters name, as the text it would send.

    Only the parameters ``call`` takes: others are botocore's to refuse (a 400),
    as is a name that is not text. A ``str`` subclass counts as the text it holds,
    whatever its ``__eq__`` says.
    """
    member = _TABLES_IN.get(call)
    if member is None:
        named: list[object] = [params.get("TableName")]
    elif member == "RequestItems":
        items = params.get(member)
        named = list(items) if isinstance(items, dict) else []
    else:
        named = [
            action.get("TableName")
            for item in params.get(member) or ()
            if isinstance(item, dict)
            for action in item.values()
            if isinstance(action, dict)
        ]
    return [
        name if type(name) is str else str.__str__(name) for name in named if isinstance(name, str)
    ]
