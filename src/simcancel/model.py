"""Value objects: the state of one SIM account (input) and its assessment (output).

All classes are frozen, slotted and keyword-only.  Money is :class:`~decimal.Decimal`
PKR with at most two decimals; counts are bounded non-negative integers.  Build a
state from untrusted data with :meth:`UserState.from_dict` / :meth:`UserState.from_json`,
which report every invalid field at once as :class:`~simcancel.InvalidStateError`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import decimal
import enum
import functools
import json
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

import attrs

from simcancel._errors import InvalidStateError, Problem, shorten
from simcancel._frozen import FrozenMapping, frozen_tuple

_encode_string = json.encoder.encode_basestring  # the C function when _json is there

__all__ = [
    "ASSESSMENT_SCHEMA_ID",
    "MAX_COUNT",
    "MAX_MONEY",
    "MAX_SERVICES",
    "Assessment",
    "ChangeSet",
    "DisplayValue",
    "Document",
    "Documents",
    "Intentions",
    "Issue",
    "IssueKind",
    "LineStatus",
    "Plan",
    "RegisteredOwner",
    "RouteKind",
    "RouteOption",
    "Service",
    "ServiceKind",
    "SimForm",
    "Situation",
    "Stage",
    "StateChange",
    "Step",
    "UnusedResources",
    "UserState",
    "WhatIf",
    "WhatIfGoal",
]

MAX_MONEY = Decimal(1000000000)
"""Largest amount accepted, in PKR: keeps paisa well inside durable-rules' exact integer range."""
MAX_COUNT = 1_000_000_000
"""Largest count accepted (MB, minutes, SMS)."""
MAX_SERVICES = 10_000
"""Most value-added services a state lists: far more than any line has, and few enough that
any state, written out as JSON, fits in the 1 MB that ``simcancel assess`` reads."""
MAX_TEXT = 200
"""Longest free-text value accepted (provider id, service name)."""

_CENT = Decimal("0.01")
EXACT = decimal.Context(
    prec=100,
    rounding=decimal.ROUND_HALF_EVEN,
    Emin=-999999,
    Emax=999999,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow, decimal.Inexact],
)
"""The context money is worked in (paisa of a state's amounts, of a rule's constants): not
the caller's, whose precision may be low enough to round them; a result that would be
rounded is refused (``Inexact``), as is one past ``Emax`` (``Overflow``)."""
_DECIMAL_TEXT = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
"""An amount as text: ASCII digits, at most one point, a minus (refused as negative next), nothing else."""


class Plan(enum.Enum):
    """How the line is paid."""

    PREPAID = "prepaid"
    POSTPAID = "postpaid"


class ServiceKind(enum.Enum):
    """What a value-added service is."""

    SMS = "sms"
    DATA = "data"
    VOICE = "voice"
    OTHER = "other"


class LineStatus(enum.Enum):
    """The line's state at the operator; a suspended line is not a cancelled one (A21)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    """Suspended at the holder's own request (主动停机, 报停): service paused, the account kept."""
    BLOCKED = "blocked"
    """Cut off by the operator, not at the holder's request (被运营商停机 / 封号), e.g. after
    a visa expired."""


class RegisteredOwner(enum.Enum):
    """Whose name the SIM is registered in at the operator (B7)."""

    SELF = "self"
    """The person asking: the card was bought with their own passport or CNIC."""
    SOMEONE_ELSE = "someone_else"
    """Another person (a colleague, an employer, the shop that sold it, ...)."""
    UNKNOWN = "unknown"


class SimForm(enum.Enum):
    """Whether the SIM is a physical card or an eSIM profile on the phone."""

    PHYSICAL = "physical"
    ESIM = "esim"


# --- validation shared by the constructors and the structuring path -------------------


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
    hint = ""
    if isinstance(value, str) and (found := _OTHER_DAY.fullmatch(value.strip())):
        candidate = f"{found.group(1)}-{int(found.group(3)):02d}-{int(found.group(4)):02d}"
        with contextlib.suppress(ValueError):
            if candidate != value and dt.date.fromisoformat(candidate):
                hint = f" (did you mean '{candidate}'?)"
    raise ValueError(f"expected a date as 'YYYY-MM-DD', got {shorten(value)}{hint}")


