"""simcancel.analysis.verify / verify_paths: the shipped rules verify clean, and every broken
pack fails exactly the checks it is built to fail."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from simcancel import _compile, _decide, builtin_rules_path, default_rules
from simcancel._errors import Problem, RuleFileError
from simcancel._ruleset import Op, RuleSet
from simcancel._statespace import state_space
from simcancel.analysis import CHECKS, DEFAULT_MAX_CLASSES, Report, _verify, verify, verify_paths
from tests.packs import BROKEN_PACKS, broken_pack, freed_after

AS_OF = dt.date(2026, 11, 24)
BROKEN = {
    "overlapping_routes": {"overlaps"},
    "dead_rule": {"dead_rules"},
    "non_monotone": {"monotonicity"},
    "missing_locale_string": {"i18n"},
    "missing_question": {"i18n"},
    "no_claims": {"traceability"},
    "route_gap": {"totality"},
    "durable_differs": {"differential"},
    "too_many_groups": {"load"},
    "unsound_route": {"route_soundness"},
    "impure_order": {"purity"},
    "expiring_fallback": {"totality"},
    "online_from_2027": {"route_soundness"},
    "unsound_alternatives": {"route_soundness"},
    "blocking_after": {"stages"},
    "blocks_everyone": {"clearable"},
    "pinned_dead": {"dead_rules"},
    "sampled_gap": {"totality"},
}
"""Each broken pack and exactly the checks it fails."""

BUDGET = {"sampled_gap": 2}
"""Packs verified with a small ``max_classes``: their defect hides in a sampled walk."""

FAULTS = {"durable_differs", "impure_order"}
"""Packs that are valid and consistent on their own, and break a check with an injected fault."""


def _inject_faults(pack: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The faults some packs need (no valid pack shows them alone; see each pack's comment)."""
    if pack == "durable_differs":
        # A compiler off-by-one: `gt` emitted as durable's `$gte`.
        monkeypatch.setitem(_compile._DURABLE_OP, Op.GT, "$gte")
    elif pack == "impure_order":
        # A route order that drops its tie-break by rule id: equal-priority rows then
        # follow the order the rules happen to be in.
        monkeypatch.setattr(_decide, "route_order", lambda rule: (-rule.priority,))


@pytest.fixture(scope="module")
def builtin_report() -> Report:
    """One verification of the shipped rules, shared by the tests that read it."""
    return verify(default_rules(), as_of=AS_OF, samples=60)


def test_shipped_rules_verify_clean_and_exhaustively(builtin_report: Report) -> None:
    """The built-in rules pass every check, with no state-based check sampled."""
    assert builtin_report.ok, builtin_report.render()
    assert builtin_report.exhaustive
    assert builtin_report.classes == state_space(default_rules()).size > 100_000
    assert [result.name for result in builtin_report.results] == list(CHECKS)
    for name in ("totality", "route_soundness", "monotonicity", "clearable", "dead_rules"):
        assert builtin_report.result(name).mode == "exhaustive"
        assert builtin_report.result(name).evaluated > 0


