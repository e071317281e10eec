"""Hypothesis strategies for simcancel states, for the test suite and for rule authors.

>>> from hypothesis import given, strategies as st
>>> from simcancel.testing import user_states
>>> @given(user_states(provider=st.just("jazz")))
... def test_jazz_always_has_a_route(state): ...

Every strategy takes keyword-only strategies for its fields: pass one to constrain a
field (``st.just(value)`` pins it), leave it out (``None``) to let Hypothesis choose.
Money is drawn around the boundaries rules compare against (0 and one paisa) as well as
across the whole accepted range.  Bad arguments raise
:class:`hypothesis.errors.InvalidArgument` when the test runs, as Hypothesis' own
strategies do, and the rule set is only read when a state is drawn.

Importing this module registers the strategies for ``UserState`` and each of its parts
with ``st.register_type_strategy``, so ``st.from_type(UserState)`` draws valid states
(Hypothesis' ``hypothesis`` entry point does the same for an installed simcancel).

Rule authors prove their pack from pytest in two lines::

    from simcancel import builtin_packs, load_rules
    from simcancel.testing import assert_consistent, assert_matches_reference

    def test_my_pack_is_consistent() -> None:
        assert_consistent(load_rules(*builtin_packs(), "my_pack"))
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Never, TypeVar, cast

from simcancel._errors import require_hypothesis

try:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from hypothesis.errors import InvalidArgument
except ImportError:  # the testing extra is not installed: say how to install it
    require_hypothesis("simcancel.testing")
    raise

from simcancel import _engine
from simcancel._assess import default_rules
from simcancel._clock import today_in_pakistan
from simcancel._errors import shorten
from simcancel._facts import facts_for
from simcancel._hypothesis_plugin import register
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
    check_bool,
    check_count,
    check_money,
    check_text,
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

T = TypeVar("T")

_FIRST_DAY = dt.date(2000, 1, 1)


def _issued_by_today() -> st.SearchStrategy[dt.date]:
    """Issue dates ``assess()`` accepts with its default ``as_of``: on or before today,
    read when a state is drawn (a test run across midnight stays valid)."""
    return st.deferred(lambda: st.dates(min_value=_FIRST_DAY, max_value=today_in_pakistan()))


_PAISA = Decimal("0.01")


# --- arguments: checked when the strategy is built, refused when the test runs --------


def _refused(message: str) -> st.SearchStrategy[Never]:
    """A strategy that raises ``InvalidArgument(message)`` when the test runs, not before."""

    def definition() -> st.SearchStrategy[Never]:
        raise InvalidArgument(message)

    return st.deferred(definition)


_Expected = tuple[str, Callable[[object], object]]
"""What a field's plain value must be: its type as people read it, and the check."""


def _field(
    owner: str, name: str, value: object, default: st.SearchStrategy[T], expected: _Expected
) -> st.SearchStrategy[T]:
    """The strategy for the field ``name`` of ``owner()``: ``value``, or ``default`` if it is None.

    A plain value instead of a strategy still pins the field, with a ``DeprecationWarning``,
    when it is a valid value of the field (it was accepted before 0.2.0); any other value
    is refused with ``InvalidArgument`` when the test runs.
    """
    if value is None:
        return default
    if isinstance(value, st.SearchStrategy):
        return value
    expected_type, check = expected
    try:
        check(value)
    except ValueError as error:
        return _refused(
            f"{owner}({name}={shorten(value)}): expected a SearchStrategy[{expected_type}], got "
            f"{shorten(value)} of type {type(value).__name__}, which is not a valid value either ({error})"
        )
    warnings.warn(
        f"{owner}({name}={shorten(value)}): passing a value instead of a strategy is deprecated "
        f"and stops working in the next release; write {name}=st.just({shorten(value)})",
        DeprecationWarning,
        stacklevel=3,  # the caller of owner()
    )
    return cast("st.SearchStrategy[T]", st.just(value))