_OTHER_DAY = re.compile(r"([0-9]{4})([/.\- ])([0-9]{1,2})\2([0-9]{1,2})")
"""A year-first date written with other separators or without leading zeros (``2024/1/10``)."""


def _money_hint(text: str) -> str:
    """A "did you mean" for an amount written as people often do: a decimal comma
    (``12,50``), thousands separators (``1,250.00``), spaces around it (``" 150 "``)."""
    candidate = text.strip()
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}", candidate):
        candidate = candidate.replace(",", ".")
    elif re.fullmatch(r"[0-9]{1,3}(,[0-9]{3})+(\.[0-9]{1,2})?", candidate):
        candidate = candidate.replace(",", "")
    if candidate != text and _DECIMAL_TEXT.fullmatch(candidate):
        return f" (did you mean '{candidate}'?)"
    return ""


def check_money(value: object) -> Decimal:
    """Return ``value`` as PKR, or raise ``ValueError`` naming the expected form."""
    expected = "expected a non-negative amount in PKR with at most two decimals"
    if isinstance(value, bool) or not isinstance(value, (str, int, float, Decimal)):
        raise ValueError(f"{expected}, got {shorten(value)}")
    if isinstance(value, str) and not _DECIMAL_TEXT.fullmatch(value):
        # Decimal() would also read " 12", "1e2", "+5", "1_000" and "١٢", which the state
        # schema does not describe.
        hint = _money_hint(value)
        raise ValueError(f"{expected}, written with the digits 0-9 and a point, got {shorten(value)}{hint}")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise ValueError(f"{expected}, got {shorten(value)}") from None
    whole, _, decimals = value.removeprefix("-").partition(".") if isinstance(value, str) else ("", "", "")
    # A text with a minus is refused, "-0" too (the schema's pattern has none); a number
    # -0 (JSON -0.0, which the schema's "minimum: 0" accepts) is the amount 0.
    if not amount.is_finite() or amount < 0 or (isinstance(value, str) and value.startswith("-")):
        raise ValueError(f"expected a non-negative amount in PKR, got {shorten(value)}")
    if amount > MAX_MONEY:
        raise ValueError(f"expected an amount of at most PKR {MAX_MONEY}, got {shorten(value)}")
    if amount != amount.quantize(_CENT) or len(decimals) > 2:  # "1.000": three decimals written
        raise ValueError(f"expected at most two decimals (paisa), got {shorten(value)}")
    if len(whole) > len(str(MAX_MONEY)) - 1 and whole != str(MAX_MONEY):  # leading zeros
        raise ValueError(
            f"{expected}, written with at most {len(str(MAX_MONEY)) - 1} digits before the point "
            f"(or {MAX_MONEY}), got {shorten(value)}"
        )
    return amount.quantize(_CENT).copy_abs()  # -0 is 0


