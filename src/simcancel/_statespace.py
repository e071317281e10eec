"""The finite state space a rule set can tell apart, and the way back to a real state.

Every fact of :data:`simcancel._facts.FACTS` is cut into the classes the rules' tests
distinguish: booleans into false/true, enums into their values, numbers into intervals
between the constants the rules compare against (every test ``x op c`` is constant on
``[.., c-1]``, ``{c}`` and ``[c+1, ..]``).  Facts that move together are one
*variable*, so that every combination of variable values is a state a person can be in:

* ``provider``: the five ``provider*`` facts follow from the provider id, so the
  providers are enumerated, not the derived facts;
* ``services``: ``recurring_services <= active_services``;
* ``activation``: ``months_held`` is 0 when ``activation_known`` is false.

Values of a variable that agree on every fact a rule reads (or a check inspects) are the
same class and collapse into one, keeping the first as representative; so a fact no rule
reads is a single class.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from decimal import Decimal
from typing import Any

import attrs

from simcancel._facts import FACTS, EngineValue, FactKind, months_between
from simcancel._ruleset import AllOf, AnyOf, Comparison, Condition, RuleSet

__all__ = ["CHECKED_FACTS", "StateSpace", "Variable", "state_for", "state_space"]

CHECKED_FACTS = frozenset({"provider_online", "provider_in_person", "provider_has_store", "can_visit_store"})
"""Facts the route-soundness check inspects: kept apart even when no rule reads them."""

_PROVIDER_FACTS = ("provider", "provider_kind", "provider_online", "provider_in_person", "provider_has_store")
_GROUPS: dict[str, tuple[str, ...]] = {
    "provider": _PROVIDER_FACTS,
    "services": ("active_services", "recurring_services"),
    "activation": ("activation_known", "months_held"),
}

Interval = tuple[int, int]


@attrs.frozen(kw_only=True)
class Variable:
    """Facts that vary together, and one representative assignment per class."""

    name: str
    facts: tuple[str, ...]
    values: tuple[Mapping[str, EngineValue], ...]
    labels: tuple[str, ...]
    """Each class as people read it (``balance in [1, 1000000000]`` in paisa, ...)."""


@attrs.frozen(kw_only=True)
class StateSpace:
    """The product of the variables' classes: every class is one state to check."""

    variables: tuple[Variable, ...]
    base: Mapping[str, EngineValue]
    """A complete fact made of each variable's first class."""

    @property
    def size(self) -> int:
        """How many classes the whole product has."""
        return math.prod(len(variable.values) for variable in self.variables)

    def variable(self, name: str) -> Variable:
        """The variable called ``name``."""
        return next(variable for variable in self.variables if variable.name == name)

    def variables_for(self, facts: Iterable[str]) -> tuple[Variable, ...]:
        """The variables holding any of ``facts``, in space order."""
        wanted = set(facts)
        return tuple(variable for variable in self.variables if wanted & set(variable.facts))

    @staticmethod
    def count(variables: Sequence[Variable]) -> int:
        """How many combinations of ``variables`` there are."""
        return math.prod(len(variable.values) for variable in variables)

    def assignments(self, variables: Sequence[Variable]) -> Iterator[dict[str, EngineValue]]:
        """Every combination of ``variables``' classes, the other facts as in :attr:`base`."""
        for combination in itertools.product(*(variable.values for variable in variables)):
            facts = dict(self.base)
            for values in combination:
                facts.update(values)
            yield facts


def _tests(condition: Condition) -> Iterator[Comparison]:
    if isinstance(condition, Comparison):
        yield condition
    elif isinstance(condition, (AllOf, AnyOf)):
        for part in condition.parts:
            yield from _tests(part)


def _constants(rules: RuleSet) -> dict[str, set[int]]:
    found: dict[str, set[int]] = {}
    for rule in rules.rules:
        for test in _tests(rule.when):
            if FACTS[test.fact].kind not in (FactKind.MONEY, FactKind.COUNT):
                continue
            values = test.value if isinstance(test.value, tuple) else (test.value,)
            found.setdefault(test.fact, set()).update(
                value for value in values if isinstance(value, int) and not isinstance(value, bool)
            )
    return found


