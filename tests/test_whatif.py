"""What would change the answer: every reported change set gives its goal through assess(),
no strictly smaller set does, and (when the search is complete) every minimal set is reported.

The built-in routes depend on the provider alone, so no change a person can make moves
them; a test-only pack adds route rules that read the state, so that the route goals are
reachable too.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import json
from collections.abc import Iterator, Mapping
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from simcancel import (
    InvalidStateError,
    RouteKind,
    RuleSet,
    StateChange,
    UsageError,
    UserState,
    WhatIfGoal,
    _whatif,
    assess,
    builtin_packs,
    default_rules,
    load_rules,
    render_text,
    what_if,
)
from simcancel._contracts import changeable_paths
from simcancel._decide import decide
from simcancel._facts import CATALOGUE, Derivation, EngineValue, StatePath, facts_for, state_for
from simcancel._reference import fired
from simcancel._statespace import Variable, state_space
from simcancel.cli import EXIT_FOUND, main
from simcancel.testing import user_states
from tests.packs import VALID_STATE, clean_state, issued_by

AS_OF = dt.date(2026, 11, 24)

BOTH_CHANNELS = """\
id: example-both
name: Example Both
kind: esim_platform
online_cancellation: supported
in_person_confirmation: not_required
channels: [store, website]
review_days: unknown
languages: unknown
sources: [{title: "test-only provider", claims: [A7]}]
checked: 2026-11-24
"""

STATE_ROUTES = """\
description: Test-only route rules that read the state, so that a person's changes move the route.
rules:
  - id: route-online-english
    kind: route
    route: online
    priority: 35
    claims: [A13]
    when: {provider_online: supported, reads_english: true, has_passport_copy: true}
    message: {zh-CN: "能读英文表格，可以在线办理。", en: "You read English forms: cancel online."}
    documents: [passport_copy]
  - id: route-store-first
    kind: route
    route: in_store
    priority: 38
    claims: [A16]
    when: {can_visit_store: true, provider_has_store: true, sim_card_usable: true}
    message:
      zh-CN: "卡还能用，又能去营业厅，当面办理最快。"
      en: "The card works and you can visit a store: cancel there."
    documents: [sim_card]
"""


@pytest.fixture(scope="module")
def state_routes(tmp_path_factory: pytest.TempPathFactory) -> RuleSet:
    """The built-in rules plus route rules that read the state, and a provider with both channels."""
    pack = tmp_path_factory.mktemp("state-routes")
    (pack / "providers").mkdir()
    (pack / "providers" / "example-both.yaml").write_text(BOTH_CHANNELS, encoding="utf-8")
    (pack / "routes.yaml").write_text(STATE_ROUTES, encoding="utf-8")
    # Its rules have no Urdu texts, so without the Urdu locale packs.
    return load_rules(*builtin_packs(locale_packs=False), pack)


# --- applying a change set, and the goal it promises -------------------------------------------


def _put(data: dict[str, Any], path: str, value: object) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        data = data[key]
    data[leaf] = value


def apply(state: UserState, changes: Mapping[str, object]) -> UserState:
    """``state`` with each path set to its new value, through the state's own JSON shape."""
    data = state.to_dict()
    for path, value in changes.items():
        _put(data, path, value)
    return UserState.from_dict(json.loads(json.dumps(data)))


def reached(goal: WhatIfGoal | RouteKind | None, state: UserState, rules: RuleSet) -> bool:
    """Whether ``state`` gives the goal through assess(): nothing blocks, or the route leads."""
    target = goal.route if isinstance(goal, WhatIfGoal) else goal
    result = assess(state, rules=rules, locale="en", as_of=AS_OF)
    return result.can_cancel_now if target is None else result.route.route is target


# --- the state's variables, as the tests see them ------------------------------------------------


def _paths_of(variable: Variable) -> tuple[str, ...]:
    source = CATALOGUE[variable.facts[0]].source
    return (source.path,) if isinstance(source, StatePath) else source.fields


def _movable(rules: RuleSet) -> dict[str, Variable]:
    """Per state path, the variable a person moves by changing it (never the provider's)."""
    found: dict[str, Variable] = {}
    for variable in state_space(rules).variables:
        source = CATALOGUE[variable.facts[0]].source
        if isinstance(source, Derivation) and source.read_provider is not None:
            continue
        for path in _paths_of(variable):
            found[path] = variable
    return found


def _moved(
    state: UserState,
    rules: RuleSet,
    movable: Mapping[str, Variable],
    classes: Mapping[str, Mapping[str, EngineValue]],
) -> UserState:
    """``state`` with each named variable put in the given class, written back by state_for."""
    facts = facts_for(state, rules.provider(state.provider), AS_OF)
    for values in classes.values():
        facts.update(values)
    data = state_for(facts, AS_OF)
    changes = {}
    for path, variable in movable.items():
        if variable.name in classes:
            value: object = data
            for key in path.split("."):
                value = value.get(key) if isinstance(value, dict) else None
            changes[path] = value
    return apply(state, changes)


