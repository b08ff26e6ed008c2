"""The developer's loop: reload on edit, invoke one event, scaffold, bring your DynamoDB."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import boto3
import pytest

from infra.project import PROJECT_DIR
from infra.settings import stack_settings
from local_api.engines import Engine
from local_api.scaffold import ScaffoldError, new_operation
from tests.local.conftest import LocalServer, start_server

#: Each test brings its own server, data or tables: make test spreads them over its workers.
pytestmark = pytest.mark.independent

GREETING = textwrap.dedent(
    """
    from function.registry import operation


    @operation("{name}")
    def answer(call):
        return "{greeting}"
    """
)


def reloading_server(tmp_path: Path, *modules: str) -> tuple[LocalServer, Path]:
    """``make serve`` with reload on, serving a plugin package ``team_ops`` (its folder
    returned for the test to edit) that starts with ``modules``' greet operations."""
    plugins = tmp_path / "plugins" / "team_ops"
    plugins.mkdir(parents=True)
    (plugins / "__init__.py").write_text("")
    for name in modules:
        (plugins / f"{name}.py").write_text(GREETING.format(name=name, greeting="hello"))
    server = start_server(
        tmp_path,
        "--reload",
        "--operations",
        "operations,team_ops",
        env={"PYTHONPATH": str(tmp_path / "plugins")},
    )
    return server, plugins


def test_reload_picks_up_edited_and_new_operations_without_a_restart(tmp_path):
    server, plugins = reloading_server(tmp_path, "greet")
    try:
        assert server.post({"operation": "greet"}).json == "hello"
        table_row = server.post(
            {"operation": "create", "tableName": "LambdaTable", "payload": {"Item": {"Id": "kept"}}}
        )
        assert table_row.status == 200

        (plugins / "greet.py").write_text(GREETING.format(name="greet", greeting="hello again"))
        os.utime(plugins / "greet.py", ns=(time.time_ns() + 10**9,) * 2)
        (plugins / "farewell.py").write_text(GREETING.format(name="farewell", greeting="bye"))

        assert server.post({"operation": "greet"}).json == "hello again"
        assert server.post({"operation": "farewell"}).json == "bye"

        def keep_asking(_: int) -> set[int]:
            return {
                server.post(
                    {
                        "operation": "create",
                        "tableName": "LambdaTable",
                        "payload": {"Item": {"Id": "x"}},
                    }
                ).status
                for _ in range(40)
            }

        with ThreadPoolExecutor(8) as pool:
            busy = pool.map(keep_asking, range(8))
            for version in range(5):
                (plugins / "greet.py").write_text(
                    GREETING.format(name="greet", greeting=f"v{version}")
                )
                os.utime(plugins / "greet.py", ns=(time.time_ns() + (version + 2) * 10**9,) * 2)
                time.sleep(0.05)
            assert set().union(*busy) == {200}
        assert server.post({"operation": "greet"}).json == "v4"
        assert (
            server.post(
                {
                    "operation": "read",
                    "tableName": "LambdaTable",
                    "payload": {"Key": {"Id": "kept"}},
                }
            ).status
            == 200
        )
        assert server.process.poll() is None
    finally:
        server.stop()


def test_the_document_describes_an_operation_added_while_reloading(tmp_path):
    server, plugins = reloading_server(tmp_path)
    try:
        assert server.request("GET", "/openapi.json").status == 200

        (plugins / "greet.py").write_text(GREETING.format(name="greet", greeting="hello"))

        answer = server.request("GET", "/openapi.json")
        assert answer.status == 200, server.log()
        document = json.loads(answer.text)
        assert "GreetAnswer" in document["components"]["schemas"]
        assert document["components"]["schemas"]["ReadAnswer"]["allOf"][1] == {"required": ["Item"]}
    finally:
        server.stop()


def _invoke(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "local_api", "invoke", *args],
        cwd=PROJECT_DIR,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_invoke_runs_one_event_from_a_file_or_stdin():
    ping = _invoke("--event", "tests/events/ping.json")
    assert (ping.returncode, ping.stdout.strip()) == (0, '"pong"')

    proxy = _invoke(stdin=(PROJECT_DIR / "tests" / "events" / "rest-api-proxy.json").read_text())
    assert proxy.returncode == 0, proxy.stderr
    assert json.loads(proxy.stdout)["statusCode"] == 200


