"""Untrusted JSON text to plain data: exact decimals, bounded digits, a capped read."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest

from simcancel import InvalidStateError
from simcancel._jsontext import MAX_INT_DIGITS, MAX_JSON_BYTES, parse_json, read_json


def test_json_numbers_are_exact_decimals() -> None:
    """JSON floats are parsed as Decimal, never binary floats."""
    assert parse_json('{"a": 0.1}') == {"a": Decimal("0.1")}


def test_json_integer_digits_are_bounded() -> None:
    """An integer literal at the limit parses; one digit more is refused, not a bare ValueError."""
    assert parse_json("9" * MAX_INT_DIGITS) == int("9" * MAX_INT_DIGITS)
    with pytest.raises(InvalidStateError, match="at most 100 digits"):
        parse_json("9" * (MAX_INT_DIGITS + 1))


def test_read_json_reads_at_most_the_cap_plus_one_byte() -> None:
    """A stream is read up to 1 MB + 1 byte: at the cap it is returned, past it refused."""
    exact = io.BytesIO(b" " * MAX_JSON_BYTES)
    assert read_json(exact) == b" " * MAX_JSON_BYTES
    endless = io.BytesIO(b" " * (3 * MAX_JSON_BYTES))
    with pytest.raises(InvalidStateError) as caught:
        read_json(endless)
    assert [str(problem) for problem in caught.value.problems] == [
        f"$: expected at most {MAX_JSON_BYTES} bytes of JSON, got more than {MAX_JSON_BYTES}"
    ]
    assert endless.tell() == MAX_JSON_BYTES + 1
