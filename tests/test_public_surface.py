"""One door for plugin authors: ``from function import ...`` has all an operation needs."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from collections import defaultdict
from string import Template

import function
from function import invocation, registry
from infra.project import PROJECT_DIR
from local_api import scaffold
from tests.guide_samples import samples

#: What ``make new-operation`` and ``make new-plugin`` write, each placeholder a name: the
#: Python templates parse as the files they write.
SCAFFOLDS = {
    name: template.substitute(defaultdict(lambda: "x"))
    for name, template in vars(scaffold).items()
    if isinstance(template, Template)
}


def function_imports(source: str) -> list[str]:
    """Each import of ``function`` or a module under it, as written."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name.split(".")[0] == "function"]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "function":
            found.append(f"from {node.module} import {', '.join(a.name for a in node.names)}")
    return found


def outside_the_door(source: str) -> list[str]:
    """The imports of ``source`` that take anything but ``function``'s public names."""
    allowed = set(function.__all__)
    return [
        line
        for line in function_imports(source)
        if not line.startswith("from function import ")
        or not set(line.removeprefix("from function import ").split(", ")) <= allowed
    ]


#: The operations this project ships: a user's own module beside them may import as it likes.
SHIPPED = (
    *(
        f"operations/{name}.py"
        for name in (
            "__init__",
            "batch_get",
            "batch_write",
            "create",
            "delete",
            "echo",
            "list",
            "ping",
            "query",
            "read",
            "transact_get",
            "transact_write",
            "update",
        )
    ),
    "orders_ops/__init__.py",
    "orders_ops/orders_by_status.py",
)


def plugin_sources() -> dict[str, str]:
    """The code plugin authors read and copy: ours, the guide's and the scaffolds'."""
    sources = {name: (PROJECT_DIR / name).read_text() for name in SHIPPED}
    sources.update({f"guide sample {name}": code for name, code in samples().items()})
    sources.update(
        {f"scaffold {name}": code for name, code in SCAFFOLDS.items() if is_python(code)}
    )
    return sources


def is_python(text: str) -> bool:
    try:
        ast.parse(text)
    except SyntaxError:
        return False
    return True


def test_operations_the_guide_and_the_scaffolds_import_only_the_public_names():
    sources = plugin_sources()

    stray = {name: outside_the_door(source) for name, source in sources.items()}

    assert {name: lines for name, lines in stray.items() if lines} == {}
    assert {"scaffold PLUGIN_OPERATION", "guide sample take", "operations/read.py"} <= set(sources)
    assert all(function_imports(source) for source in sources.values() if "@operation" in source)


OLD_GUIDE_PLUGIN = textwrap.dedent(
    '''
    """An operation written as the guide said before the one door: its imports still work."""
    from typing import Any

    from function import schemas
    from function.dynamodb import ConditionalCheckFailedError, ItemNotFoundError
    from function.dynamodb import UndeclaredActionError, UndeclaredTableError
    from function.errors import ConflictError
    from function.invocation import Invocation
    from function.registry import operation
    from function.validation import InvalidPayloadError

    SCHEMA = schemas.payload({"Key": schemas.ATTRIBUTES}, required=["Key"])


    class SoldOutError(ConflictError):
        """None left (409)."""


    @operation(
        "old-take", actions=["dynamodb:UpdateItem"], schema=SCHEMA, errors=[SoldOutError]
    )
    def old_take(call: Invocation) -> Any:
        """Take one out of stock."""
        try:
            return call.dynamodb.update_item(
                TableName=call.table,
                Key=call.payload["Key"],
                UpdateExpression="SET stock = stock - :one",
                ConditionExpression="stock >= :one",
                ExpressionAttributeValues={":one": 1},
                ReturnValues="UPDATED_NEW",
            )["Attributes"]
        except ConditionalCheckFailedError:
            raise SoldOutError("sold out") from None


    LEGACY = (ItemNotFoundError, InvalidPayloadError, UndeclaredTableError, UndeclaredActionError)
    '''
)


def test_plugins_written_with_the_earlier_guides_imports_keep_working(
    table, post, plugin_package, monkeypatch
):
    package = plugin_package({"old_take": OLD_GUIDE_PLUGIN})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")
    table.put({**table.key(1), "stock": 1})

    taken = post({"operation": "old-take", "payload": {"Key": table.key(1)}})
    sold_out = post({"operation": "old-take", "payload": {"Key": table.key(1)}})
    refused = post({"operation": "old-take", "payload": {}})

    assert (taken.status, taken.json) == (200, {"stock": 0})
    assert (sold_out.status, sold_out.json) == (409, {"message": "sold out", "type": "SoldOut"})
    assert (refused.status, refused.json["type"]) == (400, "InvalidPayload")
    legacy = importlib.import_module(f"{package}.old_take").LEGACY
    assert legacy == (
        function.errors.ItemNotFoundError,
        function.errors.InvalidPayloadError,
        function.errors.UndeclaredTableError,
        function.errors.UndeclaredActionError,
    )
    assert (function.operation, function.Invocation) == (registry.operation, invocation.Invocation)


def test_no_module_of_the_function_passes_on_names_it_imports():
    """A name has one home: ``__all__`` lists only what its module defines (the door, and
    the errors ``function.dynamodb`` offered operations before it, aside)."""
    passed_on = {}
    for path in sorted((PROJECT_DIR / "function").rglob("*.py")):
        module = ast.parse(path.read_text())
        imported = {
            alias.asname or alias.name.split(".")[0]
            for node in module.body
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }
        listed = {
            item.value
            for node in module.body
            if isinstance(node, ast.Assign) and ast.unparse(node.targets[0]) == "__all__"
            for item in node.value.elts
        }
        passed_on[str(path.relative_to(PROJECT_DIR))] = sorted(listed & imported)

    assert {name: names for name, names in passed_on.items() if names} == {
        "function/dynamodb/__init__.py": [
            "ConditionalCheckFailedError",
            "ConfinementError",
            "DynamoDBUnavailableError",
            "DynamoDBValidationError",
            "ItemNotFoundError",
            "ThrottledError",
            "TransactionCanceledError",
            "TransactionConflictError",
            "UndeclaredActionError",
            "UndeclaredTableError",
        ]
    }


def test_every_name_of_the_door_is_an_attribute_of_a_freshly_imported_function():
    """``import function; function.errors`` works with nothing imported before, and
    ``import function`` alone loads no module of its own."""
    probe = (
        "import sys, function\n"
        "loaded = sorted(m for m in sys.modules if m.startswith('function.'))\n"
        "print(loaded, [type(getattr(function, name)).__name__ for name in function.__all__])\n"
        "from function import errors, payload_tables, route, schemas, Invocation, operation\n"
        "from function import RouteRequest\n"
    )

    ran = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=PROJECT_DIR, check=False
    )

    assert (ran.returncode, ran.stderr) == (0, "")
    assert ran.stdout.split() == [
        "[]",
        "['type',",
        "'type',",
        "'module',",
        "'function',",
        "'module',",
        "'function',",
        "'module']",
    ]
