"""simcancel.analysis._engine_checks: durable-rules against the reference, and its isolation."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from simcancel import EngineError, _compile, _engine, default_rules, load_rules
from simcancel._facts import FACTS
from simcancel._ruleset import Op
from simcancel.analysis import check_differential, check_purity
from simcancel.analysis._engine_checks import _copy_pack, purity_states
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._search import Search
from tests.packs import BROKEN_PACKS, broken_pack

AS_OF = dt.date(2026, 11, 24)


def test_differential_counterexample_sits_on_the_boundary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With `gt` compiled as `$gte`, the counterexample has exactly the constant (100 MB) left."""
    monkeypatch.setitem(_compile._DURABLE_OP, Op.GT, "$gte")
    result = check_differential(load_rules(broken_pack("durable_differs", tmp_path)), as_of=AS_OF, samples=30)
    states = [example.state for example in result.counterexamples]
    assert any(state is not None and state["unused"]["data_mb"] == 100 for state in states)


def test_differential_catches_an_injected_divergence(monkeypatch: pytest.MonkeyPatch) -> None:
    """A durable answer that drops one fired rule is reported with the state it happens for."""
    real: Callable[..., frozenset[str]] = _engine.evaluate

    def drops_balance(rules: _engine.CompiledRules, facts: object, **kwargs: object) -> frozenset[str]:
        return real(rules, facts, **kwargs) - {"balance-not-zero"}

    monkeypatch.setattr(_engine, "evaluate", drops_balance)
    result = check_differential(load_rules(BROKEN_PACKS / "good"), as_of=AS_OF, samples=30)
    assert not result.ok
    example = result.counterexamples[0]
    assert "balance-not-zero" in example.problem
    assert example.state is not None
    assert example.state["balance"] != "0.00"


def test_differential_catches_a_divergence_only_sessions_of_many_states_show(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The exhaustive walks judge states many to a session: a divergence there is reported."""
    real: Callable[..., list[frozenset[str]]] = _engine.evaluate_many

    def drops_balance(rules: _engine.CompiledRules, facts: object) -> list[frozenset[str]]:
        return [fired - {"balance-not-zero"} for fired in real(rules, facts)]

    monkeypatch.setattr(_engine, "evaluate_many", drops_balance)
    result = check_differential(load_rules(BROKEN_PACKS / "good"), as_of=AS_OF, samples=30)
    assert not result.ok
    assert all("balance-not-zero" in example.problem for example in result.counterexamples)
    assert all(example.state is not None for example in result.counterexamples)


def test_differential_judges_states_one_by_one_when_a_shared_session_fails(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A session of many states that fails is retried state by state, each in its own session."""
    alone: list[object] = []
    real = _engine.evaluate

    def failing(rules: _engine.CompiledRules, facts: object) -> list[frozenset[str]]:
        raise EngineError("durable-rules failed evaluating a state")

    def counted(rules: _engine.CompiledRules, facts: object, **kwargs: object) -> frozenset[str]:
        alone.append(facts)
        return real(rules, facts, **kwargs)  # type: ignore[arg-type]

    rules = load_rules(BROKEN_PACKS / "good")
    batched = check_differential(rules, as_of=AS_OF, samples=30)
    monkeypatch.setattr(_engine, "evaluate_many", failing)
    monkeypatch.setattr(_engine, "evaluate", counted)
    result = check_differential(rules, as_of=AS_OF, samples=30)
    assert result.ok
    assert result.evaluated == batched.evaluated
    assert len(alone) >= result.evaluated


def test_differential_walks_each_rules_classes_then_samples() -> None:
    """evaluated counts the class walks of every rule's facts plus the sampled states."""
    rules = load_rules(BROKEN_PACKS / "good")
    result = check_differential(rules, as_of=AS_OF, samples=30)
    assert result.ok
    assert result.mode == "sampled"
    assert result.evaluated > 30


def test_purity_draws_numbers_inside_their_interval_not_only_the_lowest() -> None:
    """Some purity state holds a balance that is no class's representative (e.g. not 0 or 1 paisa)."""
    search = Search.of(default_rules(), VerifyOptions(as_of=AS_OF, samples=200))
    lowest = {values["balance"] for values in search.space.variable("balance").values}
    drawn = {state["balance"] for state in purity_states(search)}
    assert drawn - lowest, f"only class representatives drawn: {sorted(drawn)}"


def test_purity_counts_the_ways_it_ran(tmp_path: Path) -> None:
    """From directories: 5 ways per state; in memory only (no sources): 4, the reload is skipped."""
    rules = load_rules(broken_pack("good", tmp_path))
    states = len(purity_states(Search.of(rules, VerifyOptions(as_of=AS_OF, samples=40))))
    from_disk = check_purity(rules, as_of=AS_OF, samples=40)
    in_memory = check_purity(attrs.evolve(rules, sources=()), as_of=AS_OF, samples=40)
    assert (from_disk.ok, in_memory.ok) == (True, True)
    assert from_disk.evaluated == states * 5
    assert in_memory.evaluated == states * 4


def test_purity_draws_states_that_can_be_written_out() -> None:
    """Drawn service counts stay within the catalogue's draw bound: failing states can be written."""
    search = Search.of(default_rules(), VerifyOptions(as_of=AS_OF, samples=200))
    states = purity_states(search)
    bound = FACTS["active_services"].draw_upper
    assert bound is not None
    assert max(int(state["active_services"]) for state in states) <= bound
    assert any(int(state["active_services"]) > 1 for state in states)


def test_purity_copies_a_pack_without_following_its_links(tmp_path: Path) -> None:
    """A pack holding `parent -> ..` and a link to a big tree is copied as its rule files alone."""
    pack = broken_pack("good", tmp_path / "packs")
    (pack / "parent").symlink_to("..")
    (pack / "venv").symlink_to(Path(sys.prefix))
    copied = tmp_path / "copy"
    _copy_pack(pack, copied)
    names = sorted(path.relative_to(copied).as_posix() for path in copied.rglob("*"))
    assert "parent" not in names
    assert "venv" not in names
    assert set(names) >= {"routes.yaml", "ruleset.yaml", "providers", "locales"}
    assert all(not path.is_symlink() for path in copied.rglob("*"))
