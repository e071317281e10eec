"""The fact catalogue: facts_for and state_for derive from one declaration per fact."""

from __future__ import annotations

import datetime as dt
import decimal
import json
import random
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import UserState, default_rules
from simcancel._facts import (
    CATALOGUE,
    FACTS,
    MAX_DAYS,
    MAX_MONTHS,
    Catalogue,
    Derivation,
    EngineValue,
    FactKind,
    FactSpec,
    StatePath,
    _activation_representative,
    _days_for_months,
    _months_on_day,
    _path_getter,
    _text_writer,
    fact_text,
    facts_for,
    months_before,
    months_between,
    state_for,
)
from simcancel._frozen import FrozenMapping
from simcancel._generated import fact_table
from simcancel._schema import rules_schema
from simcancel._statespace import StateSpace, state_space
from simcancel.testing import user_states
from tests.packs import VALID_STATE, issued_by

AS_OF = dt.date(2026, 11, 24)


def _round_trip(facts: Mapping[str, EngineValue], as_of: dt.date = AS_OF) -> dict[str, EngineValue]:
    rules = default_rules()
    state = UserState.from_dict(state_for(facts, as_of))
    return facts_for(state, rules.provider(state.provider), as_of)


def _same_class(read: Mapping[str, EngineValue], facts: Mapping[str, EngineValue], space: StateSpace) -> bool:
    """``read`` is ``facts``, but for the months of a day count whose months depend on the day
    (365 days held: 11 or 12), which may differ inside their class."""
    days = int(facts["days_held"])
    if _months_on_day(days)[0] == _months_on_day(days)[1]:
        return dict(read) == dict(facts)
    return {**read, "months_held": facts["months_held"]} == dict(facts) and all(
        variable.holding(read) == variable.holding(facts) is not None for variable in space.variables
    )


def test_every_class_representative_round_trips() -> None:
    """facts_for(state_for(facts)) is facts (or in its class) for every class of the shipped rules."""
    space = state_space(default_rules())
    checked = 0
    for variable in space.variables:
        for facts in space.assignments((variable,)):
            for day in (AS_OF, dt.date(2024, 3, 1)):
                assert _same_class(_round_trip(facts, day), facts, space), (variable.name, facts)
            checked += 1
    assert checked == sum(len(variable.values) for variable in space.variables) > 40


@given(st.randoms(use_true_random=False), st.dates(dt.date(2000, 1, 1), dt.date(2100, 12, 31)))
def test_states_drawn_anywhere_in_the_classes_round_trip(chooser: random.Random, as_of: dt.date) -> None:
    """A complete fact drawn inside the classes (numbers off their lowest value too) round-trips."""
    space = state_space(default_rules())
    facts = space.draw(chooser)
    assert _same_class(_round_trip(facts, as_of), facts, space)


def test_state_for_a_real_state_gives_its_facts_back() -> None:
    """From a real state's facts, state_for builds a state with the very same facts."""
    state = UserState.from_dict(VALID_STATE)
    facts = facts_for(state, default_rules().provider(state.provider), AS_OF)
    assert _round_trip(facts) == facts


def test_every_fact_is_read_and_written_by_its_declaration() -> None:
    """Each catalogue entry names a state path or a derivation, and the groups partition the facts."""
    groups = CATALOGUE.groups()
    assert [name for group in groups for name in group] == list(FACTS)
    for spec in CATALOGUE.specs:
        assert isinstance(spec.source, (StatePath, Derivation))
    names = {group[0]: group for group in groups}
    assert names["provider"] == (
        "provider",
        "provider_kind",
        "provider_online",
        "provider_in_person",
        "provider_has_store",
    )
    assert names["active_services"] == ("active_services", "recurring_services")
    assert names["activation_known"] == ("activation_known", "months_held", "days_held", "lock_days_left")


def test_state_paths_name_real_fields_of_the_state() -> None:
    """Every state path resolves on a real UserState (a typo in the catalogue fails here)."""
    state = UserState.from_dict(VALID_STATE)
    for spec in CATALOGUE.specs:
        if isinstance(spec.source, StatePath):
            value = state
            for part in spec.source.path.split("."):
                value = getattr(value, part)


def test_months_helpers_are_inverse() -> None:
    """months_before(day, n) is exactly n whole months before day, month ends clamped."""
    for day in (dt.date(2026, 3, 31), dt.date(2024, 2, 29), dt.date(2026, 11, 24)):
        for months in (0, 1, 5, 6, 12, 13, 2400):
            assert months_between(months_before(day, months), day) == months


def test_duplicate_fact_names_are_refused() -> None:
    """A catalogue cannot hold two facts of one name."""
    with pytest.raises(ValueError, match="unique"):
        CATALOGUE.with_fact(FACTS["plan"])


