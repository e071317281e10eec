"""The facts a rule condition can read, and how a state (plus its provider) becomes them.

This catalogue is the contract between rule authors and the engine: the loader checks
every field a rule names against it, the compiler types constants with it, the engine
gets a complete fact (every field present, with its proper type) from :func:`facts_for`,
and the analysis cuts the state space along it.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from decimal import Decimal
from typing import TYPE_CHECKING

import attrs

from simcancel.model import MAX_COUNT, MAX_MONEY, DisplayValue, UserState

if TYPE_CHECKING:
    from simcancel._ruleset import Provider

__all__ = ["FACTS", "EngineValue", "FactKind", "FactSpec", "display_value", "facts_for", "months_between"]


EngineValue = str | int | bool
"""A fact as the engine sees it: money in integer paisa, enums as their string values."""


class FactKind(enum.Enum):
    """How a fact is typed, compared and shown."""

    BOOL = "bool"
    ENUM = "enum"
    MONEY = "money"
    """PKR in rule files and messages; integer paisa inside the engine."""
    COUNT = "count"
    PROVIDER = "provider"
    """A provider id of the rule set (an enum whose values come from ``providers/``)."""


@attrs.frozen(kw_only=True)
class FactSpec:
    """One fact a condition can test."""

    name: str
    kind: FactKind
    doc: str
    values: tuple[str, ...] = ()
    """The allowed values of an ENUM fact."""
    upper: int = 0
    """The largest engine value of a MONEY (paisa) or COUNT fact."""


_PROVIDER_ONLINE = ("supported", "not_supported", "unknown")
_PROVIDER_IN_PERSON = ("required", "not_required", "unknown")

_SPECS = (
    FactSpec(name="provider", kind=FactKind.PROVIDER, doc="The provider id."),
    FactSpec(
        name="provider_kind",
        kind=FactKind.ENUM,
        values=("local_operator", "esim_platform", "unknown"),
        doc="A local operator, or an international eSIM platform (A7).",
    ),
    FactSpec(
        name="provider_online",
        kind=FactKind.ENUM,
        values=_PROVIDER_ONLINE,
        doc="Whether the provider accepts cancellation online (A7, A10, A24).",
    ),
    FactSpec(
        name="provider_in_person",
        kind=FactKind.ENUM,
        values=_PROVIDER_IN_PERSON,
        doc="Whether the provider requires an in-person confirmation (A11).",
    ),
    FactSpec(
        name="provider_has_store", kind=FactKind.BOOL, doc="The provider has stores a person can visit (A17)."
    ),
    FactSpec(name="plan", kind=FactKind.ENUM, values=("prepaid", "postpaid"), doc="Prepaid or postpaid."),
    FactSpec(
        name="balance",
        kind=FactKind.MONEY,
        upper=int(MAX_MONEY * 100),
        doc="Balance left on the card, PKR (A4).",
    ),
    FactSpec(
        name="arrears", kind=FactKind.MONEY, upper=int(MAX_MONEY * 100), doc="Unpaid charges, PKR (A19)."
    ),
    FactSpec(
        name="active_services",
        kind=FactKind.COUNT,
        upper=MAX_COUNT,
        doc="How many value-added services are active (A5).",
    ),
    FactSpec(
        name="recurring_services",
        kind=FactKind.COUNT,
        upper=MAX_COUNT,
        doc="How many active value-added services renew by themselves (A5).",
    ),
    FactSpec(name="unused_data_mb", kind=FactKind.COUNT, upper=MAX_COUNT, doc="Unused data, MB (A22)."),
    FactSpec(name="unused_minutes", kind=FactKind.COUNT, upper=MAX_COUNT, doc="Unused minutes (A22)."),
    FactSpec(name="unused_sms", kind=FactKind.COUNT, upper=MAX_COUNT, doc="Unused SMS (A22)."),
    FactSpec(name="has_passport_original", kind=FactKind.BOOL, doc="Has the original passport (A6, A16)."),
    FactSpec(name="has_passport_copy", kind=FactKind.BOOL, doc="Has a copy of the passport (A16)."),
    FactSpec(
        name="has_purchase_receipt", kind=FactKind.BOOL, doc="Has the purchase invoice or receipt (A6)."
    ),
    FactSpec(name="sim_card_usable", kind=FactKind.BOOL, doc="The SIM card is at hand and works (A16)."),
    FactSpec(
        name="line_status",
        kind=FactKind.ENUM,
        values=("active", "suspended", "blocked"),
        doc="The line's state at the operator (A21).",
    ),
    FactSpec(name="discard_card", kind=FactKind.BOOL, doc="Plans to throw the card away (A3)."),
    FactSpec(
        name="fast_cancellation_agent",
        kind=FactKind.BOOL,
        doc='Considering an unofficial "fast cancellation" agent (A23).',
    ),
    FactSpec(
        name="can_visit_store",
        kind=FactKind.BOOL,
        doc="In Pakistan or otherwise able to visit a store (A9, A15).",
    ),
    FactSpec(name="reads_english", kind=FactKind.BOOL, doc="Reads English forms (A13)."),
    FactSpec(name="needs_it_fast", kind=FactKind.BOOL, doc="Needs it done soon (A12)."),
    FactSpec(name="activation_known", kind=FactKind.BOOL, doc="The SIM's issue date is known (B2)."),
    FactSpec(
        name="months_held",
        kind=FactKind.COUNT,
        upper=12 * 200,
        doc="Whole months since the SIM was issued, 0 when unknown (B2).",
    ),
)

FACTS: Mapping[str, FactSpec] = {spec.name: spec for spec in _SPECS}
"""Every fact a condition can read, by name."""


def months_between(start: dt.date, end: dt.date) -> int:
    """Whole calendar months from ``start`` to ``end`` (0 if ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day < start.day:
        months -= 1
    return max(months, 0)


def _paisa(amount: Decimal) -> int:
    return int(amount * 100)


def facts_for(state: UserState, provider: Provider, as_of: dt.date) -> dict[str, EngineValue]:
    """The complete, typed fact for ``state``: every catalogue field present, money in paisa."""
    active = [service for service in state.services if service.active]
    months = (
        min(months_between(state.activated_on, as_of), FACTS["months_held"].upper)
        if state.activated_on is not None
        else 0
    )
    return {
        "provider": provider.id,
        "provider_kind": provider.kind.value,
        "provider_online": provider.online_cancellation.value,
        "provider_in_person": provider.in_person_confirmation.value,
        "provider_has_store": provider.has_store,
        "plan": state.plan.value,
        "balance": _paisa(state.balance),
        "arrears": _paisa(state.arrears),
        "active_services": len(active),
        "recurring_services": sum(1 for service in active if service.recurring),
        "unused_data_mb": state.unused.data_mb,
        "unused_minutes": state.unused.minutes,
        "unused_sms": state.unused.sms,
        "has_passport_original": state.documents.passport_original,
        "has_passport_copy": state.documents.passport_copy,
        "has_purchase_receipt": state.documents.purchase_receipt,
        "sim_card_usable": state.documents.sim_card_usable,
        "line_status": state.line_status.value,
        "discard_card": state.intentions.discard_card,
        "fast_cancellation_agent": state.intentions.fast_cancellation_agent,
        "can_visit_store": state.situation.can_visit_store,
        "reads_english": state.situation.reads_english,
        "needs_it_fast": state.situation.needs_it_fast,
        "activation_known": state.activated_on is not None,
        "months_held": months,
    }


def display_value(name: str, value: EngineValue) -> DisplayValue:
    """A fact's value as people read it: money back in PKR with two decimals."""
    if FACTS[name].kind is FactKind.MONEY and isinstance(value, int):
        return f"{Decimal(value) / 100:.2f}"
    return value