def _assignments(variables: list[Variable]) -> Iterator[dict[str, Mapping[str, EngineValue]]]:
    for values in itertools.product(*(variable.values for variable in variables)):
        yield {variable.name: value for variable, value in zip(variables, values, strict=True)}


def check(state: UserState, rules: RuleSet) -> None:
    """Every reported change set gives its goal through assess(), and none is larger than needed."""
    found = what_if(state, rules=rules, locale="en", as_of=AS_OF, max_sets=100)
    answer = assess(state, rules=rules, locale="en", as_of=AS_OF)
    assert (found.unblock is None) == answer.can_cancel_now
    assert [goal.route for goal in found.routes] == [option.route for option in answer.alternatives]
    movable = _movable(rules)
    for goal in [found.unblock, *found.routes]:
        if goal is None:
            continue
        assert not reached(goal, state, rules)
        for change_set in goal.change_sets:
            paths = [change.path for change in change_set.changes]
            assert set(paths) <= set(changeable_paths())
            changed = apply(state, {change.path: change.json_value for change in change_set.changes})
            assert reached(goal, changed, rules), (paths, state.to_dict())
            # Minimal: with any one of its variables left as it is, no classes of the others give the goal.
            variables = list({movable[path].name: movable[path] for path in paths}.values())
            for kept in variables:
                others = [variable for variable in variables if variable is not kept]
                for classes in _assignments(others):
                    moved = _moved(state, rules, movable, classes)
                    assert not reached(goal, moved, rules), (paths, kept.name, classes)


@settings(max_examples=60)
@given(user_states(activated_on=issued_by(AS_OF)))
def test_builtin_change_sets_give_their_goal_and_are_minimal(state: UserState) -> None:
    """Built-in rules: applying a reported set really unblocks, and no strictly smaller set does."""
    check(state, default_rules())


@settings(max_examples=60)
@given(st.data())
def test_state_routes_change_sets_give_their_goal_and_are_minimal(
    state_routes: RuleSet, data: st.DataObject
) -> None:
    """With routes that read the state: each alternative's sets make it lead, minimally."""
    state = data.draw(
        user_states(
            activated_on=issued_by(AS_OF),
            rules=state_routes,
            provider=st.sampled_from(["example-both", "jazz", "simoptions"]),
        )
    )
    check(state, state_routes)


def _class_of(variable: Variable, facts: Mapping[str, EngineValue]) -> int:
    for index, boxes in enumerate(variable.members):
        if any(all(low <= facts[name] <= high for name, (low, high) in box.items()) for box in boxes):  # type: ignore[operator]
            return index
    raise AssertionError(f"{variable.name}: no class holds {facts}")


def brute_force(state: UserState, rules: RuleSet, target: RouteKind | None) -> set[frozenset[str]]:
    """Every minimal set of variables whose move gives the goal, by trying every combination."""
    facts = facts_for(state, rules.provider(state.provider), AS_OF)
    variables = list({variable.name: variable for variable in _movable(rules).values()}.values())
    kind = "blocking" if target is None else "route"
    relevant = {
        fact
        for rule in rules.rules
        if rule.kind.value == kind and rule.in_effect(AS_OF)
        for fact in rule.facts
    }
    variables = [variable for variable in variables if relevant & set(variable.facts)]
    current = {variable.name: _class_of(variable, facts) for variable in variables}
    winners: set[frozenset[str]] = set()
    for picks in itertools.product(*(range(len(variable.values)) for variable in variables)):
        trial = dict(facts)
        for variable, index in zip(variables, picks, strict=True):
            trial.update(variable.values[index])
        result = decide(rules, fired(rules, trial), trial, locale="en", as_of=AS_OF)
        if result.can_cancel_now if target is None else result.route.route is target:
            winners.add(
                frozenset(v.name for v, i in zip(variables, picks, strict=True) if i != current[v.name])
            )
    return {found for found in winners if not any(other < found for other in winners)}


@settings(max_examples=40)
@given(st.data())
def test_every_minimal_set_is_reported(state_routes: RuleSet, data: st.DataObject) -> None:
    """Complete: the reported sets are exactly the minimal ones a brute force over all classes finds."""
    state = data.draw(
        user_states(
            activated_on=issued_by(AS_OF),
            rules=state_routes,
            provider=st.sampled_from(["example-both", "jazz"]),
        )
    )
    found = what_if(state, rules=state_routes, locale="en", as_of=AS_OF, max_sets=100)
    movable = _movable(state_routes)
    for goal in [found.unblock, *found.routes]:
        if goal is None:
            continue
        assert goal.complete
        reported = {
            frozenset(movable[change.path].name for change in one.changes) for one in goal.change_sets
        }
        assert len(reported) == len(goal.change_sets)  # one set of changes per minimal set of variables
        assert reported == brute_force(state, state_routes, goal.route)