@attrs.frozen(kw_only=True)
class _StateWithPet(UserState):
    """A state with one more field, as a new model field would add it."""

    pet: bool = False


def test_adding_a_fact_is_one_catalogue_entry() -> None:
    """A fact added to a copy of the catalogue is read, written back, tabled and in the schema."""
    spec = FactSpec(name="has_pet", kind=FactKind.BOOL, doc="Has a pet.", source=StatePath(path="pet"))
    catalogue: Catalogue = CATALOGUE.with_fact(spec)
    base = UserState.from_dict(VALID_STATE)
    state = _StateWithPet(
        **{field.name: getattr(base, field.name) for field in attrs.fields(UserState)}, pet=True
    )
    provider = default_rules().provider(state.provider)

    facts = catalogue.facts_for(state, provider, AS_OF)
    assert facts["has_pet"] is True
    assert list(facts) == [*FACTS, "has_pet"]
    data = catalogue.state_for(facts, AS_OF)
    assert data["pet"] is True
    assert catalogue.groups()[-1] == ("has_pet",)
    assert "| `has_pet` | bool | true, false | `pet` | Has a pet. |" in fact_table(catalogue)
    assert rules_schema(catalogue)["$defs"]["value.has_pet"] == {"type": "boolean"}
    assert "has_pet" not in FACTS  # the shipped catalogue is untouched


@given(st.data())
def test_the_generated_reader_reads_what_the_declarations_say(data: st.DataObject) -> None:
    """facts_for (generated code) equals reading each derivation and each state path in turn."""
    rules = default_rules()
    state = UserState.from_dict(
        {
            **VALID_STATE,
            "provider": data.draw(st.sampled_from(sorted(rules.providers))),
            "balance": str(data.draw(st.integers(0, 10**6)) / 100),
            "plan": data.draw(st.sampled_from(["prepaid", "postpaid"])),
            "activated_on": data.draw(
                st.none() | st.dates(dt.date(2000, 1, 1), AS_OF).map(dt.date.isoformat)
            ),
        }
    )
    provider = rules.provider(state.provider)
    expected: dict[str, EngineValue] = {}
    for derivation in CATALOGUE.derivations:
        expected.update(derivation.read(state, provider, AS_OF))
    for spec in CATALOGUE.specs:
        if isinstance(spec.source, StatePath):
            expected[spec.name] = _path_getter(spec, spec.source.path)(state)
    facts = facts_for(state, provider, AS_OF)
    assert facts == expected
    assert list(facts) == list(FACTS)
    assert [type(value) for value in facts.values()] == [type(expected[name]) for name in FACTS]


@given(
    st.dates(min_value=dt.date(1800, 1, 1), max_value=dt.date(2400, 12, 31)),
    st.integers(0, 800) | st.integers(0, MAX_DAYS),
)
def test_the_months_a_day_count_can_read_as_include_every_issue_date(start: dt.date, days: int) -> None:
    """Whatever the issue date, the whole months of a day count are within _months_on_day's bounds."""
    end = start + dt.timedelta(days=days)
    fewest, most = _months_on_day(days)
    assert fewest <= min(months_between(start, end), MAX_MONTHS) <= most


def test_a_pair_that_holds_on_some_days_only_is_a_class_only_if_its_months_are_not_told_apart() -> None:
    """365 days held is 11 or 12 months: a box of 365 days takes it only if the box has both counts."""
    year = {"activation_known": (True, True), "days_held": (365, 365), "lock_days_left": (0, 365)}
    assert _months_on_day(365) == (11, 12)
    assert _activation_representative({**year, "months_held": (7, MAX_MONTHS)}) == {
        "activation_known": True,
        "months_held": 11,
        "days_held": 365,
        "lock_days_left": 0,
    }
    assert _activation_representative({**year, "months_held": (12, MAX_MONTHS)}) is None
    assert _activation_representative({**year, "months_held": (0, 11)}) is None


@given(user_states(activated_on=issued_by(AS_OF)))
def test_the_fact_text_of_a_state_is_what_json_dumps_writes(state: UserState) -> None:
    """fact_text (generated code) writes a state's facts exactly as json.dumps does."""
    rules = default_rules()
    facts = facts_for(state, rules.provider(state.provider), AS_OF)
    assert fact_text(facts) == json.dumps(facts, ensure_ascii=False)


