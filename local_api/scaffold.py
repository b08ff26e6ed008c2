"""``new-operation``: a working operation module and its test, ready to edit."""

from __future__ import annotations

import re
from pathlib import Path
from string import Template

from function.envelope import OPERATION_NAME_PATTERN
from infra.project import PROJECT_DIR

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

from function import schemas
from function.invocation import Invocation
from function.registry import operation

SCHEMA = schemas.payload({"ConsistentRead": {"type": "boolean"}})


@operation("$name", actions=["dynamodb:Scan"], schema=SCHEMA)
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

from function.validation import InvalidPayloadError


def test_${function}_counts_the_items(table, run_operation):
    table.put(table.key(1))
    table.put(table.key(2))

    assert run_operation("$name", {"ConsistentRead": True}) == {"Count": 2}


def test_${function}_refuses_parameters_it_does_not_know(table, run_operation):
    with pytest.raises(InvalidPayloadError):
        run_operation("$name", {"Limit": "ten"})
''')


class ScaffoldError(ValueError):
    """The operation cannot be created as asked (bad name, files already there)."""


def new_operation(name: str, root: Path = PROJECT_DIR) -> list[Path]:
    """Write ``operations/<module>.py`` and ``tests/operations/test_<module>.py``; return them."""
    if not re.fullmatch(OPERATION_NAME_PATTERN, name or ""):
        raise ScaffoldError(
            f"{name!r} is not an operation name: lower-case letters, digits, '-' and '_', "
            "starting with a letter"
        )
    module = name.replace("-", "_")
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
