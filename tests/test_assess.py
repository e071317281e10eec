"""Properties of ``assess()`` over generated states: totality, determinism, shape, errors."""

from __future__ import annotations

import datetime as dt
import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import attrs
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from simcancel import (
    Assessment,
    InvalidStateError,
    RouteKind,
    SimcancelError,
    UsageError,
    UserState,
    assess,
    assess_many,
    default_rules,
    live_sessions,
    what_if,
)
from simcancel._facts import months_between
from simcancel._ruleset import ProviderKind, claim_sort_key
from simcancel.testing import user_states
from tests.packs import VALID_STATE, clean_state, freed_after, issued_by

LOCALES = default_rules().locales
B2_START = dt.date(2024, 1, 1)

locales = st.sampled_from(LOCALES)
assessable = user_states(activated_on=issued_by(dt.date(2026, 11, 24)))
"""States that assess() accepts on 2026-11-24 (issued on or before it, if known)."""
as_of_dates = st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2035, 12, 31))

ASSESSMENT_KEYS = {
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
}
ISSUE_KEYS = {"code", "kind", "message", "fix", "claims", "facts"}
ROUTE_KEYS = {"route", "code", "reason", "claims", "facts"}
STEP_KEYS = {"stage", "text", "code", "claims"}


def _valid_state() -> UserState:
    return UserState.from_dict(clean_state(balance="12.50"))


@given(st.data(), locales, as_of_dates)
def test_every_state_gets_exactly_one_primary_route(data: st.DataObject, locale: str, as_of: dt.date) -> None:
    """Totality: any valid state, in any locale, on any date, gets one primary route and no error."""
    state = data.draw(user_states(activated_on=issued_by(as_of)))
    result = assess(state, locale=locale, as_of=as_of)
    assert isinstance(result, Assessment)
    assert isinstance(result.route.route, RouteKind)
    kinds = [result.route.route, *(option.route for option in result.alternatives)]
    assert len(kinds) == len(set(kinds)), "alternatives repeat a route kind or the primary"
    assert result.can_cancel_now is (not result.blocking)
    assert result.steps, "every route has steps"
    assert live_sessions() == 0


@given(assessable, locales)
def test_same_state_gives_equal_assessment(state: UserState, locale: str) -> None:
    """Determinism: assessing the same state twice gives equal assessments."""
    as_of = dt.date(2026, 11, 24)
    assert assess(state, locale=locale, as_of=as_of) == assess(state, locale=locale, as_of=as_of)


@given(st.lists(assessable, min_size=2, max_size=6), locales)
def test_assessment_independent_of_what_ran_before(states: list[UserState], locale: str) -> None:
    """Isolation: each state's assessment is the same whether run forwards, backwards or twice in a row."""
    as_of = dt.date(2026, 11, 24)
    forwards = [assess(state, locale=locale, as_of=as_of) for state in states]
    backwards = [assess(state, locale=locale, as_of=as_of) for state in reversed(states)]
    doubled = [assess(state, locale=locale, as_of=as_of) for state in states for _ in range(2)]
    assert backwards[::-1] == forwards
    assert doubled[::2] == forwards
    assert doubled[1::2] == forwards


@settings(max_examples=10)
@given(st.lists(assessable, min_size=30, max_size=60))
def test_threads_give_the_sequential_answers(states: list[UserState]) -> None:
    """Thread safety: a thread pool gives exactly the assessments of a sequential run."""
    as_of = dt.date(2026, 11, 24)
    jobs = [(state, LOCALES[index % len(LOCALES)]) for index, state in enumerate(states)]
    sequential = [assess(state, locale=locale, as_of=as_of) for state, locale in jobs]
    with ThreadPoolExecutor(max_workers=4) as pool:
        threaded = list(pool.map(lambda job: assess(job[0], locale=job[1], as_of=as_of), jobs))
    assert threaded == sequential
    assert live_sessions() == 0


def _check_keys(data: dict[str, Any]) -> None:
    assert set(data) == ASSESSMENT_KEYS
    for issue in [*data["blocking"], *data["warnings"], *data["advice"]]:
        assert set(issue) == ISSUE_KEYS
    for option in [data["route"], *data["alternatives"]]:
        assert set(option) == ROUTE_KEYS
    for step in data["steps"]:
        assert set(step) == STEP_KEYS
    for document in data["documents"]:
        assert set(document) == {"id", "name"}


@given(assessable, locales)
def test_to_dict_is_json_with_the_documented_keys(state: UserState, locale: str) -> None:
    """``to_dict()`` survives a JSON round trip unchanged and has exactly the documented keys."""
    result = assess(state, locale=locale, as_of=dt.date(2026, 11, 24))
    data = result.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert json.loads(result.to_json()) == data
    _check_keys(data)
    assert data["schema"] == "simcancel.assessment/1"
    assert data["can_cancel_now"] is result.can_cancel_now
    assert data["route"]["route"] in {kind.value for kind in RouteKind}


