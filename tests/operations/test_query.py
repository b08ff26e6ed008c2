import pytest

from function.validation import InvalidPayloadError


def test_query_returns_the_items_of_a_partition_key(table, run_operation):
    table.put({"Id": "1", "name": "Bob"})
    table.put({"Id": "2", "name": "Ann"})

    result = run_operation(
        "query",
        {"KeyConditionExpression": "Id = :id", "ExpressionAttributeValues": {":id": "2"}},
    )

    assert result["Items"] == [{"Id": "2", "name": "Ann"}]
    assert result["Count"] == 1


def test_query_needs_a_key_condition(table, run_operation):
    with pytest.raises(InvalidPayloadError):
        run_operation("query", {"Limit": 1})
