"""What a person has said so far: a state whose fields may be unknown.

A :class:`PartialState` has the shape of a :class:`~simcancel.UserState`'s JSON, but any
field (:data:`simcancel._fields.FIELDS`) may be left out.  In its JSON:

* a field absent or ``null`` is **unknown**: nobody has said;
* ``"unknown"`` says the person was asked and does not know.  Where not knowing is
  itself something the rules read, it is a known answer: ``activated_on: "unknown"``
  is a state's ``activated_on: null`` (the issue date is not known) and
  ``registered_owner: "unknown"`` is that enum value.  Anywhere else the field stays
  unknown and is *declined*: the next question does not ask it again.

Nothing is defaulted: a state's ``intentions`` default to ``false``, but in a partial
state a field nobody answered is unknown.  Known values are checked exactly as
:meth:`UserState.from_dict` checks them, with the same ``$.paths`` and messages.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from simcancel._errors import InvalidStateError, Problem, did_you_mean, shorten
from simcancel._fields import FIELD_BY_PATH, FIELDS, AnswerKind, Field
from simcancel._frozen import FrozenMapping
from simcancel.model import UserState, _frozen_json, _thawed_json

__all__ = ["UNKNOWN", "PartialState"]

UNKNOWN = "unknown"
"""The answer "I do not know", as a partial state's JSON spells it."""

_FILLER: Mapping[AnswerKind, object] = {
    AnswerKind.BOOL: False,
    AnswerKind.MONEY: "0",
    AnswerKind.COUNT: 0,
    AnswerKind.PROVIDER: "unknown-provider",
    AnswerKind.SERVICES: [],
    AnswerKind.DATE: None,
}
"""A valid value for a field nobody answered, so the known ones can be checked as a whole
state is (never read as an answer)."""

_GROUPS = tuple(dict.fromkeys(field.path.split(".")[0] for field in FIELDS if "." in field.path))
"""The sub-objects of a state (``documents``, ``situation``...)."""


def _filler(field: Field) -> object:
    return field.values[0] if field.answer is AnswerKind.ENUM else _FILLER[field.answer]


def _get(data: Mapping[str, Any], path: str) -> tuple[bool, object]:
    """``(present, value)`` of a dotted path in nested JSON data."""
    node: object = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return False, None
        node = node[part]
    return True, node