def intervals(constants: Iterable[int], upper: int) -> list[Interval]:
    """``[0, upper]`` cut at ``constants``: each constant alone, and the gaps between them."""
    points = sorted({c for c in constants if 0 <= c <= upper})
    result: list[Interval] = []
    low = 0
    for point in points:
        if low <= point - 1:
            result.append((low, point - 1))
        result.append((point, point))
        low = point + 1
    if low <= upper:
        result.append((low, upper))
    return result


def _interval_label(name: str, interval: Interval) -> str:
    low, high = interval
    return f"{name} = {low}" if low == high else f"{name} in [{low}, {high}]"


def _scalar(name: str, cuts: Mapping[str, set[int]]) -> list[tuple[dict[str, EngineValue], str]]:
    spec = FACTS[name]
    if spec.kind is FactKind.BOOL:
        return [({name: value}, f"{name} = {str(value).lower()}") for value in (False, True)]
    if spec.kind is FactKind.ENUM:
        return [({name: value}, f"{name} = {value}") for value in spec.values]
    return [
        ({name: low}, _interval_label(name, (low, high)))
        for low, high in intervals(cuts.get(name, ()), spec.upper)
    ]


def _any_policy(rules: RuleSet) -> list[tuple[dict[str, EngineValue], str]]:
    """Every provider id with every policy a provider file could state."""
    values: list[tuple[dict[str, EngineValue], str]] = []
    for provider, kind, online, in_person, store in itertools.product(
        sorted(rules.providers),
        FACTS["provider_kind"].values,
        FACTS["provider_online"].values,
        FACTS["provider_in_person"].values,
        (False, True),
    ):
        values.append(
            (
                {
                    "provider": provider,
                    "provider_kind": kind,
                    "provider_online": online,
                    "provider_in_person": in_person,
                    "provider_has_store": store,
                },
                f"provider = {provider} with policy {kind}/{online}/{in_person}/"
                f"{'store' if store else 'no store'}",
            )
        )
    return values


def _providers(rules: RuleSet) -> list[tuple[dict[str, EngineValue], str]]:
    return [
        (
            {
                "provider": provider.id,
                "provider_kind": provider.kind.value,
                "provider_online": provider.online_cancellation.value,
                "provider_in_person": provider.in_person_confirmation.value,
                "provider_has_store": provider.has_store,
            },
            f"provider = {provider.id}",
        )
        for provider in (rules.providers[key] for key in sorted(rules.providers))
    ]


def _services(cuts: Mapping[str, set[int]]) -> list[tuple[dict[str, EngineValue], str]]:
    upper = FACTS["active_services"].upper
    values: list[tuple[dict[str, EngineValue], str]] = []
    for active in intervals(cuts.get("active_services", ()), upper):
        for recurring in intervals(cuts.get("recurring_services", ()), upper):
            if recurring[0] > active[1]:
                continue  # no state has more recurring services than active ones
            values.append(
                (
                    {"active_services": max(active[0], recurring[0]), "recurring_services": recurring[0]},
                    f"{_interval_label('active_services', active)}, "
                    f"{_interval_label('recurring_services', recurring)}",
                )
            )
    return values


def _activation(cuts: Mapping[str, set[int]]) -> list[tuple[dict[str, EngineValue], str]]:
    values: list[tuple[dict[str, EngineValue], str]] = [
        ({"activation_known": False, "months_held": 0}, "activation_known = false"),
    ]
    values.extend(
        (
            {"activation_known": True, "months_held": low},
            f"activation_known = true, {_interval_label('months_held', (low, high))}",
        )
        for low, high in intervals(cuts.get("months_held", ()), FACTS["months_held"].upper)
    )
    return values


