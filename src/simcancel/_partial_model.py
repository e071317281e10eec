"""Value objects of partial answers: what is certain, what is open, and what to ask next."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from simcancel._frozen import FrozenMapping, frozen_tuple
from simcancel.model import Issue, RouteOption

__all__ = [
    "Certainty",
    "Choice",
    "PartialAssessment",
    "PartialIssue",
    "PossibleRoute",
    "Question",
    "Reply",
]


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(items)


class Certainty(enum.Enum):
    """Whether something holds for every completion of a partial state, none, or some."""

    CERTAIN = "certain"
    IMPOSSIBLE = "impossible"
    OPEN = "open"


@attrs.frozen(kw_only=True)
class PartialIssue:
    """An issue some completion of the partial state raises."""

    issue: Issue
    """The issue as :func:`~simcancel.assess` words it; a value nobody knows yet shows as the
    locale's ``partial.unknown_value`` label, never invented."""
    certain: bool
    """True when every completion raises it."""
    depends_on: tuple[str, ...] = attrs.field(converter=_strings)
    """The unknown fields whose answers decide whether it is raised (empty when certain)."""


def _partial_issues(items: Iterable[PartialIssue]) -> tuple[PartialIssue, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class PossibleRoute:
    """A route some completion gets as its primary route."""

    option: RouteOption
    depends_on: tuple[str, ...] = attrs.field(converter=_strings)
    """The unknown fields whose answers decide which route is primary (empty when it is
    the primary route of every completion)."""


def _routes(items: Iterable[PossibleRoute]) -> tuple[PossibleRoute, ...]:
    return frozen_tuple(items)


def _texts(texts: Mapping[str, str]) -> Mapping[str, str]:
    return texts if type(texts) is FrozenMapping else FrozenMapping(texts)


@attrs.frozen(kw_only=True)
class PartialAssessment:
    """What the rules say of every state a partial state may turn out to be."""

    provider: str | None
    """The provider id, ``None`` while unknown."""
    locale: str
    as_of: dt.date
    ruleset: str
    unknown: tuple[str, ...] = attrs.field(converter=_strings)
    """The fields not known, in field order."""
    depends_on: tuple[str, ...] = attrs.field(converter=_strings)
    """The unknown fields whose answers can change the answer (route, blocking, issues)."""
    nothing_blocks: Certainty
    """CERTAIN: nothing blocks for every completion; IMPOSSIBLE: something blocks for every
    completion (though perhaps not the same thing); OPEN: it depends."""
    blocking: tuple[PartialIssue, ...] = attrs.field(converter=_partial_issues)
    warnings: tuple[PartialIssue, ...] = attrs.field(converter=_partial_issues)
    advice: tuple[PartialIssue, ...] = attrs.field(converter=_partial_issues)
    routes: tuple[PossibleRoute, ...] = attrs.field(converter=_routes)
    """Every primary route some completion gets, in the rule set's route order."""
    route_gap: bool = False
    """True when some completion gets no route at all (where :func:`~simcancel.assess`
    raises :class:`~simcancel.NoRouteError`): a gap in the rule set that ``simcancel
    verify`` reports."""
    labels: Mapping[str, str] = attrs.field(factory=FrozenMapping, converter=_texts)
    """The words that show it in its locale (as :attr:`Assessment.labels`, plus ``partial.*``)."""

    @property
    def route(self) -> RouteOption | None:
        """The primary route when it is the same for every completion, else ``None`` (also
        when some completions get no route: :attr:`route_gap`)."""
        return self.routes[0].option if len(self.routes) == 1 and not self.route_gap else None

    @property
    def determined(self) -> bool:
        """True when nothing unknown can change the answer."""
        return not self.depends_on

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data."""
        from simcancel.model import _issue_dict, _route_dict  # noqa: PLC0415 - one spelling of each

        def issues(items: tuple[PartialIssue, ...]) -> list[dict[str, Any]]:
            return [
                {**_issue_dict(item.issue), "certain": item.certain, "depends_on": list(item.depends_on)}
                for item in items
            ]

        return {
            "provider": self.provider,
            "locale": self.locale,
            "as_of": self.as_of.isoformat(),
            "ruleset": self.ruleset,
            "unknown": list(self.unknown),
            "depends_on": list(self.depends_on),
            "nothing_blocks": self.nothing_blocks.value,
            "route": _route_dict(self.route) if self.route is not None else None,
            "routes": [
                {**_route_dict(item.option), "depends_on": list(item.depends_on)} for item in self.routes
            ],
            "route_gap": self.route_gap,
            "blocking": issues(self.blocking),
            "warnings": issues(self.warnings),
            "advice": issues(self.advice),
            "labels": dict(self.labels),
        }


@attrs.frozen(kw_only=True)
class Choice:
    """One answer a person can pick, with its words."""

    value: object
    """The value as a partial state's JSON spells it."""
    label: str


def _choices(items: Iterable[Choice]) -> tuple[Choice, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class Reply:
    """One class of answers to a question, and what would remain open after it."""

    label: str
    """The class, as the rules cut it (``balance = 0``, ``balance in [1, 1000000000]``, in
    engine units: paisa for money)."""
    example: object
    """One answer in the class, as a partial state's JSON spells it."""
    routes: int
    """How many primary routes would remain possible."""
    nothing_blocks: Certainty
    open_issues: int
    """How many issues would remain possible but not certain."""


def _replies(items: Iterable[Reply]) -> tuple[Reply, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class Question:
    """An unknown field worth asking, with the figures its rank rests on."""

    field: str
    text: str
    """The question in the locale (the rule pack's ``question.<field>`` label)."""
    answer: str
    """What is answered: ``bool``, ``enum``, ``money``, ``count``, ``provider``,
    ``services`` or ``date`` (:class:`simcancel._fields.AnswerKind`)."""
    choices: tuple[Choice, ...] = attrs.field(converter=_choices)
    """The answers to pick from (flags, enums, providers); empty for amounts, counts,
    dates and services."""
    decides: tuple[str, ...] = attrs.field(converter=_strings)
    """What its answer can change: ``route``, ``blocking``, ``issues`` (in that order)."""
    replies: tuple[Reply, ...] = attrs.field(converter=_replies)
    """Per class of answers, what would remain open: the figures of the ranking."""
