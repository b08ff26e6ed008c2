"""``new-operation`` and ``new-plugin``: a working operation or plugin, with its test."""

from __future__ import annotations

import json
import keyword
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from string import Template

from function.envelope import OPERATION_NAME_PATTERN
from function.operation_packages import DEFAULT_PACKAGES
from infra.project import PROJECT_DIR
from infra.settings import project_name, project_values, stack_config, stack_settings
from infra.table_definitions import TUTORIAL_TABLE_NAME, TableDefinition, example_key

OPERATION = Template('''"""$name: count the items in the table (Scan with Select=COUNT, every page).

A starting point: change the docstring, the schema, the actions and the body.
The payload has passed SCHEMA before the function runs; call.table is the
physical table the request resolved to, call.keys its key schema (read key
names there rather than writing "Id"); call.dynamodb takes and returns plain
JSON values. Declare every DynamoDB action the body uses: the deployed role
gets exactly the declared actions, nothing more.
"""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload({"ConsistentRead": {"type": "boolean"}})
ANSWER = {"type": "object", "properties": {"Count": {"type": "integer"}}, "required": ["Count"]}


@operation(
    "$name",
    actions=["dynamodb:Scan"],
    schema=SCHEMA,
    response=ANSWER,
    example={"ConsistentRead": True},
)
def $function(call: Invocation) -> dict[str, Any]:
    """Count the items in the table."""
    total, pages = 0, {**call.payload, "Select": "COUNT"}
    while True:
        page = call.dynamodb.scan(TableName=call.table, **pages)
        total += page["Count"]
        if "LastEvaluatedKey" not in page:
            return {"Count": total}
        pages["ExclusiveStartKey"] = page["LastEvaluatedKey"]
''')

TEST = Template('''"""Tests of the $name operation, on a moto table keyed as the stack says."""

import pytest

from function import errors


def test_${function}_counts_the_items(table, run_operation):
    table.put(table.key(1))
    table.put(table.key(2))

    assert run_operation("$name", {"ConsistentRead": True}) == {"Count": 2}


def test_${function}_refuses_parameters_it_does_not_know(table, run_operation):
    with pytest.raises(errors.InvalidPayloadError):
        run_operation("$name", {"Limit": "ten"})
''')


class ScaffoldError(ValueError):
    """The operation cannot be created as asked (bad name, files already there)."""


def new_operation(name: str, root: Path = PROJECT_DIR, stack: str | None = None) -> list[Path]:
    """Write an operation and its test; return the files created.

    Without ``stack``: ``operations/<module>.py`` and ``tests/operations/test_<module>.py``.
    With it: ``<package>/<module>.py`` in the stack's own package (the first of its
    ``operationPackages`` other than ``operations``), on one of the stack's tables,
    and ``tests/<stack>/test_<module>.py``, which runs as that stack (the folder's
    name says so). A package or test folder not there yet is created with its
    ``__init__.py``.
    """
    if not re.fullmatch(OPERATION_NAME_PATTERN, name or ""):
        raise ScaffoldError(
            f"{name!r} is not an operation name: lower-case letters, digits, '-' and '_', "
            "starting with a letter"
        )
    module = name.replace("-", "_")
    if keyword.iskeyword(module):
        raise ScaffoldError(
            f"{name!r} is a Python keyword, which cannot name the operation's function: "
            f"choose another name (like {name}-items)"
        )
    if stack is not None:
        return _new_stack_operation(name, module, stack, root)
    operation_file = root / "operations" / f"{module}.py"
    test_file = root / "tests" / "operations" / f"test_{module}.py"
    for path in (operation_file, test_file):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists")
    values = {"name": name, "function": module}
    operation_file.write_text(OPERATION.substitute(values))
    test_file.parent.mkdir(parents=True, exist_ok=True)
    test_file.write_text(TEST.substitute(values))
    return [operation_file, test_file]


STACK_PACKAGE_INIT = Template('''\
"""The $stack stack's own operations: Pulumi.$stack.yaml lists $package."""
''')