# --- examples ---------------------------------------------------------------------------------------


def test_the_known_good_state_needs_its_balance_and_services_settled() -> None:
    """Jazz with a balance and a recurring service: one minimal set, the two fixes; the store never leads."""
    found = what_if(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF)
    assert found.unblock is not None
    assert [[(c.path, c.json_value) for c in one.changes] for one in found.unblock.change_sets] == [
        [("balance", "0.00"), ("services", [])]
    ]
    assert [step.code for step in found.unblock.change_sets[0].steps] == [
        "balance-not-zero",
        "jazz-services-unsubscribe",  # the Jazz hint (B11) is a step of the same stage
        "services-still-active",
    ]
    assert found.unblock.complete
    (store,) = found.routes
    assert (store.route, store.change_sets, store.complete) == (RouteKind.IN_STORE, (), True)


def _without_passport() -> UserState:
    """A clean state with neither the passport nor a copy of it (the receipt and card kept)."""
    documents = {"passport_original": False, "passport_copy": False, "purchase_receipt": True}
    return UserState.from_dict(clean_state(documents={**documents, "sim_card_usable": True}))


def test_either_passport_proof_unblocks() -> None:
    """Two minimal sets when either of two documents settles the blocking rule."""
    state = _without_passport()
    found = what_if(state, locale="en", as_of=AS_OF)
    assert found.unblock is not None
    assert [[(c.path, c.json_value) for c in one.changes] for one in found.unblock.change_sets] == [
        [("documents.passport_original", True)],
        [("documents.passport_copy", True)],
    ]


def test_nothing_to_unblock_when_nothing_blocks() -> None:
    """A state that can be cancelled has no unblock goal."""
    assert what_if(UserState.from_dict(clean_state()), locale="en", as_of=AS_OF).unblock is None


def test_the_provider_is_never_changed(state_routes: RuleSet) -> None:
    """Jazz's 'ask first' outranks every route a change could bring: impossible, never 'switch provider'."""
    state = UserState.from_dict(
        clean_state(provider="jazz", situation={"can_visit_store": True, "reads_english": True})
    )
    found = what_if(state, rules=state_routes, locale="en", as_of=AS_OF)
    assert all(not goal.change_sets and goal.complete for goal in found.routes)
    assert "provider" not in changeable_paths()


def test_an_alternative_leads_after_the_fewest_changes(state_routes: RuleSet) -> None:
    """Store first (the card works, a store is near): online leads if either of those stops being true."""
    state = UserState.from_dict(
        clean_state(provider="example-both", situation={"can_visit_store": True, "reads_english": True})
    )
    assert assess(state, rules=state_routes, as_of=AS_OF).route.route is RouteKind.IN_STORE
    found = what_if(state, rules=state_routes, locale="en", as_of=AS_OF)
    online = next(goal for goal in found.routes if goal.route is RouteKind.ONLINE)
    assert [[(c.path, c.json_value) for c in one.changes] for one in online.change_sets] == [
        [("documents.sim_card_usable", False)],
        [("situation.can_visit_store", False)],
    ]
    text = render_text(assess(state, rules=state_routes, locale="en", as_of=AS_OF, what_if=True))
    assert (
        "To take “Cancel online” instead (any one option):\n    1) documents.sim_card_usable → false\n"
        in text
    )


def test_the_cap_on_sets_makes_the_answer_incomplete() -> None:
    """max_sets=1 reports one of the two minimal sets, and says the list is not complete."""
    state = _without_passport()
    goal = what_if(state, locale="en", as_of=AS_OF, max_sets=1).unblock
    assert goal is not None
    assert (len(goal.change_sets), goal.complete) == (1, False)
    asked = assess(state, locale="en", as_of=AS_OF, what_if=True)
    assert asked.what_if is not None
    capped = attrs.evolve(asked, what_if=attrs.evolve(asked.what_if, unblock=goal))
    assert "\n    There may be more ways: the search stopped early.\n" in render_text(capped)


def test_the_evaluation_budget_stops_a_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """A search past MAX_EVALUATIONS stops and reports itself incomplete instead of running on."""
    monkeypatch.setattr(_whatif, "MAX_EVALUATIONS", 1)
    goal = what_if(UserState.from_dict(VALID_STATE), locale="en", as_of=AS_OF).unblock
    assert goal is not None
    assert (goal.change_sets, goal.complete) == ((), False)


