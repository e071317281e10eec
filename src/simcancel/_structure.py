"""The one path from untrusted plain data (dict or JSON) to the model, and back.

cattrs does the walking; strict hooks make sure ``"no"`` is not ``True`` and ``"12"``
is not ``12``; every problem is collected with its ``$.path`` before anything is raised.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import json
import os
import re
import stat
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, BinaryIO

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from simcancel._errors import InvalidStateError, Problem, did_you_mean, shorten
from simcancel._yaml import read_stream_capped
from simcancel.model import (
    MAX_SERVICES,
    Service,
    UserState,
    check_bool,
    check_count,
    check_money,
    check_text,
)

__all__ = ["flatten_problems", "iso_day", "parse_json", "read_json", "structure_state", "unstructure"]

MAX_JSON_BYTES = 1_000_000
"""A state is a few hundred bytes; anything past this is refused before parsing."""


def _structure_enum(value: object, kind: type[enum.Enum]) -> enum.Enum:
    choices = [member.value for member in kind]
    if isinstance(value, str):
        for member in kind:
            if member.value == value:
                return member
        hint = did_you_mean(value, choices)
    else:
        hint = ""
    listed = ", ".join(repr(choice) for choice in choices)
    raise ValueError(f"expected one of {listed}, got {shorten(value)}{hint}")


_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
"""The one date form accepted: ``fromisoformat`` alone also takes ``20240101`` and ``2024-W01-1``."""


def iso_day(value: object) -> dt.date:
    """``value`` as a date when it is written ``YYYY-MM-DD`` and is a real day.

    Raises ValueError otherwise: ``20240101`` and ``2024-W01-1`` too, which
    ``dt.date.fromisoformat`` alone accepts.
    """
    if isinstance(value, str) and _ISO_DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date as 'YYYY-MM-DD', got {shorten(value)}")


def _structure_date(value: object, _: type) -> dt.date:
    return iso_day(value)


def _structure_services(value: object, _: type) -> tuple[Service, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a list of services, got {shorten(value)}")
    if len(value) > MAX_SERVICES:
        raise ValueError(f"expected at most {MAX_SERVICES} services, got {len(value)}")
    return tuple(_converter.structure(list(value), list[Service]))


def _strict_class_hook(cls: type) -> Callable[[Any, type], Any]:
    generated: Callable[[Any, type], Any] = make_dict_structure_fn(
        cls, _converter, _cattrs_forbid_extra_keys=True
    )

    def hook(value: Any, kind: type) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object with fields, got {shorten(value)}")
        return generated(value, kind)

    return hook


_converter = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
_converter.register_structure_hook(Decimal, lambda value, _: check_money(value))
_converter.register_structure_hook(int, lambda value, _: check_count(value))
_converter.register_structure_hook(bool, lambda value, _: check_bool(value))
_converter.register_structure_hook(str, lambda value, _: check_text(value))
_converter.register_structure_hook(dt.date, _structure_date)
_converter.register_structure_hook_func(lambda kind: kind == tuple[Service, ...], _structure_services)
_converter.register_structure_hook_func(
    lambda kind: isinstance(kind, type) and issubclass(kind, enum.Enum), _structure_enum
)
_converter.register_structure_hook_factory(attrs.has, _strict_class_hook)

_converter.register_unstructure_hook(Decimal, str)
_converter.register_unstructure_hook(dt.date, dt.date.isoformat)


def _field_names(cls: type) -> list[str]:
    return [field.name for field in attrs.fields(cls)]


def _problems(error: BaseException, path: str, cls: type | None) -> list[Problem]:
    """Flatten cattrs' exception groups into problems with ``$.paths``."""
    if isinstance(error, ClassValidationError):
        with_notes, others = error.group_exceptions()
        found = [problem for inner in others for problem in _problems(inner, path, cls)]
        for inner, note in with_notes:
            child = f"{path}.{note.name}"
            kind = note.type if attrs.has(note.type) else None
            if isinstance(inner, KeyError):
                found.append(Problem(path=child, message="required field is missing"))
            else:
                found.extend(_problems(inner, child, kind))
        return found
    if isinstance(error, IterableValidationError):
        items, others = error.group_exceptions()
        found = [problem for inner in others for problem in _problems(inner, path, cls)]
        for inner, index_note in items:
            found.extend(_problems(inner, f"{path}[{index_note.index}]", index_note.type))
        return found
    if isinstance(error, ForbiddenExtraKeysError):
        known = _field_names(error.cl)
        return [_unknown_field(path, key, known) for key in sorted(error.extra_fields, key=shorten)]
    if isinstance(error, ExceptionGroup):
        return [problem for inner in error.exceptions for problem in _problems(inner, path, cls)]
    if isinstance(error, InvalidStateError):
        return list(error.problems)
    return [Problem(path=path, message=str(error))]


def flatten_problems(error: BaseException, path: str) -> list[Problem]:
    """The problems inside a structuring error of cattrs (or a ``ValueError``), with ``$.paths``."""
    return _problems(error, path, None)


def _unknown_field(path: str, key: object, known: list[str]) -> Problem:
    # A dict from Python may have keys that are not strings, or are megabytes long:
    # neither may break the message, nor make difflib crawl through them.
    if isinstance(key, str) and len(key) <= 100:
        return Problem(path=f"{path}.{key}", message=f"unknown field{did_you_mean(key, known)}")
    return Problem(path=f"{path}[{shorten(key)}]", message="unknown field (field names are short strings)")


def structure_state(data: object) -> UserState:
    """Build a :class:`UserState` from plain data or raise one error listing every problem."""
    # Each error is raised after its except block: raised inside, it would carry cattrs'
    # exception group as __context__, which cannot be unpickled (Dask sends the chain).
    try:
        state: UserState = _converter.structure(data, UserState)
    except (ClassValidationError, ValueError) as error:
        problems = _problems(error, "$", UserState)
    except RecursionError:
        problems = [Problem(path="$", message="expected a flat state object, got data nested too deeply")]
    else:
        return state
    raise InvalidStateError(problems)


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


def unstructure(value: object) -> Any:
    """Plain data for a model object (enums as values, money as strings, dates ISO)."""
    return _converter.unstructure(value)
