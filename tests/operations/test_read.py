from decimal import Decimal

import pytest

from function.dynamodb import ItemNotFoundError
from function.validation import InvalidPayloadError


def test_read_returns_the_item_as_plain_values(table, run_operation):
    table.put({"Id": "1", "name": "Bob", "price": Decimal("19.99")})

    assert run_operation("read", {"Key": {"Id": "1"}}) == {
        "Item": {"Id": "1", "name": "Bob", "price": Decimal("19.99")}
    }


def test_read_can_project_attributes(table, run_operation):
    table.put({"Id": "1", "name": "Bob", "secret": "x"})

    result = run_operation(
        "read",
        {
            "Key": {"Id": "1"},
            "ProjectionExpression": "#n",
            "ExpressionAttributeNames": {"#n": "name"},
        },
    )

    assert result == {"Item": {"name": "Bob"}}


def test_reading_a_missing_item_is_not_found_and_carries_dynamodbs_answer(table, run_operation):
    with pytest.raises(ItemNotFoundError) as raised:
        run_operation("read", {"Key": {"Id": "404"}})

    assert raised.value.status == 404
    assert raised.value.response == {}


def test_read_needs_a_key(table, run_operation):
    with pytest.raises(InvalidPayloadError, match=r"must contain \['Key'\]"):
        run_operation("read", {})