def test_what_if_in_the_assessment_json_is_opt_in() -> None:
    """assess() writes no what_if unless asked; asked, it is what what_if() answers."""
    state = UserState.from_dict(VALID_STATE)
    assert "what_if" not in assess(state, locale="en", as_of=AS_OF).to_dict()
    asked = assess(state, locale="en", as_of=AS_OF, what_if=True)
    assert asked.what_if == what_if(state, locale="en", as_of=AS_OF)
    assert asked.to_dict()["what_if"]["unblock"]["change_sets"][0]["changes"][1] == {
        "path": "services",
        "value": [],
    }


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (
            lambda: what_if(UserState.from_dict(VALID_STATE), max_sets=0),
            UsageError,
            "max_sets: expected a whole number from 1 to 100, got 0",
        ),
        (
            lambda: what_if(UserState.from_dict(VALID_STATE), max_sets=True),
            UsageError,
            "max_sets: expected a whole number from 1 to 100, got True",
        ),
        (
            lambda: what_if(UserState.from_dict(VALID_STATE), locale="fr"),
            UsageError,
            "locale: expected one of zh-CN, en, ur, got 'fr'",
        ),
        (lambda: what_if({"provider": "jazz"}), InvalidStateError, "$: expected a UserState"),  # type: ignore[arg-type]
        (
            lambda: assess(UserState.from_dict(VALID_STATE), what_if="yes"),  # type: ignore[arg-type]
            UsageError,
            "what_if: expected True or False, got 'yes'",
        ),
    ],
    ids=["max_sets 0", "max_sets bool", "locale", "not a state", "assess what_if not a bool"],
)
def test_bad_arguments_name_the_argument(call: Any, error: type[Exception], message: str) -> None:
    """Bad input to what_if() and assess(what_if=) is a SimcancelError naming the argument and its form."""
    with pytest.raises(error) as caught:
        call()
    assert message in str(caught.value)


def test_derivations_declare_the_fields_they_write() -> None:
    """Each derivation's fields are exactly the state fields its write produces, over every class."""
    space = state_space(default_rules())
    for derivation in CATALOGUE.derivations:
        names = set(CATALOGUE.facts_of(derivation))
        written: set[str] = set()
        for variable in space.variables:
            if names & set(variable.facts):
                for values in variable.values:
                    written |= set(derivation.write({**space.base, **values}, AS_OF))
        assert written == set(derivation.fields), derivation.name


def test_a_what_if_search_is_cheap() -> None:
    """The search costs little next to the assessment itself (well under 50 ms for a blocked state)."""
    state = UserState.from_dict(VALID_STATE)
    what_if(state, locale="en", as_of=AS_OF)
    started = dt.datetime.now()
    for _ in range(20):
        what_if(state, locale="en", as_of=AS_OF)
    assert (dt.datetime.now() - started).total_seconds() / 20 < 0.05


@pytest.mark.parametrize("locale", ["en", "zh-CN"])
def test_the_command_says_what_would_change_the_answer(locale: str) -> None:
    """`simcancel assess --what-if` adds the section to the text, and what_if to the JSON."""
    out = io.StringIO()
    assert (
        main(["assess", "examples/jazz-blocked.json", "--what-if", "--locale", locale], out=out) == EXIT_FOUND
    )
    labels = default_rules().labels[locale]
    text = out.getvalue()
    colon = labels["format.colon"].rstrip()
    assert (
        f'\n{labels["heading.what_if"]}{colon}\n  {labels["what_if.unblock"]}\n    1) balance → "0.00"\n'
        in text
    )
    assert labels["what_if.impossible"] in text
    out = io.StringIO()
    assert main(["assess", "examples/jazz-blocked.json", "--what-if", "--json"], out=out) == EXIT_FOUND
    unblock = json.loads(out.getvalue())["what_if"]["unblock"]
    assert [change["path"] for change in unblock["change_sets"][0]["changes"]] == ["balance", "services"]
    out = io.StringIO()
    main(["assess", "examples/jazz-blocked.json", "--locale", locale], out=out)
    assert labels["heading.what_if"] not in out.getvalue()


def test_a_change_value_is_read_only() -> None:
    """A change's list or object value is a tuple or a read-only mapping; to_dict gives fresh plain data."""
    change = StateChange(path="services", value=[{"kind": "other", "active": True, "recurring": False}])
    assert isinstance(change.value, tuple)
    with pytest.raises(TypeError):
        change.value[0]["active"] = False
    shown = change.json_value
    assert shown == [{"kind": "other", "active": True, "recurring": False}]
    shown[0]["active"] = False
    assert change.json_value == [{"kind": "other", "active": True, "recurring": False}]
