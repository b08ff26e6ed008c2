"""The plugin's in-process moto answers as DynamoDB does where bare moto would not.

An operation's unit test (``run_operation``, ``post``) meets the same
corrections as ``make serve``: what DynamoDB refuses is refused before moto
sees it, and a map with an empty key is stored and read back.
"""

from __future__ import annotations

import pytest

from function.dynamodb import DynamoDBValidationError

REFUSED = {
    "an empty attribute name": (
        {"Item": {"Id": "y", "": 1}},
        "One or more parameter values were invalid: Empty attribute name in the item",
    ),
    "a condition that compares two numbers": (
        {"Item": {"Id": "kept", "v": 2}, "ConditionExpression": "attribute_not_exists(Id) OR 1=1"},
        'Invalid ConditionExpression: Syntax error; token: "1", near: "OR 1="',
    ),
}


@pytest.mark.parametrize("request_name", REFUSED)
def test_what_dynamodb_refuses_is_a_validation_error_and_changes_nothing(
    table, run_operation, request_name
):
    table.put({"Id": "kept", "v": 1})
    payload, message = REFUSED[request_name]

    with pytest.raises(DynamoDBValidationError) as refused:
        run_operation("create", payload)

    assert refused.value.status == 400
    assert message in str(refused.value)
    assert table.items() == [{"Id": "kept", "v": 1}]


def test_an_empty_name_through_expression_attribute_names_is_refused(table, run_operation):
    table.put({"Id": "kept", "m": {"a": 1}})
    update = {
        "Key": {"Id": "kept"},
        "UpdateExpression": "SET m.#e = :v",
        "ExpressionAttributeNames": {"#e": ""},
        "ExpressionAttributeValues": {":v": 2},
    }

    with pytest.raises(DynamoDBValidationError, match="Empty attribute name for key #e"):
        run_operation("update", update)

    assert table.items() == [{"Id": "kept", "m": {"a": 1}}]


def test_a_map_with_an_empty_key_is_stored_and_read_back(table, run_operation):
    item = {"Id": "empty-key", "meta": {"": "v", "inner": {"": 1}}}

    run_operation("create", {"Item": item})

    assert run_operation("read", {"Key": {"Id": "empty-key"}})["Item"] == item
    assert run_operation("list", {})["Items"] == [item]
    assert table.items() == [item]


def test_an_update_naming_only_a_key_creates_the_item_as_dynamodb_does(table, run_operation):
    answered = run_operation("update", {"Key": {"Id": "new"}, "ReturnValues": "ALL_NEW"})

    assert answered["Attributes"] == {"Id": "new"}
    assert table.items() == [{"Id": "new"}]


def test_an_item_of_thousands_of_attributes_is_stored_whole_and_one_over_400_kb_refused(
    table, run_operation
):
    wide = {"Id": "wide", **{f"a{n}": n for n in range(4000)}}

    run_operation("create", {"Item": wide})
    with pytest.raises(DynamoDBValidationError, match="Item size"):
        run_operation("create", {"Item": {"Id": "big", "a": "x" * 405_000}})

    assert table.items() == [wide]
