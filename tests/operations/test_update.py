from decimal import Decimal

import pytest

from function.dynamodb import ConditionalCheckFailedError


def test_update_sets_an_attribute_and_returns_the_new_item(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})

    result = run_operation(
        "update",
        {
            "Key": {"Id": "1"},
            "UpdateExpression": "SET #n = :name, visits = :one",
            "ExpressionAttributeNames": {"#n": "name"},
            "ExpressionAttributeValues": {":name": "Alice", ":one": 1},
            "ReturnValues": "ALL_NEW",
        },
    )

    assert result["Attributes"] == {"Id": "1", "name": "Alice", "visits": 1}
    assert table.items() == [{"Id": "1", "name": "Alice", "visits": Decimal(1)}]


def test_update_accepts_the_legacy_attribute_updates_form(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})

    run_operation(
        "update",
        {"Key": {"Id": "1"}, "AttributeUpdates": {"name": {"Value": "Carol", "Action": "PUT"}}},
    )

    assert table.items() == [{"Id": "1", "name": "Carol"}]


def test_update_adds_exactly(table, run_operation):
    table.put({"Id": "1", "balance": Decimal("0.1")})

    result = run_operation(
        "update",
        {
            "Key": {"Id": "1"},
            "UpdateExpression": "ADD balance :amount",
            "ExpressionAttributeValues": {":amount": Decimal("0.2")},
            "ReturnValues": "UPDATED_NEW",
        },
    )

    assert result["Attributes"] == {"balance": Decimal("0.3")}


def test_a_failed_condition_changes_nothing(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})

    with pytest.raises(ConditionalCheckFailedError):
        run_operation(
            "update",
            {
                "Key": {"Id": "1"},
                "UpdateExpression": "SET #n = :name",
                "ConditionExpression": "#n = :expected",
                "ExpressionAttributeNames": {"#n": "name"},
                "ExpressionAttributeValues": {":name": "Eve", ":expected": "Nobody"},
            },
        )

    assert table.items() == [{"Id": "1", "name": "Bob"}]
