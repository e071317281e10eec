"""simcancel.analysis.state_space (from simcancel._statespace): classes that map back to states."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from simcancel import UserState, default_rules
from simcancel._facts import _months_on_day, facts_for, state_for
from simcancel._statespace import intervals
from simcancel.analysis import state_space


def test_intervals_cut_at_each_constant() -> None:
    """Each constant is its own class, and so is each gap between constants."""
    assert intervals([0], 10) == [(0, 0), (1, 10)]
    assert intervals([500, 1000], 2000) == [(0, 499), (500, 500), (501, 999), (1000, 1000), (1001, 2000)]
    assert intervals([], 5) == [(0, 5)]


@given(st.data())
def test_every_class_maps_back_to_a_state_of_that_class(data: st.DataObject) -> None:
    """state_for(class) is a valid UserState whose facts are the class's, on any day: exactly,
    but for the months of a day count whose months depend on the day (365 days: 11 or 12),
    which stay inside the class."""
    rules = default_rules()
    space = state_space(rules)
    facts = dict(space.base)
    chosen = [data.draw(st.integers(0, len(variable.values) - 1)) for variable in space.variables]
    for variable, index in zip(space.variables, chosen, strict=True):
        facts.update(variable.values[index])
    day = data.draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
    state = UserState.from_dict(state_for(facts, day))
    read = facts_for(state, rules.provider(state.provider), day)
    assert {name: value for name, value in read.items() if name != "months_held"} == {
        name: value for name, value in facts.items() if name != "months_held"
    }
    assert [variable.holding(read) for variable in space.variables] == chosen
    if _months_on_day(int(facts["days_held"]))[0] == _months_on_day(int(facts["days_held"]))[1]:
        assert read["months_held"] == facts["months_held"]


def test_a_sim_held_exactly_365_days_has_a_class_of_the_shipped_rules() -> None:
    """The shipped rules cut days held at 365 and 366: 365 days, 11 or 12 months by the day, is a class."""
    space = state_space(default_rules())
    activation = next(variable for variable in space.variables if "days_held" in variable.facts)
    held = [values for values in activation.values if values["days_held"] == 365]
    assert held == [{"activation_known": True, "months_held": 11, "days_held": 365, "lock_days_left": 0}]
    for day in (dt.date(2024, 2, 28), dt.date(2024, 3, 1), dt.date(2025, 1, 1), dt.date(2100, 3, 1)):
        state = UserState.from_dict(state_for({**space.base, **held[0]}, day))
        assert activation.holding(facts_for(state, default_rules().provider(state.provider), day)) == (
            activation.values.index(held[0])
        )