@given(assessable, locales)
def test_claims_are_the_union_of_reported_rules(state: UserState, locale: str) -> None:
    """The assessment's claims are exactly those of its issues and routes, sorted A2 before A10."""
    result = assess(state, locale=locale, as_of=dt.date(2026, 11, 24))
    items = [*result.blocking, *result.warnings, *result.advice]
    options = [result.route, *result.alternatives]
    cited = {claim for item in items for claim in item.claims}
    cited |= {claim for option in options for claim in option.claims}
    assert set(result.claims) == cited
    assert list(result.claims) == sorted(cited, key=claim_sort_key)
    assert {claim for step in result.steps for claim in step.claims} <= cited


@given(
    st.data(),
    st.one_of(
        st.dates(min_value=dt.date(2023, 6, 1), max_value=B2_START),
        st.dates(min_value=B2_START, max_value=dt.date(2024, 6, 30)),
    ),
)
def test_as_of_selects_the_b2_disowning_fee(data: st.DataObject, as_of: dt.date) -> None:
    """B2's fee warning shows exactly from 2024-01-01 on, for local SIMs under six months old."""
    # Issue dates up to 240 days before as_of, so SIMs on both sides of six months are common.
    issued = st.integers(min_value=0, max_value=240).map(lambda days: as_of - dt.timedelta(days=days))
    state = data.draw(user_states(activated_on=st.one_of(issued, st.none())))
    result = assess(state, locale="en", as_of=as_of)
    provider = default_rules().providers[state.provider]
    applies = (
        as_of >= B2_START
        and provider.kind is ProviderKind.LOCAL_OPERATOR
        and state.activated_on is not None
        and months_between(state.activated_on, as_of) < 6
    )
    assert ("disowning-fee" in [issue.code for issue in result.warnings]) is applies
    event(f"fee applies: {applies}")


def test_b2_switches_on_at_its_effective_date() -> None:
    """The same state gets no fee warning on 2023-12-31 and one on 2024-01-01."""
    state = attrs.evolve(_valid_state(), activated_on=dt.date(2023, 11, 1))
    before = assess(state, locale="en", as_of=dt.date(2023, 12, 31))
    after = assess(state, locale="en", as_of=dt.date(2024, 1, 1))
    assert "disowning-fee" not in [issue.code for issue in before.warnings]
    assert "disowning-fee" in [issue.code for issue in after.warnings]
    assert "B2" in after.claims
    assert "B2" not in before.claims


def test_unknown_locale_is_a_usage_error_with_suggestion() -> None:
    """An unknown locale raises UsageError listing the locales and suggesting the closest."""
    with pytest.raises(
        UsageError,
        match=r"locale: expected one of zh-CN, en, ur, got 'zh-TW' "
        r"\(did you mean 'zh-CN'\?\)",
    ):
        assess(_valid_state(), locale="zh-TW")


