"""What an operation declares about its tables holds when it runs, and it can read their keys."""

from __future__ import annotations

import textwrap

import pytest

from function.registry import OperationDefinitionError, operation
from infra.settings import stack_settings

OPERATIONS = textwrap.dedent(
    '''
    """Operations that say which tables and indexes they need."""
    from function.registry import operation


    @operation("probe-archive", actions=["dynamodb:DeleteItem"], tables=["Orders"])
    def archive(call):
        """Delete an order by the item the caller sends, whatever the key's attributes."""
        call.dynamodb.delete_item(TableName=call.table, Key=call.keys.key_of(call.payload))
        return {"deleted": call.keys.key_of(call.payload), "table": call.table_name}


    @operation(
        "probe-by-status",
        actions=["dynamodb:Query"],
        index_actions=["dynamodb:Query"],
        indexes=["byStatus"],
    )
    def by_status(call):
        """The items with one status, through the index that sorts them."""
        index = call.keys.indexes["byStatus"]
        return call.dynamodb.query(
            TableName=call.table,
            IndexName="byStatus",
            KeyConditionExpression="#k = :v",
            ExpressionAttributeNames={"#k": index.hash_key},
            ExpressionAttributeValues={":v": call.payload["status"]},
        )


    @operation("probe-keys", actions=["dynamodb:GetItem"])
    def keys(call):
        """The key schema of the table the request names."""
        return {
            "hash": call.keys.hash_key,
            "range": call.keys.range_key,
            "indexes": {name: [i.hash_key, i.range_key] for name, i in call.keys.indexes.items()},
        }
    '''
)

ORDER = {"customerId": "c1", "orderId": "o1", "status": "NEW", "createdAt": "2026-12-01"}


@pytest.fixture
def table_definitions():
    """The orders stack's tables: LambdaTable and Orders (customerId, orderId; byStatus)."""
    return stack_settings("orders").tables


@pytest.fixture
def served(tables, plugin_package, monkeypatch):
    package = plugin_package({"table_aware": OPERATIONS})
    monkeypatch.setenv("OPERATION_PACKAGES", f"operations,{package}")
    return tables


def test_an_operation_reads_the_key_schema_of_the_table_it_is_called_on(served, post):
    orders = post({"operation": "probe-keys", "tableName": "Orders"})
    tutorial = post({"operation": "probe-keys", "tableName": "LambdaTable"})

    assert orders.json == {
        "hash": "customerId",
        "range": "orderId",
        "indexes": {"byStatus": ["status", "createdAt"]},
    }
    assert tutorial.json == {"hash": "Id", "range": None, "indexes": {}}


def test_an_operation_limited_to_a_table_runs_there_and_is_forbidden_elsewhere(served, post):
    served["Orders"].put(ORDER)
    served["LambdaTable"].put({"Id": "1"})

    elsewhere = post(
        {"operation": "probe-archive", "tableName": "LambdaTable", "payload": {"Id": "1"}}
    )
    there = post({"operation": "probe-archive", "tableName": "Orders", "payload": ORDER})

    assert elsewhere.status == 403
    assert elsewhere.json == {
        "message": (
            "Operation 'probe-archive' does not run on table 'LambdaTable'; it runs on Orders"
        ),
        "type": "OperationNotOnTable",
    }
    assert served["LambdaTable"].items() == [{"Id": "1"}]
    assert there.json == {"deleted": {"customerId": "c1", "orderId": "o1"}, "table": "Orders"}
    assert served["Orders"].items() == []


def test_an_operation_needing_an_index_runs_on_the_tables_that_have_it(served, post):
    served["Orders"].put(ORDER)

    found = post(
        {"operation": "probe-by-status", "tableName": "Orders", "payload": {"status": "NEW"}}
    )
    refused = post({"operation": "probe-by-status", "tableName": "LambdaTable", "payload": {}})

    assert found.json["Items"] == [ORDER]
    assert (refused.status, refused.json["type"]) == (403, "OperationNotOnTable")
    assert refused.json["message"].endswith("it runs on tables with the index byStatus")


def test_an_operation_on_one_table_needs_no_table_name(served, post):
    """The stack serves two tables, but ``archive`` runs on Orders alone."""
    served["Orders"].put(ORDER)

    answer = post({"operation": "probe-archive", "payload": ORDER})

    assert answer.status == 200
    assert served["Orders"].items() == []


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"actions": ["dynamodb:GetItem"], "tables": "Orders"}, "tables must be a list"),
        ({"actions": ["dynamodb:GetItem"], "tables": []}, "would serve no table"),
        ({"actions": ["dynamodb:Query"], "indexes": ["byStatus"]}, "declares no index_actions"),
        ({"tables": ["Orders"]}, "names tables but declares no actions"),
        ({"actions": ["dynamodb:GetItem"], "tables": [""]}, "must be non-empty strings"),
    ],
)
def test_a_declaration_that_cannot_work_is_refused_at_import(declaration, message):
    with pytest.raises(OperationDefinitionError, match=message):
        operation("broken", **declaration)


def test_a_query_of_an_index_the_table_lacks_is_dynamodbs_400_not_an_access_error(served, post):
    """Deployed, the role may use only existing indexes: IAM would answer before DynamoDB."""
    answer = post(
        {
            "operation": "query",
            "tableName": "LambdaTable",
            "payload": {
                "IndexName": "byStatus",
                "KeyConditionExpression": "#s = :s",
                "ExpressionAttributeNames": {"#s": "status"},
                "ExpressionAttributeValues": {":s": "NEW"},
            },
        }
    )

    assert answer.status == 400
    assert answer.json == {
        "message": "The table does not have the specified index: byStatus",
        "type": "DynamoDBValidation",
    }