@pytest.mark.parametrize(("pack", "failed"), sorted(BROKEN.items()))
def test_each_broken_pack_fails_exactly_its_checks(
    pack: str, failed: set[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """verify_paths on the pack fails exactly the expected checks, each with a counterexample."""
    _inject_faults(pack, monkeypatch)
    max_classes = BUDGET.get(pack, DEFAULT_MAX_CLASSES)
    report = verify_paths(broken_pack(pack, tmp_path), as_of=AS_OF, samples=30, max_classes=max_classes)
    assert set(report.failed) == failed, report.render()
    for name in failed:
        assert report.result(name).counterexamples


def test_loader_problems_are_filed_under_their_topic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each loader problem fails the check its topic names, in report order, whatever its message."""
    problems = [
        Problem(path="$.rules[0].message", message="a label", topic="traceability"),
        Problem(path="$.claims", message="a claim", topic="i18n"),
        Problem(path="$.name", message="a locale", topic="load"),
        Problem(path="$.rules[1]", message="no claims", topic="i18n"),
    ]

    def refuse(*directories: object) -> RuleSet:
        raise RuleFileError(problems)

    monkeypatch.setattr(_verify, "load_rules", refuse)
    report = verify_paths("pack", as_of=AS_OF)
    assert report.failed == ("load", "traceability", "i18n")
    assert len(report.result("i18n").counterexamples) == 2
    assert not report.exhaustive


def test_every_check_has_a_broken_pack_that_fails_only_it() -> None:
    """Each check the report prints (load included) is failed alone by some broken pack, and
    every broken pack fails exactly one check."""
    failed = {check for checks in BROKEN.values() for check in checks}
    assert failed == set(CHECKS)
    assert all(len(checks) == 1 for checks in BROKEN.values())
    assert sorted(BROKEN) == sorted(
        path.name for path in BROKEN_PACKS.iterdir() if path.is_dir() and path.name != "good"
    )


@pytest.mark.parametrize("pack", sorted(FAULTS))
def test_fault_packs_are_consistent_without_their_fault(pack: str, tmp_path: Path) -> None:
    """Without the injected fault the pack verifies clean: the fault is what the check catches."""
    report = verify_paths(broken_pack(pack, tmp_path), as_of=AS_OF, samples=30)
    assert report.ok, report.render()


def test_good_pack_verifies_clean(tmp_path: Path) -> None:
    """The minimal good pack passes every check exhaustively."""
    report = verify_paths(broken_pack("good", tmp_path), as_of=AS_OF, samples=30)
    assert report.ok, report.render()
    assert report.exhaustive


def test_too_many_classes_falls_back_to_sampling_and_says_so() -> None:
    """Past max_classes the checks sample with Hypothesis and the report is not exhaustive."""
    report = verify(default_rules(), as_of=AS_OF, max_classes=2, samples=20)
    # 20 samples may miss a rule that needs four facts at once: a sampled dead_rules finding
    # says so ("fires for none of 20 sampled states"); the proved answer is the exhaustive one.
    assert set(report.failed) <= {"dead_rules"}, report.render()
    assert not report.exhaustive
    totality = report.result("totality")
    assert totality.mode == "sampled"
    # One walk per stretch of the shipped rules' effective dates (they change on 2024-01-01
    # and 2026-06-05; 2026-11-24 is in the last stretch).
    assert [fallback.walk for fallback in totality.fallbacks] == [
        "the route rules' facts",
        "the route rules' facts, as of 2023-12-31",
        "the route rules' facts, as of 2024-01-01",
    ]
    assert totality.fallbacks[0].combinations > totality.fallbacks[0].max_classes == 2
    assert "totality" in {result.name for result in report.sampled}
    assert "NOT exhaustive" in report.render()
    assert "  totality sampled 3 walk(s) with Hypothesis instead: the route rules' facts: " in report.render()


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
    report = verify_paths(builtin_rules_path(), tmp_path / "my_pack", as_of=AS_OF, samples=20)
    assert report.ok, report.render()
    # The new policy makes the A11 advice fire: it is no longer latent.
    assert "in-person-required" not in report.result("dead_rules").message


def test_article_pack_alone_verifies_clean() -> None:
    """Switching the public facts off leaves a rule set that still verifies clean."""
    report = verify(default_rules(public_facts=False), as_of=AS_OF, samples=30)
    assert report.ok, report.render()


def test_a_pack_that_does_not_load_is_not_exhaustive(tmp_path: Path) -> None:
    """A refused pack reports no classes and exhaustive false: nothing was walked."""
    report = verify_paths(broken_pack("too_many_groups", tmp_path), as_of=AS_OF)
    assert (report.classes, report.exhaustive) == (0, False)
    assert report.to_dict()["exhaustive"] is False


def test_docs_table_lists_every_check_with_the_pack_that_breaks_it() -> None:
    """docs/verify.md's table of checks names every check once, with the broken pack that fails it."""
    text = (Path(__file__).parents[1] / "docs" / "verify.md").read_text(encoding="utf-8")
    section = text.split("## The checks", 1)[1].split("\n## ", 1)[0]
    rows = [line.split(" | ") for line in section.splitlines() if line.startswith("| `")]
    documented = {
        row[0].strip("| `"): {name for name in row[-1].split("`")[1::2] if not name.startswith("-")}
        for row in rows
    }
    assert list(documented) == list(CHECKS)
    expected: dict[str, set[str]] = {}
    for pack, checks in BROKEN.items():
        expected.setdefault(next(iter(checks)), set()).add(pack)
    assert documented == expected
    assert "DESIGN.md" not in text


def test_a_verified_rule_set_is_freed_when_no_one_holds_it() -> None:
    """verify's engine registrations and spaces do not keep the rule set alive."""
    assert freed_after(lambda rules: verify(rules, as_of=AS_OF))
