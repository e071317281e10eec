"""The verifier's fast evaluation (rules indexed by a guard, per-state memos) agrees with
the reference evaluator on every class, and narrows walks without changing their results."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from simcancel import default_rules, load_rules
from simcancel._reference import fired
from simcancel._ruleset import RuleSet
from simcancel._statespace import Variable
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._search import BATCH, MAX_SHOWN, EveryState, Facts, Search
from simcancel.analysis._state_checks import dead_rules, monotonicity

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
from bench_verify import write_pack

OPTIONS = VerifyOptions.of(as_of=dt.date(2026, 11, 24))


def _threshold_pack(tmp_path: Path) -> RuleSet:
    return load_rules(*write_pack(tmp_path, 12))


@pytest.mark.parametrize("which", ["builtin", "thresholds"])
def test_guarded_firing_is_the_reference_on_every_class(which: str, tmp_path: Path) -> None:
    """Every class of every rule's facts (the walks of the checks), every rule on it."""
    rules = default_rules() if which == "builtin" else _threshold_pack(tmp_path)
    search = Search.of(rules, OPTIONS)
    every_id = [rule.id for rule in rules.rules]
    walked = set()
    for rule in rules.rules:
        variables = search.space.variables_for(rule.facts)
        key = tuple(variable.name for variable in variables)
        if key in walked:
            continue
        walked.add(key)
        for facts in search.space.assignments(variables):
            assert search.fired(facts, every_id) == fired(rules, facts)


def test_the_threshold_pack_walks_are_exhaustive_and_find_the_provider_moves(tmp_path: Path) -> None:
    search = Search.of(_threshold_pack(tmp_path), OPTIONS)
    moves = monotonicity(search)
    assert moves.mode == "exhaustive"
    # Changing provider switches one provider's balance rule off and another's on.
    assert not moves.ok
    assert all("by moving to provider" in example.problem for example in moves.counterexamples)
    dead = dead_rules(search)
    assert dead.ok, dead.message
    assert dead.mode == "exhaustive"


@pytest.mark.parametrize("every", [1, 7, 250])
def test_a_walk_judged_in_batches_finds_and_counts_what_the_walk_state_by_state_does(every: int) -> None:
    """EveryState with problems= (BATCH states at once) keeps the first counterexamples and
    counts the states up to the last of them, as the walk one state at a time does."""
    search = Search.of(default_rules(), OPTIONS)
    variables: tuple[Variable, ...] = ()
    for variable in search.space.variables:
        if search.space.count(variables) <= 2 * BATCH:
            variables = (*variables, variable)
    assert search.space.count(variables) > 2 * BATCH
    seen: dict[str, int] = {}

    def problem(facts: Facts) -> str | None:
        number = seen.setdefault(repr(sorted(facts.items())), len(seen))
        return f"state {number}" if number % every == every - 1 else None

    def problems(states: Sequence[Facts]) -> list[str | None]:
        return [problem(facts) for facts in states]

    alone = EveryState(what="w", variables=variables, problem=problem).run(search, MAX_SHOWN)
    batched = EveryState(what="w", variables=variables, problem=problem, problems=problems).run(
        search, MAX_SHOWN
    )
    assert [example.problem for example in batched.found] == [example.problem for example in alone.found]
    assert batched.found
    assert (batched.mode, batched.evaluated) == (alone.mode, alone.evaluated)
