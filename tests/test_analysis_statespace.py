"""simcancel.analysis.state_space (from simcancel._statespace): classes that map back to states."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from simcancel import UserState, default_rules
from simcancel._facts import facts_for, state_for
from simcancel._statespace import intervals
from simcancel.analysis import state_space


def test_intervals_cut_at_each_constant() -> None:
    """Each constant is its own class, and so is each gap between constants."""
    assert intervals([0], 10) == [(0, 0), (1, 10)]
    assert intervals([500, 1000], 2000) == [(0, 499), (500, 500), (501, 999), (1000, 1000), (1001, 2000)]
    assert intervals([], 5) == [(0, 5)]


@given(st.data())
def test_every_class_maps_back_to_a_state_with_the_same_facts(data: st.DataObject) -> None:
    """state_for(class) is a valid UserState whose facts are exactly the class's facts."""
    rules = default_rules()
    space = state_space(rules)
    facts = dict(space.base)
    for variable in space.variables:
        facts.update(data.draw(st.sampled_from(variable.values)))
    day = data.draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
    state = UserState.from_dict(state_for(facts, day))
    assert facts_for(state, rules.provider(state.provider), day) == facts
