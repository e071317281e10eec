"""The fields a person answers: one per group of the fact catalogue.

Each group of :mod:`simcancel._facts` (one state path, or one derivation such as the
service counts) is one field of :class:`~simcancel.UserState` a person can be asked
about: ``documents.passport_copy``, ``balance``, ``services``, ``activated_on``.  A
partial state (:mod:`simcancel._partial_state`) knows some of them; the state space
(:mod:`simcancel._statespace`) has one variable per field, in the same order, which is
what lets partial evaluation and the next question work over classes.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from types import MappingProxyType

import attrs

from simcancel._facts import CATALOGUE, Catalogue, Derivation, FactKind, StatePath

__all__ = ["FIELDS", "FIELD_BY_PATH", "AnswerKind", "Field", "fields_of"]


class AnswerKind(enum.Enum):
    """What a person gives as the answer for a field."""

    BOOL = "bool"
    ENUM = "enum"
    MONEY = "money"
    """An amount in PKR, at most two decimals."""
    COUNT = "count"
    PROVIDER = "provider"
    """A provider id of the rule set."""
    SERVICES = "services"
    """The list of value-added services (asked as how many are active, how many renew)."""
    DATE = "date"
    """A day ``YYYY-MM-DD``, or ``"unknown"``: the person does not know it."""


_BY_FACT_KIND = {
    FactKind.BOOL: AnswerKind.BOOL,
    FactKind.ENUM: AnswerKind.ENUM,
    FactKind.MONEY: AnswerKind.MONEY,
    FactKind.COUNT: AnswerKind.COUNT,
}


@attrs.frozen(kw_only=True)
class Field:
    """One field of the state a person answers, and the facts it gives."""

    path: str
    """Its dotted path in the state's JSON (``documents.passport_copy``)."""
    facts: tuple[str, ...]
    """The catalogue facts it gives (one, or a derivation's facts)."""
    answer: AnswerKind
    values: tuple[str, ...] = ()
    """The allowed values of an :attr:`AnswerKind.ENUM` field."""

    @property
    def question_key(self) -> str:
        """The label key of its question in a rule pack's locales (``question.balance``)."""
        return f"question.{self.path}"

    @property
    def knows_unknown(self) -> bool:
        """Whether "I do not know" is itself an answer the rules read: a date not known
        (``activated_on: null`` in a state), an enum with an ``unknown`` value."""
        return self.answer is AnswerKind.DATE or "unknown" in self.values


def _field(facts: tuple[str, ...], catalogue: Catalogue) -> Field:
    spec = catalogue[facts[0]]
    source = spec.source
    if isinstance(source, Derivation):
        if len(source.fields) != 1:  # pragma: no cover - a catalogue invariant
            raise ValueError(f"derivation {source.name!r} must read exactly one state field")
        return Field(path=source.fields[0], facts=facts, answer=AnswerKind(source.answer))
    assert isinstance(source, StatePath)
    return Field(path=source.path, facts=facts, answer=_BY_FACT_KIND[spec.kind], values=spec.values)


def fields_of(catalogue: Catalogue) -> tuple[Field, ...]:
    """One field per group of ``catalogue``, in catalogue order."""
    return tuple(_field(group, catalogue) for group in catalogue.groups())


FIELDS = fields_of(CATALOGUE)
"""The fields of :class:`~simcancel.UserState` a person answers, in catalogue order."""

FIELD_BY_PATH: Mapping[str, Field] = MappingProxyType({field.path: field for field in FIELDS})
