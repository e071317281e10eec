"""simcancel.testing: the strategies and the two-line checks rule authors call."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given

from simcancel import UserState, _engine, default_rules, load_rules
from simcancel.testing import (
    assert_consistent,
    assert_matches_reference,
    providers,
    user_states,
)
from tests.packs import BROKEN_PACKS, broken_pack

AS_OF = dt.date(2026, 11, 24)


def test_assert_consistent_returns_the_report_for_a_good_pack() -> None:
    """A consistent pack passes and the report is handed back."""
    report = assert_consistent(load_rules(BROKEN_PACKS / "good"), as_of=AS_OF, samples=20)
    assert report.ok


def test_assert_consistent_raises_with_the_counterexample(tmp_path: Path) -> None:
    """An inconsistent pack raises AssertionError naming the check and the state."""
    with pytest.raises(AssertionError, match="FAIL overlaps") as caught:
        assert_consistent(load_rules(broken_pack("overlapping_routes", tmp_path)), as_of=AS_OF, samples=20)
    assert '"provider": "corner"' in str(caught.value)


def test_assert_matches_reference_passes_on_the_builtin_rules() -> None:
    """The differential property holds for the shipped rules."""
    assert_matches_reference(max_examples=50, as_of=AS_OF)


def test_assert_matches_reference_fails_when_durable_differs(monkeypatch: pytest.MonkeyPatch) -> None:
    """A durable answer missing a rule makes the property fail with the rule's id."""
    real = _engine.evaluate
    monkeypatch.setattr(
        _engine, "evaluate", lambda rules, facts, **kw: real(rules, facts, **kw) - {"check-every-step"}
    )
    with pytest.raises(AssertionError, match="check-every-step"):
        assert_matches_reference(max_examples=20, as_of=AS_OF)


@given(user_states(rules=load_rules(BROKEN_PACKS / "good")))
def test_user_states_use_the_providers_of_the_given_rules(state: UserState) -> None:
    """States drawn for a pack name only that pack's providers."""
    assert state.provider in {"acme", "corner"}


@given(user_states(provider="jazz", balance=0, services_=()))
def test_pinned_fields_stay_pinned(state: UserState) -> None:
    """A pinned field is never varied."""
    assert state.provider == "jazz"
    assert state.balance == 0
    assert not state.services


@given(providers())
def test_providers_defaults_to_the_builtin_rules(provider: str) -> None:
    """providers() draws from the built-in rule set's providers."""
    assert provider in default_rules().providers
