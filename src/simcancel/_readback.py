"""``Assessment.from_dict``: an assessment back from the JSON that ``to_dict`` wrote.

cattrs walks the attrs classes as :mod:`simcancel._structure` does for states, with
strict leaves (``"1"`` is not ``1``, ``1`` is not ``True``) and the two places where the
JSON differs from the fields: an issue's ``facts`` are an object (the fields hold pairs),
and ``schema`` and ``can_cancel_now`` are keys with no field, checked and dropped.  Keys a
later ``simcancel.assessment/1`` adds are ignored, as the schema lets them be.
"""

from __future__ import annotations

import datetime as dt
import enum
import types
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import cattrs
from cattrs.errors import ClassValidationError
from cattrs.gen import make_dict_structure_fn

from simcancel._errors import Problem, UsageError, shorten
from simcancel._frozen import FrozenMapping
from simcancel._structure import flatten_problems
from simcancel.model import ASSESSMENT_SCHEMA_ID, Assessment, DisplayValue, IssueKind

__all__ = ["structure_assessment"]

_FACTS = tuple[tuple[str, DisplayValue], ...]


def _exact(kind: type, expected: str) -> Any:
    def hook(value: object, _: type) -> object:
        if type(value) is not kind:
            raise ValueError(f"expected {expected}, got {shorten(value)}")
        return value

    return hook


def _display_value(value: object, _: object) -> DisplayValue:
    if type(value) not in (str, int, bool):
        raise ValueError(f"expected a string, a whole number or a boolean, got {shorten(value)}")
    return value  # type: ignore[return-value]  # checked just above


def _facts(value: object, _: object) -> _FACTS:
    if not isinstance(value, Mapping):
        raise ValueError(f"expected an object of facts, got {shorten(value)}")
    pairs = []
    for name, shown in value.items():
        if not isinstance(name, str):
            raise ValueError(f"expected fact names as strings, got {shorten(name)}")
        pairs.append((name, _display_value(shown, None)))
    return tuple(pairs)


def _texts(value: object, _: object) -> Mapping[str, str]:
    if not isinstance(value, Mapping) or not all(
        isinstance(key, str) and isinstance(text, str) for key, text in value.items()
    ):
        raise ValueError(f"expected an object of texts by label key, got {shorten(value)}")
    return FrozenMapping(value)


def _date(value: object, _: type) -> dt.date:
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise ValueError(f"expected a date as 'YYYY-MM-DD', got {shorten(value)}")


def _enum(value: object, kind: type[enum.Enum]) -> enum.Enum:
    for member in kind:
        if member.value == value and type(value) is str:
            return member
    choices = ", ".join(repr(member.value) for member in kind)
    raise ValueError(f"expected one of {choices}, got {shorten(value)}")


def _sequence(value: object, kind: Any) -> tuple[Any, ...]:
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"expected a list, got {shorten(value)}")
    items: Any = types.GenericAlias(list, kind.__args__[:1])
    return tuple(_converter.structure(list(value), items))


def _class_hook(cls: type) -> Any:
    generated: Callable[[Any, type], Any] = make_dict_structure_fn(cls, _converter)

    def hook(value: Any, kind: type) -> Any:
        if not isinstance(value, Mapping):
            raise ValueError(f"expected an object with fields, got {shorten(value)}")
        return generated(value, kind)

    return hook


_converter = cattrs.Converter(detailed_validation=True)
_converter.register_structure_hook(str, _exact(str, "a string"))
_converter.register_structure_hook(bool, _exact(bool, "true or false"))
_converter.register_structure_hook(int, _exact(int, "a whole number"))
_converter.register_structure_hook(dt.date, _date)
# cattrs tries the hooks registered last first: the general ones come before the special.
_converter.register_structure_hook_factory(attrs.has, _class_hook)
_converter.register_structure_hook_func(
    lambda kind: isinstance(kind, type) and issubclass(kind, enum.Enum), _enum
)
_converter.register_structure_hook_func(
    lambda kind: getattr(kind, "__origin__", None) is tuple and kind.__args__[-1:] == (Ellipsis,), _sequence
)
_converter.register_structure_hook_func(lambda kind: kind == Mapping[str, str], _texts)
_converter.register_structure_hook_func(lambda kind: kind == _FACTS, _facts)
# A change's value: any JSON, as written (its model field freezes it).
_converter.register_structure_hook_func(lambda kind: kind is object, lambda value, _: value)


def _envelope(data: Mapping[Any, Any]) -> list[Problem]:
    """The keys without a field: ``schema`` names this shape, ``can_cancel_now`` follows."""
    problems: list[Problem] = []
    if data.get("schema") != ASSESSMENT_SCHEMA_ID:
        problems.append(
            Problem(
                path="$.schema",
                message=f"expected {ASSESSMENT_SCHEMA_ID!r}, got {shorten(data.get('schema'))}",
            )
        )
    blocking = data.get("blocking")
    can_cancel = data.get("can_cancel_now")
    if type(can_cancel) is not bool:
        problems.append(
            Problem(path="$.can_cancel_now", message=f"expected true or false, got {shorten(can_cancel)}")
        )
    elif isinstance(blocking, list) and can_cancel != (not blocking):
        problems.append(
            Problem(
                path="$.can_cancel_now",
                message=f"expected {str(not blocking).lower()}: it is true exactly when blocking is empty",
            )
        )
    return problems


def _kinds(result: Assessment) -> list[Problem]:
    """Each issue sits in the list of its kind."""
    problems: list[Problem] = []
    for key, kind, issues in (
        ("blocking", IssueKind.BLOCKING, result.blocking),
        ("warnings", IssueKind.WARNING, result.warnings),
        ("advice", IssueKind.ADVICE, result.advice),
    ):
        problems.extend(
            Problem(
                path=f"$.{key}[{index}].kind",
                message=f"expected {kind.value!r} in {key}, got {issue.kind.value!r}",
            )
            for index, issue in enumerate(issues)
            if issue.kind is not kind
        )
    return problems


def structure_assessment(data: object) -> Assessment:
    """The :class:`Assessment` ``data`` describes, or a :class:`UsageError` listing every problem."""
    if not isinstance(data, Mapping):
        raise _error([Problem(path="$", message=f"expected an object with fields, got {shorten(data)}")])
    problems = _envelope(data)
    try:
        result: Assessment = _converter.structure(data, Assessment)
    except (ClassValidationError, ValueError) as error:
        problems.extend(flatten_problems(error, "$"))
        raise _error(problems) from None
    problems.extend(_kinds(result))
    if problems:
        raise _error(problems)
    return result


def _error(problems: list[Problem]) -> UsageError:
    count = len(problems)
    listed = "\n".join(f"  {problem}" for problem in problems)
    return UsageError(
        f"data: expected an assessment as Assessment.to_dict() writes it ({ASSESSMENT_SCHEMA_ID}), "
        f"found {count} problem{'s' if count != 1 else ''}:\n{listed}"
    )
