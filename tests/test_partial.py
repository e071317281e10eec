"""assess_partial: sound over the classes (every completion's assess() lies within the partial
answer, everything certain holds for all) and equal to assess() when nothing is unknown."""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcancel import (
    Assessment,
    Certainty,
    NoRouteError,
    PartialAssessment,
    PartialState,
    RuleSet,
    UsageError,
    UserState,
    assess,
    assess_partial,
    default_rules,
    load_rules,
)
from simcancel._errors import InvalidStateError, RuleFileError
from simcancel._facts import state_for
from simcancel._fields import FIELDS
from simcancel._partial import PartialModel, partial_model
from simcancel.testing import user_states
from tests.packs import BROKEN_PACKS, broken_pack, clean_state, freed_after

AS_OF = dt.date(2026, 11, 24)
RULES = default_rules()


def _codes(items: tuple[object, ...]) -> set[str]:
    return {item.issue.code for item in items}  # type: ignore[attr-defined]


def assert_within(result: PartialAssessment, assessment: Assessment) -> None:
    """``assessment`` (of one completion) lies within the partial answer ``result``."""
    for partial_issues, issues in (
        (result.blocking, assessment.blocking),
        (result.warnings, assessment.warnings),
        (result.advice, assessment.advice),
    ):
        found = {issue.code for issue in issues}
        assert found <= _codes(partial_issues), "an issue of a completion is not listed as possible"
        certain = {item.issue.code for item in partial_issues if item.certain}
        assert certain <= found, "an issue called certain is missing for a completion"
    assert assessment.route.code in {item.option.code for item in result.routes}
    if result.route is not None:
        assert result.route.code == assessment.route.code
    if result.nothing_blocks is Certainty.CERTAIN:
        assert assessment.can_cancel_now
    if result.nothing_blocks is Certainty.IMPOSSIBLE:
        assert not assessment.can_cancel_now


def assert_same(result: PartialAssessment, assessment: Assessment) -> None:
    """With nothing unknown, the partial answer is the assessment: same issues, same words."""
    assert result.unknown == ()
    assert result.depends_on == ()
    for partial_issues, issues in (
        (result.blocking, assessment.blocking),
        (result.warnings, assessment.warnings),
        (result.advice, assessment.advice),
    ):
        assert all(item.certain for item in partial_issues)
        assert tuple(item.issue for item in partial_issues) == issues
    assert result.route == assessment.route
    assert result.nothing_blocks is (Certainty.CERTAIN if assessment.can_cancel_now else Certainty.IMPOSSIBLE)


def _state(model: PartialModel, combination: dict[int, int]) -> UserState:
    facts = dict(model.space.base)
    for variable, index in combination.items():
        facts.update(model.variables[variable].values[index])
    return UserState.from_dict(state_for(facts, AS_OF))


def _forget(state: UserState, fields: set[str]) -> PartialState:
    known = PartialState.from_state(state).known
    return PartialState(known={path: value for path, value in known.items() if path not in fields})


def _check_class(rules: RuleSet, state: UserState, unknown: set[str]) -> None:
    try:
        assessment = assess(state, rules=rules, locale="en", as_of=AS_OF)
    except NoRouteError:
        try:
            result = assess_partial(_forget(state, unknown), rules=rules, locale="en", as_of=AS_OF)
        except NoRouteError:
            return
        assert result.route_gap, "a completion without a route is not flagged"
        return
    partial = assess_partial(_forget(state, unknown), rules=rules, locale="en", as_of=AS_OF)
    assert_within(partial, assessment)
    if not unknown:
        assert_same(partial, assessment)


def test_complete_states_equal_assess_on_every_route_and_blocking_class() -> None:
    """Shipped rules, exhaustively over every class of the fields the route and blocking rules
    read (the other fields at their first class): a complete partial state gives assess()."""
    model = partial_model(RULES, AS_OF)
    for variables in (model.route_vars, model.blocking_vars):
        for combination in itertools.product(*(range(len(model.variables[i].values)) for i in variables)):
            _check_class(RULES, _state(model, dict(zip(variables, combination, strict=True))), set())


