"""Untrusted JSON text to plain data: exact decimals, capped size, digits and nesting.

Every failure is an :class:`InvalidStateError` at ``$`` naming what was found; the data
is then structured into the model by :mod:`simcancel._structure` (cattrs), which this
module does not need: a command that only reads dates or files does not load cattrs.
"""

from __future__ import annotations

import decimal
import json
import os
import stat
from decimal import Decimal
from typing import BinaryIO

from simcancel._errors import InvalidStateError, Problem, shorten
from simcancel._yaml import read_stream_capped

__all__ = ["MAX_INT_DIGITS", "MAX_JSON_BYTES", "parse_json", "read_json"]

MAX_JSON_BYTES = 1_000_000
"""A state is a few hundred bytes; anything past this is refused before parsing."""


def parse_json(text: object) -> object:
    """Parse JSON with exact decimals; malformed text becomes an :class:`InvalidStateError`."""
    if isinstance(text, bytearray):
        text = bytes(text)
    if not isinstance(text, (str, bytes)):
        # Named by type when its repr is only an address (a memoryview, an open file).
        shown = shorten(text)
        shown = f"an object of type {type(text).__name__}" if " at 0x" in shown else shown
        raise _refused(f"expected JSON text (str or bytes) for UserState.from_json(text), got {shown}")
    if len(text) > MAX_JSON_BYTES:
        raise _refused(f"expected at most {MAX_JSON_BYTES} bytes of JSON, got {len(text)}")
    if isinstance(text, bytes):
        raw, problem = text, None
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as error:
            byte = raw[error.start : error.start + 1]
            problem = f"expected UTF-8 text, got a byte {byte!r} at offset {error.start}"
        if problem is not None:
            raise _refused(problem)
    if not text.strip():
        raise _refused(
            "expected JSON, got an empty text" if not text else "expected JSON, got only white space"
        )
    try:
        return json.loads(
            text, parse_float=_parse_float, parse_int=_parse_int, parse_constant=_refuse_constant
        )
    except json.JSONDecodeError as error:
        message = (
            f"expected JSON, got a syntax error at line {error.lineno} column {error.colno}: {error.msg}"
        )
    except RecursionError:
        message = "expected JSON nested at most a few levels, got nesting too deep to parse"
    raise _refused(message)


def read_json(source: BinaryIO) -> bytes:
    """A state's JSON from a binary stream (a file, stdin), refused past the size cap.

    At most ``MAX_JSON_BYTES + 1`` bytes are read, so an endless stream (``/dev/zero``,
    ``yes |``) is refused at once instead of filling memory.
    """
    data = read_stream_capped(source, MAX_JSON_BYTES)
    if data is not None:
        return data
    try:
        found = os.fstat(source.fileno())
    except (OSError, ValueError, AttributeError):  # not a file descriptor (BytesIO, ...)
        regular = False
    else:
        regular = stat.S_ISREG(found.st_mode) and found.st_size > MAX_JSON_BYTES
    size = str(found.st_size) if regular else f"more than {MAX_JSON_BYTES}"
    raise _refused(f"expected at most {MAX_JSON_BYTES} bytes of JSON, got {size}")


def _refused(message: str) -> InvalidStateError:
    return InvalidStateError([Problem(path="$", message=message)])


MAX_INT_DIGITS = 100
"""Longest integer literal accepted in JSON; ``int()`` raises a bare ``ValueError`` past 4300."""


def _parse_int(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise InvalidStateError(
            [
                Problem(
                    path="$",
                    message=f"expected numbers of at most {MAX_INT_DIGITS} digits, "
                    f"got one of {len(text.lstrip('-'))} digits",
                )
            ]
        )
    return int(text)


def _parse_float(text: str) -> Decimal:
    """A JSON number with a fraction or exponent as an exact decimal; one whose exponent no
    decimal holds (``1E999999999999999999``: ``Decimal`` raises ``InvalidOperation``) is
    refused as bad input."""
    try:
        return Decimal(text)
    except decimal.InvalidOperation:
        pass
    message = f"expected a number whose exponent a decimal can hold, got {shorten(text)}"
    raise InvalidStateError([Problem(path="$", message=message)])


def _refuse_constant(name: str) -> object:
    raise InvalidStateError([Problem(path="$", message=f"expected finite numbers, got {name}")])