def check_count(value: object) -> int:
    """Return ``value`` as a bounded non-negative integer, or raise ``ValueError``."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"expected a whole number, got {shorten(value)}")
    if not 0 <= value <= MAX_COUNT:
        raise ValueError(f"expected a whole number from 0 to {MAX_COUNT}, got {shorten(value)}")
    return value


def check_bool(value: object) -> bool:
    """Return ``value`` if it is a real boolean (``"no"`` is not ``False``)."""
    if not isinstance(value, bool):
        word = value.strip().lower() if isinstance(value, str) else None
        hint = {"yes": "true", "true": "true", "no": "false", "false": "false"}.get(word or "")
        shown = f" (did you mean {hint}, without quotes?)" if hint else ""
        raise ValueError(f"expected true or false, got {shorten(value)}{shown}")
    return value


def check_text(value: object) -> str:
    """Return ``value`` if it is a non-empty string of bounded length."""
    if not isinstance(value, str):
        raise ValueError(f"expected a string, got {shorten(value)}")
    if not value or len(value) > MAX_TEXT:
        raise ValueError(f"expected a string of 1 to {MAX_TEXT} characters, got {shorten(value)}")
    return value


def _validate(check: Any) -> Any:
    def validator(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        try:
            check(value)
        except ValueError as error:
            raise InvalidStateError([Problem(path=f"$.{attribute.name}", message=str(error))]) from None

    return validator


def _instance_of(kind: type) -> Any:
    def check(value: object) -> object:
        if not isinstance(value, kind):
            raise ValueError(f"expected {kind.__name__}, got {shorten(value)}")
        return value

    return _validate(check)


def _as_tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


def _services(value: object) -> object:
    if not isinstance(value, tuple) or not all(isinstance(item, Service) for item in value):
        raise ValueError(f"expected a sequence of Service, got {shorten(value)}")
    if len(value) > MAX_SERVICES:
        raise ValueError(f"expected at most {MAX_SERVICES} services, got {len(value)}")
    return value


_money = _validate(check_money)


def _to_money(value: object) -> object:
    """Convert a valid amount (``0``, ``"12.5"``) to quantized PKR; leave others to the validator."""
    try:
        return check_money(value)
    except ValueError:
        return value


_count = _validate(check_count)
_bool = _validate(check_bool)


# --- the state of one SIM account -----------------------------------------------------


@attrs.frozen(kw_only=True)
class Service:
    """A value-added service on the line (SMS pack, data pack, ...) (A5)."""

    kind: ServiceKind = attrs.field(validator=_instance_of(ServiceKind))
    active: bool = attrs.field(validator=_bool)
    recurring: bool = attrs.field(validator=_bool)
    name: str | None = attrs.field(default=None, validator=attrs.validators.optional(_validate(check_text)))
    """A label for people; the rules never read it."""


@attrs.frozen(kw_only=True)
class UnusedResources:
    """What the card still holds besides money (A22)."""

    data_mb: int = attrs.field(validator=_count)
    minutes: int = attrs.field(validator=_count)
    sms: int = attrs.field(validator=_count)


@attrs.frozen(kw_only=True)
class Documents:
    """The proofs the person still has (A6, A16)."""

    passport_original: bool = attrs.field(validator=_bool)
    passport_copy: bool = attrs.field(validator=_bool)
    purchase_receipt: bool = attrs.field(validator=_bool)
    sim_card_usable: bool = attrs.field(validator=_bool)
    """The SIM card itself still works (read only when it is at hand)."""
    sim_card_at_hand: bool = attrs.field(default=True, validator=_bool)
    """The SIM card itself is at hand (default ``True``; ``False``: lost, left behind)."""


@attrs.frozen(kw_only=True)
class Intentions:
    """What the person is tempted to do instead of cancelling (A3, A23).

    Both default to ``False``: they only add warnings, so leaving them out hides
    nothing that blocks.
    """

    discard_card: bool = attrs.field(default=False, validator=_bool)
    """Plans to throw the card away instead of cancelling it."""
    fast_cancellation_agent: bool = attrs.field(default=False, validator=_bool)
    """Considering an unofficial "fast cancellation" agent."""


@attrs.frozen(kw_only=True)
class Situation:
    """Where the person is and what they can do (A9, A13, A15)."""

    can_visit_store: bool = attrs.field(validator=_bool)
    """In Pakistan, or otherwise able to visit the operator's store in person."""
    reads_english: bool = attrs.field(validator=_bool)
    needs_it_fast: bool = attrs.field(default=False, validator=_bool)
    """Needs the cancellation to take effect soon (it only adds a warning)."""


