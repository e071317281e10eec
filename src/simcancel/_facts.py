"""The fact catalogue: every fact a rule condition can read, and how it maps to a state.

This catalogue is the single source of everything fact-shaped.  Each :class:`FactSpec`
says what the fact is (kind, allowed values, bounds, documentation) and how it is *read*
from a :class:`~simcancel.UserState` and *written back* into one:

* a :class:`StatePath` (``documents.passport_copy``): the fact is one field of the state;
* a :class:`Derivation` (provider policy, service counts, activation months): several
  facts computed together from the state, its provider and the day of the assessment.
  The facts of one derivation move together, so the state space
  (:mod:`simcancel._statespace`) treats them as one variable.

From that one declaration come :meth:`Catalogue.facts_for` (state -> facts, for the
engine), :meth:`Catalogue.state_for` (facts -> state data, for counterexamples), the
state-space variables, the JSON Schema of rule files (:mod:`simcancel._schema`) and the
fact table of ``docs/rule-authoring.md``; the loader checks every fact a rule names
against it.  Adding a fact is one model field plus one entry in :data:`_SPECS`.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
import keyword
import operator
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from simcancel.model import EXACT, MAX_COUNT, MAX_MONEY, MAX_SERVICES, DisplayValue, UserState

if TYPE_CHECKING:
    from simcancel._ruleset import Provider

__all__ = [
    "CATALOGUE",
    "FACTS",
    "Box",
    "Catalogue",
    "Derivation",
    "EngineValue",
    "FactKind",
    "FactSpec",
    "SHOWN",
    "Shown",
    "Interval",
    "StatePath",
    "display_value",
    "facts_for",
    "months_before",
    "months_between",
    "pkr",
    "state_for",
]

EngineValue = str | int | bool
"""A fact as the engine sees it: money in integer paisa, enums as their string values."""

Interval = tuple[int, int]
"""Inclusive bounds of a number's class, in engine units (paisa for money)."""

Box = Mapping[str, tuple[EngineValue, EngineValue]]
"""Per fact, the lowest and highest value of a class (both the same for flags and enums)."""

StateData = dict[str, Any]
"""A :class:`~simcancel.UserState` as JSON data (what ``UserState.from_dict`` reads)."""


class FactKind(enum.Enum):
    """How a fact is typed, compared and shown."""

    BOOL = "bool"
    ENUM = "enum"
    MONEY = "money"
    """PKR in rule files and messages; integer paisa inside the engine."""
    COUNT = "count"
    PROVIDER = "provider"
    """A provider id of the rule set (an enum whose values come from ``providers/``)."""


# --- how a fact is read from a state and written back ---------------------------------------


@attrs.frozen(kw_only=True)
class StatePath:
    """The fact is one field of the state, at a dotted path (``documents.passport_copy``)."""

    path: str

    def describe(self) -> str:
        """How the docs name it: the state path."""
        return f"`{self.path}`"


def _provider_facts(provider: Provider) -> dict[str, EngineValue]:
    # ``_value_`` is what Enum.value returns, without its descriptor (on every assessment).
    return {
        "provider": provider.id,
        "provider_kind": provider.kind._value_,
        "provider_online": provider.online_cancellation._value_,
        "provider_in_person": provider.in_person_confirmation._value_,
        "provider_has_store": provider.has_store,
    }


def _read_provider(state: UserState, provider: Provider, as_of: dt.date) -> dict[str, EngineValue]:
    return _provider_facts(provider)


def _write_provider(facts: Mapping[str, EngineValue], as_of: dt.date) -> StateData:
    # The policy facts follow from the provider's file: only the id goes into a state.
    return {"provider": facts["provider"]}


def _read_services(state: UserState, provider: Provider, as_of: dt.date) -> dict[str, EngineValue]:
    active = recurring = 0
    for service in state.services:  # a loop: most states have 0-3 services
        if service.active:
            active += 1
            if service.recurring:
                recurring += 1
    return {"active_services": active, "recurring_services": recurring}


