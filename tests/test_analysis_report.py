"""simcancel.analysis._report: what a verification says, as data and as text."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest

from simcancel.analysis import CheckResult, Counterexample, Report
from simcancel.analysis._report import PROVED_CHECKS, Fallback

AS_OF = dt.date(2026, 11, 24)


def _report(*results: CheckResult) -> Report:
    return Report(rules="pack@1", results=results, classes=12, seconds=0.5)


def test_failed_lists_the_failed_checks_in_report_order() -> None:
    """Report.failed names the checks that failed, in the order they ran; ok is their absence."""
    report = _report(
        CheckResult(name="load", ok=True, message="loaded"),
        CheckResult(name="totality", ok=False, message="gap", mode="exhaustive", evaluated=3),
        CheckResult(name="i18n", ok=False, message="missing"),
    )
    assert report.failed == ("totality", "i18n")
    assert not report.ok
    assert report.result("i18n").message == "missing"


def test_to_dict_is_json_data() -> None:
    """to_dict() round-trips through json.dumps with every check, mode and counterexample."""
    example = Counterexample(problem="no route", state={"provider": "corner"}, as_of=AS_OF)
    report = _report(
        CheckResult(name="totality", ok=False, message="gap", counterexamples=(example,), mode="exhaustive")
    )
    data = json.loads(json.dumps(report.to_dict()))
    assert data["checks"][0]["counterexamples"] == [
        {"problem": "no route", "as_of": "2026-11-24", "state": {"provider": "corner"}}
    ]
    assert data["checks"][0]["mode"] == "exhaustive"


def test_render_shows_each_counterexample_state_as_json() -> None:
    """The text report shows the problem, the day and the state as one JSON line."""
    example = Counterexample(problem="no route", state={"provider": "corner"}, as_of=AS_OF)
    text = _report(
        CheckResult(name="totality", ok=False, message="gap", counterexamples=(example,), evaluated=4)
    ).render()
    assert "FAIL totality: gap" in text
    assert '       state (as of 2026-11-24): {"provider": "corner"}' in text
    assert text.endswith("verdict: 1 check(s) failed: totality")


def test_a_report_without_the_proved_checks_is_not_exhaustive() -> None:
    """A report in which the state-based checks did not run (a pack that failed to load) is not exhaustive."""
    report = Report(rules="broken", results=(CheckResult(name="load", ok=False, message="refused"),))
    assert not report.exhaustive
    assert report.to_dict()["exhaustive"] is False
    assert "NOT exhaustive: no state checked" in report.render()


def test_a_report_whose_proved_checks_all_walked_every_class_is_exhaustive() -> None:
    """Exhaustive means: every proved check ran in exhaustive mode (differential/purity sample by design)."""
    proved = [CheckResult(name=name, ok=True, message="", mode="exhaustive") for name in PROVED_CHECKS]
    sampled = CheckResult(name="purity", ok=True, message="", mode="sampled")
    assert _report(*proved, sampled).exhaustive
    proved[0] = attrs.evolve(proved[0], mode="sampled")
    assert not _report(*proved, sampled).exhaustive


def test_a_fallback_says_which_walk_and_why() -> None:
    """A Fallback reads as the walk, its combinations and the budget; to_dict() gives the same as data."""
    fallback = Fallback(walk="the route rules' facts", combinations=5_760, max_classes=2)
    assert str(fallback) == "the route rules' facts: 5,760 combinations > max_classes 2"
    assert fallback.to_dict() == {"walk": "the route rules' facts", "combinations": 5760, "max_classes": 2}


def test_any_check_that_fell_back_makes_the_report_not_exhaustive_and_is_named() -> None:
    """A walk sampled for want of budget (even differential's): not exhaustive; the text says which, why."""
    proved = [CheckResult(name=name, ok=True, message="", mode="exhaustive") for name in PROVED_CHECKS]
    fallback = Fallback(walk="rule big's facts", combinations=10, max_classes=5)
    differential = CheckResult(
        name="differential", ok=True, message="", mode="sampled", fallbacks=(fallback,)
    )
    report = _report(*proved, differential)
    assert not report.exhaustive
    assert report.sampled == (differential,)
    assert report.to_dict()["checks"][-1]["fallbacks"] == [fallback.to_dict()]
    assert (
        "  differential sampled 1 walk(s) with Hypothesis instead: "
        "rule big's facts: 10 combinations > max_classes 5"
    ) in report.render().splitlines()


def test_a_counterexample_state_cannot_be_changed() -> None:
    """The state is read-only, nested objects and arrays included; to_dict() hands out plain JSON data."""
    state = {"provider": "jazz", "unused": {"data_mb": 1}, "services": [{"kind": "data"}]}
    example = Counterexample(problem="x", state=state)
    state["provider"] = "zong"  # the caller's dict is copied, not kept
    assert example.state is not None
    assert example.state["provider"] == "jazz"
    with pytest.raises(TypeError):
        example.state["provider"] = "zong"  # type: ignore[index]
    with pytest.raises(TypeError):
        example.state["unused"]["data_mb"] = 2
    with pytest.raises(AttributeError):
        example.state["services"].append({})
    data = example.to_dict()["state"]
    assert data == {"provider": "jazz", "unused": {"data_mb": 1}, "services": [{"kind": "data"}]}
    assert [type(data), type(data["unused"]), type(data["services"])] == [dict, dict, list]
    data["provider"] = "ufone"
    assert example.state["provider"] == "jazz"
