"""An operation's client may make only the calls its ``actions`` declare, wherever it runs.

Deployed, the role holds the union of every operation's actions, so an
operation that calls what it never declared would work on AWS or fail there
depending on its neighbours, and locally it would always work. The client an
operation gets checks each call against the operation's own declaration
instead, the same way in the tests, the local server and Lambda: a call on an
index (``IndexName``) needs the action in ``index_actions``, any other in
``actions``, as IAM tells a table's ARN from its indexes'. A transaction needs,
as in IAM, the item action of each of its parts (``TransactGetItems`` needs
``GetItem``; a ``ConditionCheck`` part, ``ConditionCheckItem``). A refused call is a
bug in the operation, answered like IAM's ``AccessDeniedException`` would be:
a 500, with the operation and the action in the log. So is a call on a table
the operation does not run on (:func:`~function.dynamodb.confinement.check_scope`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from function.dynamodb.confinement import INDEX_READS, check_scope
from function.errors import UndeclaredActionError
from function.tables import TableScope

ACTION_PREFIX = "dynamodb:"
#: IAM has no actions for transactions: each part needs its item action.
TRANSACTION_PARTS = {
    "Get": "GetItem",
    "Put": "PutItem",
    "Update": "UpdateItem",
    "Delete": "DeleteItem",
    "ConditionCheck": "ConditionCheckItem",
}
TRANSACTIONS = frozenset({"TransactGetItems", "TransactWriteItems"})
#: The scope of an operation that declares neither tables nor indexes.
EVERY_SERVED_TABLE = TableScope()


@dataclass(frozen=True, eq=False)
class Permissions:
    """What one operation declared: the API calls it may make on tables and on indexes,
    and the tables it runs on.

    Each operation holds one, so two are the same exactly when they are one object:
    a request finds its operation's client view by it without hashing its fields.
    """

    operation: str
    calls: frozenset[str]
    index_calls: frozenset[str]
    scope: TableScope = EVERY_SERVED_TABLE
    #: The physical tables ``scope`` means in this deployment, once a request worked them out.
    reachable: frozenset[str] | None = None

    @classmethod
    def declared(
        cls,
        operation: str,
        actions: Iterable[str],
        index_actions: Iterable[str] = (),
        scope: TableScope = EVERY_SERVED_TABLE,
    ) -> Permissions:
        """From IAM actions (``dynamodb:GetItem``) to the API calls they allow (``GetItem``)."""
        return cls(operation, _calls(actions), _calls(index_actions), scope)

    def within(self, reachable: frozenset[str]) -> Permissions:
        """These permissions on the physical tables their scope means in this deployment."""
        return replace(self, reachable=reachable)

    def check(self, call: str, params: Mapping[str, Any]) -> None:
        """Refuse ``call`` unless declared, on an index when ``params`` name one, and on a
        table the operation runs on."""
        if call in TRANSACTIONS:
            for part in _transaction_parts(params):
                self._check(part, on_index=False)
        else:
            self._check(call, on_index=call in INDEX_READS and "IndexName" in params)
        check_scope(self.operation, self.scope, call, params, self.reachable)

    def _check(self, call: str, *, on_index: bool) -> None:
        if call in (self.index_calls if on_index else self.calls):
            return
        where, setting = ("an index", "index_actions") if on_index else ("a table", "actions")
        declared = sorted(self.index_calls if on_index else self.calls)
        raise UndeclaredActionError(
            f"Operation {self.operation!r} called {ACTION_PREFIX}{call} on {where}, which its "
            f"{setting} do not declare ("
            + (", ".join(ACTION_PREFIX + name for name in declared) or "none")
            + f"); add {ACTION_PREFIX}{call} to its {setting}"
        )


def _calls(actions: Iterable[str]) -> frozenset[str]:
    return frozenset(action.removeprefix(ACTION_PREFIX) for action in actions)


def _transaction_parts(params: Mapping[str, Any]) -> list[str]:
    """The item action each part of a transaction needs (unknown parts are botocore's to refuse)."""
    items = params.get("TransactItems")
    parts = []
    for item in items if isinstance(items, list) else ():
        for kind in item if isinstance(item, dict) else ():
            if kind in TRANSACTION_PARTS:
                parts.append(TRANSACTION_PARTS[kind])
    return parts
