"""Exact numbers in and out, and DynamoDB's limits on what a body may hold."""

from decimal import Decimal

import pytest

from function.json_codec import MAX_DEPTH, InvalidJsonError, decode, encode, in_dynamodb_range


def test_numbers_decode_exactly_and_never_as_floats():
    value = decode('{"a": 19.99, "b": 12345678901234567890, "c": 1e5, "d": -0.0}')

    assert value == {
        "a": Decimal("19.99"),
        "b": 12345678901234567890,
        "c": Decimal("1E+5"),
        "d": Decimal("-0.0"),
    }
    assert not any(isinstance(v, float) for v in value.values())


@pytest.mark.parametrize(
    "text",
    [
        "19.99",
        "12345678901234567890",
        "0.12345678901234567890123456789012345678",
        "1E+125",
        "-1E-130",
        "0",
        "-7",
    ],
)
def test_encoding_writes_the_same_number_back(text):
    decoded = decode(text)

    assert not isinstance(decoded, float)
    assert encode(decoded) == text


def test_encoding_is_compact_json_with_ascii_escapes():
    assert encode({"name": "Zoë", "ok": True, "none": None, "list": [1, Decimal("2.5")]}) == (
        '{"name":"Zo\\u00eb","ok":true,"none":null,"list":[1,2.5]}'
    )


@pytest.mark.parametrize(
    ("number", "storable"),
    [
        (Decimal("9.9999999999999999999999999999999999999E+125"), True),
        (Decimal("1E+126"), False),
        (Decimal("1E-130"), True),
        (Decimal("1E-131"), False),
        (Decimal("1" * 38), True),
        (Decimal("1" * 39), False),
        (Decimal(10**50), True),
        (Decimal("NaN"), False),
        (Decimal("0E-500"), True),
    ],
)
def test_dynamodb_number_range(number, storable):
    assert in_dynamodb_range(number) is storable


@pytest.mark.parametrize(
    "text",
    [
        "NaN",
        "Infinity",
        "[-Infinity]",
        "1e999",
        "[" * 41 + "]" * 41,
        '"\\udc00"',
        '{"\\ud800": 1}',
        "{'a': 1}",
    ],
)
def test_what_dynamodb_cannot_store_is_refused(text):
    with pytest.raises(InvalidJsonError):
        decode(text)


def test_nesting_up_to_the_limit_is_accepted_and_one_level_more_is_not():
    at_limit = "[" * MAX_DEPTH + "]" * MAX_DEPTH
    expected: list = []
    for _ in range(MAX_DEPTH - 1):
        expected = [expected]

    assert decode(at_limit) == expected
    with pytest.raises(InvalidJsonError, match=f"deeper than {MAX_DEPTH} levels"):
        decode("[" + at_limit + "]")
