"""Operations as plugins: how a module declares one, and how the handler finds it.

An operation is a function decorated with :func:`operation` in a module of an
operations package: ``operations``, or one an installed plugin declares (see
:mod:`function.operation_packages`). It declares its name, the IAM actions it needs on the table
(the Pulumi program grants exactly the union, per table), a JSON Schema for its
payload and, optionally, the tables and indexes it needs: the stack must
declare them, and the operation is served on those tables only.

Discovery is lazy where it matters: the handler first imports only the module
named after the requested operation (``operations/read.py`` for ``read``), so a
cold start never pays for modules it does not use. A full scan, which imports
every module and refuses duplicate names, runs when a name is not found that
way, and always at deploy time and in the tests.
"""

from __future__ import annotations

import importlib
import pkgutil
import re
import types
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from function import operation_packages
from function.dynamodb.permissions import Permissions
from function.envelope import OPERATION_NAME_PATTERN
from function.errors import RequestError, UnknownOperationError
from function.invocation import Invocation
from function.schemas import DynamoDBOutput
from function.tables import TableScope
from function.validation import Validator, compile_schema

if TYPE_CHECKING:
    from function.routes import OperationRoute

_NAME = re.compile(OPERATION_NAME_PATTERN)
_ACTION = re.compile(r"^dynamodb:[A-Z][A-Za-z]+$")
_MARK = "__operation__"
#: The payload schema of an operation that declares none: any JSON object.
ANY_OBJECT: Mapping[str, Any] = MappingProxyType({"type": "object"})

OperationFunction = Callable[[Invocation], Any]


class OperationDefinitionError(ValueError):
    """An operation's declaration is invalid: a bug in the plugin, found at import."""


class DuplicateOperationError(OperationDefinitionError):
    """Two modules register the same operation name; the message names both (and their plugins)."""


