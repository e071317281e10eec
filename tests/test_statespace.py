"""The state space: classes cut at the rules' constants, grouped by the catalogue, drawn inside."""

from __future__ import annotations

import random

from simcancel import default_rules
from simcancel._facts import CATALOGUE, FACTS
from simcancel._statespace import CHECKED_FACTS, StateSpace, intervals, state_space


def _space() -> StateSpace:
    return state_space(default_rules())


def test_variables_are_the_catalogue_groups() -> None:
    """One variable per catalogue group, in catalogue order, covering every fact once."""
    space = _space()
    assert [variable.facts for variable in space.variables] == list(CATALOGUE.groups())
    assert [variable.name for variable in space.variables][:3] == ["provider policy", "plan", "balance"]
    assert set(space.base) == set(FACTS)


def test_shipped_rules_have_the_known_number_of_classes() -> None:
    """The product of the classes of the shipped rules (169,869,312): it changes only with
    the rules' cuts or the catalogue, so a change here is a rule change to look at."""
    assert _space().size == 169_869_312


def test_intervals_cover_zero_to_upper_without_gaps() -> None:
    """Cutting at constants leaves every constant alone and covers [0, upper] exactly."""
    cut = intervals({5, 0, 9, 100}, 10)
    assert cut == [(0, 0), (1, 4), (5, 5), (6, 8), (9, 9), (10, 10)]
    assert intervals((), 7) == [(0, 7)]


def test_services_never_have_more_recurring_than_active() -> None:
    """Every class of the service counts is a state a person can be in."""
    variable = _space().variable("service counts")
    for values in variable.values:
        assert int(values["recurring_services"]) <= int(values["active_services"])


def test_unknown_activation_is_zero_months() -> None:
    """activation_known = false only ever comes with months_held = 0."""
    variable = _space().variable("activation months")
    for values in variable.values:
        if not values["activation_known"]:
            assert values["months_held"] == 0


def test_draws_stay_inside_their_class_and_leave_the_lowest_value() -> None:
    """Variable.draw picks numbers inside the class's interval, not only its lowest value."""
    variable = _space().variable("balance")
    chooser = random.Random(7)
    lows: set[bool] = set()
    for index, members in enumerate(variable.members):
        for _ in range(20):
            value = int(variable.draw(index, chooser)["balance"])
            assert any(int(box["balance"][0]) <= value <= int(box["balance"][1]) for box in members)
            lows.add(value == int(variable.values[index]["balance"]))
    assert lows == {True, False}


def test_drawn_service_counts_are_possible_and_bounded() -> None:
    """Drawn service counts keep recurring <= active and stay under the catalogue's draw bound."""
    variable = _space().variable("service counts")
    chooser = random.Random(11)
    bound = FACTS["active_services"].draw_upper
    assert bound is not None
    for index in range(len(variable.values)):
        for _ in range(20):
            drawn = variable.draw(index, chooser)
            assert (
                int(drawn["recurring_services"])
                <= int(drawn["active_services"])
                <= max(bound, int(variable.values[index]["active_services"]))
            )


def test_checked_facts_stay_apart_even_unread() -> None:
    """The facts route soundness inspects are kept as classes of their own."""
    space = _space()
    for fact in CHECKED_FACTS:
        variable = space.variables_for((fact,))[0]
        assert len({values[fact] for values in variable.values}) >= 2


def test_any_policy_enumerates_every_policy() -> None:
    """any_policy lists every provider id with every policy a provider file could state."""
    rules = default_rules()
    hypothetical = state_space(rules, any_policy=True).variable("provider policy")
    policies = {(values["provider_online"], values["provider_in_person"]) for values in hypothetical.values}
    assert ("supported", "required") in policies
    assert len(hypothetical.values) > len(rules.providers)