def _write_services(facts: Mapping[str, EngineValue], as_of: dt.date) -> StateData:
    active, recurring = int(facts["active_services"]), int(facts["recurring_services"])
    return {
        "services": [
            {"kind": "other", "active": True, "recurring": index < recurring} for index in range(active)
        ]
    }


def _services_representative(box: Box) -> dict[str, EngineValue] | None:
    active_low, active_high = (int(value) for value in box["active_services"])
    recurring_low = int(box["recurring_services"][0])
    if recurring_low > active_high:
        return None  # no state has more recurring services than active ones
    return {"active_services": max(active_low, recurring_low), "recurring_services": recurring_low}


MAX_MONTHS = 12 * 200
"""The largest ``months_held``: longer holdings read as this many months."""


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def months_before(day: dt.date, months: int) -> dt.date:
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


MAX_DAYS = 366 * 200
"""The largest ``days_held``: longer holdings read as this many days."""

LOCK_DAYS = 365
"""B6: a SIM cannot be de-owned until this many days after its activation."""


def _days_between(start: dt.date, end: dt.date) -> int:
    return min(max((end - start).days, 0), MAX_DAYS)


def _read_activation(state: UserState, provider: Provider, as_of: dt.date) -> dict[str, EngineValue]:
    activated = state.activated_on
    if activated is None:
        return {"activation_known": False, "months_held": 0, "days_held": 0, "lock_days_left": 0}
    days = _days_between(activated, as_of)
    return {
        "activation_known": True,
        "months_held": min(months_between(activated, as_of), MAX_MONTHS),
        "days_held": days,
        "lock_days_left": max(LOCK_DAYS - days, 0),
    }


def _write_activation(facts: Mapping[str, EngineValue], as_of: dt.date) -> StateData:
    if not facts["activation_known"]:
        return {}
    return {"activated_on": (as_of - dt.timedelta(days=int(facts["days_held"]))).isoformat()}


def _months_reached_after(start: dt.date, months: int) -> int:
    """Days from ``start`` until ``months_between(start, day)`` first reaches ``months``."""
    index = start.year * 12 + (start.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    try:
        reached = dt.date(year, month, start.day)
    except ValueError:  # no such day in that month: reached on the 1st of the next one
        year, month = divmod(index + 1, 12)
        reached = dt.date(year, month + 1, 1)
    return (reached - start).days


# Every kind of start the count of whole months distinguishes: each month of a leap
# cycle, on a day all months have and on the days only some have.
_STARTS = tuple(
    dt.date(year, month, day)
    for year in range(2000, 2004)
    for month in range(1, 13)
    for day in (1, 29, 30, 31)
    if day <= (dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)).day
)
_CENTURY_MARGIN = 2
"""Days kept clear of a band's edges for spans of :data:`_CENTURY_MONTHS` or more: a
century year that is not a leap year (1900, 2100) shortens such a span by a day against
the 2000-2003 pattern (two for spans that cross two such years)."""
_CENTURY_MONTHS = 36
"""The shortest span (in whole months) for which the 2000-2003 starts miss some issue
date.  A shorter span crosses at most three ends of February, and any three in a row of
the real calendar (three common years about 2100 included) are three in a row of
2000-2003 and the years after: the starts give its months exactly, and a margin there
would only drop real pairs from the space (366 days held is 12 months on every day).
Checked against every start of a 400-year cycle (tests/test_facts.py)."""


_CENTURY_DAYS = min(_months_reached_after(start, _CENTURY_MONTHS) for start in _STARTS)
"""The fewest days in which any issue date reaches :data:`_CENTURY_MONTHS` whole months."""