@pytest.mark.parametrize(
    ("asked", "meant"),
    [
        ("zh", "zh-CN"),
        ("zh_CN", "zh-CN"),
        ("zh-cn", "zh-CN"),
        ("zh-Hans", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("en-GB", "en"),
        ("en_US", "en"),
        ("EN", "en"),
    ],
)
def test_locale_names_are_negotiated_to_the_pack_locale(asked: str, meant: str) -> None:
    """A locale name people pass is negotiated (CLDR) to the pack's; the assessment carries the pack's."""
    state = _valid_state()
    as_of = dt.date(2026, 11, 24)
    result = assess(state, locale=asked, as_of=as_of)
    assert result.locale == meant
    assert result == assess(state, locale=meant, as_of=as_of)
    assert what_if(state, locale=asked, as_of=as_of) == what_if(state, locale=meant, as_of=as_of)
    assert [r.locale for r in assess_many([state], locale=asked, as_of=as_of)] == [meant]


@pytest.mark.parametrize("asked", ["fr", "zh-TW", "zh-Hant", "", "x" * 300, "en;q=1"])
def test_a_locale_that_cannot_be_negotiated_is_a_usage_error(asked: str) -> None:
    """A locale no pack locale matches is a UsageError naming it and the pack's locales."""
    with pytest.raises(UsageError, match=r"^locale: expected one of zh-CN, en, ur, got '") as caught:
        assess(_valid_state(), locale=asked)
    assert repr(asked)[:20].rstrip("'") in str(caught.value)


def test_not_a_user_state_is_an_invalid_state_error() -> None:
    """Handing assess a dict raises InvalidStateError at path ``$`` pointing to UserState.from_dict."""
    with pytest.raises(InvalidStateError) as caught:
        assess(_valid_state().to_dict())  # type: ignore[arg-type]
    assert [problem.path for problem in caught.value.problems] == ["$"]
    assert "UserState.from_dict" in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_unknown_provider_names_the_field_and_suggests() -> None:
    """A provider the rule set lacks raises InvalidStateError at ``$.provider`` with did-you-mean."""
    state = attrs.evolve(_valid_state(), provider="jaz")
    with pytest.raises(InvalidStateError) as caught:
        assess(state)
    [problem] = caught.value.problems
    assert problem.path == "$.provider"
    assert "got 'jaz' (did you mean 'jazz'?)" in problem.message


@pytest.mark.parametrize("as_of", ["2024-01-01", 20240101, dt.datetime(2024, 1, 1, 12, 0)])
def test_as_of_must_be_a_date(as_of: object) -> None:
    """``as_of`` that is not a plain date (a string, a number, a datetime) is a UsageError."""
    with pytest.raises(UsageError, match=r"as_of: expected a datetime\.date"):
        assess(_valid_state(), as_of=as_of)  # type: ignore[arg-type]


def test_rules_must_be_a_rule_set() -> None:
    """``rules`` that is not a loaded RuleSet is a UsageError naming load_rules()."""
    with pytest.raises(UsageError, match=r"rules: expected a RuleSet from load_rules\(\)"):
        assess(_valid_state(), rules="rules/")  # type: ignore[arg-type]


def test_calls_after_errors_still_work() -> None:
    """After each kind of argument error, the next valid call gives the same answer as before."""
    expected = assess(_valid_state(), locale="en", as_of=dt.date(2026, 11, 24))
    bad_calls: list[dict[str, Any]] = [
        {"locale": "fr"},
        {"as_of": "today"},
        {"rules": 1},
        {"state": attrs.evolve(_valid_state(), provider="nope")},
        {"state": None},
    ]
    for bad in bad_calls:
        arguments: dict[str, Any] = {"state": _valid_state(), "locale": "en", **bad}
        with pytest.raises(SimcancelError):
            assess(arguments.pop("state"), **arguments)
        assert assess(_valid_state(), locale="en", as_of=dt.date(2026, 11, 24)) == expected
    assert live_sessions() == 0


def test_public_facts_pack_can_be_switched_off() -> None:
    """default_rules(public_facts=False) rests on the article alone: no B claim, no B2 fee, no B6 lock."""
    article_only = default_rules(public_facts=False)
    assert all(claim.startswith("A") for claim in article_only.claims)
    assert {claim for claim in default_rules().claims if claim.startswith("B")} == {
        f"B{number}" for number in range(1, 13)
    }
    young_jazz = UserState.from_json(json.dumps(clean_state(activated_on="2026-10-01")))
    as_of = dt.date(2026, 11, 24)
    with_facts = assess(young_jazz, as_of=as_of)
    without = assess(young_jazz, rules=article_only, as_of=as_of)
    assert "disowning-fee-if-no-lock" in [issue.code for issue in with_facts.warnings]
    assert with_facts.route.code == "route-ask-one-year-lock"
    assert not without.warnings
    assert without.route.code == "route-ask-policy-unknown"
    assert {"B2", "B6"} <= set(with_facts.claims)
    assert not [claim for claim in without.claims if claim.startswith("B")]


def test_alternating_rule_sets_and_locales_each_get_their_own_answer() -> None:
    """assess remembers the rule set and locale it used last (its registration, its plan):
    calls alternating between two rule sets and two locales each answer as if called alone."""
    state = UserState.from_dict(clean_state(arrears="3.10", line_status="suspended"))
    day = dt.date(2026, 11, 24)
    calls = [
        (rules, locale)
        for rules in (default_rules(), default_rules(public_facts=False))
        for locale in ("en", "zh-CN")
    ]
    alone = {call: assess(state, rules=call[0], locale=call[1], as_of=day) for call in calls}
    for call in [*calls, *reversed(calls), *calls[::2], *calls[1::2]]:
        result = assess(state, rules=call[0], locale=call[1], as_of=day)
        assert result == alone[call]
        assert (result.ruleset, result.locale) == (call[0].label, call[1])
    assert alone[calls[0]] != alone[calls[1]] != alone[calls[2]]


def test_a_rule_set_used_by_assess_is_freed_when_no_one_holds_it() -> None:
    """assess() and what_if() remember plans per rule set, not so as to keep it alive."""
    state = UserState.from_dict(VALID_STATE)
    day = dt.date(2026, 11, 24)
    assert freed_after(lambda rules: assess(state, rules=rules, locale="en", as_of=day))
    assert freed_after(lambda rules: list(assess_many([state], rules=rules, as_of=day)))
    assert freed_after(lambda rules: what_if(state, rules=rules, as_of=day))
