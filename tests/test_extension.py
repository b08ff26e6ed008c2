"""Adding an operation module with an action no stock operation declares breaks no test.

A plugin author drops a module into ``operations/``: the suites that look at
every operation (registry, handler, program, policy) must still pass, and the
function's policy must grant the new action, and only it, on top of what the
registry already grants. The probe's names are unlikely to be a real
operation's, so the project's own additions never collide with it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import yaml

from function.registry import Registry
from infra.grants import table_grants
from infra.policy import function_policy
from infra.project import PROJECT_DIR
from infra.settings import default_tables
from tests.distributions import install_distribution

NAME, MODULE = "extension-probe", "extension_probe"
#: What the probe declares: the first of these no registered operation declares.
CANDIDATE_ACTIONS = (
    "dynamodb:BatchGetItem",
    "dynamodb:TransactGetItems",
    "dynamodb:ConditionCheckItem",
    "dynamodb:DescribeTable",
)
TABLE_ARN = "arn:aws:dynamodb:us-east-1:123456789012:table/LambdaTable-1a2b3c4"
LOG_GROUP_ARN = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/api"

BATCH_READ_MODULE = textwrap.dedent(
    '''
    """extension-probe: fetch up to 100 items by their keys in one call (BatchGetItem)."""

    from __future__ import annotations

    from typing import Any

    from function import schemas
    from function.invocation import Invocation
    from function.registry import operation

    SCHEMA = schemas.payload(
        {
            "Keys": {"type": "array", "items": schemas.ATTRIBUTES, "minItems": 1, "maxItems": 100},
            "ProjectionExpression": schemas.EXPRESSION,
            "ExpressionAttributeNames": schemas.ATTRIBUTE_NAMES,
            "ConsistentRead": {"type": "boolean"},
            "ReturnConsumedCapacity": schemas.RETURN_CONSUMED_CAPACITY,
        },
        required=["Keys"],
    )


    @operation("extension-probe", actions=["ACTION"], schema=SCHEMA)
    def extension_probe(call: Invocation) -> dict[str, Any]:
        """Read several items by key: one BatchGetItem on the request's table."""
        request = dict(call.payload)
        options = {}
        if "ReturnConsumedCapacity" in request:
            options["ReturnConsumedCapacity"] = request.pop("ReturnConsumedCapacity")
        return call.dynamodb.batch_get_item(RequestItems={call.table: request}, **options)
    '''
)

#: What a plugin author's copy of the project holds: everything but caches and the venv.
PROJECT_DIRECTORIES = (
    "function",
    "operations",
    "orders_ops",
    "infra",
    "local_api",
    "tests",
    "bench",
    "docs",
)
PROJECT_FILES = (
    *sorted(path.name for path in PROJECT_DIR.glob("Pulumi*.yaml")),
    "pyproject.toml",
    "uv.lock",
    "__main__.py",
)
CACHES = shutil.ignore_patterns(
    "__pycache__", "*.pyc", ".pytest_cache", ".ruff_cache", ".hypothesis", ".venv", ".git"
)
SUITES = (
    "tests/test_registry.py",
    "tests/test_handler.py",
    "tests/infra/test_program.py",
    "tests/infra/test_policy.py",
)


def policy(operations) -> dict:
    return function_policy(
        table_grants(operations, {"LambdaTable": ()}),
        table_arns={"LambdaTable": TABLE_ARN},
        log_group_arn=LOG_GROUP_ARN,
        tracing=False,
    )


def granted(document: dict) -> set[tuple[str, str]]:
    return {
        (action, statement["Resource"])
        for statement in document["Statement"]
        for action in statement["Action"]
    }


def new_action() -> str:
    """An action no registered operation declares yet."""
    declared = {
        action
        for op in Registry(("operations",)).all().values()
        for action in op.actions + op.index_actions
    }
    return next(action for action in CANDIDATE_ACTIONS if action not in declared)


def probe_module(action: str = "dynamodb:BatchGetItem") -> str:
    return BATCH_READ_MODULE.replace('"ACTION"', repr(action).replace("'", '"'))


def test_the_new_action_is_granted_on_the_table_and_nothing_else_changes(plugin_package):
    action = new_action()
    package = plugin_package({MODULE: probe_module(action)})
    stock = Registry(("operations",)).all().values()
    extended = Registry(("operations", package)).all()

    assert granted(policy(extended.values())) == granted(policy(stock)) | {(action, TABLE_ARN)}


def test_the_new_operation_serves_its_items(table, post, plugin_package, monkeypatch):
    package = plugin_package({MODULE: probe_module()})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")
    table.put({"Id": "1", "name": "Bob"})
    table.put({"Id": "2", "name": "Ann"})

    answer = post({"operation": NAME, "payload": {"Keys": [{"Id": "1"}, {"Id": "2"}]}})

    assert answer.status == 200
    items = answer.json["Responses"][table.physical]
    assert sorted(items, key=lambda item: item["Id"]) == [
        {"Id": "1", "name": "Bob"},
        {"Id": "2", "name": "Ann"},
    ]
    assert post({"operation": NAME, "payload": {"Key": {"Id": "1"}}}).status == 400


def copy_project(destination: Path) -> Path:
    for directory in PROJECT_DIRECTORIES:
        shutil.copytree(PROJECT_DIR / directory, destination / directory, ignore=CACHES)
    for name in PROJECT_FILES:
        shutil.copy2(PROJECT_DIR / name, destination / name)
    return destination


#: A user's plugin distribution: an operation, its own error, a third-party library.
PLUGIN_OPERATION = textwrap.dedent(
    '''
    """acme-mint: a new id for an item, from a library of the plugin's own."""
    from ulid import ULID

    from function.errors import ConflictError
    from function.registry import operation


    class AlreadyMintedError(ConflictError):
        """The item has an id already (409)."""


    @operation("acme-mint", actions=["dynamodb:UpdateItem"], errors=[AlreadyMintedError])
    def mint(call):
        return {"id": str(ULID())}
    '''
)
#: An operation declared with no schema, dropped into ``operations/``.
NO_SCHEMA_OPERATION = textwrap.dedent(
    """
    from function.registry import operation


    @operation("touch-probe", actions=["dynamodb:GetItem"])
    def touch_probe(call):
        return {"exists": "Item" in call.dynamodb.get_item(TableName=call.table, **call.payload)}
    """
)
#: The author's new table, added to every stack file, and the operation that needs it.
PROBE_TABLE = {
    "hashKey": "customerId",
    "rangeKey": "orderId",
    "globalSecondaryIndexes": {"byProbeStatus": {"hashKey": "status", "rangeKey": "createdAt"}},
}
PROBE_TABLE_OPERATION = textwrap.dedent(
    '''
    """extension-probe-orders: orders by status, on a table and index the stacks must have."""

    from __future__ import annotations

    from typing import Any

    from function import schemas
    from function.invocation import Invocation
    from function.registry import operation


    @operation(
        "extension-probe-orders",
        actions=["dynamodb:Query"],
        index_actions=["dynamodb:Query"],
        schema=schemas.payload({"status": {"type": "string"}}, required=["status"]),
        tables=["ProbeOrders"],
        indexes=["byProbeStatus"],
    )
    def extension_probe_orders(call: Invocation) -> dict[str, Any]:
        """The orders with the payload's status."""
        return call.dynamodb.query(
            TableName=call.table,
            IndexName="byProbeStatus",
            KeyConditionExpression="#s = :s",
            ExpressionAttributeNames={"#s": call.keys.indexes["byProbeStatus"].hash_key},
            ExpressionAttributeValues={":s": call.payload["status"]},
        )
    '''
)
#: What a user's changes meet: the suites that look at every operation and every table,
#: the archive, the document, AWS's constraints and the plugin machinery. (A new table
#: also changes the snapshots, which ``make snapshots`` rewrites for review.)
USER_SUITES = (
    *SUITES,
    "tests/infra/test_stack_tables.py",
    "tests/infra/test_aws_constraints.py",
    "tests/infra/test_archive.py",
    "tests/test_settings.py",
    "tests/test_operation_tables.py",
    "tests/test_openapi.py",
    "tests/test_plugins.py",
    "tests/test_guide.py",
)


@pytest.mark.slow
def test_the_suites_pass_with_a_users_operations_plugin_and_table_added(tmp_path):
    """Slow (about 40 s): copies the project and runs its suites in a subprocess.

    The copy is the project as a user would change it: one new module in
    ``operations/``, one declared with no schema, a plugin distribution with a
    dependency installed, and a table in every stack file with the operation that
    needs it. A test that pins the stock operations, the tutorial's one table, the
    archive's files or the document's operations would fail.
    """
    project = copy_project(tmp_path / "project")
    action = new_action()
    (project / "operations" / f"{MODULE}.py").write_text(probe_module(action).lstrip())
    (project / "operations" / "touch_probe.py").write_text(NO_SCHEMA_OPERATION.lstrip())
    for stack_file in project.glob("Pulumi.*.yaml"):
        stack = yaml.safe_load(stack_file.read_text())
        tables = stack["config"].get("dynamodb-operations:tables") or default_tables()
        stack["config"]["dynamodb-operations:tables"] = {**tables, "ProbeOrders": PROBE_TABLE}
        stack_file.write_text(yaml.safe_dump(stack))
    (project / "operations" / "extension_probe_orders.py").write_text(
        PROBE_TABLE_OPERATION.lstrip()
    )
    site = tmp_path / "site-packages"
    install_distribution(
        site, "acme-mint", {"acme_mint": {"mint": PLUGIN_OPERATION}}, requires=("python-ulid>=2",)
    )
    environment = {**os.environ, "PYTHONPATH": str(site)}

    # The copy, not this checkout, is what the subprocess imports.
    seen = subprocess.run(
        [
            sys.executable,
            "-c",
            "import operations; from function.registry import Registry;"
            "print(operations.__file__); "
            f"print(Registry().get({NAME!r}).actions)",
        ],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert seen.returncode == 0, seen.stderr
    assert seen.stdout.splitlines() == [
        str(project / "operations" / "__init__.py"),
        str((action,)),
    ]

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *USER_SUITES],
        cwd=project,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert run.returncode == 0, f"{run.stdout[-6000:]}\n{run.stderr[-3000:]}"