def _instance_of(kind: type) -> Callable[[object], object]:
    def check(value: object) -> object:
        if not isinstance(value, kind):
            raise ValueError(f"expected {kind.__name__}, got {shorten(value)}")
        return value

    return check


def _service_sequence(value: object) -> object:
    if not isinstance(value, list | tuple) or not all(isinstance(item, Service) for item in value):
        raise ValueError(f"expected a list or tuple of Service, got {shorten(value)}")
    return value


def _not_rules(owner: str, rules: object) -> str:
    return (
        f"{owner}(rules={shorten(rules)}): expected a RuleSet (from load_rules() or default_rules()) "
        f"or None for the built-in rules, got {shorten(rules)} of type {type(rules).__name__}"
    )


# --- numbers ----------------------------------------------------------------------------


def _to_pkr(paisa: int) -> Decimal:
    return (Decimal(paisa) / 100).quantize(_PAISA)


def amounts(*, max_value: Decimal | int = MAX_MONEY) -> st.SearchStrategy[Decimal]:
    """PKR amounts from 0 to ``max_value`` with at most two decimals, weighted towards 0 and small values."""
    try:
        if isinstance(max_value, bool) or not isinstance(max_value, Decimal | int):
            raise ValueError(f"expected a Decimal or an int, got {type(max_value).__name__}")  # noqa: TRY301 (one refusal path with check_money's)
        most = int(check_money(max_value) * 100)
    except ValueError as error:
        return _refused(f"amounts(max_value={shorten(max_value)}): {error}")
    paisa = st.one_of(
        st.just(0),
        st.integers(min_value=min(1, most), max_value=min(100, most)),
        st.integers(min_value=0, max_value=most),
    )
    return paisa.map(_to_pkr)


def counts(*, max_value: int = MAX_COUNT) -> st.SearchStrategy[int]:
    """Counts from 0 to ``max_value``, weighted towards 0 and small values."""
    try:
        most = check_count(max_value)
    except ValueError as error:
        return _refused(f"counts(max_value={shorten(max_value)}): {error}")
    return st.one_of(
        st.just(0),
        st.integers(min_value=min(1, most), max_value=min(10, most)),
        st.integers(min_value=0, max_value=most),
    )


# --- the parts of a state ---------------------------------------------------------------