@attrs.frozen(kw_only=True)
class UserState:
    """The state of one Pakistani SIM / data card account.

    ``services`` may be empty, but must be given: an omitted list would hide a
    blocking issue (A5).
    """

    provider: str = attrs.field(validator=_validate(check_text))
    """Provider id, as in the rule set's ``providers/`` (``"jazz"``, ``"simoptions"``...)."""
    plan: Plan = attrs.field(validator=_instance_of(Plan))
    balance: Decimal = attrs.field(converter=_to_money, validator=_money)
    """Prepaid balance left on the card, PKR."""
    arrears: Decimal = attrs.field(converter=_to_money, validator=_money)
    """Unpaid charges owed to the operator, PKR."""
    line_status: LineStatus = attrs.field(validator=_instance_of(LineStatus))
    services: tuple[Service, ...] = attrs.field(converter=_as_tuple, validator=_validate(_services))
    unused: UnusedResources = attrs.field(validator=_instance_of(UnusedResources))
    documents: Documents = attrs.field(validator=_instance_of(Documents))
    situation: Situation = attrs.field(validator=_instance_of(Situation))
    intentions: Intentions = attrs.field(factory=Intentions, validator=_instance_of(Intentions))
    activated_on: dt.date | None = attrs.field(
        default=None, validator=attrs.validators.optional(_instance_of(dt.date))
    )
    """When the SIM was issued (activated), if known (B2, B6)."""
    registered_owner: RegisteredOwner = attrs.field(
        default=RegisteredOwner.SELF, validator=_instance_of(RegisteredOwner)
    )
    """Whose name the SIM is registered in (B7).  The default, ``self``, is the article's
    premise: a card bought with one's own passport."""
    sim_form: SimForm = attrs.field(default=SimForm.PHYSICAL, validator=_instance_of(SimForm))
    """A physical card (default) or an eSIM profile."""

    @classmethod
    def from_dict(cls, data: object) -> UserState:
        """Build a state from plain data; raise :class:`InvalidStateError` listing every problem."""
        from simcancel._structure import structure_state

        return structure_state(data)

    @classmethod
    def from_json(cls, text: str | bytes) -> UserState:
        """Parse JSON text (numbers become exact decimals) and build a state."""
        from simcancel._jsontext import parse_json

        return cls.from_dict(parse_json(text))

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data that :meth:`from_dict` turns back into an equal state."""
        from simcancel._structure import unstructure

        result: dict[str, Any] = unstructure(self)
        return result


# --- the assessment -------------------------------------------------------------------


class IssueKind(enum.Enum):
    """How serious an issue is."""

    BLOCKING = "blocking"
    """Must be fixed before the cancellation can complete."""
    WARNING = "warning"
    """A pitfall that costs money or time if ignored."""
    ADVICE = "advice"
    """Worth knowing; nothing is lost by ignoring it."""


class RouteKind(enum.Enum):
    """How to cancel."""

    ONLINE = "online"
    IN_STORE = "in_store"
    ASK_PROVIDER = "ask_provider"


class Stage(enum.Enum):
    """Where a step goes in the plan; the order of members is the order of steps."""

    ARREARS = "arrears"
    BALANCE = "balance"
    SERVICES = "services"
    DOCUMENTS = "documents"
    ROUTE = "route"
    AFTER = "after"


ASSESSMENT_SCHEMA_ID = "simcancel.assessment/1"
"""The ``schema`` value of every assessment's JSON (``docs/api.md``)."""

DisplayValue = str | int | bool
"""A fact as an issue shows it: money as a PKR string (``"150.00"``), counts, flags, names."""

# Every sequence of the assessment is a tuple, even when built from lists, so that an
# answer never shares a mutable list with its caller or with the rule set.  attrs' mypy
# plugin cannot solve a generic converter: one concretely typed converter per element type.


def _strings(items: Iterable[str]) -> tuple[str, ...]:
    return frozen_tuple(items)


def _fact_pairs(items: Iterable[tuple[str, DisplayValue]]) -> tuple[tuple[str, DisplayValue], ...]:
    pairs = frozen_tuple(items)
    if all(type(pair) is tuple for pair in pairs):
        return pairs
    return tuple((name, value) for name, value in pairs)


def _issues(items: Iterable[Issue]) -> tuple[Issue, ...]:
    return frozen_tuple(items)


def _route_options(items: Iterable[RouteOption]) -> tuple[RouteOption, ...]:
    return frozen_tuple(items)


def _documents(items: Iterable[Document]) -> tuple[Document, ...]:
    return frozen_tuple(items)


def _steps(items: Iterable[Step]) -> tuple[Step, ...]:
    return frozen_tuple(items)


def _texts(texts: Mapping[str, str]) -> Mapping[str, str]:
    return texts if type(texts) is FrozenMapping else FrozenMapping(texts)


@attrs.frozen(kw_only=True)
class Issue:
    """A blocking issue, a warning or a piece of advice."""

    code: str
    """The id of the rule that raised it (stable across releases)."""
    kind: IssueKind
    message: str
    fix: str | None
    claims: tuple[str, ...] = attrs.field(converter=_strings)
    facts: tuple[tuple[str, DisplayValue], ...] = attrs.field(converter=_fact_pairs)
    """The facts the rule's condition read, with their values (money as PKR strings)."""


@attrs.frozen(kw_only=True)
class RouteOption:
    """A way to cancel, with why it applies."""

    route: RouteKind
    code: str
    """The id of the route rule that chose it."""
    reason: str
    claims: tuple[str, ...] = attrs.field(converter=_strings)
    facts: tuple[tuple[str, DisplayValue], ...] = attrs.field(converter=_fact_pairs)


