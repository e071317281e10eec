"""The engine wrapper: one test per durable-rules trap (docs/architecture.md) that a user could reach.

Each test drives ``simcancel._engine`` the way ``assess`` does and would fail if the
trap leaked: a lost action exception, a leaked durable exception or error code, a session
left alive, a wrong or duplicated match, a mutated definition, an incomplete fact.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given

import simcancel
from simcancel import EngineError, UserState, default_rules, live_sessions, load_rules
from simcancel._compile import compile_ruleset
from simcancel._engine import CompiledRules, compiled, evaluate
from simcancel._facts import FACTS, FactKind, facts_for
from simcancel.testing import user_states
from tests.packs import VALID_STATE, minimal_pack

AS_OF = dt.date(2026, 11, 24)


class BoomError(Exception):
    """Raised by an on_fire callback."""


@pytest.fixture(scope="module")
def rules() -> CompiledRules:
    """The built-in rule set, compiled and registered."""
    return compiled(default_rules())


@pytest.fixture(scope="module")
def fact() -> dict[str, Any]:
    """The complete fact of the known-good state."""
    state = UserState.from_dict(VALID_STATE)
    return dict(facts_for(state, default_rules().provider(state.provider), AS_OF))


@pytest.fixture(scope="module")
def expected(rules: CompiledRules, fact: dict[str, Any]) -> frozenset[str]:
    """What the known-good fact fires, evaluated first."""
    return evaluate(rules, fact)


def _pack_rules(tmp_path: Path, body: str) -> CompiledRules:
    return compiled(load_rules(minimal_pack(tmp_path / "pack", {"extra.yaml": body})))


def test_known_good_fact_fires_the_expected_rules(expected: frozenset[str]) -> None:
    """The baseline the other tests compare with is a real, non-trivial answer."""
    assert {"balance-not-zero", "services-still-active", "discard-is-not-cancel"} <= expected


def test_action_exception_propagates_and_the_session_is_deleted(
    rules: CompiledRules, fact: dict[str, Any], expected: frozenset[str]
) -> None:
    """An exception raised while handling a firing is raised, not stored away as durable does."""

    def boom(rule_id: str) -> None:
        raise BoomError(rule_id)

    with pytest.raises(BoomError):
        evaluate(rules, fact, on_fire=boom)
    assert live_sessions() == 0
    assert evaluate(rules, fact) == expected


def test_exception_midway_through_the_action_loop_leaves_nothing_in_flight(
    rules: CompiledRules, fact: dict[str, Any], expected: frozenset[str]
) -> None:
    """Aborting after the 3rd firing (an action still open in durable) does not affect later calls."""
    seen: list[str] = []

    def third(rule_id: str) -> None:
        seen.append(rule_id)
        if len(seen) == 3:
            raise BoomError(rule_id)

    for _ in range(20):
        seen.clear()
        with pytest.raises(BoomError):
            evaluate(rules, fact, on_fire=third)
        assert evaluate(rules, fact) == expected
    assert live_sessions() == 0


def test_on_fire_sees_exactly_one_live_session(rules: CompiledRules, fact: dict[str, Any]) -> None:
    """Inside an evaluation one session is alive; afterwards none."""
    counts: list[int] = []
    evaluate(rules, fact, on_fire=lambda _rule_id: counts.append(live_sessions()))
    assert counts
    assert set(counts) == {1}
    assert live_sessions() == 0


def test_a_registration_outlives_its_rule_set(tmp_path: Path, fact: dict[str, Any]) -> None:
    """compiled() of a rule set nobody keeps stays usable; its durable ruleset is freed later."""
    import gc

    from simcancel import _engine

    orphan = _pack_rules(tmp_path, "rules: []\n")
    gc.collect()
    assert evaluate(orphan, fact) == frozenset({"route-ask"})
    handle = orphan.handle
    del orphan
    gc.collect()
    assert handle in _engine._DOOMED
    compiled(default_rules())
    assert _engine._DOOMED == []
    assert live_sessions() == 0


def test_a_fact_nothing_matches_is_not_handled_cleanly(tmp_path: Path, fact: dict[str, Any]) -> None:
    """A rule set where no rule matches answers frozenset() (durable's code 1), session deleted."""
    body = (
        "rules:\n  - {id: route-only-zong, kind: route, route: ask_provider, claims: [A1], "
        "when: {balance: {gt: 900000}}, message: {zh-CN: x, en: x}}\n"
    )
    pack = minimal_pack(tmp_path / "pack", {"routes.yaml": body})
    none = compiled(load_rules(pack))
    assert evaluate(none, dict(fact, balance=0)) == frozenset()
    assert live_sessions() == 0


def test_the_same_fact_twice_is_not_observed_twice(
    rules: CompiledRules, fact: dict[str, Any], expected: frozenset[str]
) -> None:
    """durable's MessageObserved never happens: each evaluation uses a fresh session id."""
    assert [evaluate(rules, fact) for _ in range(5)] == [expected] * 5


@pytest.mark.parametrize(("value", "code"), [(1e-05, "204"), (1e16, "204"), (float("inf"), "202")])
def test_durable_error_codes_become_engine_errors(
    rules: CompiledRules, fact: dict[str, Any], expected: frozenset[str], value: float, code: str
) -> None:
    """Numbers durable cannot take (only reachable with a hand-made fact) raise EngineError."""
    with pytest.raises(EngineError, match=f"error code: {code}") as caught:
        evaluate(rules, {**fact, "balance": value})  # type: ignore[dict-item]
    assert isinstance(caught.value, RuntimeError)
    assert live_sessions() == 0
    assert evaluate(rules, fact) == expected


def test_or_with_several_true_branches_is_reported_once(tmp_path: Path, fact: dict[str, Any]) -> None:
    """durable fires an $or once per true branch; the answer holds the rule id once."""
    body = (
        "rules:\n  - {id: owes-anything, kind: advice, claims: [A1], message: {zh-CN: x, en: x},\n"
        "     when: {any: [{balance: {gt: 0}}, {arrears: {gt: 0}}, {unused_data_mb: {gt: 0}}]}}\n"
    )
    both = _pack_rules(tmp_path, body)
    fired: list[str] = []
    result = evaluate(both, dict(fact, balance=100, arrears=100, unused_data_mb=5), on_fire=fired.append)
    assert fired.count("owes-anything") == 3
    assert result == frozenset({"owes-anything", "route-ask"})


def test_compiled_definition_is_not_mutated_by_use(rules: CompiledRules, fact: dict[str, Any]) -> None:
    """durable's set_rulesets deletes keys of its argument; we hand it a JSON string instead."""
    before = json.dumps(rules.definition, sort_keys=True)
    for _ in range(3):
        evaluate(rules, fact)
    assert json.dumps(rules.definition, sort_keys=True) == before
    assert rules.definition == compile_ruleset(default_rules())


def test_a_rule_set_is_registered_once_and_distinct_sets_get_distinct_names(tmp_path: Path) -> None:
    """compiled() caches per RuleSet; two loads of one pack are two registrations."""
    assert compiled(default_rules()) is compiled(default_rules())
    pack = minimal_pack(tmp_path / "pack")
    first, second = compiled(load_rules(pack)), compiled(load_rules(pack))
    assert first.name != second.name
    assert first.handle != second.handle


@given(user_states())
def test_facts_are_complete_and_typed_so_none_never_reaches_the_engine(state: UserState) -> None:
    """Every catalogue fact is present with its proper type (None or a missing field never matches)."""
    facts = facts_for(state, default_rules().provider(state.provider), AS_OF)
    assert facts.keys() == FACTS.keys()
    for name, value in facts.items():
        kind = FACTS[name].kind
        if kind is FactKind.BOOL:
            assert isinstance(value, bool)
        elif kind in (FactKind.MONEY, FactKind.COUNT):
            assert type(value) is int
            assert 0 <= value <= FACTS[name].upper
        else:
            assert isinstance(value, str)
            assert kind is FactKind.PROVIDER or value in FACTS[name].values


def test_many_threads_never_hold_more_than_one_session(
    rules: CompiledRules, fact: dict[str, Any], expected: frozenset[str]
) -> None:
    """Evaluations are serialised: 16 threads x 100 never see two live sessions (cap 1024 unreachable)."""
    peaks: list[int] = []
    results: list[frozenset[str]] = []
    lock = threading.Lock()

    def work() -> None:
        for _ in range(100):
            got = evaluate(rules, fact, on_fire=lambda _rule_id: peaks.append(live_sessions()))
            with lock:
                results.append(got)

    threads = [threading.Thread(target=work) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert max(peaks) == 1
    assert results == [expected] * 1600
    assert live_sessions() == 0


def test_no_durable_exception_type_is_public() -> None:
    """Every error class simcancel exports derives from SimcancelError."""
    exported = [getattr(simcancel, name) for name in simcancel.__all__]
    errors = [item for item in exported if isinstance(item, type) and issubclass(item, BaseException)]
    assert errors
    assert all(issubclass(error, simcancel.SimcancelError) for error in errors)


def test_evaluating_starts_no_background_threads() -> None:
    """No durable Host, so none of its timer threads dispatching actions behind our back."""
    code = (
        "import threading, simcancel, json\n"
        "from pathlib import Path\n"
        "state = simcancel.UserState.from_json(Path('examples/jazz-blocked.json').read_text())\n"
        "for _ in range(20): simcancel.assess(state)\n"
        "print(json.dumps(sorted(t.name for t in threading.enumerate())))\n"
    )
    root = Path(__file__).parents[1]
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True, timeout=60
    )
    assert json.loads(result.stdout) == ["MainThread"]