@functools.lru_cache(maxsize=4096)
def _days_for_months(months: int) -> tuple[int, int]:
    """The days held (fewest, most) that give exactly ``months`` whole months on every day.

    ``days_held`` and ``months_held`` are read from the same issue date, so only some pairs
    go together; a pair in this band does so whatever the day of the assessment, which is
    what lets ``state_for`` write a state for it on any ``as_of``.
    """
    if months >= MAX_MONTHS:
        fewest, most = max(_months_reached_after(start, MAX_MONTHS) for start in _STARTS), MAX_DAYS
    else:
        fewest = max(_months_reached_after(start, months) for start in _STARTS)
        most = min(_months_reached_after(start, months + 1) for start in _STARTS) - 1
    if months >= _CENTURY_MONTHS:
        fewest += _CENTURY_MARGIN
        most = most if months >= MAX_MONTHS else most - _CENTURY_MARGIN
    return fewest, most


def _activation_representative(box: Box) -> dict[str, EngineValue] | None:
    known = bool(box["activation_known"][0])
    months_low, months_high = (int(value) for value in box["months_held"])
    days_low, days_high = (int(value) for value in box["days_held"])
    left_low, left_high = (int(value) for value in box["lock_days_left"])
    if not known:
        if months_low or days_low or left_low:
            return None  # an unknown issue date always reads as 0 months, 0 days
        return {"activation_known": False, "months_held": 0, "days_held": 0, "lock_days_left": 0}
    # lock_days_left = max(365 - days_held, 0): its bounds bound the days.
    if left_low > 0:
        days_high = min(days_high, LOCK_DAYS - left_low)
    days_low = max(days_low, LOCK_DAYS - left_high)
    for months in range(months_low, months_high + 1):
        fewest, most = _days_for_months(months)
        if fewest > days_high:
            break  # the bands only move up
        low, high = max(fewest, days_low), min(most, days_high)
        if low <= high:
            return _held(months, low)
    return _between_bands(months_low, months_high, days_low, days_high)


def _held(months: int, days: int) -> dict[str, EngineValue]:
    return {
        "activation_known": True,
        "months_held": months,
        "days_held": days,
        "lock_days_left": max(LOCK_DAYS - days, 0),
    }


@functools.lru_cache(maxsize=4096)
def _months_on_day(days: int) -> tuple[int, int]:
    """The fewest and most whole months ``days`` days held read as, whatever the issue date
    (widened by the century margin for spans that may reach :data:`_CENTURY_MONTHS`)."""
    margin = _CENTURY_MARGIN if days >= _CENTURY_DAYS - _CENTURY_MARGIN else 0
    counts = [
        min(months_between(start, start + dt.timedelta(days=span)), MAX_MONTHS)
        for start in _STARTS
        for span in range(max(days - margin, 0), days + margin + 1)
    ]
    return min(counts), max(counts)


def _between_bands(
    months_low: int, months_high: int, days_low: int, days_high: int
) -> dict[str, EngineValue] | None:
    """A representative among the days between two bands of :func:`_days_for_months`,
    whose whole months depend on the day (365 days held: 12 months, or 11 across a leap
    day), if every count of months such a day reads as lies in ``months_low..months_high``:
    then a state written for it on any day reads as a member of the same box.  The months
    given are the fewest (any of them would do: the box's rules cannot tell them apart)."""
    for months in range(max(months_low - 1, 0), min(months_high, MAX_MONTHS - 1) + 1):
        gap_low = _days_for_months(months)[1] + 1
        if gap_low > days_high:
            break  # the bands only move up
        gap_high = _days_for_months(months + 1)[0] - 1
        for days in range(max(gap_low, days_low), min(gap_high, days_high) + 1):
            fewest, most = _months_on_day(days)
            if months_low <= fewest and most <= months_high:
                return _held(fewest, days)
    return None


Reader = Callable[[UserState, "Provider", dt.date], dict[str, EngineValue]]
Writer = Callable[[Mapping[str, EngineValue], dt.date], StateData]
Representative = Callable[[Box], dict[str, EngineValue] | None]