STACK_OPERATION = Template('''\
"""$name: one page of the $table_text items under one partition key (Query).

A starting point for the $stack stack's own operation: change the docstring,
the schema, the actions and the body. It runs on $table_text alone
(tables=[...]), so a request needs no tableName, and only the stacks that list
$package in operationPackages serve it. The schema names the table's
partition key as Pulumi.$stack.yaml declares it; the body reads it from
call.keys. Declare every DynamoDB action the body uses: the deployed role gets
exactly the declared actions, nothing more.
"""

from __future__ import annotations

from typing import Any

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {
        $hash_key: $hash_schema,
        "Limit": schemas.LIMIT,
        "ExclusiveStartKey": schemas.ATTRIBUTES,
    },
    required=[$hash_key],
)


@operation(
    "$name",
    actions=["dynamodb:Query"],
    tables=[$table],
    schema=SCHEMA,
    response=schemas.PAGE,
    example={$hash_key: $example},
)
def $function(call: Invocation) -> dict[str, Any]:
    """One Query page; pass its LastEvaluatedKey back as ExclusiveStartKey for the next."""
    key = call.keys.hash_key
    query: dict[str, Any] = {
        "TableName": call.table,
        "KeyConditionExpression": "#key = :value",
        "ExpressionAttributeNames": {"#key": key},
        "ExpressionAttributeValues": {":value": call.payload[key]},
        "Limit": call.payload.get("Limit", 25),
    }
    if "ExclusiveStartKey" in call.payload:
        query["ExclusiveStartKey"] = call.payload["ExclusiveStartKey"]
    page = call.dynamodb.query(**query)
    answer: dict[str, Any] = {"Items": page["Items"]}
    if "LastEvaluatedKey" in page:
        answer["LastEvaluatedKey"] = page["LastEvaluatedKey"]
    return answer
''')

STACK_TEST = Template('''\
"""Tests of $name, run as the $stack stack (this folder's name says which)."""

import pytest

from function import errors


def test_${function}_finds_the_items_under_one_partition_key(tables, run_operation):
    table = tables[$table]
    key = table.keys.hash_key
    table.put(table.key(1))
    table.put(table.key(2))

    found = run_operation("$name", {key: table.key(1)[key]})

    assert found == {"Items": [table.key(1)]}


def test_${function}_refuses_a_payload_without_the_partition_key(run_operation):
    with pytest.raises(errors.InvalidPayloadError):
        run_operation("$name", {"Limit": 10})
''')

#: A partition key's schema, by its type (no JSON payload carries a binary key).
KEY_SCHEMAS = {"S": '{"type": "string", "minLength": 1}', "N": '{"type": "number"}'}


def _new_stack_operation(name: str, module: str, stack: str, root: Path) -> list[Path]:
    """``new_operation`` for a stack: in its own package, tested as that stack."""
    settings = stack_settings(stack, root)
    listed = _listed(stack, root)
    package = stack_package(stack, root)
    if package in settings.plugins:
        raise ScaffoldError(
            f"{package}, which Pulumi.{stack}.yaml lists, is the package of the installed "
            f"plugin {settings.plugins[package]}: add the operation in that distribution's "
            "own repository, or list a package of this project before it"
        )
    folder = root.joinpath(*package.split("."))
    operation_file = folder / f"{module}.py"
    test_folder = root / "tests" / stack
    test_file = test_folder / f"test_{module}.py"
    # A module of that name in another listed package would likely register the same name.
    modules = [root.joinpath(*other.split(".")) / f"{module}.py" for other in listed]
    for path in (*dict.fromkeys((*modules, operation_file)), test_file):
        if path.exists():
            raise ScaffoldError(f"{path.relative_to(root)} already exists")
    table = _stack_table(stack, settings.tables)
    definition = settings.tables[table]
    hash_key = definition.hash_key
    values = {
        "name": name,
        "function": module,
        "stack": stack,
        "package": package,
        "table": json.dumps(table),
        "table_text": table,
        "hash_key": json.dumps(hash_key),
        "hash_schema": KEY_SCHEMAS[definition.attribute_types[hash_key]],
        "example": json.dumps(example_key(definition)[hash_key]),
    }
    created: list[Path] = []
    if not folder.exists():
        folder.mkdir(parents=True)
        created.append(folder / "__init__.py")
        created[-1].write_text(STACK_PACKAGE_INIT.substitute(values))
    operation_file.write_text(STACK_OPERATION.substitute(values))
    created.append(operation_file)
    test_folder.mkdir(parents=True, exist_ok=True)
    # In a tests tree that is a package, each folder is one too: else two folders' test
    # modules of one name would clash.
    if (root / "tests" / "__init__.py").exists() and not (test_folder / "__init__.py").exists():
        created.append(test_folder / "__init__.py")
        created[-1].write_text("")
    test_file.write_text(STACK_TEST.substitute(values))
    created.append(test_file)
    return created