def _sample_facts() -> dict[str, EngineValue]:
    state = UserState.from_dict(VALID_STATE)
    return facts_for(state, default_rules().provider(state.provider), AS_OF)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda facts: facts.update(has_passport_copy=1), id="a flag as 1"),
        pytest.param(lambda facts: facts.update(balance=True), id="money as True"),
        pytest.param(lambda facts: facts.update(balance=1.5), id="money as a float"),
        pytest.param(lambda facts: facts.update(plan=None), id="an enum as None"),
        pytest.param(lambda facts: facts.update(plan=_Text("prepaid")), id="an enum as a str subclass"),
        pytest.param(lambda facts: facts.update(extra=1), id="one fact more"),
        pytest.param(lambda facts: facts.pop("sim_form"), id="one fact less"),
        pytest.param(lambda facts: facts.update(plan=facts.pop("plan")), id="another order"),
    ],
)
def test_the_fact_text_leaves_anything_else_to_json(change: Callable[[dict[str, Any]], object]) -> None:
    """Another type, set of facts or order gives None (the engine's json encoder writes it)."""
    facts: dict[str, Any] = dict(_sample_facts())
    assert fact_text(facts) is not None
    change(facts)
    assert fact_text(facts) is None
    assert fact_text(FrozenMapping(_sample_facts())) is None  # not a dict


class _Text(str):
    __slots__ = ()


def test_the_fact_text_writer_escapes_any_name_as_json_does() -> None:
    """A writer generated for names with quotes, braces, backslashes and non-ASCII letters
    writes what json.dumps writes (the shipped names are plain, a pack's may not be)."""
    names = ['say "hi"', "{braces}", "back\\slash", "naïve_日本", "line\nbreak"]
    kinds = [FactKind.BOOL, FactKind.COUNT, FactKind.ENUM, FactKind.MONEY, FactKind.BOOL]
    specs = tuple(
        FactSpec(name=name, kind=kind, doc="odd", source=StatePath(path="plan"))
        for name, kind in zip(names, kinds, strict=True)
    )
    write = _text_writer(specs)
    fact: dict[str, Any] = dict(zip(names, [True, 3, 'pre"paid\u2028', 150, False], strict=True))
    assert write(fact) == json.dumps(fact, ensure_ascii=False)


def _reached_in_a_400_year_cycle(most_months: int) -> list[tuple[int, int]]:
    """Per count of whole months up to ``most_months``, the fewest and most days any issue
    date of a whole Gregorian cycle (2000-2399, every month, days 1, 29, 30 and 31) takes to
    reach it: the truth _days_for_months and _months_on_day approximate from 2000-2003."""
    months_in_cycle = 400 * 12
    first = [
        dt.date(2000 + index // 12, index % 12 + 1, 1).toordinal()
        for index in range(months_in_cycle + most_months + 2)
    ]
    reached = [(MAX_DAYS, 0)] * (most_months + 1)
    for index in range(months_in_cycle):
        for day in (1, 29, 30, 31):
            if first[index] + day - 1 >= first[index + 1]:
                continue  # no such day in that month
            start = first[index] + day - 1
            for months in range(most_months + 1):
                end = index + months
                exists = first[end] + day - 1 < first[end + 1]
                days = (first[end] + day - 1 if exists else first[end + 1]) - start
                fewest, most = reached[months]
                reached[months] = (min(fewest, days), max(most, days))
    return reached


def test_day_counts_under_three_years_read_their_months_exactly_on_every_issue_date() -> None:
    """Below 36 months the bands and month ranges are the exact ones of every issue date of a
    400-year cycle, not narrowed by the century margin (366 days held is always 12 months)."""
    reached = _reached_in_a_400_year_cycle(40)
    for months in range(36):
        assert _days_for_months(months) == (reached[months][1], reached[months + 1][0] - 1), months
    for days in range(reached[36][0] - 2):
        fewest = max(months for months, (_, most) in enumerate(reached) if most <= days)
        most = max(months for months, (fewest_days, _) in enumerate(reached) if fewest_days <= days)
        assert _months_on_day(days) == (fewest, most), days
    for months in range(36, 40):  # with the margin: inside the truth, never past it
        fewest, most = _days_for_months(months)
        assert reached[months][1] <= fewest <= most < reached[months + 1][0]
    assert _months_on_day(366) == (12, 12)


def test_money_in_paisa_does_not_depend_on_the_callers_decimal_context() -> None:
    """facts_for's paisa are exact under a caller's low-precision decimal context (were rounded)."""
    state = UserState.from_dict({**VALID_STATE, "balance": "123456.78", "arrears": "99999.99"})
    provider = default_rules().provider(state.provider)
    expected = facts_for(state, provider, dt.date(2026, 11, 24))
    with decimal.localcontext(prec=4):
        assert facts_for(state, provider, dt.date(2026, 11, 24)) == expected
    assert (expected["balance"], expected["arrears"]) == (12345678, 9999999)