@attrs.frozen(kw_only=True)
class Derivation:
    """Facts computed together from a state, its provider and the day of the assessment."""

    name: str
    """Names the derivation in the docs and the state space (``provider policy``)."""
    fields: tuple[str, ...]
    """The top-level state fields it reads and :attr:`write` produces (``services``): what a
    person changes to change these facts."""
    read: Reader
    write: Writer
    """The state fields (top-level keys of the JSON data) that make the facts read back; a
    field of :attr:`fields` left out is absent (``activated_on``: not known)."""
    representative: Representative | None = None
    """The first assignment a state can have inside a box of classes, or ``None`` when
    no state has facts in that box (for a box of single points: whether a state can have
    exactly these facts).  ``None`` here: the facts come from
    the rule set (the providers), not from a box."""
    read_provider: Callable[[Provider], dict[str, EngineValue]] | None = None
    """When set, the facts come from the rule set's providers, not from the state: the
    state space enumerates the providers through it."""
    answer: str = "value"
    """How a person answers for its field (``provider``, ``services``, ``date``): what a
    partial state accepts and an interview asks (:mod:`simcancel._fields`)."""

    def describe(self) -> str:
        """How the docs name it."""
        return f"derived: {self.name}"


PROVIDER_POLICY = Derivation(
    name="provider policy",
    fields=("provider",),
    read=_read_provider,
    write=_write_provider,
    read_provider=_provider_facts,
    answer="provider",
)
SERVICE_COUNTS = Derivation(
    name="service counts",
    fields=("services",),
    read=_read_services,
    write=_write_services,
    representative=_services_representative,
    answer="services",
)
ACTIVATION_MONTHS = Derivation(
    name="activation months",
    fields=("activated_on",),
    read=_read_activation,
    write=_write_activation,
    representative=_activation_representative,
    answer="date",
)


@attrs.frozen(kw_only=True)
class FactSpec:
    """One fact a condition can test, and where it comes from."""

    name: str
    kind: FactKind
    doc: str
    source: StatePath | Derivation
    values: tuple[str, ...] = ()
    """The allowed values of an ENUM fact."""
    upper: int = 0
    """The largest engine value of a MONEY (paisa) or COUNT fact."""
    draw_upper: int | None = None
    """The largest value a randomly drawn state uses, when smaller than ``upper``: a state
    with a billion services is valid, but its JSON would not fit in a request."""

    @property
    def numeric(self) -> bool:
        """Money or a count: compared with ordered operators, cut into intervals."""
        return self.kind in (FactKind.MONEY, FactKind.COUNT)


def _fact(name: str, kind: FactKind, doc: str, source: StatePath | Derivation, **extra: Any) -> FactSpec:
    return FactSpec(name=name, kind=kind, doc=doc, source=source, **extra)


_PROVIDER_ONLINE = ("supported", "not_supported", "unknown")
_PROVIDER_IN_PERSON = ("required", "not_required", "unknown")
_BOOL, _ENUM, _MONEY, _COUNT = FactKind.BOOL, FactKind.ENUM, FactKind.MONEY, FactKind.COUNT
_MONEY_UPPER = int(MAX_MONEY * 100)
_SERVICES_DRAWN = 50

