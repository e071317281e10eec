"""simcancel.analysis._search: the walks and the one skeleton the state-based checks run on."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs

from simcancel import load_rules
from simcancel._statespace import StateSpace, state_space
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._search import EveryState, Facts, Given, Says, Search, Witness, check_days, run_check
from tests.packs import BROKEN_PACKS, broken_pack

AS_OF = dt.date(2026, 11, 24)


def _search(max_classes: int = 1_000, samples: int = 50) -> Search:
    rules = load_rules(BROKEN_PACKS / "good")
    return Search.of(rules, VerifyOptions(as_of=AS_OF, max_classes=max_classes, samples=samples))


def _balance_positive(facts: Facts) -> str | None:
    return "balance left" if int(facts["balance"]) > 0 else None


def test_every_state_walks_every_combination_of_its_variables() -> None:
    """Within the budget a walk evaluates exactly the product of its variables' classes."""
    search = _search()
    variables = search.space.variables_for(["balance", "can_visit_store"])
    result = run_check(
        "demo",
        search,
        [EveryState(what="two facts", variables=variables, problem=lambda facts: None)],
        Says(ok="fine", fail="broken"),
    )
    assert (result.ok, result.mode, result.evaluated) == (True, "exhaustive", StateSpace.count(variables))
    assert result.message == "fine"


def test_every_state_keeps_counterexamples_as_states() -> None:
    """A problem found becomes a counterexample with the state as JSON and the day."""
    search = _search()
    walk = EveryState(
        what="balance", variables=search.space.variables_for(["balance"]), problem=_balance_positive
    )
    result = run_check("demo", search, [walk], Says(ok="fine", fail="broken"))
    assert not result.ok
    assert result.message == "broken"
    example = result.counterexamples[0]
    assert example.problem == "balance left"
    assert example.as_of == AS_OF
    assert example.state is not None
    assert example.state["balance"] != "0"


def test_past_the_budget_a_walk_samples_instead() -> None:
    """More combinations than max_classes: the walk samples, and the check says sampled."""
    search = _search(max_classes=1)
    walk = EveryState(
        what="balance", variables=search.space.variables_for(["balance"]), problem=_balance_positive
    )
    result = run_check("demo", search, [walk], Says(ok="fine", fail="broken"))
    assert result.mode == "sampled"
    assert not result.ok
    assert len(result.counterexamples) == 1
    assert [str(fallback) for fallback in result.fallbacks] == [
        f"balance: {StateSpace.count(walk.variables)} combinations > max_classes 1"
    ]


def test_a_check_that_passed_on_samples_says_it_is_not_proved() -> None:
    """ok on sampled states reads "sampled, not proved: ..."; walked in full it reads as the property."""
    walk = EveryState(what="balance", variables=(), problem=lambda facts: None)
    sampled = run_check(
        "demo",
        _search(max_classes=1),
        [attrs.evolve(walk, variables=_search().space.variables)],
        Says(ok="fine", fail=""),
    )
    assert sampled.message == "sampled, not proved: fine"
    assert run_check("demo", _search(), [walk], Says(ok="fine", fail="")).message == "fine"


def test_counterexamples_are_capped_per_walk_and_per_check() -> None:
    """per_walk limits each walk; the check keeps at most three in all."""
    search = _search()
    variables = search.space.variables_for(["balance", "arrears"])
    walks = [EveryState(what=str(n), variables=variables, problem=_balance_positive) for n in range(3)]
    assert len(run_check("demo", search, walks, Says(ok="", fail=""), per_walk=1).counterexamples) == 3
    assert len(run_check("demo", search, walks, Says(ok="", fail="")).counterexamples) == 3


def test_witness_fails_when_nothing_holds_and_notes_latent_witnesses() -> None:
    """A witness walk fails with `missing` when no state holds; one found only in `latent` is a note."""
    search = _search()
    never = Witness(
        what="never", note="never", facts=("balance",), holds=lambda facts: False, missing="x fires"
    )
    result = run_check("demo", search, [never], Says(ok="fine", fail="dead"))
    assert not result.ok
    assert result.counterexamples[0].problem.startswith("x fires for none of all ")
    assert result.counterexamples[0].state is None
    latent = Witness(
        what="only-elsewhere's facts",
        note="only-elsewhere",
        facts=("provider_in_person",),
        holds=lambda facts: facts["provider_in_person"] == "required",
        missing="y fires",
        latent=state_space(search.rules, any_policy=True),
    )
    noted = run_check("demo", search, [latent], Says(ok="fine", fail="dead", notes="latent"))
    assert noted.ok
    assert noted.message == "fine; latent: only-elsewhere"


def test_given_states_count_every_evaluation() -> None:
    """A Given walk reports states x evaluations as evaluated, and the states judged wrong."""
    search = _search()
    states = (dict(search.space.base), dict(search.space.base))
    result = run_check(
        "demo",
        search,
        [Given(what="two", states=states, problems=(None, "changed"), evaluations=4)],
        Says(ok="", fail="impure"),
    )
    assert (result.evaluated, result.mode) == (8, "sampled")
    assert [example.problem for example in result.counterexamples] == ["changed"]


def test_sampled_walks_try_every_class_representative_before_random_states(tmp_path: Path) -> None:
    """Past the budget a walk first tries each variable's classes (every constant among them), so
    a gap at one exact balance that random states miss is found, and the walk still says sampled."""
    rules = load_rules(broken_pack("sampled_gap", tmp_path))
    search = Search.of(rules, VerifyOptions(as_of=AS_OF, max_classes=2, samples=30))
    variables = search.space.variables_for(["balance", "provider"])
    walked = search.states("gap", search.space, variables, lambda facts: facts["balance"] == 12345, 1)
    representatives = 1 + sum(len(variable.values) - 1 for variable in variables)
    assert walked.mode == "sampled"
    assert walked.fallback is not None
    assert 1 < walked.evaluated <= representatives
    assert walked.hits[0]["balance"] == 12345


def test_check_days_are_one_day_per_stretch_of_the_rules_in_effect(tmp_path: Path) -> None:
    """The days checked: as_of, plus the first day of every other stretch between effective dates
    (the day before the first date for the time before it); a pack without dates only as_of."""
    assert check_days(load_rules(BROKEN_PACKS / "good"), AS_OF) == (AS_OF,)
    expiring = load_rules(broken_pack("expiring_fallback", tmp_path))
    assert check_days(expiring, AS_OF) == (AS_OF, dt.date(2027, 1, 1))
    assert check_days(expiring, dt.date(2027, 6, 1)) == (dt.date(2026, 12, 31), dt.date(2027, 6, 1))
    online = load_rules(broken_pack("online_from_2027", tmp_path))
    assert check_days(online, AS_OF) == (AS_OF, dt.date(2027, 1, 1))
