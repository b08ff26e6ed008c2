"""JSON with exact numbers: what comes in reaches DynamoDB digit for digit.

Decoding keeps every number exact (``int`` or ``Decimal``; never ``float``) and
refuses, with a message, what DynamoDB could not store or what would cost us
memory or recursion: NaN and Infinity, numbers outside DynamoDB's range, nesting
deeper than :data:`MAX_DEPTH`, and strings that are not valid Unicode.
Encoding writes ``Decimal`` values as the exact JSON numbers they are.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from decimal import Decimal
from json.encoder import encode_basestring_ascii
from typing import Any

from function.errors import InvalidJsonError

#: DynamoDB keeps 38 significant digits, magnitudes from 1E-130 to 9.99...E+125.
MAX_SIGNIFICANT_DIGITS = 38
MIN_EXPONENT = -130
MAX_EXPONENT = 125

#: DynamoDB nests documents 32 levels deep; the request envelope adds a few.
MAX_DEPTH = 40

_INT_LIMIT = 10**MAX_SIGNIFICANT_DIGITS


def decode(text: str) -> Any:
    """Parse ``text`` as JSON with exact numbers, checking it against DynamoDB's limits."""
    try:
        if _plain(text):
            try:
                return _PLAIN_DECODER.decode(text)
            except _FractionSeen:
                pass
        value = _DECODER.decode(text)
    except json.JSONDecodeError as error:
        where = f"line {error.lineno}, column {error.colno}"
        raise InvalidJsonError(f"Request body is not valid JSON: {error.msg} ({where})") from None
    except RecursionError:
        raise InvalidJsonError(f"Request body nests deeper than {MAX_DEPTH} levels") from None
    except (ValueError, ArithmeticError):  # an integer too long, an exponent beyond Decimal's
        raise InvalidJsonError(
            "Request body has a number DynamoDB cannot store "
            f"({MAX_SIGNIFICANT_DIGITS} significant digits, magnitude 1E{MIN_EXPONENT} "
            f"to 9.9E{MAX_EXPONENT})"
        ) from None
    check(value)
    return value


def _plain(text: str) -> bool:
    """Whether ``text`` can hold nothing :func:`check` refuses, but for fractions.

    ASCII, no escapes (so no lone surrogate), too few brackets to nest past
    :data:`MAX_DEPTH`, no run of 39 digits (so every integer fits): what most
    requests are. They parse without the walk, unless a number with a fraction
    or an exponent turns up (:class:`_FractionSeen`).
    """
    return (
        text.isascii()
        and "\\u" not in text
        and text.count("{") + text.count("[") <= MAX_DEPTH
        and _LONG_DIGITS.search(text) is None
    )


class _FractionSeen(Exception):
    """A plain text holds a fraction or an exponent: its range needs the full check."""


def _no_fraction(text: str) -> Any:
    raise _FractionSeen


_LONG_DIGITS = re.compile(r"[0-9]{39}")


def from_python(value: Any) -> Any:
    """An already-parsed document (a direct Lambda event), checked like a body.

    The Lambda runtime parses events with floats; each becomes the decimal its
    shortest repr spells (19.99 stays 19.99), which is what the caller wrote for
    up to 17 significant digits.
    """
    return _floats_to_decimals(value) if _scan(value) else value


def check(value: Any) -> None:
    """Refuse values DynamoDB cannot store: deep nesting, out-of-range numbers, bad strings."""
    _scan(value)