_SPECS = (
    _fact("provider", FactKind.PROVIDER, "The provider id.", PROVIDER_POLICY),
    _fact(
        "provider_kind",
        _ENUM,
        "A local operator, or an international eSIM platform (A7).",
        PROVIDER_POLICY,
        values=("local_operator", "esim_platform", "unknown"),
    ),
    _fact(
        "provider_online",
        _ENUM,
        "Whether the provider accepts cancellation online (A7, A10, A24).",
        PROVIDER_POLICY,
        values=_PROVIDER_ONLINE,
    ),
    _fact(
        "provider_in_person",
        _ENUM,
        "Whether the provider requires an in-person confirmation (A11).",
        PROVIDER_POLICY,
        values=_PROVIDER_IN_PERSON,
    ),
    _fact("provider_has_store", _BOOL, "The provider has stores a person can visit (A17).", PROVIDER_POLICY),
    _fact("plan", _ENUM, "Prepaid or postpaid.", StatePath(path="plan"), values=("prepaid", "postpaid")),
    _fact(
        "balance",
        _MONEY,
        "Balance left on the card, PKR (A4).",
        StatePath(path="balance"),
        upper=_MONEY_UPPER,
    ),
    _fact("arrears", _MONEY, "Unpaid charges, PKR (A19).", StatePath(path="arrears"), upper=_MONEY_UPPER),
    _fact(
        "active_services",
        _COUNT,
        "How many value-added services are active (A5).",
        SERVICE_COUNTS,
        upper=MAX_SERVICES,
        draw_upper=_SERVICES_DRAWN,
    ),
    _fact(
        "recurring_services",
        _COUNT,
        "How many active value-added services renew by themselves (A5).",
        SERVICE_COUNTS,
        upper=MAX_SERVICES,
        draw_upper=_SERVICES_DRAWN,
    ),
    _fact(
        "unused_data_mb", _COUNT, "Unused data, MB (A22).", StatePath(path="unused.data_mb"), upper=MAX_COUNT
    ),
    _fact(
        "unused_minutes", _COUNT, "Unused minutes (A22).", StatePath(path="unused.minutes"), upper=MAX_COUNT
    ),
    _fact("unused_sms", _COUNT, "Unused SMS (A22).", StatePath(path="unused.sms"), upper=MAX_COUNT),
    _fact(
        "has_passport_original",
        _BOOL,
        "Has the original passport (A6, A16).",
        StatePath(path="documents.passport_original"),
    ),
    _fact(
        "has_passport_copy",
        _BOOL,
        "Has a copy of the passport (A16).",
        StatePath(path="documents.passport_copy"),
    ),
    _fact(
        "has_purchase_receipt",
        _BOOL,
        "Has the purchase invoice or receipt (A6).",
        StatePath(path="documents.purchase_receipt"),
    ),
    _fact(
        "sim_card_usable",
        _BOOL,
        "The SIM card still works (A16); read together with sim_card_at_hand.",
        StatePath(path="documents.sim_card_usable"),
    ),
    _fact(
        "sim_card_at_hand",
        _BOOL,
        "The SIM card itself is at hand (A16).",
        StatePath(path="documents.sim_card_at_hand"),
    ),
    _fact(
        "line_status",
        _ENUM,
        "The line's state: suspended at the holder's request (A21), or blocked by the operator.",
        StatePath(path="line_status"),
        values=("active", "suspended", "blocked"),
    ),
    _fact(
        "discard_card", _BOOL, "Plans to throw the card away (A3).", StatePath(path="intentions.discard_card")
    ),
    _fact(
        "fast_cancellation_agent",
        _BOOL,
        'Considering an unofficial "fast cancellation" agent (A23).',
        StatePath(path="intentions.fast_cancellation_agent"),
    ),
    _fact(
        "can_visit_store",
        _BOOL,
        "In Pakistan or otherwise able to visit a store (A9, A15).",
        StatePath(path="situation.can_visit_store"),
    ),
    _fact("reads_english", _BOOL, "Reads English forms (A13).", StatePath(path="situation.reads_english")),
    _fact("needs_it_fast", _BOOL, "Needs it done soon (A12).", StatePath(path="situation.needs_it_fast")),
    _fact("activation_known", _BOOL, "The SIM's issue date is known (B2, B6).", ACTIVATION_MONTHS),
    _fact(
        "months_held",
        _COUNT,
        "Whole months since the SIM was issued, 0 when unknown (B2).",
        ACTIVATION_MONTHS,
        upper=MAX_MONTHS,
    ),
    _fact(
        "days_held",
        _COUNT,
        "Days since the SIM was issued, 0 when unknown (B6).",
        ACTIVATION_MONTHS,
        upper=MAX_DAYS,
    ),
    _fact(
        "lock_days_left",
        _COUNT,
        "Days until the SIM has been held 365 days, 0 when it has or when unknown (B6).",
        ACTIVATION_MONTHS,
        upper=LOCK_DAYS,
    ),
    _fact(
        "registered_owner",
        _ENUM,
        "Whose name the SIM is registered in (B7).",
        StatePath(path="registered_owner"),
        values=("self", "someone_else", "unknown"),
    ),
    _fact(
        "sim_form",
        _ENUM,
        "A physical card or an eSIM profile (A3).",
        StatePath(path="sim_form"),
        values=("physical", "esim"),
    ),
)


