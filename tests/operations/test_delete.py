import pytest

from function.dynamodb import ConditionalCheckFailedError


def test_delete_removes_the_item_and_can_return_it(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})
    table.put({"Id": "2", "name": "Ann"})

    result = run_operation("delete", {"Key": {"Id": "1"}, "ReturnValues": "ALL_OLD"})

    assert result == {"Attributes": {"Id": "1", "name": "Bob"}}
    assert table.items() == [{"Id": "2", "name": "Ann"}]


def test_deleting_a_missing_item_succeeds_as_in_dynamodb(table, run_operation):
    assert run_operation("delete", {"Key": {"Id": "nope"}}) == {}


def test_a_conditional_delete_that_fails_keeps_the_item(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})

    with pytest.raises(ConditionalCheckFailedError):
        run_operation(
            "delete",
            {
                "Key": {"Id": "1"},
                "ConditionExpression": "#n = :n",
                "ExpressionAttributeNames": {"#n": "name"},
                "ExpressionAttributeValues": {":n": "Ann"},
            },
        )

    assert table.items() == [{"Id": "1", "name": "Bob"}]
