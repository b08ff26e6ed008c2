"""What an operation receives when it runs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from function import tables
from function.dynamodb import bounded_client
from function.tables import KeySchema, ServedTable, TablesConfigError

if TYPE_CHECKING:
    from function.registry import Operation


@dataclass(frozen=True)
class Invocation:
    """One validated request, handed to an operation.

    ``payload`` has passed the operation's schema; ``table`` is the physical
    table the request resolved to (``None`` for operations that declare no
    table actions, or name their tables in the payload), ``table_name`` the
    caller's name for it; ``dynamodb`` is the shared client, which takes and
    returns plain JSON values, only reaches tables this API serves and, for an
    operation, makes only the calls it declares.
    """

    payload: Any
    table: str | None
    request_id: str
    table_name: str | None = None
    served: ServedTable | None = None
    operation: Operation | None = None

    @cached_property
    def dynamodb(self) -> Any:
        """The operation's view of the shared client, its tables worked out once per request."""
        shared = bounded_client.client()
        if self.operation is None:
            return shared
        reachable = tables.configured().physical_in(self.operation.scope)
        return shared.for_operation(self.operation.permissions.within(reachable))

    @property
    def keys(self) -> KeySchema:
        """The key schema of the table the request resolved to: its keys and its indexes'."""
        if self.served is None:
            raise TablesConfigError("this request has no table, so no key schema")
        if self.served.keys is None:
            raise TablesConfigError(
                f"{tables.TABLE_KEYS_ENV} does not describe table {self.served.name!r}"
            )
        return self.served.keys

    def resolve_table(self, name: str) -> ServedTable:
        """A table the payload names (logical or physical), if this operation may use it.

        For operations that name their tables in the payload: any other table is
        a 403 for the caller, like an unknown ``tableName``.
        """
        served = tables.configured().resolve(name)
        if self.operation is not None:
            self.operation.check_runs_on(served)
        return served
