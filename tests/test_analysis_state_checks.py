"""simcancel.analysis._state_checks: totality, route soundness, monotonicity, dead rules, overlaps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from simcancel import UserState, assess, default_rules, load_rules
from simcancel.analysis import (
    CheckResult,
    check_dead_rules,
    check_monotonicity,
    check_overlaps,
    check_route_soundness,
    check_totality,
)
from tests.packs import broken_pack

AS_OF = dt.date(2026, 11, 24)


def test_latent_rules_are_named_not_failed() -> None:
    """Rules that only fire for provider policies no shipped provider has are listed as latent."""
    result = check_dead_rules(default_rules(), as_of=AS_OF)
    assert result.ok
    assert "latent" in result.message
    assert "in-person-required" in result.message


def test_a_dead_rule_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    """A rule no class of its facts makes fire is reported with where it is and what was tried."""
    result = check_dead_rules(load_rules(broken_pack("dead_rule", tmp_path)), as_of=AS_OF)
    assert not result.ok
    problem = result.counterexamples[0].problem
    assert problem.startswith("rule small-balance (")
    assert "fires for none of all" in problem
    assert problem.endswith("whatever the provider's policy")


@pytest.mark.parametrize(
    ("pack", "check"),
    [
        ("overlapping_routes", check_overlaps),
        ("non_monotone", check_monotonicity),
        ("route_gap", check_totality),
    ],
)
def test_state_counterexamples_are_states_assess_accepts(
    pack: str, check: Callable[..., CheckResult], tmp_path: Path
) -> None:
    """A counterexample state is JSON that UserState and assess() accept as they are."""
    rules = load_rules(broken_pack(pack, tmp_path))
    result = check(rules, as_of=AS_OF)
    example = result.counterexamples[0]
    assert example.state is not None
    assert example.as_of == AS_OF
    state = UserState.from_json(json.dumps(example.to_dict()["state"]))
    if pack == "route_gap":
        with pytest.raises(LookupError):
            assess(state, rules=rules, as_of=AS_OF)
    else:
        assess(state, rules=rules, as_of=AS_OF)


def test_gap_counterexample_is_the_provider_without_a_route(tmp_path: Path) -> None:
    """The totality counterexample is Corner Mobile, abroad: the state the table misses."""
    result = check_totality(load_rules(broken_pack("route_gap", tmp_path)), as_of=AS_OF)
    state = result.counterexamples[0].state
    assert state is not None
    assert state["provider"] == "corner"
    assert state["situation"]["can_visit_store"] is False


def test_sampled_mode_still_finds_a_gap(tmp_path: Path) -> None:
    """Hypothesis sampling finds the route gap too, with a shrunk counterexample state."""
    result = check_totality(load_rules(broken_pack("route_gap", tmp_path)), as_of=AS_OF, max_classes=1)
    assert result.mode == "sampled"
    assert not result.ok
    state = result.counterexamples[0].state
    assert state is not None
    assert (state["provider"], state["situation"]["can_visit_store"]) == ("corner", False)


def test_monotonicity_names_the_fix_and_the_issue_it_adds(tmp_path: Path) -> None:
    """Moving the balance across zero fixes one blocking issue and adds the other: both are named."""
    result = check_monotonicity(load_rules(broken_pack("non_monotone", tmp_path)), as_of=AS_OF)
    assert not result.ok
    assert result.message == "some fix of a blocking issue adds another blocking issue"
    problem = result.counterexamples[0].problem
    assert problem in (
        "fixing balance-not-zero by moving to balance = 0 adds blocking balance-zero-blocks",
        "fixing balance-zero-blocks by moving to balance in [1, 100000000000] adds blocking balance-not-zero",
    )


def test_shipped_route_table_is_sound_and_total() -> None:
    """The shipped routes: every state has one, and each fits the provider and the person."""
    for check in (check_totality, check_route_soundness):
        result = check(default_rules(), as_of=AS_OF)
        assert (result.ok, result.mode) == (True, "exhaustive"), result.message
        assert result.evaluated > 0