def _scan(value: Any) -> bool:
    """:func:`check`, also telling whether ``value`` holds floats (parsed events do).

    The walk keeps one iterator per level, never a copy of a level's values, so a
    body of millions of tiny values costs no more memory than the body itself.
    """
    has_floats = False
    stack: list[tuple[Iterator[Any], int]] = [(iter((value,)), 0)]
    while stack:
        values, depth = stack.pop()
        for node in values:
            if isinstance(node, str):
                if not node.isascii():
                    _check_unicode(node)
            elif isinstance(node, dict | list):
                if depth >= MAX_DEPTH:
                    raise InvalidJsonError(f"Request body nests deeper than {MAX_DEPTH} levels")
                if isinstance(node, dict):
                    for key in node:
                        if not key.isascii():
                            _check_unicode(key)
                    node = node.values()
                stack.append((values, depth))  # resumed once the nested level is done
                stack.append((iter(node), depth + 1))
                break
            elif isinstance(node, bool) or node is None:
                continue
            elif isinstance(node, int):
                if not -_INT_LIMIT < node < _INT_LIMIT:
                    _check_number(Decimal(node))
            elif isinstance(node, Decimal):
                _check_number(node)
            elif isinstance(node, float):
                if node != node or node in (float("inf"), float("-inf")):
                    raise InvalidJsonError(f"Request has {node}, which is not a JSON number")
                _check_number(Decimal(repr(node)))
                has_floats = True
    return has_floats


def _floats_to_decimals(value: Any) -> Any:
    if isinstance(value, float):
        return Decimal(repr(value))
    if isinstance(value, dict):
        return {key: _floats_to_decimals(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_floats_to_decimals(item) for item in value]
    return value


def in_dynamodb_range(number: Decimal) -> bool:
    """Whether DynamoDB can store ``number`` exactly."""
    if not number.is_finite():
        return False
    if number.is_zero():
        return True
    significant = len("".join(map(str, number.as_tuple().digits)).rstrip("0"))
    return (
        significant <= MAX_SIGNIFICANT_DIGITS and MIN_EXPONENT <= number.adjusted() <= MAX_EXPONENT
    )


def _check_number(number: Decimal) -> None:
    if not in_dynamodb_range(number):
        shown = str(number) if len(str(number)) <= 60 else f"{str(number)[:57]}..."
        raise InvalidJsonError(
            f"Number {shown} is outside what DynamoDB can store "
            f"({MAX_SIGNIFICANT_DIGITS} significant digits, magnitude 1E{MIN_EXPONENT} "
            f"to 9.9E{MAX_EXPONENT})"
        )


def _check_unicode(text: str) -> None:
    """Refuse a (non-ASCII) string holding a lone surrogate: it is not text."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidJsonError(
            "Request body has a string that is not valid Unicode (a lone surrogate escape)"
        ) from None


def _refuse_constant(name: str) -> Any:
    raise InvalidJsonError(f"Request body has {name}, which is not a JSON number")


_DECODER = json.JSONDecoder(parse_float=Decimal, parse_constant=_refuse_constant)
_PLAIN_DECODER = json.JSONDecoder(parse_float=_no_fraction, parse_constant=_refuse_constant)


def encode(value: Any, *, sort_keys: bool = False) -> str:
    """Serialize ``value`` as compact JSON, writing ``Decimal`` numbers exactly."""
    out = io.StringIO()
    _encode(value, out.write, sort_keys)
    return out.getvalue()


def _encode(value: Any, write: Any, sort_keys: bool) -> None:
    if isinstance(value, str):
        write(encode_basestring_ascii(value))
    elif value is None:
        write("null")
    elif value is True:
        write("true")
    elif value is False:
        write("false")
    elif isinstance(value, int):
        write(int.__repr__(value))
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError(f"{value} has no JSON representation")
        write(str(value))
    elif isinstance(value, dict):
        write("{")
        first = True
        for key, item in sorted(value.items()) if sort_keys else value.items():
            if not isinstance(key, str):
                raise TypeError(f"JSON object keys must be strings, not {type(key).__name__}")
            if not first:
                write(",")
            first = False
            write(encode_basestring_ascii(key))
            write(":")
            _encode(item, write, sort_keys)
        write("}")
    elif isinstance(value, list | tuple):
        write("[")
        for index, item in enumerate(value):
            if index:
                write(",")
            _encode(item, write, sort_keys)
        write("]")
    elif isinstance(value, float):
        write(json.dumps(value, allow_nan=False))
    else:
        raise TypeError(f"{type(value).__name__} is not JSON serializable")
