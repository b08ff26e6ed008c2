"""Which tables a caller may name, and the physical table each name means.

The deployment sets ``TABLES`` to a JSON object mapping the logical names
callers send as ``tableName`` (the tutorial's ``LambdaTable``) to physical table
names. A caller may also send a physical name from that map. With a single
entry, a request without ``tableName`` uses it. Nothing else is reachable.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property, lru_cache

from function.errors import TableNotAllowedError, TableRequiredError

__all__ = ["TableNotAllowedError", "TableRequiredError", "Tables", "TablesConfigError"]

TABLES_ENV = "TABLES"
#: The function's own table of idempotency records; callers can never name it.
IDEMPOTENCY_TABLE_ENV = "IDEMPOTENCY_TABLE"


class TablesConfigError(RuntimeError):
    """``TABLES`` is missing or malformed: a deployment mistake, not the caller's."""


@dataclass(frozen=True)
class Tables:
    """The logical-to-physical table map of one deployment."""

    by_name: Mapping[str, str]

    @cached_property
    def physical(self) -> frozenset[str]:
        return frozenset(self.by_name.values())

    def resolve(self, requested: str | None) -> str:
        """The physical table for a caller's ``tableName`` (``None`` when not given)."""
        if requested is None:
            if len(self.by_name) == 1:
                return next(iter(self.by_name.values()))
            raise TableRequiredError(f"tableName is required; this API serves {self._names()}")
        if requested in self.by_name:
            return self.by_name[requested]
        if requested in self.physical:
            return requested
        raise TableNotAllowedError(
            f"Table {requested!r} is not served by this API; it serves {self._names()}"
        )

    def _names(self) -> str:
        return ", ".join(sorted(self.by_name))


def configured() -> Tables:
    """The tables of this deployment, from ``TABLES`` (parsed once per value)."""
    return _parse(os.environ.get(TABLES_ENV))


def idempotency_table() -> str | None:
    """The physical name of the idempotency table, if the deployment has one."""
    return os.environ.get(IDEMPOTENCY_TABLE_ENV) or None


def reachable() -> frozenset[str]:
    """Every table this function's code may touch: the served ones and its own records."""
    return _reachable(os.environ.get(TABLES_ENV), idempotency_table())


@lru_cache(maxsize=8)
def _reachable(raw_tables: str | None, own: str | None) -> frozenset[str]:
    served = _parse(raw_tables).physical if raw_tables else frozenset()
    return served | {own} if own else served


@lru_cache(maxsize=8)
def _parse(raw: str | None) -> Tables:
    if not raw:
        raise TablesConfigError(f"{TABLES_ENV} is not set: no table can be served")
    try:
        mapping = json.loads(raw)
    except ValueError as error:
        raise TablesConfigError(f"{TABLES_ENV} is not valid JSON: {error}") from None
    if (
        not isinstance(mapping, dict)
        or not mapping
        or not all(
            isinstance(k, str) and isinstance(v, str) and k and v for k, v in mapping.items()
        )
    ):
        raise TablesConfigError(
            f"{TABLES_ENV} must be a JSON object of logical to physical table names, "
            f'like {{"LambdaTable": "my-table"}}'
        )
    return Tables(by_name=dict(mapping))