def services(
    *,
    kind: st.SearchStrategy[ServiceKind] | None = None,
    active: st.SearchStrategy[bool] | None = None,
    recurring: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[Service]:
    """One value-added service."""
    return st.builds(
        Service,
        kind=_field(
            "services", "kind", kind, st.sampled_from(ServiceKind), ("ServiceKind", _instance_of(ServiceKind))
        ),
        active=_field("services", "active", active, st.booleans(), ("bool", check_bool)),
        recurring=_field("services", "recurring", recurring, st.booleans(), ("bool", check_bool)),
        name=st.one_of(st.none(), st.text(min_size=1, max_size=20)),
    )


def unused_resources(
    *,
    data_mb: st.SearchStrategy[int] | None = None,
    minutes: st.SearchStrategy[int] | None = None,
    sms: st.SearchStrategy[int] | None = None,
) -> st.SearchStrategy[UnusedResources]:
    """What the card still holds besides money."""
    owner = "unused_resources"
    return st.builds(
        UnusedResources,
        data_mb=_field(owner, "data_mb", data_mb, counts(), ("int", check_count)),
        minutes=_field(owner, "minutes", minutes, counts(), ("int", check_count)),
        sms=_field(owner, "sms", sms, counts(), ("int", check_count)),
    )


def documents(
    *,
    passport_original: st.SearchStrategy[bool] | None = None,
    passport_copy: st.SearchStrategy[bool] | None = None,
    purchase_receipt: st.SearchStrategy[bool] | None = None,
    sim_card_usable: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[Documents]:
    """The proofs the person still has."""
    owner = "documents"
    return st.builds(
        Documents,
        passport_original=_field(
            owner, "passport_original", passport_original, st.booleans(), ("bool", check_bool)
        ),
        passport_copy=_field(owner, "passport_copy", passport_copy, st.booleans(), ("bool", check_bool)),
        purchase_receipt=_field(
            owner, "purchase_receipt", purchase_receipt, st.booleans(), ("bool", check_bool)
        ),
        sim_card_usable=_field(
            owner, "sim_card_usable", sim_card_usable, st.booleans(), ("bool", check_bool)
        ),
    )


def intentions(
    *,
    discard_card: st.SearchStrategy[bool] | None = None,
    fast_cancellation_agent: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[Intentions]:
    """What the person is tempted to do instead of cancelling."""
    owner = "intentions"
    return st.builds(
        Intentions,
        discard_card=_field(owner, "discard_card", discard_card, st.booleans(), ("bool", check_bool)),
        fast_cancellation_agent=_field(
            owner, "fast_cancellation_agent", fast_cancellation_agent, st.booleans(), ("bool", check_bool)
        ),
    )


def situations(
    *,
    can_visit_store: st.SearchStrategy[bool] | None = None,
    reads_english: st.SearchStrategy[bool] | None = None,
    needs_it_fast: st.SearchStrategy[bool] | None = None,
) -> st.SearchStrategy[Situation]:
    """Where the person is and what they can do."""
    owner = "situations"
    return st.builds(
        Situation,
        can_visit_store=_field(
            owner, "can_visit_store", can_visit_store, st.booleans(), ("bool", check_bool)
        ),
        reads_english=_field(owner, "reads_english", reads_english, st.booleans(), ("bool", check_bool)),
        needs_it_fast=_field(owner, "needs_it_fast", needs_it_fast, st.booleans(), ("bool", check_bool)),
    )


# user_states() names its parameters after these strategies and reaches them by these names.
_services = services
_documents = documents
_intentions = intentions


# --- providers and whole states ---------------------------------------------------------


# The provider strategy of the last built-in rule set drawn from, so that each draw does
# not sort the providers and build a strategy again.
_builtin: list[tuple[RuleSet, st.SearchStrategy[str]]] = []


@st.composite
def _builtin_providers(draw: st.DrawFn) -> str:
    """A provider of the built-in rules: they are loaded on the first draw, not before."""
    rules = default_rules()
    if not _builtin or _builtin[0][0] is not rules:
        _builtin[:] = [(rules, st.sampled_from(sorted(rules.providers)))]
    return draw(_builtin[0][1])


def _providers(owner: str, rules: object) -> st.SearchStrategy[str]:
    if rules is None:
        return _builtin_providers()
    if not isinstance(rules, RuleSet):
        return _refused(_not_rules(owner, rules))
    return st.sampled_from(sorted(rules.providers))


def providers(_rules: RuleSet | None = None, /, *, rules: RuleSet | None = None) -> st.SearchStrategy[str]:
    """The provider ids of ``rules`` (default: the built-in rule set, read on the first draw).

    Passing the rule set positionally (``providers(rules)``) is deprecated: write
    ``providers(rules=rules)``.
    """
    if _rules is not None:
        if rules is not None:
            return _refused("providers() got the rule set both positionally and as rules=; pass only rules=")
        warnings.warn(
            "providers(rules): passing the rule set positionally is deprecated and stops working in "
            "the next release; write providers(rules=rules)",
            DeprecationWarning,
            stacklevel=2,
        )
        rules = _rules
    return _providers("providers", rules)


def user_states(  # noqa: PLR0913 (one strategy per field of UserState, as st.builds takes)
    *,
    rules: RuleSet | None = None,
    provider: st.SearchStrategy[str] | None = None,
    plan: st.SearchStrategy[Plan] | None = None,
    balance: st.SearchStrategy[Decimal] | None = None,
    arrears: st.SearchStrategy[Decimal] | None = None,
    line_status: st.SearchStrategy[LineStatus] | None = None,
    services: st.SearchStrategy[Sequence[Service]] | None = None,
    unused: st.SearchStrategy[UnusedResources] | None = None,
    documents: st.SearchStrategy[Documents] | None = None,
    situation: st.SearchStrategy[Situation] | None = None,
    intentions: st.SearchStrategy[Intentions] | None = None,
    activated_on: st.SearchStrategy[dt.date | None] | None = None,
    services_: st.SearchStrategy[Sequence[Service]] | None = None,
    documents_: st.SearchStrategy[Documents] | None = None,
    intentions_: st.SearchStrategy[Intentions] | None = None,
) -> st.SearchStrategy[UserState]:
    """Valid states for the providers of ``rules`` (default: the built-in rule set).

    Each other argument is a strategy for that field of :class:`~simcancel.UserState`;
    ``None`` lets Hypothesis choose.  ``st.just(value)`` pins a field.  ``rules`` is only
    read when a state is drawn, and not at all when ``provider`` is given.  ``activated_on``
    is drawn on or before today, the day ``assess()`` uses by default: to assess as of
    another day, pass ``activated_on=st.dates(max_value=that_day)`` (or ``st.none()``).

    ``services_``, ``documents_`` and ``intentions_`` are the deprecated spellings of
    ``services``, ``documents`` and ``intentions`` (until the next release).
    """
    owner = "user_states"
    for name, new, old in (
        ("services", services, services_),
        ("documents", documents, documents_),
        ("intentions", intentions, intentions_),
    ):
        if old is not None and new is not None:
            return _refused(
                f"{owner}() got both {name}= and its deprecated spelling {name}_=; pass only {name}="
            )
        if old is not None:
            warnings.warn(
                f"{owner}({name}_=...) is deprecated and stops working in the next release; write {name}=...",
                DeprecationWarning,
                stacklevel=2,
            )
    services = services if services_ is None else services_
    documents = documents if documents_ is None else documents_
    intentions = intentions if intentions_ is None else intentions_
    found: object = rules  # typed RuleSet | None, but a test may pass anything
    if found is not None and not isinstance(found, RuleSet):
        return _refused(_not_rules(owner, found))
    return st.builds(
        UserState,
        provider=_field(owner, "provider", provider, _providers(owner, rules), ("str", check_text)),
        plan=_field(owner, "plan", plan, st.sampled_from(Plan), ("Plan", _instance_of(Plan))),
        balance=_field(owner, "balance", balance, amounts(), ("Decimal", check_money)),
        arrears=_field(owner, "arrears", arrears, amounts(), ("Decimal", check_money)),
        line_status=_field(
            owner,
            "line_status",
            line_status,
            st.sampled_from(LineStatus),
            ("LineStatus", _instance_of(LineStatus)),
        ),
        services=_field(
            owner,
            "services",
            services,
            st.lists(_services(), max_size=4).map(tuple),
            ("Sequence[Service]", _service_sequence),
        ),
        unused=_field(
            owner, "unused", unused, unused_resources(), ("UnusedResources", _instance_of(UnusedResources))
        ),
        documents=_field(owner, "documents", documents, _documents(), ("Documents", _instance_of(Documents))),
        situation=_field(owner, "situation", situation, situations(), ("Situation", _instance_of(Situation))),
        intentions=_field(
            owner, "intentions", intentions, _intentions(), ("Intentions", _instance_of(Intentions))
        ),
        activated_on=_field(
            owner,
            "activated_on",
            activated_on,
            st.one_of(st.none(), _issued_by_today()),
            ("datetime.date | None", _instance_of(dt.date)),
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
    day = today_in_pakistan() if as_of is None else as_of
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


_BY_TYPE: dict[type[object], Callable[[], st.SearchStrategy[object]]] = {
    UserState: user_states,
    Service: services,
    UnusedResources: unused_resources,
    Documents: documents,
    Intentions: intentions,
    Situation: situations,
}


def _strategy_for(kind: type[T]) -> st.SearchStrategy[T]:
    """The default strategy for a registered model type (see :mod:`simcancel._hypothesis_plugin`)."""
    return cast("st.SearchStrategy[T]", _BY_TYPE[kind]())


# st.from_type(UserState) and its parts, also without the entry point (a source checkout).
register()
