"""The guide to writing an operation, run: each sample and each rule it states."""

from __future__ import annotations

import re

import pytest

from function.dynamodb.confinement import UndeclaredTableError
from function.errors import ItemNotFoundError
from tests.guide_samples import GUIDE, sample


@pytest.fixture
def guide_operations(plugin_package, monkeypatch):
    """The guide's operation samples, served alone: a user may have copied one into operations/."""
    package = plugin_package(
        {"count": sample("count"), "order_status": sample("not-found"), "take": sample("take")}
    )
    monkeypatch.setenv("OPERATION_PACKAGES", package)
    return package


def test_the_count_sample_and_its_test_pass(guide_operations, table, run_operation):
    namespace: dict = {}
    exec(compile(sample("count-test"), str(GUIDE), "exec"), namespace)  # noqa: S102 - the guide's own code

    namespace["test_count_counts_the_items"](table, run_operation)


def test_raising_a_catalogue_error_with_a_message_is_its_status_with_that_message(
    guide_operations, table, post, run_operation
):
    table.put({**table.key(1), "status": "shipped"})

    missing = post(
        {"operation": "order-status", "tableName": table.name, "payload": {"Key": table.key(2)}}
    )
    found = post(
        {"operation": "order-status", "tableName": table.name, "payload": {"Key": table.key(1)}}
    )
    with pytest.raises(ItemNotFoundError, match=r"^No such order$"):
        run_operation("order-status", {"Key": table.key(2)})

    assert (missing.status, missing.json) == (
        404,
        {"message": "No such order", "type": "ItemNotFound"},
    )
    assert (found.status, found.json) == (200, {"status": "shipped"})


def test_an_operation_without_a_schema_takes_any_object_and_nothing_else(
    table, post, plugin_package, monkeypatch
):
    package = plugin_package(
        {
            "keys": "from function import operation\n\n\n"
            '@operation("payload-keys")\ndef keys(call):\n    return sorted(call.payload)\n'
        }
    )
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    taken = post({"operation": "payload-keys", "payload": {"b": 1, "a": 2}})
    refused = [post({"operation": "payload-keys", "payload": value}) for value in ([1], "x", 3)]

    assert (taken.status, taken.json) == (200, ["a", "b"])
    assert {answer.status for answer in refused} == {400}
    assert {answer.json["type"] for answer in refused} == {"InvalidPayload"}


@pytest.mark.stack("orders")
def test_the_refusal_the_guide_quotes_is_the_one_an_operation_gets(
    tables, plugin_package, monkeypatch, run_operation
):
    package = plugin_package(
        {
            "x": "from function import operation, tables\n\n\n"
            '@operation("x", actions=["dynamodb:GetItem"], tables=["Orders"])\n'
            "def x(call):\n"
            '    physical = tables.configured().resolve("LambdaTable").physical\n'
            '    return call.dynamodb.get_item(TableName=physical, Key={"Id": "1"})\n'
        }
    )
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")

    with pytest.raises(UndeclaredTableError) as refused:
        run_operation("x")

    quoted = " ".join(GUIDE.read_text().split())
    said = f"UndeclaredTableError: {refused.value}".split(";")[0]
    assert said in quoted.replace("` ", " ").replace("`", ""), said


def test_every_sample_in_the_guide_is_one_a_test_runs():
    names = re.findall(r"<!-- sample: ([\w-]+) -->", GUIDE.read_text())

    assert sorted(names) == ["count", "count-test", "not-found", "take"]