def test_invoke_reports_a_bad_request_as_lambda_does(tmp_path):
    result = _invoke(stdin=json.dumps({"operation": "nope"}))

    assert result.returncode == 1
    assert json.loads(result.stdout)["errorType"] == "UnknownOperationError"


def test_invoke_reports_an_operations_bug_as_lambda_does_and_logs_why(tmp_path):
    (tmp_path / "buggy_ops").mkdir()
    (tmp_path / "buggy_ops" / "__init__.py").write_text("")
    (tmp_path / "buggy_ops" / "peek.py").write_text(
        "from function.registry import operation\n\n\n"
        '@operation("peek", actions=["dynamodb:GetItem"])\n'
        "def peek(call):\n"
        '    return call.dynamodb.put_item(TableName=call.table, Item={"Id": "x"})\n'
    )

    result = _invoke(
        "--operations",
        "operations,buggy_ops",
        stdin=json.dumps({"operation": "peek", "payload": {}}),
        env={"PYTHONPATH": str(tmp_path)},
    )

    assert result.returncode == 1
    reported = json.loads(result.stdout)
    assert reported["errorMessage"] == "Internal error; request id local-invoke"
    assert reported["errorType"] == "InternalError"
    assert reported["requestId"] == "local-invoke"
    assert "called dynamodb:PutItem on a table, which its actions do not declare" in (result.stderr)


def test_invoke_against_an_existing_dynamodb_and_a_seed_file(tmp_path):
    seed = tmp_path / "items.json"
    seed.write_text(json.dumps([{"Id": "1", "name": "Bob", "price": 19.99}]))
    with Engine() as dynamodb:
        missing = _invoke(
            "--dynamodb-endpoint", dynamodb.endpoint, "--event", "tests/events/read.json"
        )
        assert missing.returncode == 2
        assert "--create-table" in missing.stderr

        found = _invoke(
            "--dynamodb-endpoint",
            dynamodb.endpoint,
            "--create-table",
            "--seed",
            str(seed),
            "--event",
            "tests/events/read.json",
        )
        assert found.returncode == 0, found.stderr
        assert found.stdout.strip() == '{"Item":{"Id":"1","name":"Bob","price":19.99}}'
        tables = boto3.client("dynamodb", endpoint_url=dynamodb.endpoint).list_tables()[
            "TableNames"
        ]
        assert tables == sorted([*stack_settings("dev").tables, "dev-idempotency"])


