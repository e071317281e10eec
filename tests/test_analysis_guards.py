"""The verifier's fast evaluation (rules indexed by a guard, per-state memos) agrees with
the reference evaluator on every class, and narrows walks without changing their results."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import pytest

from simcancel import default_rules, load_rules
from simcancel._reference import fired
from simcancel._ruleset import RuleSet
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._search import Search
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
