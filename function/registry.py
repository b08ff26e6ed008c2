"""Operations as plugins: how a module declares one, and how the handler finds it.

An operation is a function decorated with :func:`operation` in a module of an
operations package (``operations`` by default; more with ``OPERATION_PACKAGES``,
comma-separated). It declares its name, the IAM actions it needs on the table
(the Pulumi program grants exactly the union), and a JSON Schema for its payload.

Discovery is lazy where it matters: the handler first imports only the module
named after the requested operation (``operations/read.py`` for ``read``), so a
cold start never pays for modules it does not use. A full scan, which imports
every module and refuses duplicate names, runs when a name is not found that
way, and always at deploy time and in the tests.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import re
import types
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any

from function.envelope import OPERATION_NAME_PATTERN
from function.errors import UnknownOperationError
from function.invocation import Invocation
from function.validation import Validator, compile_schema

PACKAGES_ENV = "OPERATION_PACKAGES"
DEFAULT_PACKAGES = ("operations",)

_NAME = re.compile(OPERATION_NAME_PATTERN)
_ACTION = re.compile(r"^dynamodb:[A-Z][A-Za-z]+$")
_MARK = "__operation__"

OperationFunction = Callable[[Invocation], Any]


class OperationDefinitionError(ValueError):
    """An operation's declaration is invalid: a bug in the plugin, found at import."""


class DuplicateOperationError(OperationDefinitionError):
    """Two modules register the same operation name."""


@dataclass(frozen=True)
class Operation:
    """A registered operation and what it declares about itself."""

    name: str
    run: OperationFunction
    module: str
    actions: tuple[str, ...] = ()
    index_actions: tuple[str, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=dict)

    @property
    def needs_table(self) -> bool:
        """An operation uses a table exactly when it declares actions on one."""
        return bool(self.actions or self.index_actions)

    @cached_property
    def validate(self) -> Validator:
        """Checks a payload against the schema; compiled on first use, once."""
        return compile_schema(self.schema, "payload")


def operation(
    name: str,
    *,
    actions: Iterable[str] = (),
    index_actions: Iterable[str] = (),
    schema: Mapping[str, Any] | None = None,
) -> Callable[[OperationFunction], OperationFunction]:
    """Register the decorated function as the operation ``name``.

    ``actions`` are the IAM actions it needs on the table (``dynamodb:GetItem``);
    ``index_actions`` those it needs on the table's indexes; an operation with
    neither never touches a table. ``schema`` is a draft-04 JSON Schema for the
    payload (any payload is accepted without one). The function is returned
    unchanged, so it can be called directly in a test.
    """
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        raise OperationDefinitionError(
            f"operation name {name!r} must be lower-case letters, digits, '-' or '_'"
        )
    declared = tuple(actions), tuple(index_actions)
    for action in (*declared[0], *declared[1]):
        if not isinstance(action, str) or not _ACTION.match(action):
            raise OperationDefinitionError(
                f"operation {name!r}: {action!r} is not a single DynamoDB action like "
                "'dynamodb:GetItem' (wildcards are not allowed)"
            )

    def register(function: OperationFunction) -> OperationFunction:
        setattr(
            function,
            _MARK,
            Operation(
                name=name,
                run=function,
                module=function.__module__,
                actions=declared[0],
                index_actions=declared[1],
                schema=dict(schema or {}),
            ),
        )
        return function

    return register


def operations_in(module: types.ModuleType) -> list[Operation]:
    """The operations a module defines (not ones it merely imports)."""
    found = []
    for value in vars(module).values():
        declared = getattr(value, _MARK, None) if isinstance(value, types.FunctionType) else None
        if isinstance(declared, Operation) and declared.module == module.__name__:
            found.append(declared)
    return found


class Registry:
    """The operations of one or more packages, looked up by name."""

    def __init__(self, packages: Sequence[str] = DEFAULT_PACKAGES) -> None:
        self.packages = tuple(packages)
        self._found: dict[str, Operation] = {}
        self._all: dict[str, Operation] | None = None

    def get(self, name: str) -> Operation:
        """The operation called ``name``; importing only its own module when it can."""
        if name in self._found:
            return self._found[name]
        if self._all is None:
            module_name = name.replace("-", "_")
            for package in self.packages:
                if module_name in _module_names(package):
                    for declared in operations_in(
                        importlib.import_module(f"{package}.{module_name}")
                    ):
                        self._found.setdefault(declared.name, declared)
                    if name in self._found:
                        return self._found[name]
        everything = self.all()
        if name not in everything:
            raise UnknownOperationError(
                f"Unknown operation {name!r}; available operations: {', '.join(sorted(everything))}"
            )
        return everything[name]

    def all(self) -> Mapping[str, Operation]:
        """Every operation of every package, importing them all; duplicates are an error."""
        if self._all is None:
            found: dict[str, Operation] = {}
            for package in self.packages:
                for module_name in sorted(_module_names(package)):
                    module = importlib.import_module(f"{package}.{module_name}")
                    for declared in operations_in(module):
                        if declared.name in found:
                            raise DuplicateOperationError(
                                f"operation {declared.name!r} is registered by both "
                                f"{found[declared.name].module} and {declared.module}"
                            )
                        found[declared.name] = declared
            self._all = found
            self._found.update(found)
        return self._all

    @property
    def names(self) -> list[str]:
        return sorted(self.all())


def _module_names(package: str) -> frozenset[str]:
    """Names of a package's public modules, read from its directories (nothing imported)."""
    path = importlib.import_module(package).__path__
    return frozenset(
        info.name for info in pkgutil.iter_modules(path) if not info.name.startswith("_")
    )


def configured_packages() -> tuple[str, ...]:
    """The operation packages named by ``OPERATION_PACKAGES`` (``operations`` if unset)."""
    return _packages(os.environ.get(PACKAGES_ENV, ""))


def default_registry() -> Registry:
    """The registry for this environment's configured packages, built once."""
    return _registry(configured_packages())


@lru_cache(maxsize=4)
def _packages(raw: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in raw.split(",") if part.strip()) or DEFAULT_PACKAGES


@lru_cache(maxsize=4)
def _registry(packages: tuple[str, ...]) -> Registry:
    return Registry(packages)