@attrs.frozen(kw_only=True)
class Document:
    """A document to bring or upload."""

    id: str
    name: str


@attrs.frozen(kw_only=True)
class Step:
    """One step of the plan, in order."""

    stage: Stage
    text: str
    code: str
    """The rule the step comes from."""
    claims: tuple[str, ...] = attrs.field(converter=_strings)


def _frozen_json(value: object) -> object:
    """JSON data with every list a tuple and every object a read-only mapping."""
    if isinstance(value, (list, tuple)):
        return tuple(_frozen_json(item) for item in value)
    if isinstance(value, Mapping):
        return FrozenMapping({key: _frozen_json(item) for key, item in value.items()})
    return value


def _thawed_json(value: object) -> object:
    """:func:`_frozen_json` undone: plain lists and dicts, ready for ``json.dumps``."""
    if isinstance(value, tuple):
        return [_thawed_json(item) for item in value]
    if isinstance(value, Mapping):
        return {key: _thawed_json(item) for key, item in value.items()}
    return value


@attrs.frozen(kw_only=True)
class StateChange:
    """One field of the state, set to a value that changes the answer."""

    path: str
    """Where, as a dotted state path a person reads (``balance``, ``services``,
    ``documents.passport_original``)."""
    value: object = attrs.field(converter=_frozen_json)
    """The new value, as the state's JSON spells it (``"0.00"``, ``true``, ``[]``); ``None``
    (JSON ``null``) for a field that becomes unknown.  Lists and objects are read-only."""

    @property
    def json_value(self) -> object:
        """:attr:`value` as plain JSON data (lists and dicts), ready for ``json.dumps``."""
        return _thawed_json(self.value)