def stack_package(stack: str, root: Path = PROJECT_DIR) -> str:
    """The stack's own operation package: the first of its ``operationPackages`` but ``operations``.

    A :class:`ScaffoldError` saying how to add one if it lists none.
    """
    own = [package for package in _listed(stack, root) if package not in DEFAULT_PACKAGES]
    if not own:
        suggested = re.sub(r"\W", "_", stack).lower() + "_ops"
        raise ScaffoldError(
            f"stack {stack} lists no operation package of its own: add one to "
            f"operationPackages in Pulumi.{stack}.yaml, like\n"
            f"  {project_name(root)}:operationPackages: [operations, {suggested}]\n"
            "and run this again (a package folder not there yet is created)"
        )
    return own[0]


def _listed(stack: str, root: Path) -> Sequence[str]:
    """The packages a stack's ``operationPackages`` lists (without the plugins added to them)."""
    listed = project_values(stack_config(stack, root), project_name(root)).get(
        "operationPackages", DEFAULT_PACKAGES
    )
    if isinstance(listed, str):
        listed = json.loads(listed)
    packages = [str(package) for package in listed]
    for package in packages:
        if not all(part.isidentifier() for part in package.split(".")):
            raise ScaffoldError(
                f"Pulumi.{stack}.yaml: operationPackages lists {package!r}, which is not a "
                "Python package name"
            )
    return packages


def _stack_table(stack: str, tables: Mapping[str, TableDefinition]) -> str:
    """The table a stack's new operation runs on: the first the stack declares besides the
    tutorial's LambdaTable, else LambdaTable; one whose partition key JSON can carry."""
    usable = [
        name
        for name, definition in tables.items()
        if definition.attribute_types[definition.hash_key] in KEY_SCHEMAS
    ]
    if not usable:
        raise ScaffoldError(
            f"every table of stack {stack} has a binary (B) partition key, which no JSON "
            "payload can carry: scaffold the operation without STACK and move it"
        )
    own = [name for name in usable if name != TUTORIAL_TABLE_NAME]
    return (own or usable)[0]


PLUGIN_PROJECT = Template("""[project]
name = "$distribution"
version = "0.1.0"
description = "Operations for the DynamoDB operations API: $operation."
requires-python = ">=3.11"
# What the operations need where they run: vendored into the function's archive.
dependencies = ["python-ulid>=3.0"]

# The API finds the operation package by this entry point, once installed.
[project.entry-points.dynamodb_operations]
$package = "$package"

[dependency-groups]
# The API itself, with its pytest fixtures (table, run_operation), for the tests.
dev = ["dynamodb-operations-api[testing]"]

# The API's checkout, beside this one; once the API is published, depend on its version.
[tool.uv.sources]
dynamodb-operations-api = { path = "$api_relative", editable = true }

[build-system]
requires = ["hatchling>=1.25"]
build-backend = "hatchling.build"

[tool.hatch.build.targets.wheel]
packages = ["$package"]
""")

PLUGIN_INIT = Template('''"""$distribution: operations for the DynamoDB operations API."""
''')

