"""What an operation receives when it runs: one view of its request."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from function import tables
from function.dynamodb import bounded_client
from function.tables import KeySchema, ServedTable, Tables, TablesConfigError

if TYPE_CHECKING:
    from function.registry import Operation


@dataclass(frozen=True)
class Invocation:
    """One validated request, handed to its operation.

    ``payload`` has passed the operation's schema. ``served`` is the table the
    request resolved to (``None`` for operations that declare no table actions,
    or name their tables in the payload): ``table`` is its physical name,
    ``table_name`` the caller's, ``keys`` its key schema. ``dynamodb`` is the
    shared client as this operation may use it: plain JSON values in and out,
    only the calls it declares, only on the tables it runs on.
    """

    payload: Any
    request_id: str
    served: ServedTable | None
    operation: Operation
    #: The tables this deployment serves, as the request read them (``None``: read when needed).
    deployment: Tables | None = None

    @property
    def table(self) -> str | None:
        """The physical table the request resolved to, as DynamoDB calls take it."""
        return None if self.served is None else self.served.physical

    @property
    def table_name(self) -> str | None:
        """The caller's name for the table (``LambdaTable``)."""
        return None if self.served is None else self.served.name

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

    @cached_property
    def dynamodb(self) -> Any:
        """The operation's view of the shared client (made on first use: ``ping`` never pays)."""
        operation = self.operation
        reachable = self._deployment().physical_in(operation.scope)
        return bounded_client.client().for_operation(operation.permissions, reachable)

    def resolve_table(self, name: str) -> ServedTable:
        """A table the payload names (logical or physical), if this operation may use it.

        For operations that name their tables in the payload: any other table is
        a 403 for the caller, like an unknown ``tableName``.
        """
        operation = self.operation
        return self._deployment().resolve_for(operation.name, operation.scope, name)

    def _deployment(self) -> Tables:
        return self.deployment if self.deployment is not None else tables.configured()
