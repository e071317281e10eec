"""The one path from untrusted plain data to the model, and back (JSON text becomes plain
data in :mod:`simcancel._jsontext`).

cattrs does the walking; strict hooks make sure ``"no"`` is not ``True`` and ``"12"``
is not ``12``; every problem is collected with its ``$.path`` before anything is raised.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import attrs
import cattrs
from cattrs.errors import (
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.gen import make_dict_structure_fn

from simcancel._errors import InvalidStateError, Problem, did_you_mean, shorten
from simcancel.model import (
    MAX_SERVICES,
    Service,
    UserState,
    check_bool,
    check_count,
    check_money,
    check_text,
    iso_day,
)

__all__ = ["flatten_problems", "structure_state", "unstructure"]


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
        head, dot, rest = key.partition(".")
        if dot and head in known:
            # "documents.passport_copy" as one key: a dotted path where an object is wanted.
            nested = f'{{"{head}": {{"{rest}": ...}}}}'
            return Problem(path=f"{path}[{key!r}]", message=f"unknown field (write it nested: {nested})")
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


def unstructure(value: object) -> Any:
    """Plain data for a model object (enums as values, money as strings, dates ISO)."""
    return _converter.unstructure(value)