# --- reading and writing through the declarations -------------------------------------------


_HUNDRED = Decimal(100)
_PAISA = EXACT.multiply
"""An amount (at most 9 digits and 2 decimals) times 100, exactly (:data:`simcancel.model.EXACT`)."""


def _path_getter(spec: FactSpec, path: str) -> Callable[[UserState], EngineValue]:
    """A function reading the fact's engine value from a state at ``path``."""
    get = operator.attrgetter(path)
    if spec.kind is FactKind.MONEY:
        return lambda state: int(_PAISA(get(state), _HUNDRED))
    if spec.kind is FactKind.ENUM:
        return lambda state: get(state).value
    return get


def pkr(paisa: int) -> str:
    """Integer paisa as PKR with two decimals (``15000`` -> ``"150.00"``), as states and texts spell it."""
    sign = "-" if paisa < 0 else ""
    whole, cents = divmod(abs(paisa), 100)
    return f"{sign}{whole}.{cents:02d}"


def _json_value(spec: FactSpec, value: EngineValue) -> Any:
    """The fact's engine value as the state's JSON data spells it."""
    if spec.kind is FactKind.MONEY:
        return pkr(int(value))
    return value


def _put(data: StateData, path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for parent in parents:
        data = data.setdefault(parent, {})
    data[leaf] = value


def _reader(
    specs: tuple[FactSpec, ...], derivations: tuple[Derivation, ...]
) -> Callable[[UserState, Provider, dt.date], dict[str, EngineValue]]:
    """One function reading every fact of ``specs`` from a state, in catalogue order.

    Generated from the declarations (the facts of each derivation from one call of its
    ``read``, each state path as attribute reads), so a call builds one dict and calls no
    getter: ``facts_for`` runs on every assessment.
    """
    namespace: dict[str, Any] = {"HUNDRED": _HUNDRED, "PAISA": _PAISA}
    lines = ["def read(state, provider, as_of):"]
    for index, derivation in enumerate(derivations):
        namespace[f"read_{index}"] = derivation.read
        lines.append(f"    derived_{index} = read_{index}(state, provider, as_of)")
    lines.append("    return {")
    for index, spec in enumerate(specs):
        if isinstance(spec.source, Derivation):
            value = f"derived_{derivations.index(spec.source)}[{spec.name!r}]"
        elif all(part.isidentifier() and not keyword.iskeyword(part) for part in spec.source.path.split(".")):
            value = f"state.{spec.source.path}"
            if spec.kind is FactKind.MONEY:
                value = f"int(PAISA({value}, HUNDRED))"  # exact, whatever the caller's decimal context
            elif spec.kind is FactKind.ENUM:
                value = f"{value}._value_"  # what Enum.value returns, without its descriptor
        else:  # pragma: no cover - every path of the catalogue is dotted identifiers
            namespace[f"get_{index}"] = _path_getter(spec, spec.source.path)
            value = f"get_{index}(state)"
        lines.append(f"        {spec.name!r}: {value},")
    lines.append("    }")
    exec(compile("\n".join(lines) + "\n", "<simcancel facts_for>", "exec"), namespace)  # noqa: S102 (our own source, from the declarations)
    read: Callable[[UserState, Provider, dt.date], dict[str, EngineValue]] = namespace["read"]
    return read


class _NotTypedError(Exception):
    """A value of another type than its fact's kind: the generated writer gives up."""


def _not_typed() -> str:
    raise _NotTypedError


def _text_writer(specs: tuple[FactSpec, ...]) -> Callable[[Mapping[str, EngineValue]], str | None]:
    """One function writing a dict of exactly the facts of ``specs`` as JSON text, or ``None``.

    The text is ``json.dumps(fact, ensure_ascii=False)``'s, without encoding the names on
    each call: they are constants of the generated f-string; each value is checked to be
    of its kind's exact type (``bool``, ``int`` or ``str``) and written as json writes it.
    A dict with other names, in another order, or a value of another type gives ``None``.
    """
    fields = []
    for index, spec in enumerate(specs):
        # The name as json writes it, its braces doubled for the f-string (the literal's
        # quotes and backslashes are escaped by the repr below).
        name = json.dumps(spec.name, ensure_ascii=False).replace("{", "{{").replace("}", "}}")
        value = f"v{index}"
        if spec.kind is FactKind.BOOL:
            written = f"TRUE if {value} is True else FALSE if {value} is False else not_typed()"
        elif spec.kind in (FactKind.MONEY, FactKind.COUNT):
            written = f"{value} if type({value}) is int else not_typed()"  # an int formats as its repr
        else:  # an enum's value, a provider id
            written = f"encode({value}) if type({value}) is str else not_typed()"
        fields.append(f"{', ' if index else '{{'}{name}: {{{written}}}")
    body = "".join(fields) + "}}"
    source = "\n".join(
        [
            "def write(fact):",
            "    if type(fact) is not dict or list(fact) != NAMES:",
            "        return None",
            f"    {''.join(f'v{index}, ' for index in range(len(specs)))}= fact.values()",
            "    try:",
            f"        return f{body!r}",
            "    except NotTypedError:",
            "        return None",
        ]
    )
    namespace: dict[str, Any] = {
        "NAMES": [spec.name for spec in specs],
        "TRUE": "true",
        "FALSE": "false",
        "encode": json.encoder.encode_basestring,
        "not_typed": _not_typed,
        "NotTypedError": _NotTypedError,
    }
    exec(compile(source + "\n", "<simcancel fact_text>", "exec"), namespace)  # noqa: S102 (our own source, from the declarations)
    write: Callable[[Mapping[str, EngineValue]], str | None] = namespace["write"]
    return write


@attrs.frozen(kw_only=True, eq=False)
class Catalogue:
    """The facts a rule set can read, with their kinds and where each comes from."""

    specs: tuple[FactSpec, ...]
    by_name: Mapping[str, FactSpec] = attrs.field(init=False)
    derivations: tuple[Derivation, ...] = attrs.field(init=False)
    """Each derivation once, in the order of its first fact."""
    _reader: Callable[[UserState, Provider, dt.date], dict[str, EngineValue]] = attrs.field(
        init=False, repr=False
    )

    def __attrs_post_init__(self) -> None:
        names = [spec.name for spec in self.specs]
        if len(set(names)) != len(names):
            raise ValueError(f"fact names must be unique, got {names}")
        derivations: dict[int, Derivation] = {}
        for spec in self.specs:
            if isinstance(spec.source, Derivation):
                derivations.setdefault(id(spec.source), spec.source)
        object.__setattr__(self, "by_name", MappingProxyType({spec.name: spec for spec in self.specs}))
        object.__setattr__(self, "derivations", tuple(derivations.values()))
        object.__setattr__(self, "_reader", _reader(self.specs, self.derivations))

    def __iter__(self) -> Iterator[str]:
        return iter(self.by_name)

    def __getitem__(self, name: str) -> FactSpec:
        return self.by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self.by_name

    def __len__(self) -> int:
        return len(self.specs)

    def with_fact(self, spec: FactSpec) -> Catalogue:
        """A copy with ``spec`` appended (for a pack's own facts, and for tests)."""
        return Catalogue(specs=(*self.specs, spec))

    def facts_of(self, derivation: Derivation) -> tuple[str, ...]:
        """The facts ``derivation`` computes, in catalogue order."""
        return tuple(spec.name for spec in self.specs if spec.source is derivation)

    def groups(self) -> tuple[tuple[str, ...], ...]:
        """Facts that vary together, one group per derivation and per state path, in order."""
        seen: set[str] = set()
        groups: list[tuple[str, ...]] = []
        for spec in self.specs:
            if spec.name in seen:
                continue
            group = self.facts_of(spec.source) if isinstance(spec.source, Derivation) else (spec.name,)
            seen.update(group)
            groups.append(group)
        return tuple(groups)

    def facts_for(self, state: UserState, provider: Provider, as_of: dt.date) -> dict[str, EngineValue]:
        """The complete, typed fact for ``state``: every catalogue field present, money in paisa."""
        return self._reader(state, provider, as_of)

    def state_for(self, facts: Mapping[str, EngineValue], as_of: dt.date) -> StateData:
        """A state, as JSON data, whose facts on ``as_of`` are ``facts`` (the inverse of
        :meth:`facts_for` on the values a state can have).

        Fields no fact reads get a neutral value (a service's kind is ``other``).
        """
        data: StateData = {}
        for spec in self.specs:
            if isinstance(spec.source, StatePath):
                _put(data, spec.source.path, _json_value(spec, facts[spec.name]))
        for derivation in self.derivations:
            data.update(derivation.write(facts, as_of))
        return data


CATALOGUE = Catalogue(specs=_SPECS)
"""The facts of simcancel's rule language."""

FACTS: Mapping[str, FactSpec] = CATALOGUE.by_name
"""Every fact a condition can read, by name, in catalogue order."""

facts_for: Callable[[UserState, Provider, dt.date], dict[str, EngineValue]] = CATALOGUE._reader  # noqa: SLF001
""":meth:`Catalogue.facts_for` of :data:`CATALOGUE`: its generated reader itself (one call
less on every assessment)."""
state_for = CATALOGUE.state_for
fact_text = _text_writer(CATALOGUE.specs)
"""``json.dumps(fact, ensure_ascii=False)`` for a fact as :func:`facts_for` makes it (a dict
of the catalogue's facts in its order, each of its kind's type), else ``None``: the text
the engine hands durable, without json encoding thirty names on every assessment."""


@attrs.frozen(kw_only=True)
class Shown:
    """A value texts may show but no rule compares: computed from facts and the day of the
    assessment when a text names it (a date is no fact, since rules compare days)."""

    name: str
    doc: str
    facts: tuple[str, ...]
    """The facts it is computed from."""
    show: Callable[[Mapping[str, EngineValue], dt.date], str]


def _lock_lifts_on(facts: Mapping[str, EngineValue], as_of: dt.date) -> str:
    return (as_of + dt.timedelta(days=int(facts["lock_days_left"]))).isoformat()


SHOWN: Mapping[str, Shown] = MappingProxyType(
    {
        "lock_lifts_on": Shown(
            name="lock_lifts_on",
            doc="The day the reported one-year lock lifts for this SIM, YYYY-MM-DD (B6).",
            facts=("lock_days_left",),
            show=_lock_lifts_on,
        )
    }
)
"""Placeholders besides the facts: values only texts show, by name."""


def display_value(name: str, value: EngineValue) -> DisplayValue:
    """A fact's value as people read it: money back in PKR with two decimals."""
    if FACTS[name].kind is FactKind.MONEY and isinstance(value, int):
        return pkr(value)
    return value