PLUGIN_OPERATION = Template('''"""$operation: an item under a new ULID key, if its parent exists.

One transaction: a ConditionCheck that the parent is there, and the Put. A
missing parent cancels both, which the caller gets as a 409 naming the reason.
Declare every DynamoDB action the body uses, and nothing else: the client
refuses any other, and the deployed role gets exactly these.
"""

from __future__ import annotations

from typing import Any

from ulid import ULID

from function import Invocation, operation, schemas

SCHEMA = schemas.payload(
    {"Parent": schemas.ATTRIBUTES, "Item": {"type": "object"}}, required=["Parent", "Item"]
)


@operation(
    "$operation",
    actions=["dynamodb:ConditionCheckItem", "dynamodb:PutItem"],
    schema=SCHEMA,
    response=schemas.ATTRIBUTES,
    example={"Parent": {"Id": "1"}, "Item": {"note": "hello"}},
)
def $function(call: Invocation) -> dict[str, Any]:
    """Store ``Item`` under a new key, linked to ``Parent``; answer the new key."""
    key = call.keys.hash_key
    new_key = {key: str(ULID())}
    names = {"#key": key}
    call.dynamodb.transact_write_items(
        TransactItems=[
            {
                "ConditionCheck": {
                    "TableName": call.table,
                    "Key": call.payload["Parent"],
                    "ConditionExpression": "attribute_exists(#key)",
                    "ExpressionAttributeNames": names,
                }
            },
            {
                "Put": {
                    "TableName": call.table,
                    "Item": {**call.payload["Item"], **new_key, "parent": call.payload["Parent"]},
                    "ConditionExpression": "attribute_not_exists(#key)",
                    "ExpressionAttributeNames": names,
                }
            },
        ]
    )
    return new_key
''')

PLUGIN_TEST = Template('''"""Tests of $operation, with the fixtures of the API."""

import pytest

from function import errors


def test_${function}_stores_the_item_under_a_new_key_linked_to_its_parent(table, run_operation):
    table.put(table.key(1))

    added = run_operation("$operation", {"Parent": table.key(1), "Item": {"note": "hello"}})

    (stored,) = [item for item in table.items() if item != table.key(1)]
    assert stored == {**added, "note": "hello", "parent": table.key(1)}


def test_${function}_writes_nothing_without_its_parent(table, run_operation):
    with pytest.raises(errors.TransactionCanceledError):
        run_operation("$operation", {"Parent": table.key(9), "Item": {"note": "orphan"}})

    assert table.items() == []


def test_${function}_refuses_a_payload_without_a_parent(run_operation):
    with pytest.raises(errors.InvalidPayloadError):
        run_operation("$operation", {"Item": {}})
''')

PLUGIN_README = Template("""# $distribution

Operations for the DynamoDB operations API: `$operation` (see `$package/$module.py`).

```sh
uv sync                 # this plugin, the API and its fixtures, into .venv
uv run pytest           # its tests, on moto, with the API's table and run_operation fixtures
```

(`uv` is the one the API's `make` fetched, `$api/.local/uv/bin/uv`, or your own.)

To serve and deploy it, install it into the API's environment; it is found by its
`dynamodb_operations` entry point, with no configuration:

```sh
cd $api
uv add --no-sync --group plugins --editable $directory   # to try it; commit a released version
make serve                                                # serves $operation too
pulumi up                                                 # grants its actions, vendors python-ulid
```
""")


def new_plugin(name: str, directory: Path, api: Path = PROJECT_DIR) -> list[Path]:
    """Write a plugin distribution in ``directory``: its entry point, an operation and its tests.

    ``name`` is the distribution's name (``acme-notes``); its package is the same
    in snake case and its operation is ``<name>-add``.
    """
    if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", name or ""):
        raise ScaffoldError(
            f"{name!r} is not a plugin name: lower-case words of letters and digits joined by "
            "'-', like acme-notes"
        )
    if directory.exists() and any(directory.iterdir()):
        raise ScaffoldError(f"{directory} already exists and is not empty")
    package = name.replace("-", "_")
    values = {
        "distribution": name,
        "package": package,
        "operation": f"{name}-add",
        "module": "add",
        "function": f"{package}_add",
        "api": str(api.resolve()),
        "api_relative": Path(os.path.relpath(api.resolve(), directory.resolve())).as_posix(),
        "directory": str(directory.resolve()),
    }
    files = {
        directory / "pyproject.toml": PLUGIN_PROJECT,
        directory / "README.md": PLUGIN_README,
        directory / package / "__init__.py": PLUGIN_INIT,
        directory / package / "add.py": PLUGIN_OPERATION,
        directory / "tests" / "test_add.py": PLUGIN_TEST,
    }
    for path, template in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(template.substitute(values))
    return list(files)
