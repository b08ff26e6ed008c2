"""Plain values to DynamoDB AttributeValues and back."""

from decimal import Decimal

import pytest

from function.attribute_values import deserialize, serialize


@pytest.mark.parametrize(
    "value",
    [
        "Bob",
        "",
        0,
        -5,
        10**30,
        Decimal("19.99"),
        True,
        False,
        None,
        [1, "a", None],
        {"a": {"b": [True]}},
    ],
)
def test_plain_values_round_trip(value):
    assert deserialize(serialize(value)) == value


def test_the_typed_form_is_what_dynamodb_expects():
    assert serialize({"Id": "1", "n": Decimal("1.50"), "tags": ["a"]}) == {
        "M": {"Id": {"S": "1"}, "n": {"N": "1.50"}, "tags": {"L": [{"S": "a"}]}}
    }


def test_sets_and_binary_come_out_as_json_friendly_values():
    assert deserialize({"SS": ["a", "b"]}) == ["a", "b"]
    assert deserialize({"NS": ["1", "2.5"]}) == [1, Decimal("2.5")]
    assert deserialize({"B": b"\x00\xff"}) == "AP8="
    assert deserialize({"BS": [b"\x01"]}) == ["AQ=="]


def test_python_sets_and_bytes_from_plugins_become_dynamodb_sets_and_binary():
    assert serialize({"b", "a"}) == {"SS": ["a", "b"]}
    assert serialize(b"\x01") == {"B": b"\x01"}


def test_floats_are_refused_because_they_would_lose_digits():
    with pytest.raises(TypeError, match="Decimal"):
        serialize(0.1)