def _project_copy(tmp_path: Path) -> Path:
    """The packages an operation's test needs: the function, operations, and the local side."""
    root = tmp_path / "project"
    for package in ("function", "operations", "infra", "local_api"):
        shutil.copytree(
            PROJECT_DIR / package, root / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    (root / "tests" / "operations").mkdir(parents=True)
    for name in ("__init__.py", "conftest.py", "distributions.py"):
        shutil.copy(PROJECT_DIR / "tests" / name, root / "tests" / name)
    (root / "tests" / "operations" / "__init__.py").write_text("")
    for name in ("pyproject.toml", "Pulumi.yaml", "Pulumi.dev.yaml"):
        shutil.copy(PROJECT_DIR / name, root / name)
    return root


#: A dev stack whose table is keyed by neither ``Id`` nor a string alone.
OTHER_KEYS = """
config:
  aws:region: us-east-1
  dynamodb-operations:tables:
    LambdaTable:
      hashKey: pk
      rangeKey: sk
      rangeKeyType: N
"""


@pytest.mark.parametrize("stack_file", [None, OTHER_KEYS], ids=["tutorial-keys", "pk-sk-keys"])
def test_the_scaffold_writes_an_operation_whose_test_passes(tmp_path, stack_file):
    root = _project_copy(tmp_path)
    if stack_file is not None:
        (root / "Pulumi.dev.yaml").write_text(stack_file)

    created = new_operation("count-items", root=root)

    assert [path.relative_to(root).as_posix() for path in created] == [
        "operations/count_items.py",
        "tests/operations/test_count_items.py",
    ]
    tests = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/operations/test_count_items.py",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    assert_ruff_clean(created, root)


def assert_ruff_clean(created: list[Path], root: Path) -> None:
    """What the scaffold wrote passes ``make lint``'s ruff as written."""
    for check in (["check", "--no-cache"], ["format", "--check", "--no-cache"]):
        lint = subprocess.run(
            [sys.executable, "-m", "ruff", *check, *map(str, created)],
            cwd=root,
            capture_output=True,
            text=True,
        )
        assert lint.returncode == 0, lint.stdout


def test_the_scaffold_refuses_bad_names_and_existing_files(tmp_path):
    root = _project_copy(tmp_path)

    with pytest.raises(ScaffoldError, match="not an operation name"):
        new_operation("Count Items", root=root)
    with pytest.raises(ScaffoldError, match="'class' is a Python keyword"):
        new_operation("class", root=root)
    assert not (root / "operations" / "class.py").exists()
    with pytest.raises(ScaffoldError, match="already exists"):
        new_operation("read", root=root)


#: A stack with an operation package of its own, like the shop sample's, and the tutorial's
#: table first: its operation should go to its own table, Products, keyed by category.
SHOP = """
config:
  aws:region: us-east-1
  dynamodb-operations:tables:
    LambdaTable:
      hashKey: Id
    Products:
      hashKey: category
      rangeKey: sku
      rangeKeyType: N
      globalSecondaryIndexes:
        byBrand: {hashKey: brand}
  dynamodb-operations:operationPackages: [operations, shop_ops]
"""


def test_the_scaffold_writes_a_stacks_operation_into_its_package_tested_as_that_stack(tmp_path):
    root = _project_copy(tmp_path)
    (root / "Pulumi.shop.yaml").write_text(SHOP)

    created = new_operation("in-category", root=root, stack="shop")

    assert [path.relative_to(root).as_posix() for path in created] == [
        "shop_ops/__init__.py",
        "shop_ops/in_category.py",
        "tests/shop/__init__.py",
        "tests/shop/test_in_category.py",
    ]
    operation = created[1].read_text()
    assert 'tables=["Products"]' in operation
    assert '"category": {"type": "string", "minLength": 1}' in operation
    # As plain make test runs it: STACK says dev, the folder's name says shop.
    tests = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/shop"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "STACK": "dev"},
    )
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    assert_ruff_clean(created, root)


def test_the_stack_scaffold_adds_to_a_package_there_and_refuses_a_stack_without_one(tmp_path):
    root = _project_copy(tmp_path)
    (root / "Pulumi.shop.yaml").write_text(SHOP)
    (root / "shop_ops").mkdir()
    (root / "shop_ops" / "__init__.py").write_text('"""The shop\'s own."""\n')

    created = new_operation("in-category", root=root, stack="shop")

    assert [path.relative_to(root).as_posix() for path in created] == [
        "shop_ops/in_category.py",
        "tests/shop/__init__.py",
        "tests/shop/test_in_category.py",
    ]
    assert (root / "shop_ops" / "__init__.py").read_text() == '"""The shop\'s own."""\n'
    with pytest.raises(ScaffoldError, match=r"^shop_ops/in_category\.py already exists"):
        new_operation("in_category", root=root, stack="shop")
    created[0].unlink()
    with pytest.raises(ScaffoldError, match=r"^tests/shop/test_in_category\.py already exists"):
        new_operation("in-category", root=root, stack="shop")
    with pytest.raises(ScaffoldError, match=r"operations/read\.py already exists"):
        new_operation("read", root=root, stack="shop")
    with pytest.raises(
        ScaffoldError,
        match=r"stack dev lists no operation package of its own: add one to operationPackages "
        r"in Pulumi\.dev\.yaml, like\n  dynamodb-operations:operationPackages: "
        r"\[operations, dev_ops\]",
    ):
        new_operation("count-items", root=root, stack="dev")
    assert not (root / "operations" / "count_items.py").exists()
