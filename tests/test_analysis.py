"""simcancel.analysis and `simcancel verify`: the shipped rules verify clean, and every
broken pack is caught by the right check, with a counterexample."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import UserState, _compile, _engine, assess, default_rules, load_rules
from simcancel._facts import facts_for, state_for
from simcancel._ruleset import Op
from simcancel._statespace import intervals, state_space
from simcancel.analysis import (
    CHECKS,
    Report,
    check_differential,
    check_i18n,
    check_traceability,
    verify,
    verify_paths,
)
from simcancel.cli import main
from tests.packs import BROKEN_PACKS, broken_pack

AS_OF = dt.date(2026, 11, 24)
BROKEN = {
    "overlapping_routes": "overlaps",
    "dead_rule": "dead_rules",
    "non_monotone": "monotonicity",
    "missing_locale_string": "i18n",
    "no_claims": "traceability",
    "route_gap": "totality",
    "durable_differs": "differential",
    "too_many_groups": "load",
}


@pytest.fixture(scope="module")
def builtin_report() -> Report:
    """One verification of the shipped rules, shared by the tests that read it."""
    return verify(default_rules(), as_of=AS_OF, samples=60)


def test_shipped_rules_verify_clean_and_exhaustively(builtin_report: Report) -> None:
    """The built-in rules pass every check, with no state-based check sampled."""
    assert builtin_report.ok, builtin_report.render()
    assert builtin_report.exhaustive
    assert builtin_report.classes == state_space(default_rules()).size > 100_000
    assert {result.name for result in builtin_report.results} == set(CHECKS)
    for name in ("totality", "route_soundness", "monotonicity", "dead_rules"):
        assert builtin_report.result(name).mode == "exhaustive"
        assert builtin_report.result(name).evaluated > 0


def test_latent_rules_are_named_not_failed(builtin_report: Report) -> None:
    """Rules that only fire for provider policies no shipped provider has are listed as latent."""
    message = builtin_report.result("dead_rules").message
    assert "latent" in message
    assert "in-person-required" in message


@pytest.mark.parametrize(("pack", "check"), sorted(BROKEN.items()))
def test_each_broken_pack_is_caught_by_its_check(
    pack: str, check: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The named check fails, with a counterexample; no other check fails."""
    if pack == "durable_differs":
        # No valid pack makes durable disagree with the reference (see the pack's
        # comment), so the divergence is a compiler off-by-one injected here.
        monkeypatch.setitem(_compile._DURABLE_OP, Op.GT, "$gte")
    report = verify_paths(broken_pack(pack, tmp_path), as_of=AS_OF, samples=30)
    assert not report.ok
    result = report.result(check)
    assert not result.ok
    assert result.counterexamples
    assert set(report.failed) == {check}, report.render()