def test_every_issue_rule_agrees_with_assess_on_every_class_of_its_fields() -> None:
    """Shipped rules: each issue rule's table is durable's answer on every class of its fields."""
    model = partial_model(RULES, AS_OF)
    for rule in model.issue_rules:
        reads = model.reads[rule.id]
        for combination in itertools.product(*(range(len(model.variables[i].values)) for i in reads)):
            state = _state(model, dict(zip(reads, combination, strict=True)))
            found = assess(state, locale="en", as_of=AS_OF)
            fired = {issue.code for issue in (*found.blocking, *found.warnings, *found.advice)}
            assert (rule.id in fired) is model.tables[rule.id][combination], (rule.id, combination)


@settings(max_examples=150, deadline=None)
@given(state=user_states(activated_on=st.none() | st.dates(max_value=AS_OF)), data=st.data())
def test_every_completion_lies_within_the_partial_answer(state: UserState, data: st.DataObject) -> None:
    """Shipped rules, sampled: forget any fields of a state; its assessment is within the answer."""
    unknown = data.draw(st.sets(st.sampled_from([field.path for field in FIELDS])))
    _check_class(RULES, state, unknown)


def _loadable_packs() -> list[str]:
    return sorted(path.name for path in BROKEN_PACKS.iterdir() if path.is_dir())


@pytest.mark.parametrize("name", _loadable_packs())
def test_good_and_broken_packs_are_sound_exhaustively(name: str, tmp_path: Path) -> None:
    """Every good/broken pack that loads: every class, with every set of its varying fields
    unknown, lies within the partial answer, and equals it when nothing is unknown."""
    try:
        rules = load_rules(broken_pack(name, tmp_path))
    except RuleFileError:
        pytest.skip("the pack does not load (its defect is a load error)")
    model = partial_model(rules, AS_OF)
    varying = [i for i, variable in enumerate(model.variables) if len(variable.values) > 1]
    assert model.space.size <= 2_000, "small enough to walk every class"
    for combination in itertools.product(*(range(len(model.variables[i].values)) for i in varying)):
        state = _state(model, dict(zip(varying, combination, strict=True)))
        for count in range(len(varying) + 1):
            for subset in itertools.combinations(varying, count):
                _check_class(rules, state, {model.fields[i].path for i in subset})


def test_nothing_known_lists_every_route_and_leaves_blocking_open() -> None:
    """With nothing known, every reachable primary route is possible and blocking is open."""
    result = assess_partial(PartialState(), locale="en", as_of=AS_OF)
    assert result.route is None
    assert result.nothing_blocks is Certainty.OPEN
    assert len(result.routes) > 1
    assert all(route.depends_on for route in result.routes)
    assert "provider" in result.depends_on


def test_known_arrears_block_for_certain_and_name_the_amount() -> None:
    """Known arrears make "nothing blocks" impossible, with the amount in the message."""
    result = assess_partial(PartialState.from_dict({"arrears": "420"}), locale="en", as_of=AS_OF)
    assert result.nothing_blocks is Certainty.IMPOSSIBLE
    arrears = next(item for item in result.blocking if item.issue.code == "arrears-unpaid")
    assert arrears.certain
    assert "420.00" in arrears.issue.message


def test_unknown_placeholders_are_not_invented() -> None:
    """A message whose value is unknown shows the locale's unknown label, never a number."""
    result = assess_partial(PartialState.from_dict({"provider": "jazz"}), locale="en", as_of=AS_OF)
    balance = next(item for item in result.blocking if item.issue.code == "balance-not-zero")
    assert not balance.certain
    assert balance.depends_on == ("balance",)
    assert "PKR (not known)" in balance.issue.message
    assert "balance" not in dict(balance.issue.facts)
    zh = assess_partial(PartialState.from_dict({"provider": "jazz"}), as_of=AS_OF)
    assert " 未知 " in next(i for i in zh.blocking if i.issue.code == "balance-not-zero").issue.message


def test_a_determined_route_has_no_dependencies() -> None:
    """Fixing the fields the route rules read determines the route (depends on nothing)."""
    partial = PartialState.from_dict(
        {"provider": "jazz", "activated_on": "unknown", "situation": {"can_visit_store": True}}
    )
    result = assess_partial(partial, locale="en", as_of=AS_OF)
    assert result.route is not None
    assert result.routes[0].depends_on == ()