def _changes(items: Iterable[StateChange]) -> tuple[StateChange, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class ChangeSet:
    """Changes that together give the goal, none of them superfluous."""

    changes: tuple[StateChange, ...] = attrs.field(converter=_changes)
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    """The assessment's own steps of the rules these changes settle, in plan order."""


def _change_sets(items: Iterable[ChangeSet]) -> tuple[ChangeSet, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class WhatIfGoal:
    """One answer a person may want, and the smallest changes of their state that give it."""

    route: RouteKind | None
    """``None``: nothing blocks; a route: it becomes the recommended one."""
    change_sets: tuple[ChangeSet, ...] = attrs.field(converter=_change_sets)
    """Every minimal set of changes found, fewest changes first; empty: none gives it."""
    complete: bool
    """True when ``change_sets`` lists every minimal set: no limit cut the search short."""


def _goals(items: Iterable[WhatIfGoal]) -> tuple[WhatIfGoal, ...]:
    return frozen_tuple(items)


@attrs.frozen(kw_only=True)
class WhatIf:
    """What would change the answer: for nothing to block, for each alternative to lead."""

    unblock: WhatIfGoal | None
    """``None`` when nothing blocks already."""
    routes: tuple[WhatIfGoal, ...] = attrs.field(converter=_goals)
    """One per alternative route, in the alternatives' order."""


@attrs.frozen(kw_only=True)
class Assessment:
    """Everything simcancel says about one state.  ``to_dict`` gives the stable JSON shape."""

    provider: str
    locale: str
    as_of: dt.date
    ruleset: str
    """``name@version`` of the rule set that produced it."""
    blocking: tuple[Issue, ...] = attrs.field(converter=_issues)
    warnings: tuple[Issue, ...] = attrs.field(converter=_issues)
    advice: tuple[Issue, ...] = attrs.field(converter=_issues)
    route: RouteOption
    alternatives: tuple[RouteOption, ...] = attrs.field(converter=_route_options)
    documents: tuple[Document, ...] = attrs.field(converter=_documents)
    steps: tuple[Step, ...] = attrs.field(converter=_steps)
    claims: tuple[str, ...] = attrs.field(converter=_strings)
    """Every claim id the answer rests on, sorted."""
    labels: Mapping[str, str] = attrs.field(factory=FrozenMapping, converter=_texts)
    """The texts that show it, in its locale, by label key: each ``route.*``, ``stage.*``,
    ``kind.*`` and ``heading.*`` label of the rule set, and ``provider.<id>``, the provider's
    display name; read-only.  A JSON consumer renders the answer from them alone."""
    what_if: WhatIf | None = None
    """What would change the answer, when asked for (``assess(..., what_if=True)``)."""

    @property
    def can_cancel_now(self) -> bool:
        """True when nothing blocks the cancellation."""
        return not self.blocking

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON shape (see ``docs/api.md``)."""
        return {
            "schema": ASSESSMENT_SCHEMA_ID,
            "provider": self.provider,
            "locale": self.locale,
            "as_of": self.as_of.isoformat(),
            "ruleset": self.ruleset,
            "can_cancel_now": self.can_cancel_now,
            "blocking": [_issue_dict(issue) for issue in self.blocking],
            "warnings": [_issue_dict(issue) for issue in self.warnings],
            "advice": [_issue_dict(issue) for issue in self.advice],
            "route": _route_dict(self.route),
            "alternatives": [_route_dict(option) for option in self.alternatives],
            "documents": [{"id": doc.id, "name": doc.name} for doc in self.documents],
            "steps": [_step_dict(step) for step in self.steps],
            "claims": list(self.claims),
            "labels": dict(self.labels),
            **({"what_if": _what_if_dict(self.what_if)} if self.what_if is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: object) -> Assessment:
        """The assessment that :meth:`to_dict` wrote as ``data``; a :class:`UsageError` lists
        what does not have that shape (keys a later version adds are ignored)."""
        from simcancel._readback import structure_assessment

        return structure_assessment(data)

    def to_json(self, *, indent: int | str | None = 2) -> str:
        """:meth:`to_dict` as JSON text (UTF-8 characters kept as they are).

        The same text as ``json.dumps(self.to_dict(), ensure_ascii=False, indent=indent)``,
        a string ``indent`` included (each level's prefix, such as a tab); ``indent=None`` is
        the compact form, the cheapest.
        """
        if indent is None:
            return json.dumps(self.to_dict(), ensure_ascii=False)
        # The writer from the objects knows this class's to_dict only (a subclass may have
        # its own), and ints and strings as indents (anything else is json.dumps' to refuse).
        if type(self) is Assessment and (type(indent) is int or type(indent) is str):
            try:
                return _assessment_json(self, _layout(indent))
            except (_NotPlainError, TypeError, AttributeError):
                pass  # a value the writer does not know (built by hand): the walk of to_dict
        return indented_json(self.to_dict(), indent)


class _NotPlainError(Exception):
    """A value :func:`indented_json` leaves to :func:`json.dumps`."""


def indented_json(data: object, indent: int | str) -> str:
    """``json.dumps(data, ensure_ascii=False, indent=indent)``, about twice as fast.

    CPython's C encoder has no indentation, so ``indent`` makes :mod:`json` fall back to
    its pure-Python encoder and its generators; this walk of plain JSON data (dicts with
    string keys, lists, strings, ints, booleans, None) escapes strings with the C
    function and joins once.  Anything else is left to :func:`json.dumps`.
    """
    out: list[str] = []
    try:
        _indented(data, out, "\n", _step(indent))
    except _NotPlainError:
        return json.dumps(data, ensure_ascii=False, indent=indent)
    return "".join(out)


def _indented(value: object, out: list[str], newline: str, step: str) -> None:  # noqa: C901, PLR0912 (one branch per JSON type)
    kind = type(value)
    if isinstance(value, str) and kind is str:
        out.append(_encode_string(value))
    elif kind is dict:
        if not value:
            out.append("{}")
            return
        inner = newline + step
        separator = "{" + inner
        for key, item in value.items():  # type: ignore[attr-defined]
            if type(key) is not str:
                raise _NotPlainError
            out.append(separator)
            out.append(_encode_string(key))
            out.append(": ")
            _indented(item, out, inner, step)
            separator = "," + inner
        out.append(newline + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = newline + step
        separator = "[" + inner
        for item in value:  # type: ignore[attr-defined]
            out.append(separator)
            _indented(item, out, inner, step)
            separator = "," + inner
        out.append(newline + "]")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif value is None:
        out.append("null")
    elif kind is int:
        out.append(int.__repr__(value))
    else:
        raise _NotPlainError


# --- to_json: the indented text written from the objects ------------------------------
# What json.dumps(to_dict(), ensure_ascii=False, indent=n) writes, without building to_dict's
# dicts and lists and walking them: the keys, commas and line breaks of each depth are
# constants of the indent, the strings are escaped by json's C function.  A value of a type
# the writer does not know raises, and to_json walks to_dict instead.


def _step(indent: int | str) -> str:
    """What each level of nesting adds to a line, as json.dumps reads ``indent``."""
    return indent if isinstance(indent, str) else " " * indent


class _Layout:
    """The constant text of an assessment's JSON at one indent."""

    __slots__ = ("document", "head", "issue", "keys", "lines", "option", "option_nested", "step")

    def __init__(self, indent: int | str) -> None:
        step = _step(indent)
        lines = tuple("\n" + step * depth for depth in range(5))
        self.lines = lines

        def prefixes(depth: int, *names: str) -> tuple[str, ...]:
            # '{' and each key of an object at ``depth`` (its keys one level deeper), then its
            # closing text; the ``,`` before each key but the first.
            inner = lines[depth + 1]
            first = "{" + inner + json.dumps(names[0]) + ": "
            rest = ["," + inner + json.dumps(name) + ": " for name in names[1:]]
            return (first, *rest, lines[depth] + "}")

        self.keys = prefixes(
            0,
            "schema",
            "provider",
            "locale",
            "as_of",
            "ruleset",
            "can_cancel_now",
            "blocking",
            "warnings",
            "advice",
            "route",
            "alternatives",
            "documents",
            "steps",
            "claims",
            "labels",
            "what_if",
        )
        self.head = self.keys[0] + json.dumps(ASSESSMENT_SCHEMA_ID)
        self.issue = (*prefixes(2, "code", "kind", "message", "fix", "claims", "facts"), lines[3], lines[4])
        self.option = (*prefixes(1, "route", "code", "reason", "claims", "facts"), lines[2], lines[3])
        self.option_nested = (*prefixes(2, "route", "code", "reason", "claims", "facts"), lines[3], lines[4])
        self.step = (*prefixes(2, "stage", "text", "code", "claims"), lines[3], lines[4])
        self.document = prefixes(2, "id", "name")


@functools.lru_cache(maxsize=16)
def _layout(indent: int | str) -> _Layout:
    return _Layout(indent)


def _strings_json(items: tuple[str, ...], outer: str, inner: str) -> str:
    """A list of strings whose ``[`` sits at the line ``outer``, its items at ``inner``."""
    if not items:
        return "[]"
    return "[" + inner + ("," + inner).join(map(_encode_string, items)) + outer + "]"


def _scalar_json(value: object) -> str:
    if isinstance(value, str):
        return _encode_string(value)
    if value is True:
        return "true"
    if value is False:
        return "false"
    if type(value) is int:
        return int.__repr__(value)
    if value is None:
        return "null"
    raise _NotPlainError


def _facts_json(facts: tuple[tuple[str, DisplayValue], ...], outer: str, inner: str) -> str:
    """:func:`_facts_dict` as an object whose ``{`` sits at the line ``outer``."""
    if not facts:
        return "{}"
    pairs = _facts_dict(facts)
    return (
        "{"
        + inner
        + ("," + inner).join(
            [_encode_string(name) + ": " + _scalar_json(value) for name, value in pairs.items()]
        )
        + outer
        + "}"
    )


def _issue_json(issue: Issue, layout: tuple[str, ...]) -> str:
    code, kind, message, fix, claims, facts, end, outer, inner = layout
    return (
        f"{code}{_encode_string(issue.code)}{kind}{_encode_string(issue.kind._value_)}"
        f"{message}{_encode_string(issue.message)}"
        f"{fix}{'null' if issue.fix is None else _encode_string(issue.fix)}"
        f"{claims}{_strings_json(issue.claims, outer, inner)}"
        f"{facts}{_facts_json(issue.facts, outer, inner)}{end}"
    )


def _option_json(option: RouteOption, layout: tuple[str, ...]) -> str:
    route, code, reason, claims, facts, end, outer, inner = layout
    return (
        f"{route}{_encode_string(option.route._value_)}{code}{_encode_string(option.code)}"
        f"{reason}{_encode_string(option.reason)}"
        f"{claims}{_strings_json(option.claims, outer, inner)}"
        f"{facts}{_facts_json(option.facts, outer, inner)}{end}"
    )


def _step_json(step: Step, layout: tuple[str, ...]) -> str:
    stage, text, code, claims, end, outer, inner = layout
    return (
        f"{stage}{_encode_string(step.stage._value_)}{text}{_encode_string(step.text)}"
        f"{code}{_encode_string(step.code)}{claims}{_strings_json(step.claims, outer, inner)}{end}"
    )


def _objects_json(texts: list[str], outer: str, inner: str) -> str:
    """A list of objects' texts (each from ``{`` to ``}``) whose ``[`` sits at ``outer``."""
    if not texts:
        return "[]"
    return "[" + inner + ("," + inner).join(texts) + outer + "]"


def _assessment_json(result: Assessment, layout: _Layout) -> str:
    """``json.dumps(result.to_dict(), ensure_ascii=False, indent=...)`` at ``layout``'s indent."""
    (
        _,
        provider,
        locale,
        as_of,
        ruleset,
        can_cancel_now,
        blocking,
        warnings,
        advice,
        route,
        alternatives,
        documents,
        steps,
        claims,
        labels,
        what_if,
        end,
    ) = layout.keys
    one, two = layout.lines[1], layout.lines[2]  # the lines of depth 1 and 2
    issue_layout = layout.issue
    doc_id, doc_name, doc_end = layout.document
    pairs = [_encode_string(key) + ": " + _encode_string(text) for key, text in result.labels.items()]
    parts = [
        layout.head,
        provider,
        _encode_string(result.provider),
        locale,
        _encode_string(result.locale),
        as_of,
        _encode_string(result.as_of.isoformat()),
        ruleset,
        _encode_string(result.ruleset),
        can_cancel_now,
        "false" if result.blocking else "true",
        blocking,
        _objects_json([_issue_json(issue, issue_layout) for issue in result.blocking], one, two),
        warnings,
        _objects_json([_issue_json(issue, issue_layout) for issue in result.warnings], one, two),
        advice,
        _objects_json([_issue_json(issue, issue_layout) for issue in result.advice], one, two),
        route,
        _option_json(result.route, layout.option),
        alternatives,
        _objects_json(
            [_option_json(option, layout.option_nested) for option in result.alternatives], one, two
        ),
        documents,
        _objects_json(
            [
                f"{doc_id}{_encode_string(doc.id)}{doc_name}{_encode_string(doc.name)}{doc_end}"
                for doc in result.documents
            ],
            one,
            two,
        ),
        steps,
        _objects_json([_step_json(step, layout.step) for step in result.steps], one, two),
        claims,
        _strings_json(result.claims, one, two),
        labels,
        "{" + two + ("," + two).join(pairs) + one + "}" if pairs else "{}",
    ]
    if result.what_if is not None:
        parts.append(what_if)
        nested: list[str] = []
        _indented(_what_if_dict(result.what_if), nested, one, one[1:])
        parts.extend(nested)
    parts.append(end)
    return "".join(parts)


def _facts_dict(facts: tuple[tuple[str, DisplayValue], ...]) -> Mapping[str, DisplayValue]:
    return dict(facts)


def _issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "code": issue.code,
        "kind": issue.kind.value,
        "message": issue.message,
        "fix": issue.fix,
        "claims": list(issue.claims),
        "facts": _facts_dict(issue.facts),
    }


def _step_dict(step: Step) -> dict[str, Any]:
    return {"stage": step.stage.value, "text": step.text, "code": step.code, "claims": list(step.claims)}


def _goal_dict(goal: WhatIfGoal) -> dict[str, Any]:
    return {
        "route": goal.route.value if goal.route is not None else None,
        "change_sets": [
            {
                "changes": [
                    {"path": change.path, "value": _thawed_json(change.value)} for change in found.changes
                ],
                "steps": [_step_dict(step) for step in found.steps],
            }
            for found in goal.change_sets
        ],
        "complete": goal.complete,
    }


def _what_if_dict(what_if: WhatIf) -> dict[str, Any]:
    return {
        "unblock": _goal_dict(what_if.unblock) if what_if.unblock is not None else None,
        "routes": [_goal_dict(goal) for goal in what_if.routes],
    }


def _route_dict(option: RouteOption) -> dict[str, Any]:
    return {
        "route": option.route.value,
        "code": option.code,
        "reason": option.reason,
        "claims": list(option.claims),
        "facts": _facts_dict(option.facts),
    }