def _collapse(
    name: str, facts: tuple[str, ...], values: list[tuple[dict[str, EngineValue], str]], read: frozenset[str]
) -> Variable:
    """One class per distinct projection onto the facts that matter; labels merge."""
    kept: dict[tuple[EngineValue, ...], tuple[dict[str, EngineValue], list[str]]] = {}
    for assignment, label in values:
        key = tuple(assignment[fact] for fact in facts if fact in read)
        if key in kept:
            kept[key][1].append(label)
        else:
            kept[key] = (assignment, [label])
    return Variable(
        name=name,
        facts=facts,
        values=tuple(assignment for assignment, _ in kept.values()),
        labels=tuple(_merge(labels) for _, labels in kept.values()),
    )


def _merge(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]} (also: {'; '.join(labels[1:])})"


def state_space(rules: RuleSet, *, any_policy: bool = False) -> StateSpace:
    """The classes ``rules`` can tell apart (plus those the route checks inspect).

    ``any_policy``: instead of the rule set's providers, every provider id with every
    policy a provider file could state (for rules written for providers a pack lacks).
    """
    cuts = _constants(rules)
    read = frozenset(fact for rule in rules.rules for fact in rule.facts) | CHECKED_FACTS
    grouped = {fact for facts in _GROUPS.values() for fact in facts}
    variables = [
        _collapse(
            "provider", _GROUPS["provider"], _any_policy(rules) if any_policy else _providers(rules), read
        ),
        _collapse("services", _GROUPS["services"], _services(cuts), read),
        _collapse("activation", _GROUPS["activation"], _activation(cuts), read),
    ]
    variables.extend(
        _collapse(name, (name,), _scalar(name, cuts), read) for name in FACTS if name not in grouped
    )
    order = {name: index for index, name in enumerate(FACTS)}
    variables.sort(key=lambda variable: order[variable.facts[0]])
    base: dict[str, EngineValue] = {}
    for variable in variables:
        base.update(variable.values[0])
    return StateSpace(variables=tuple(variables), base=base)


def _months_before(day: dt.date, months: int) -> dt.date:
    """A date exactly ``months`` whole months before ``day`` (day of month clamped)."""
    index = day.year * 12 + (day.month - 1) - months
    year, month = divmod(index, 12)
    month += 1
    for candidate in range(day.day, 0, -1):
        try:
            return dt.date(year, month, candidate)
        except ValueError:
            continue
    raise AssertionError("unreachable: day 1 exists in every month")  # pragma: no cover


def _money(paisa: EngineValue) -> str:
    assert isinstance(paisa, int)
    return f"{Decimal(paisa) / 100:.2f}"


def state_for(facts: Mapping[str, EngineValue], as_of: dt.date) -> dict[str, Any]:
    """A :class:`~simcancel.UserState` as JSON data whose facts on ``as_of`` are ``facts``.

    ``simcancel assess`` accepts it as it is; ``facts_for`` of it gives ``facts`` back.
    """
    active = int(facts["active_services"])
    recurring = int(facts["recurring_services"])
    services = [{"kind": "other", "active": True, "recurring": index < recurring} for index in range(active)]
    state: dict[str, Any] = {
        "provider": facts["provider"],
        "plan": facts["plan"],
        "balance": _money(facts["balance"]),
        "arrears": _money(facts["arrears"]),
        "line_status": facts["line_status"],
        "services": services,
        "unused": {
            "data_mb": facts["unused_data_mb"],
            "minutes": facts["unused_minutes"],
            "sms": facts["unused_sms"],
        },
        "documents": {
            "passport_original": facts["has_passport_original"],
            "passport_copy": facts["has_passport_copy"],
            "purchase_receipt": facts["has_purchase_receipt"],
            "sim_card_usable": facts["sim_card_usable"],
        },
        "situation": {
            "can_visit_store": facts["can_visit_store"],
            "reads_english": facts["reads_english"],
            "needs_it_fast": facts["needs_it_fast"],
        },
        "intentions": {
            "discard_card": facts["discard_card"],
            "fast_cancellation_agent": facts["fast_cancellation_agent"],
        },
    }
    if facts["activation_known"]:
        started = _months_before(as_of, int(facts["months_held"]))
        assert months_between(started, as_of) == facts["months_held"]
        state["activated_on"] = started.isoformat()
    return state