def test_issue_date_after_the_day_is_refused_as_assess_does() -> None:
    """A partial state whose issue date is after the assessment day contradicts itself."""
    partial = PartialState.from_dict({"activated_on": "2027-01-01"})
    with pytest.raises(InvalidStateError) as caught:
        assess_partial(partial, as_of=AS_OF)
    assert caught.value.problems[0].path == "$.activated_on"


def test_unknown_provider_is_the_error_assess_gives() -> None:
    """A provider id the rules lack is the InvalidStateError assess() gives, with a suggestion."""
    with pytest.raises(InvalidStateError, match="did you mean 'jazz'"):
        assess_partial(PartialState.from_dict({"provider": "jaz"}), as_of=AS_OF)


def test_arguments_are_checked() -> None:
    """Not a PartialState, an unknown locale or a datetime as_of: clear errors, as assess() gives."""
    with pytest.raises(InvalidStateError, match="expected a PartialState"):
        assess_partial(clean_state(), as_of=AS_OF)  # type: ignore[arg-type]
    with pytest.raises(UsageError, match="locale"):
        assess_partial(PartialState(), locale="fr", as_of=AS_OF)
    with pytest.raises(UsageError, match="as_of"):
        assess_partial(PartialState(), as_of=dt.datetime(2026, 1, 1))


def test_rules_out_of_effect_are_left_out() -> None:
    """Before the public facts take effect, their rules are not possible."""
    early = assess_partial(PartialState(), locale="en", as_of=dt.date(2020, 1, 1))
    assert "route-ask-one-year-lock" not in {item.option.code for item in early.routes}


def test_to_dict_is_plain_json() -> None:
    """A partial assessment's to_dict() is JSON data with the certainty of each part."""
    import json

    data = assess_partial(PartialState.from_dict({"arrears": "1"}), locale="en", as_of=AS_OF).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["nothing_blocks"] == "impossible"
    assert data["blocking"][0]["certain"] is True


def test_random_masks_over_random_classes_of_shipped_rules() -> None:
    """Shipped rules: 300 random classes anywhere in the space with random fields forgotten."""
    model = partial_model(RULES, AS_OF)
    chooser = random.Random(20261129)
    for _ in range(300):
        combination = {i: chooser.randrange(len(v.values)) for i, v in enumerate(model.variables)}
        unknown = {field.path for field in FIELDS if chooser.random() < 0.5}
        _check_class(RULES, _state(model, combination), unknown)


@pytest.mark.parametrize("as_of", [AS_OF, dt.date(2028, 1, 15)])
def test_a_sim_activated_exactly_365_days_ago_is_assessed(as_of: dt.date) -> None:
    """days_held 365 (12 months, or 11 across a leap day) is classified, not an AssertionError."""
    day = (as_of - dt.timedelta(days=365)).isoformat()
    state = UserState.from_dict(clean_state(activated_on=day))
    assessment = assess(state, rules=RULES, locale="en", as_of=as_of)
    assert_same(
        assess_partial(PartialState.from_state(state), rules=RULES, locale="en", as_of=as_of), assessment
    )
    partial = _forget(state, {"balance", "services"})
    assert_within(assess_partial(partial, rules=RULES, locale="en", as_of=as_of), assessment)


def test_a_route_gap_leaves_the_route_open_and_names_what_decides_it(tmp_path: Path) -> None:
    """route_gap pack, Corner Mobile with can_visit_store unknown: one route is possible but
    some completions get none, so route is None, nothing is determined and the answer depends
    on can_visit_store (what next_questions asks)."""
    rules = load_rules(broken_pack("route_gap", tmp_path))
    state = UserState.from_dict(clean_state(provider="corner"))
    result = assess_partial(
        _forget(state, {"situation.can_visit_store"}), rules=rules, locale="en", as_of=AS_OF
    )
    assert result.route_gap
    assert result.route is None
    assert not result.determined
    assert "situation.can_visit_store" in result.depends_on


def test_a_rule_set_used_for_a_partial_state_is_freed_when_no_one_holds_it() -> None:
    """assess_partial keeps its models per rule set, not the rule set."""
    assert freed_after(lambda rules: assess_partial(PartialState(), rules=rules, as_of=AS_OF))
