"""What each operation may do on each of a stack's tables, and what the stack must have for it.

One rule, used by the Pulumi program for the role's policy and by the local
server and the program alike to refuse a stack that lacks what an operation
needs (:meth:`function.registry.Operation.serves` decides where an operation
runs): a table gets the union of the actions of the operations that run on
it; index actions go on the indexes those operations use, which are the ones
they name or else every index of the table.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from function.registry import Operation


class OperationRequirementError(ValueError):
    """An operation needs a table or an index the stack does not declare."""


@dataclass(frozen=True)
class TableGrant:
    """The actions the function's role gets on one table and on each of its indexes."""

    table: str
    actions: tuple[str, ...]
    index_actions: Mapping[str, tuple[str, ...]]


def check_requirements(
    operations: Iterable[Operation], tables: Mapping[str, Collection[str]]
) -> None:
    """Refuse a stack that lacks a table or index an operation declares it needs.

    ``tables`` maps each logical table of the stack to its index names.
    """
    for operation in operations:
        for table in operation.tables or ():
            if table not in tables:
                raise OperationRequirementError(
                    f"operation {operation.name!r} ({operation.module}) needs table {table!r}, "
                    f"which the stack does not declare; its tables: {', '.join(sorted(tables))}"
                )
            for index in operation.indexes:
                if index not in tables[table]:
                    raise OperationRequirementError(
                        f"operation {operation.name!r} ({operation.module}) needs index "
                        f"{index!r} on table {table!r}, which the stack does not declare"
                        + _declared_indexes(tables[table])
                    )
        if (
            operation.tables is None
            and operation.indexes
            and not any(operation.serves(name, indexes) for name, indexes in tables.items())
        ):
            raise OperationRequirementError(
                f"operation {operation.name!r} ({operation.module}) needs index "
                f"{' and '.join(map(repr, operation.indexes))}, which no table of the "
                "stack declares"
            )


def table_grants(
    operations: Iterable[Operation], tables: Mapping[str, Collection[str]]
) -> list[TableGrant]:
    """Per table (sorted by name), what the operations that run on it may do."""
    operations = list(operations)
    grants = []
    for table, indexes in sorted(tables.items()):
        serving = [op for op in operations if op.needs_table and op.serves(table, indexes)]
        on_indexes: dict[str, set[str]] = {}
        for op in serving:
            for index in op.indexes or indexes:
                on_indexes.setdefault(index, set()).update(op.index_actions)
        grants.append(
            TableGrant(
                table=table,
                actions=tuple(sorted({action for op in serving for action in op.actions})),
                index_actions={
                    index: tuple(sorted(actions))
                    for index, actions in sorted(on_indexes.items())
                    if actions
                },
            )
        )
    return grants


def _declared_indexes(indexes: Collection[str]) -> str:
    return f"; its indexes: {', '.join(sorted(indexes))}" if indexes else "; it has no indexes"