def _put(data: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    node = data
    for parent in parents:
        found = node.get(parent)
        if not isinstance(found, dict):
            found = node[parent] = {}
        node = found
    node[leaf] = value


def _frozen_set(items: Iterable[str]) -> frozenset[str]:
    refused = InvalidStateError(
        [Problem(path="$", message=f"declined: expected a set of field paths, got {shorten(items)}")]
    )
    if isinstance(items, str | bytes) or not isinstance(items, Iterable):
        raise refused
    try:
        return frozenset(items)
    except TypeError:  # an unhashable item
        raise refused from None


@attrs.frozen(kw_only=True)
class PartialState:
    """What is known of one SIM account; every field may be unknown.

    Build one with :meth:`from_dict` / :meth:`from_json` (or :meth:`from_state`, and
    :meth:`answer` to add an answer); the constructor checks its values the same way.
    """

    known: Mapping[str, object] = attrs.field(factory=FrozenMapping)
    """The known fields by dotted path, each as the state's JSON spells it (money as a
    string, ``activated_on`` ``None`` when the person does not know the day); read-only,
    lists (``services``) as tuples of read-only mappings (:meth:`to_dict` gives plain data)."""
    declined: frozenset[str] = attrs.field(factory=frozenset, converter=_frozen_set)
    """Fields the person was asked and does not know (still unknown; not asked again)."""
    _filled: UserState = attrs.field(init=False, eq=False, repr=False, hash=False)
    """The known fields in a complete state, unknown ones at a neutral value (what the
    facts of the known fields are read from)."""

    def __attrs_post_init__(self) -> None:
        # One path for every way in: the values are normalised and checked as a state.
        if not isinstance(self.known, Mapping):
            raise InvalidStateError(
                [
                    Problem(
                        path="$",
                        message="known: expected a mapping of field paths to values, "
                        f"got {shorten(self.known)}",
                    )
                ]
            )
        known = dict(self.known)
        for path in [*known, *self.declined]:
            if not isinstance(path, str) or path not in FIELD_BY_PATH:
                raise InvalidStateError([_unknown_field(path)])
            if path in known and path in self.declined:
                raise InvalidStateError(
                    [Problem(path=f"$.{path}", message="expected a value or 'unknown', got both")]
                )
        self._take(_parse(_data(known, self.declined, plain=False)))

    def _take(self, parsed: _Parsed) -> None:
        object.__setattr__(self, "known", parsed.known)
        object.__setattr__(self, "declined", parsed.declined)
        object.__setattr__(self, "_filled", parsed.filled)

    @classmethod
    def _of(cls, parsed: _Parsed) -> PartialState:
        """The partial state of already checked data (no second parse)."""
        built = object.__new__(cls)
        built._take(parsed)
        return built

    # --- building ------------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: object) -> PartialState:
        """Read a partial state from JSON data; raise :class:`InvalidStateError` listing every
        problem, with the paths and messages :meth:`UserState.from_dict` gives."""
        return cls._of(_parse(data))

    @classmethod
    def from_json(cls, text: str | bytes) -> PartialState:
        """Parse JSON text (numbers become exact decimals) and build a partial state."""
        from simcancel._jsontext import parse_json  # noqa: PLC0415 - as UserState.from_json

        return cls.from_dict(parse_json(text))

    @classmethod
    def from_state(cls, state: UserState) -> PartialState:
        """The partial state that knows every field of ``state``."""
        if not isinstance(state, UserState):
            raise InvalidStateError(
                [Problem(path="$", message=f"expected a UserState, got {shorten(state)}")]
            )
        data = state.to_dict()
        return cls(known={field.path: _get(data, field.path)[1] for field in FIELDS})

    def answer(self, path: str, value: object) -> PartialState:
        """A copy with ``path`` answered: a value, :data:`UNKNOWN` ("I do not know"), or
        ``None`` to forget the answer.  Checked like :meth:`from_dict`.

        ``services`` also takes the counts a person can tell, ``{"active": 2, "recurring": 1}``:
        that many active services, that many of them renewing by themselves.
        """
        if not isinstance(path, str) or path not in FIELD_BY_PATH:
            raise InvalidStateError([_unknown_field(path)])
        if FIELD_BY_PATH[path].answer is AnswerKind.SERVICES and isinstance(value, Mapping):
            value = _services(value, path)
        data = self.to_dict()
        _put(data, path, value)
        return PartialState.from_dict(data)

    # --- reading -------------------------------------------------------------------------

    @property
    def unknown(self) -> tuple[str, ...]:
        """The fields not known (declined ones included), in field order."""
        return tuple(field.path for field in FIELDS if field.path not in self.known)

    @property
    def is_complete(self) -> bool:
        """True when every field is known: :meth:`to_state` gives the state."""
        return len(self.known) == len(FIELDS)

    def to_state(self) -> UserState:
        """The :class:`UserState` of a complete partial state; else an
        :class:`InvalidStateError` naming each field still unknown."""
        missing = self.unknown
        if missing:
            raise InvalidStateError(
                [Problem(path=f"$.{path}", message="not known yet (answer it first)") for path in missing]
            )
        return UserState.from_dict(self.state_data())

    def filled_state(self) -> UserState:
        """:meth:`state_data` as a :class:`UserState` (built once, when the partial state was)."""
        return self._filled

    def state_data(self) -> dict[str, Any]:
        """A complete state's JSON data: the known fields, and a neutral valid value for each
        unknown one (for reading the known fields' facts; never an answer)."""
        data: dict[str, Any] = {}
        for field in FIELDS:
            value = self.known[field.path] if field.path in self.known else _filler(field)
            _put(data, field.path, copy.deepcopy(_thawed_json(value)))
        return data

    def to_dict(self) -> dict[str, Any]:
        """The JSON data :meth:`from_dict` reads back: known fields, and ``"unknown"`` for
        declined ones; unknown fields are left out."""
        return _data(self.known, self.declined)

    def to_json(self, *, indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)

    def __iter__(self) -> Iterator[str]:
        return iter(self.known)


def _services(counts: Mapping[object, object], path: str) -> list[dict[str, Any]]:
    """``{"active": n, "recurring": k}`` as the list of services it stands for."""
    from simcancel._facts import SERVICE_COUNTS  # noqa: PLC0415 - the catalogue writes it
    from simcancel.model import MAX_COUNT, MAX_SERVICES  # noqa: PLC0415

    active, recurring = counts.get("active"), counts.get("recurring")
    if (
        set(counts) != {"active", "recurring"}
        or not all(type(n) is int and 0 <= n <= MAX_COUNT for n in (active, recurring))
        or recurring > active  # type: ignore[operator]
    ):
        raise InvalidStateError(
            [
                Problem(
                    path=f"$.{path}",
                    message="expected a list of services, or counts {'active': n, 'recurring': k} "
                    f"with 0 <= k <= n, got {shorten(dict(counts))}",
                )
            ]
        )
    if active > MAX_SERVICES:  # type: ignore[operator]
        # from_dict's own problem, found before that many services are written out
        raise InvalidStateError(
            [Problem(path=f"$.{path}", message=f"expected at most {MAX_SERVICES} services, got {active}")]
        )
    services: list[dict[str, Any]] = SERVICE_COUNTS.write(
        {"active_services": active, "recurring_services": recurring},  # type: ignore[dict-item]
        _ANY_DAY,
    )["services"]
    return services


_ANY_DAY = dt.date(2000, 1, 1)
"""Services do not depend on the day."""


def _unknown_field(path: object) -> Problem:
    where = path if isinstance(path, str) and len(path) <= 100 else shorten(path)
    return Problem(path=f"$.{where}", message=f"unknown field{did_you_mean(str(where), list(FIELD_BY_PATH))}")


def _data(known: Mapping[str, object], declined: frozenset[str], *, plain: bool = True) -> dict[str, Any]:
    """Nested JSON data of known and declined fields (a date not known as ``"unknown"``).

    ``plain``: the values as fresh lists and dicts; else as given (values not checked yet,
    which may be nested too deep to copy: the checks report them)."""
    data: dict[str, Any] = {}
    for field in FIELDS:
        if field.path in known:
            value = _thawed_json(known[field.path]) if plain else known[field.path]
            _put(data, field.path, UNKNOWN if value is None and field.answer is AnswerKind.DATE else value)
        elif field.path in declined:
            _put(data, field.path, UNKNOWN)
    return copy.deepcopy(data) if plain else data


@attrs.frozen
class _Parsed:
    known: FrozenMapping[str, object]
    declined: frozenset[str]
    filled: UserState


def _parse(data: object) -> _Parsed:
    """Split ``data`` into known and declined fields and check the known values."""
    if not isinstance(data, Mapping):
        raise InvalidStateError(
            [Problem(path="$", message=f"expected an object with fields, got {shorten(data)}")]
        )
    filled: dict[str, Any] = dict(data)
    for group in _GROUPS:  # a sub-object left out, null or "unknown": all its fields are
        value = filled.get(group)
        if isinstance(value, Mapping):
            filled[group] = dict(value)
        elif value is None or value == UNKNOWN:
            filled[group] = {
                field.path.split(".", 1)[1]: value for field in FIELDS if field.path.startswith(group + ".")
            }
    known: list[str] = []
    declined: list[str] = []
    for field in FIELDS:
        present, value = _get(filled, field.path)
        if isinstance(value, str) and value == UNKNOWN:
            if field.answer is AnswerKind.DATE:
                value = None  # the person does not know the day: a state's null
                _put(filled, field.path, None)
                known.append(field.path)
                continue
            if field.knows_unknown:
                known.append(field.path)
                continue
            declined.append(field.path)
            _put(filled, field.path, _filler(field))
        elif not present or value is None:
            if _parent_is_object(filled, field.path):
                _put(filled, field.path, _filler(field))
        else:
            known.append(field.path)
    from simcancel._structure import structure_state  # noqa: PLC0415 - cattrs, on first use

    state = structure_state(filled)
    normal = state.to_dict()
    values = {path: _frozen_json(_get(normal, path)[1]) for path in known}  # read-only, hashable
    return _Parsed(known=FrozenMapping(values), declined=frozenset(declined), filled=state)


def _parent_is_object(data: Mapping[str, Any], path: str) -> bool:
    """Whether ``path``'s sub-object is an object (or the path is top-level): a sub-object of
    the wrong type is left for the state's checks to report."""
    if "." not in path:
        return True
    return isinstance(data.get(path.split(".", maxsplit=1)[0]), dict)
