"""Hypothesis strategies for simcancel states, for the test suite and for rule authors.

>>> from hypothesis import given
>>> from simcancel.testing import user_states
>>> @given(user_states(provider="jazz"))
... def test_jazz_always_has_a_route(state): ...

Every strategy takes keyword constraints: pass a value to pin a field, leave it out to
let Hypothesis choose.  Money is drawn around the boundaries rules compare against
(0 and one paisa) as well as across the whole accepted range.

Rule authors prove their pack from pytest in two lines::

    from simcancel import builtin_packs, load_rules
    from simcancel.testing import assert_consistent, assert_matches_reference

    def test_my_pack_is_consistent() -> None:
        assert_consistent(load_rules(*builtin_packs(), "my_pack"))
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcancel import _engine
from simcancel._assess import default_rules
from simcancel._facts import facts_for
from simcancel._reference import fired
from simcancel._ruleset import RuleSet
from simcancel.analysis import DEFAULT_MAX_CLASSES, DEFAULT_SAMPLES, Report, verify
from simcancel.model import (
    MAX_COUNT,
    MAX_MONEY,
    Documents,
    Intentions,
    LineStatus,
    Plan,
    Service,
    ServiceKind,
    Situation,
    UnusedResources,
    UserState,
)

__all__ = [
    "amounts",
    "assert_consistent",
    "assert_matches_reference",
    "counts",
    "documents",
    "intentions",
    "providers",
    "services",
    "situations",
    "unused_resources",
    "user_states",
]

_UNSET: Any = object()


def _pinned(value: Any, default: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    if value is _UNSET:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    return st.just(value)


def amounts(*, max_value: Decimal = MAX_MONEY) -> st.SearchStrategy[Decimal]:
    """PKR amounts with at most two decimals, weighted towards 0 and small values."""
    paisa = st.one_of(
        st.just(0),
        st.integers(min_value=1, max_value=100),
        st.integers(min_value=0, max_value=int(max_value * 100)),
    )
    return paisa.map(lambda value: (Decimal(value) / 100).quantize(Decimal("0.01")))


def counts(*, max_value: int = MAX_COUNT) -> st.SearchStrategy[int]:
    """Non-negative counts, weighted towards 0 and small values."""
    return st.one_of(
        st.just(0), st.integers(min_value=1, max_value=10), st.integers(min_value=0, max_value=max_value)
    )


def services(
    *, kind: Any = _UNSET, active: Any = _UNSET, recurring: Any = _UNSET
) -> st.SearchStrategy[Service]:
    """One value-added service."""
    return st.builds(
        Service,
        kind=_pinned(kind, st.sampled_from(ServiceKind)),
        active=_pinned(active, st.booleans()),
        recurring=_pinned(recurring, st.booleans()),
        name=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    )


def unused_resources(
    *, data_mb: Any = _UNSET, minutes: Any = _UNSET, sms: Any = _UNSET
) -> st.SearchStrategy[UnusedResources]:
    """What the card still holds besides money."""
    return st.builds(
        UnusedResources,
        data_mb=_pinned(data_mb, counts()),
        minutes=_pinned(minutes, counts()),
        sms=_pinned(sms, counts()),
    )


def documents(
    *,
    passport_original: Any = _UNSET,
    passport_copy: Any = _UNSET,
    purchase_receipt: Any = _UNSET,
    sim_card_usable: Any = _UNSET,
) -> st.SearchStrategy[Documents]:
    """The proofs the person still has."""
    return st.builds(
        Documents,
        passport_original=_pinned(passport_original, st.booleans()),
        passport_copy=_pinned(passport_copy, st.booleans()),
        purchase_receipt=_pinned(purchase_receipt, st.booleans()),
        sim_card_usable=_pinned(sim_card_usable, st.booleans()),
    )


def intentions(
    *, discard_card: Any = _UNSET, fast_cancellation_agent: Any = _UNSET
) -> st.SearchStrategy[Intentions]:
    """What the person is tempted to do instead of cancelling."""
    return st.builds(
        Intentions,
        discard_card=_pinned(discard_card, st.booleans()),
        fast_cancellation_agent=_pinned(fast_cancellation_agent, st.booleans()),
    )


def situations(
    *, can_visit_store: Any = _UNSET, reads_english: Any = _UNSET, needs_it_fast: Any = _UNSET
) -> st.SearchStrategy[Situation]:
    """Where the person is and what they can do."""
    return st.builds(
        Situation,
        can_visit_store=_pinned(can_visit_store, st.booleans()),
        reads_english=_pinned(reads_english, st.booleans()),
        needs_it_fast=_pinned(needs_it_fast, st.booleans()),
    )


def providers(rules: RuleSet | None = None) -> st.SearchStrategy[str]:
    """The provider ids of a rule set (default: the built-in one)."""
    ruleset = default_rules() if rules is None else rules
    return st.sampled_from(sorted(ruleset.providers))


def user_states(
    *,
    rules: RuleSet | None = None,
    provider: Any = _UNSET,
    plan: Any = _UNSET,
    balance: Any = _UNSET,
    arrears: Any = _UNSET,
    line_status: Any = _UNSET,
    services_: Any = _UNSET,
    unused: Any = _UNSET,
    documents_: Any = _UNSET,
    situation: Any = _UNSET,
    intentions_: Any = _UNSET,
    activated_on: Any = _UNSET,
) -> st.SearchStrategy[UserState]:
    """Valid states for the providers of ``rules``; pin any field by passing it.

    A pinned value may be a plain value or a strategy.  ``services_``, ``documents_``
    and ``intentions_`` carry a trailing underscore so they do not shadow the part
    strategies of this module.
    """
    return st.builds(
        UserState,
        provider=_pinned(provider, providers(rules)),
        plan=_pinned(plan, st.sampled_from(Plan)),
        balance=_pinned(balance, amounts()),
        arrears=_pinned(arrears, amounts()),
        line_status=_pinned(line_status, st.sampled_from(LineStatus)),
        services=_pinned(services_, st.lists(services(), max_size=4).map(tuple)),
        unused=_pinned(unused, unused_resources()),
        documents=_pinned(documents_, documents()),
        situation=_pinned(situation, situations()),
        intentions=_pinned(intentions_, intentions()),
        activated_on=_pinned(
            activated_on,
            st.one_of(st.none(), st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2030, 12, 31))),
        ),
    )


def assert_consistent(
    rules: RuleSet | None = None,
    *,
    as_of: dt.date | None = None,
    max_classes: int = DEFAULT_MAX_CLASSES,
    samples: int = DEFAULT_SAMPLES,
) -> Report:
    """Run every check of :func:`simcancel.analysis.verify`; raise ``AssertionError`` on a failure.

    The error's message is the whole report, with each counterexample state as JSON.
    Returns the report when the rule set (default: the built-in one) is consistent.
    """
    report = verify(
        default_rules() if rules is None else rules, as_of=as_of, max_classes=max_classes, samples=samples
    )
    if not report.ok:
        raise AssertionError(report.render())
    return report


def assert_matches_reference(
    rules: RuleSet | None = None, *, max_examples: int = 200, as_of: dt.date | None = None
) -> None:
    """Property: durable-rules fires exactly what the reference evaluator fires.

    Runs Hypothesis over :func:`user_states` of ``rules`` (default: the built-in
    ones); on a difference Hypothesis shrinks the state and the ``AssertionError``
    names it and the rules that differ.
    """
    ruleset = default_rules() if rules is None else rules
    day = dt.date.today() if as_of is None else as_of
    engine_rules = _engine.compiled(ruleset)

    @settings(
        max_examples=max_examples, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(user_states(rules=ruleset))
    def durable_equals_reference(state: UserState) -> None:
        facts = facts_for(state, ruleset.provider(state.provider), day)
        durable, reference = _engine.evaluate(engine_rules, facts), fired(ruleset, facts)
        assert durable == reference, (
            f"durable fired {sorted(durable - reference)} beyond the reference and missed "
            f"{sorted(reference - durable)} for state {state.to_dict()}"
        )

    durable_equals_reference()