def test_differential_counterexample_sits_on_the_boundary(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """With `gt` compiled as `$gte`, the counterexample has exactly the constant (100 MB) left."""
    monkeypatch.setitem(_compile._DURABLE_OP, Op.GT, "$gte")
    report = verify_paths(broken_pack("durable_differs", tmp_path), as_of=AS_OF, samples=30)
    states = [example.state for example in report.result("differential").counterexamples]
    assert any(state is not None and state["unused"]["data_mb"] == 100 for state in states)


@pytest.mark.parametrize("pack", ["overlapping_routes", "non_monotone", "route_gap"])
def test_state_counterexamples_are_states_assess_accepts(pack: str, tmp_path: Path) -> None:
    """A counterexample state is JSON that UserState and assess() accept as they are."""
    rules = load_rules(broken_pack(pack, tmp_path))
    report = verify(rules, as_of=AS_OF, samples=30)
    example = report.result(BROKEN[pack]).counterexamples[0]
    assert example.state is not None
    assert example.as_of == AS_OF
    state = UserState.from_json(json.dumps(example.state))
    if pack == "route_gap":
        with pytest.raises(LookupError):
            assess(state, rules=rules, as_of=AS_OF)
    else:
        assess(state, rules=rules, as_of=AS_OF)


def test_gap_counterexample_is_the_provider_without_a_route(tmp_path: Path) -> None:
    """The totality counterexample is Corner Mobile, abroad: the state the table misses."""
    report = verify_paths(broken_pack("route_gap", tmp_path), as_of=AS_OF, samples=30)
    state = report.result("totality").counterexamples[0].state
    assert state is not None
    assert state["provider"] == "corner"
    assert state["situation"]["can_visit_store"] is False


def test_good_pack_verifies_clean(tmp_path: Path) -> None:
    """The minimal good pack passes every check exhaustively."""
    report = verify_paths(broken_pack("good", tmp_path), as_of=AS_OF, samples=30)
    assert report.ok, report.render()
    assert report.exhaustive


def test_differential_catches_an_injected_divergence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A durable answer that drops one fired rule is reported with the state it happens for."""
    real: Callable[..., frozenset[str]] = _engine.evaluate

    def drops_balance(rules: _engine.CompiledRules, facts: object, **kwargs: object) -> frozenset[str]:
        return real(rules, facts, **kwargs) - {"balance-not-zero"}

    monkeypatch.setattr(_engine, "evaluate", drops_balance)
    result = check_differential(load_rules(broken_pack("good", tmp_path)), as_of=AS_OF, samples=30)
    assert not result.ok
    example = result.counterexamples[0]
    assert "balance-not-zero" in example.problem
    assert example.state is not None
    assert example.state["balance"] != "0.00"


def test_too_many_classes_falls_back_to_sampling_and_says_so() -> None:
    """Past max_classes the checks sample with Hypothesis and the report is not exhaustive."""
    report = verify(default_rules(), as_of=AS_OF, max_classes=2, samples=20)
    assert report.ok, report.render()
    assert not report.exhaustive
    assert report.result("totality").mode == "sampled"
    assert "NOT exhaustive" in report.render()


def test_sampled_mode_still_finds_a_gap(tmp_path: Path) -> None:
    """Hypothesis sampling finds the route gap too, with a shrunk counterexample state."""
    report = verify_paths(broken_pack("route_gap", tmp_path), as_of=AS_OF, max_classes=1, samples=50)
    result = report.result("totality")
    assert result.mode == "sampled"
    assert not result.ok
    assert result.counterexamples[0].state is not None


def test_static_checks_find_uncovered_claims_and_missing_labels(tmp_path: Path) -> None:
    """A claim no rule cites and no excuse covers, and a missing route label, are reported."""
    rules = load_rules(broken_pack("good", tmp_path))
    claims = dict(rules.claims)
    claims["A1"] = attrs.evolve(claims["A1"], excuse=None)
    labels = {
        locale: {k: v for k, v in labels.items() if k != "route.in_store"}
        for locale, labels in rules.labels.items()
    }
    broken = attrs.evolve(rules, claims=claims, labels=labels)
    trace = check_traceability(broken)
    assert not trace.ok
    assert "A1" in trace.counterexamples[0].problem
    i18n = check_i18n(broken)
    assert not i18n.ok
    assert "route.in_store" in i18n.counterexamples[0].problem


def test_intervals_cut_at_each_constant() -> None:
    """Each constant is its own class, and so is each gap between constants."""
    assert intervals([0], 10) == [(0, 0), (1, 10)]
    assert intervals([500, 1000], 2000) == [(0, 499), (500, 500), (501, 999), (1000, 1000), (1001, 2000)]
    assert intervals([], 5) == [(0, 5)]


@given(st.data())
def test_every_class_maps_back_to_a_state_with_the_same_facts(data: st.DataObject) -> None:
    """state_for(class) is a valid UserState whose facts are exactly the class's facts."""
    rules = default_rules()
    space = state_space(rules)
    facts = dict(space.base)
    for variable in space.variables:
        facts.update(data.draw(st.sampled_from(variable.values)))
    day = data.draw(st.dates(min_value=dt.date(2000, 1, 1), max_value=dt.date(2100, 12, 31)))
    state = UserState.from_dict(state_for(facts, day))
    assert facts_for(state, rules.provider(state.provider), day) == facts


def _cli(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["verify", *args], out=out), out.getvalue()


def test_cli_verify_exit_codes(tmp_path: Path) -> None:
    """0 for a clean pack, 1 for a failed check, 2 for a directory that does not exist."""
    good = str(broken_pack("good", tmp_path))
    code, text = _cli(good, "--as-of", "2026-11-24", "--samples", "20")
    assert code == 0, text
    assert "exhaustive" in text
    assert "verdict: consistent" in text
    code, text = _cli(str(broken_pack("route_gap", tmp_path)), "--samples", "20")
    assert code == 1
    assert "FAIL totality" in text
    assert '"provider": "corner"' in text
    assert _cli(str(BROKEN_PACKS / "no_such_pack"))[0] == 2
    assert _cli(good, "--as-of", "tomorrow")[0] == 2


def test_cli_verify_json_names_every_check(tmp_path: Path) -> None:
    """--json prints the report as data: verdict, class count and every check by name."""
    code, text = _cli(str(broken_pack("non_monotone", tmp_path)), "--json", "--samples", "20")
    data = json.loads(text)
    assert code == 1
    assert data["ok"] is False
    assert data["classes"] > 0
    failed = [check["name"] for check in data["checks"] if not check["ok"]]
    assert failed == ["monotonicity"]


def test_packs_combine_with_the_builtin_rules(tmp_path: Path) -> None:
    """A provider-only pack loaded after the built-in rules verifies, with its provider enumerated."""
    pack = tmp_path / "my_pack" / "providers"
    pack.mkdir(parents=True)
    (pack / "easysim.yaml").write_text(
        "id: easysim\nname: EasySIM\nkind: esim_platform\nonline_cancellation: supported\n"
        "in_person_confirmation: required\nchannels: [website, store]\nreview_days: [1, 3]\n"
        "languages: [en]\nsources: [{title: EasySIM help centre, claims: [A7]}]\n"
        "checked: 2026-11-24\n",
        encoding="utf-8",
    )
    from simcancel import builtin_rules_path

    report = verify_paths(builtin_rules_path(), tmp_path / "my_pack", as_of=AS_OF, samples=20)
    assert report.ok, report.render()
    # The new policy makes the A11 advice fire: it is no longer latent.
    assert "in-person-required" not in report.result("dead_rules").message


def test_article_pack_alone_verifies_clean() -> None:
    """Switching the public facts off leaves a rule set that still verifies clean."""
    report = verify(default_rules(public_facts=False), as_of=AS_OF, samples=30)
    assert report.ok, report.render()
