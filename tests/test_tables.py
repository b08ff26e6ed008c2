"""TABLES: which tables callers may name."""

import pytest

from function.tables import (
    TableNotAllowedError,
    TableRequiredError,
    Tables,
    TablesConfigError,
    configured,
)


def test_logical_and_physical_names_resolve_to_the_physical_table():
    tables = Tables({"LambdaTable": "prod-table-1a2b"})

    assert tables.resolve("LambdaTable").physical == "prod-table-1a2b"
    assert tables.resolve("prod-table-1a2b").physical == "prod-table-1a2b"
    assert tables.resolve("prod-table-1a2b").name == "LambdaTable"
    assert tables.resolve(None).physical == "prod-table-1a2b"


def test_with_several_tables_the_caller_must_choose():
    tables = Tables({"A": "a-1", "B": "b-1"})

    with pytest.raises(TableRequiredError, match="this API serves A, B"):
        tables.resolve(None)
    assert tables.resolve("B").physical == "b-1"


def test_any_other_table_is_forbidden_and_physical_names_are_not_revealed():
    with pytest.raises(TableNotAllowedError) as raised:
        Tables({"LambdaTable": "prod-table-1a2b"}).resolve("Users")

    assert raised.value.status == 403
    assert "prod-table-1a2b" not in raised.value.message


@pytest.mark.parametrize("raw", [None, "", "not json", "[]", "{}", '{"a": 1}', '{"": "x"}'])
def test_a_missing_or_malformed_table_map_is_a_configuration_error(monkeypatch, raw):
    if raw is None:
        monkeypatch.delenv("TABLES", raising=False)
    else:
        monkeypatch.setenv("TABLES", raw)

    with pytest.raises(TablesConfigError):
        configured()


def test_operation_code_cannot_reach_another_table_by_any_call(table):
    from function.dynamodb.bounded_client import client
    from function.dynamodb.confinement import ConfinementError
    from local_api.table import create_table

    create_table(table.client, "SomeoneElsesTable")
    attempts = [
        lambda: client().get_item(TableName="SomeoneElsesTable", Key={"Id": "1"}),
        lambda: client().batch_get_item(
            RequestItems={"SomeoneElsesTable": {"Keys": [{"Id": "1"}]}}
        ),
        lambda: client().transact_write_items(
            TransactItems=[{"Put": {"TableName": "SomeoneElsesTable", "Item": {"Id": "1"}}}]
        ),
        lambda: client().execute_statement(
            Statement="INSERT INTO \"SomeoneElsesTable\" VALUE {'Id': '1'}"
        ),
        lambda: client().delete_table(TableName=table.physical),
    ]
    for attempt in attempts:
        with pytest.raises(ConfinementError):
            attempt()

    assert table.client.scan(TableName="SomeoneElsesTable")["Items"] == []
    assert table.client.describe_table(TableName=table.physical)["Table"]["TableName"]
