from decimal import Decimal

import pytest

from function.dynamodb import ConditionalCheckFailedError, DynamoDBValidationError
from function.validation import InvalidPayloadError


def test_create_stores_the_item_as_plain_values(table, run_operation):
    result = run_operation("create", {"Item": {"Id": "1", "name": "Bob", "age": 42}})

    assert result == {}
    assert table.items() == [{"Id": "1", "name": "Bob", "age": Decimal(42)}]


def test_create_replaces_an_existing_item_and_can_return_it(table, run_operation):
    run_operation("create", {"Item": {"Id": "1", "name": "Bob"}})

    result = run_operation(
        "create", {"Item": {"Id": "1", "name": "Ann"}, "ReturnValues": "ALL_OLD"}
    )

    assert result["Attributes"] == {"Id": "1", "name": "Bob"}
    assert table.items() == [{"Id": "1", "name": "Ann"}]


def test_create_keeps_documents_lists_and_exact_numbers(table, run_operation):
    item = {
        "Id": "1",
        "price": Decimal("19.99"),
        "big": 12345678901234567890,
        "tags": ["a", "b"],
        "address": {"city": "Lisbon", "zip": None, "active": True},
    }
    run_operation("create", {"Item": item})

    assert table.items() == [item]


def test_a_condition_that_fails_is_a_conflict_and_keeps_the_item(table, run_operation):
    run_operation("create", {"Item": {"Id": "1", "name": "Bob"}})

    with pytest.raises(ConditionalCheckFailedError) as raised:
        run_operation(
            "create",
            {"Item": {"Id": "1", "name": "Eve"}, "ConditionExpression": "attribute_not_exists(Id)"},
        )

    assert raised.value.status == 409
    assert table.items() == [{"Id": "1", "name": "Bob"}]


def test_an_item_without_its_key_is_refused_by_dynamodb(table, run_operation):
    with pytest.raises(DynamoDBValidationError, match="Missing the key Id"):
        run_operation("create", {"Item": {"name": "Bob"}})
    assert table.items() == []


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({}, "must contain ['Item']"),
        ({"Item": "Bob"}, "payload.Item must be object"),
        ({"Item": {"Id": "1"}, "Itme": {}}, "must not contain {'Itme'}"),
        ({"Item": {"Id": "1"}, "ReturnValues": "ALL_NEW"}, "payload.ReturnValues must be one of"),
    ],
)
def test_a_payload_that_is_not_a_putitem_call_is_refused(table, run_operation, payload, message):
    with pytest.raises(
        InvalidPayloadError, match=rf"(?i){message.replace('[', '.').replace(']', '.')}"
    ):
        run_operation("create", payload)
    assert table.items() == []