@dataclass(frozen=True)
class Operation:
    """A registered operation and what it declares about itself."""

    name: str
    run: OperationFunction
    module: str
    actions: tuple[str, ...] = ()
    index_actions: tuple[str, ...] = ()
    schema: Mapping[str, Any] = field(default_factory=lambda: dict(ANY_OBJECT))
    #: The logical tables it may run on; ``None`` for every table the API serves.
    tables: tuple[str, ...] | None = None
    #: The indexes it needs on each of its tables.
    indexes: tuple[str, ...] = ()
    #: It names its tables in the payload (``RequestItems``), not in ``tableName``.
    tables_in_payload: bool = False
    #: A payload to show callers (the API's description, the docs, ``make serve``'s banner).
    example: Mapping[str, Any] | None = None
    #: Errors of its own it raises, beyond those any operation on a table can get.
    errors: tuple[type[RequestError], ...] = ()
    #: The routes it declares beside the envelope (``route("GET", "/orders/{status}")``).
    routes: tuple[OperationRoute, ...] = ()
    #: What it answers on success: a JSON Schema, a DynamoDB call's output, or ``None`` for
    #: any JSON value (the document then promises nothing).
    response: Mapping[str, Any] | DynamoDBOutput | None = None

    @property
    def output(self) -> DynamoDBOutput | None:
        """The DynamoDB call's output it answers, if its ``response`` is one.

        Asked of the operation rather than with ``isinstance`` elsewhere: ``make serve``'s
        reload imports ``function`` afresh, and a module holding the old class would miss it.
        """
        return self.response if isinstance(self.response, DynamoDBOutput) else None

    def route_for(self, method: str, path: str) -> OperationRoute:
        """The route it declares for this method and path template."""
        for declared in self.routes:
            if (declared.method, declared.path) == (method, path):
                return declared
        raise LookupError(f"operation {self.name!r} declares no route {method} {path}")

    @cached_property
    def needs_table(self) -> bool:
        """An operation uses a table exactly when it declares actions on one."""
        return bool(self.actions or self.index_actions)

    @cached_property
    def scope(self) -> TableScope:
        """The tables it runs on, as declared."""
        return TableScope(self.tables, self.indexes)

    def serves(self, table: str, indexes: Collection[str]) -> bool:
        """Whether it runs on the logical table ``table``, which has these ``indexes``."""
        return self.scope.serves(table, indexes)

    @property
    def default_table(self) -> str | None:
        """The table a request without ``tableName`` means: the one it runs on, if only one."""
        return self.tables[0] if self.tables is not None and len(self.tables) == 1 else None

    @cached_property
    def permissions(self) -> Permissions:
        """The DynamoDB calls it declares and the tables it runs on: its client reaches no more."""
        return Permissions.declared(self.name, self.actions, self.index_actions, self.scope)

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
    tables: Iterable[str] | None = None,
    indexes: Iterable[str] = (),
    tables_in_payload: bool = False,
    example: Mapping[str, Any] | None = None,
    errors: Iterable[type[RequestError]] = (),
    routes: Iterable[OperationRoute] = (),
    response: Mapping[str, Any] | DynamoDBOutput | None = None,
) -> Callable[[OperationFunction], OperationFunction]:
    """Register the decorated function as the operation ``name``.

    ``actions`` are the IAM actions it needs on the table (``dynamodb:GetItem``);
    ``index_actions`` those it needs on the table's indexes; an operation with
    neither never touches a table. ``schema`` is a draft-04 JSON Schema for the
    payload; without one, any JSON object is accepted (:data:`ANY_OBJECT`).

    ``tables`` (logical names) limits it to those tables, and ``indexes`` says
    which indexes it needs on them; a stack that lacks one fails ``pulumi up``
    and ``make serve``, naming the operation. Without ``tables`` it runs on
    every served table (with ``indexes``: on every table that has them).
    ``tables_in_payload`` is for operations that name their tables in the
    payload, like ``batch-get``; they get no ``tableName``. ``routes`` are
    routes beside the envelope (:func:`function.routes.route`), each mapping
    its path, query and body into the payload. ``response`` is what it answers on
    success, for the API's document and the contract tests: a draft-04 JSON Schema
    of the returned value, or :class:`function.schemas.DynamoDBOutput` for a
    DynamoDB call's output in plain values.

    The function is returned unchanged, so it can be called directly in a test.
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
    needed_tables = None if tables is None else _names_of(name, "tables", tables)
    needed_indexes = _names_of(name, "indexes", indexes)
    if needed_tables == ():
        raise OperationDefinitionError(f"operation {name!r}: tables=[] would serve no table")
    if needed_indexes and not declared[1]:
        raise OperationDefinitionError(
            f"operation {name!r} needs indexes {', '.join(needed_indexes)} but declares no "
            "index_actions to use them with"
        )
    if (tables_in_payload or needed_tables) and not (declared[0] or declared[1]):
        raise OperationDefinitionError(
            f"operation {name!r} names tables but declares no actions on them"
        )
    raised = tuple(errors)
    for error in raised:
        if not (isinstance(error, type) and issubclass(error, RequestError)):
            raise OperationDefinitionError(
                f"operation {name!r}: errors must be RequestError classes, got {error!r}"
            )
    declared_routes = tuple(routes)
    if declared_routes:  # the routing module loads only for operations that declare routes
        from function.routes import OperationRoute
    for each in declared_routes:
        if not isinstance(each, OperationRoute):
            raise OperationDefinitionError(
                f"operation {name!r}: routes must be made by route(...), got {each!r}"
            )
        if each.table is not None and needed_tables is not None and each.table not in needed_tables:
            raise OperationDefinitionError(
                f"operation {name!r}: route {each.method} {each.path} names table {each.table!r}, "
                f"which the operation does not run on"
            )
    if response is not None and not isinstance(response, (Mapping, DynamoDBOutput)):
        raise OperationDefinitionError(
            f"operation {name!r}: response must be a JSON Schema object or "
            f"schemas.DynamoDBOutput(...), got {response!r}"
        )
    if isinstance(response, DynamoDBOutput) and (
        isinstance(response.required, str)
        or not all(isinstance(member, str) for member in response.required)
    ):
        raise OperationDefinitionError(
            f"operation {name!r}: DynamoDBOutput's required is a tuple of member names, "
            f"like ('Item',), not {response.required!r}"
        )
    if example is not None and not isinstance(example, Mapping):
        raise OperationDefinitionError(
            f"operation {name!r}: example must be a payload object, got {example!r}"
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
                schema=dict(ANY_OBJECT if schema is None else schema),
                tables=needed_tables,
                indexes=needed_indexes,
                tables_in_payload=tables_in_payload,
                example=None if example is None else dict(example),
                errors=raised,
                routes=declared_routes,
                response=dict(response) if isinstance(response, Mapping) else response,
            ),
        )
        return function

    return register


def _names_of(operation_name: str, what: str, names: Iterable[str]) -> tuple[str, ...]:
    if isinstance(names, str):
        raise OperationDefinitionError(
            f"operation {operation_name!r}: {what} must be a list of names, not one string"
        )
    listed = tuple(names)
    if not all(isinstance(item, str) and item for item in listed):
        raise OperationDefinitionError(
            f"operation {operation_name!r}: {what} must be non-empty strings, got {listed!r}"
        )
    return tuple(dict.fromkeys(listed))


def operations_in(module: types.ModuleType) -> list[Operation]:
    """The operations a module defines (not ones it merely imports)."""
    found = []
    for value in vars(module).values():
        declared = getattr(value, _MARK, None) if isinstance(value, types.FunctionType) else None
        if isinstance(declared, Operation) and declared.module == module.__name__:
            found.append(declared)
    return found


class Registry:
    """The operations of one or more packages, looked up by name.

    ``origins`` names the distribution a plugin package comes from, for errors.
    """

    def __init__(
        self,
        packages: Sequence[str] = operation_packages.DEFAULT_PACKAGES,
        origins: Mapping[str, str] | None = None,
    ) -> None:
        self.packages = tuple(packages)
        self.origins = dict(origins or {})
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
        """Every operation of every package, importing them all; duplicate names, or routes
        two operations declare, are an error naming both."""
        if self._all is None:
            found: dict[str, Operation] = {}
            for package in self.packages:
                for module_name in sorted(_module_names(package)):
                    module = importlib.import_module(f"{package}.{module_name}")
                    for declared in operations_in(module):
                        if declared.name in found:
                            raise DuplicateOperationError(
                                f"operation {declared.name!r} is registered by both "
                                f"{self._origin(found[declared.name])} and "
                                f"{self._origin(declared)}"
                            )
                        found[declared.name] = declared
            from function import routes

            routes.check(route for each in found.values() for route in routes.declared(each))
            self._all = found
            self._found.update(found)
        return self._all

    @property
    def names(self) -> list[str]:
        return sorted(self.all())

    def _origin(self, declared: Operation) -> str:
        """Where an operation comes from: its module, and the plugin distribution if any."""
        for package, distribution in self.origins.items():
            if declared.module.startswith(f"{package}."):
                return f"{declared.module} (distribution {distribution})"
        return declared.module


def _module_names(package: str) -> frozenset[str]:
    """Names of a package's public modules, read from its directories (nothing imported)."""
    path = importlib.import_module(package).__path__
    return frozenset(
        info.name for info in pkgutil.iter_modules(path) if not info.name.startswith("_")
    )


def default_registry() -> Registry:
    """The registry for this environment's operation packages, built once."""
    return _registry(operation_packages.configured())


def lookup(name: str) -> Operation:
    """The operation called ``name`` in this environment (:meth:`Registry.get`): a request's one
    visit to the registry."""
    return _registry(operation_packages.configured()).get(name)


@lru_cache(maxsize=4)
def _registry(packages: tuple[str, ...]) -> Registry:
    return Registry(packages)
