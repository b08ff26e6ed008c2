"""Operations are plugins: discovered, declared, and served with no other file changed."""

import subprocess
import sys
import textwrap

import pytest

from function import operation
from function.errors import UnknownOperationError
from function.registry import DuplicateOperationError, OperationDefinitionError, Registry
from infra.project import PROJECT_DIR

COUNT_MODULE = textwrap.dedent(
    '''
    """count: how many items the table holds."""
    from function import operation


    @operation(
        "probe-count", actions=["dynamodb:Scan"], schema={"type": "object", "maxProperties": 0}
    )
    def count(call):
        """Count the items (one Scan, Select COUNT)."""
        return {"Count": call.dynamodb.scan(TableName=call.table, Select="COUNT")["Count"]}
    '''
)

GREETINGS_MODULE = textwrap.dedent(
    """
    from function import operation

    @operation("hello")
    def hello(call):
        return "hello"

    @operation("bye")
    def bye(call):
        return "bye"
    """
)


def test_a_plugin_package_adds_an_operation_with_no_other_file_changed(
    table, post, plugin_package, monkeypatch
):
    package = plugin_package({"count": COUNT_MODULE})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")
    table.put({"Id": "1"})
    table.put({"Id": "2"})

    answer = post({"operation": "probe-count", "tableName": "LambdaTable"})

    assert (answer.status, answer.json) == (200, {"Count": 2})
    assert post(
        {"operation": "read", "tableName": "LambdaTable", "payload": {"Key": {"Id": "1"}}}
    ).json == {"Item": {"Id": "1"}}
    assert post({"operation": "probe-count", "payload": {"x": 1}}).status == 400


def test_the_unknown_operation_message_lists_plugin_operations_too(
    plugin_package, post, monkeypatch
):
    package = plugin_package({"count": COUNT_MODULE})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    message = post({"operation": "nope"}).json["message"]

    listed = sorted([*Registry(("operations",)).all(), "probe-count"])
    assert message == f"Unknown operation 'nope'; available operations: {', '.join(listed)}"


def test_a_module_may_register_several_operations(plugin_package):
    package = plugin_package({"greetings": GREETINGS_MODULE})
    registry = Registry([package])

    assert registry.get("bye").run(None) == "bye"
    assert registry.names == ["bye", "hello"]


def test_two_modules_registering_one_name_fail_naming_both(plugin_package):
    package = plugin_package(
        {
            "reader": textwrap.dedent(
                """
                from function import operation

                @operation("read")
                def again(call):
                    pass
                """
            )
        }
    )

    with pytest.raises(DuplicateOperationError) as raised:
        Registry(["operations", package]).all()

    assert str(raised.value) == (
        f"operation 'read' is registered by both operations.read and {package}.reader"
    )


def test_an_imported_operation_is_not_registered_twice(plugin_package):
    package = plugin_package({"reexport": "from operations.read import read  # noqa: F401\n"})

    assert "read" not in Registry([package]).all()


def test_an_unknown_name_is_a_400_listing_the_available_ones(plugin_package):
    package = plugin_package({"greetings": GREETINGS_MODULE})

    with pytest.raises(UnknownOperationError) as raised:
        Registry().get("../../etc/passwd")
    with pytest.raises(UnknownOperationError) as raised_by_plugins:
        Registry([package]).get("nope")

    listed = ", ".join(sorted(Registry(("operations",)).all()))
    assert raised.value.status == 400
    assert str(raised.value) == (
        f"Unknown operation '../../etc/passwd'; available operations: {listed}"
    )
    assert (
        str(raised_by_plugins.value) == "Unknown operation 'nope'; available operations: bye, hello"
    )


@pytest.mark.parametrize(
    ("name", "actions", "problem"),
    [
        ("Bad Name", [], "must be lower-case"),
        ("scan-all", ["dynamodb:*"], "wildcards are not allowed"),
        ("scan-all", ["dynamodb:Scan*"], "wildcards are not allowed"),
        ("scan-all", ["s3:GetObject"], "not a single DynamoDB action"),
    ],
)
def test_invalid_declarations_fail_at_import(name, actions, problem):
    with pytest.raises(OperationDefinitionError, match=problem):
        operation(name, actions=actions)


def test_serving_an_operation_imports_only_its_own_module():
    """A cold start pays for the requested operation's module, not for every plugin."""
    script = textwrap.dedent(
        """
        import json, sys
        from function.handler import handler
        assert handler({"operation": "ping"}, None) == "pong"
        print(json.dumps(sorted(m for m in sys.modules if m.startswith("operations."))))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=PROJECT_DIR, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == '["operations.ping"]'
