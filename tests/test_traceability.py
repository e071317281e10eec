"""The claims traceability report: coverage, problems, determinism, and the shipped pack."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest

from simcancel import Claim, Rule, RuleSet, builtin_rules_path, default_rules
from simcancel._ruleset import Always, RuleKind, claim_sort_key
from simcancel._traceability import CaseFile, build_report, load_cases

CASES = Path(__file__).parent / "cases"


def rule(rule_id: str, *claims: str, kind: RuleKind = RuleKind.ADVICE, line: int = 1) -> Rule:
    return Rule(
        id=rule_id,
        kind=kind,
        claims=claims,
        when=Always(),
        message={"en": rule_id},
        file="pack/rules.yaml",
        line=line,
    )


def ruleset(rules: list[Rule], claims: list[Claim]) -> RuleSet:
    return RuleSet(
        name="pack",
        version="1",
        locales=("en",),
        claims={claim.id: claim for claim in claims},
        rules=tuple(rules),
        providers={},
        labels={"en": {}},
    )


def case(name: str, *, claims: tuple[str, ...] = (), codes: tuple[str, ...] = ()) -> CaseFile:
    return CaseFile(name=name, claims=claims, codes=codes)


CLAIMS = [
    Claim(id="A1", text="Defines cancelling.", section="一", excuse="Not a condition."),
    Claim(id="A2", text="Cited and covered by a case's claims."),
    Claim(id="A10", text="Cited and covered by a case's expected code."),
    Claim(id="A3", text="Cited, but no case covers it."),
    Claim(id="A4", text="Neither cited nor excused."),
    Claim(id="B1", text="Excused, yet cited.", source="A newspaper", excuse="Out of scope."),
]
RULES = [
    rule("two", "A2", line=5),
    rule("ten", "A10", line=9),
    rule("three", "A3", "A9", kind=RuleKind.WARNING, line=14),
    rule("one", "B1", line=20),
]


def test_rows_follow_the_claims_in_natural_order() -> None:
    """Claims come in natural order (A2 before A10, A before B), each with its citing rules."""
    report = build_report(ruleset(RULES, CLAIMS), [])
    assert [row.claim.id for row in report.rows] == ["A1", "A2", "A3", "A4", "A10", "B1"]
    assert {row.claim.id: [r.id for r in row.rules] for row in report.rows} == {
        "A1": [],
        "A2": ["two"],
        "A3": ["three"],
        "A4": [],
        "A10": ["ten"],
        "B1": ["one"],
    }


def test_a_case_covers_claims_it_lists_and_claims_of_rules_it_expects() -> None:
    """A case covers a claim through its claims list or through an expected rule citing it."""
    report = build_report(
        ruleset(RULES, CLAIMS), [case("b.json", claims=("A2",)), case("a.json", codes=("ten", "two"))]
    )
    covered = {row.claim.id: row.cases for row in report.rows}
    assert covered == {"A1": (), "A2": ("a.json", "b.json"), "A3": (), "A4": (), "A10": ("a.json",), "B1": ()}


def test_every_kind_of_problem_is_reported() -> None:
    """Uncovered, cited-but-excused, case-less claims, unknown claims and codes are problems."""
    cases = [
        case("a.json", claims=("A2", "Z9"), codes=("ten", "gone")),
        CaseFile(name="broken.json", problems=("cannot read it as JSON: boom",)),
    ]
    report = build_report(ruleset(RULES, CLAIMS), cases)
    assert report.problems == (
        "A3: cited by rules, but no golden case covers it",
        "A4: no rule cites it and it has no excuse",
        "B1: has an excuse, yet rule(s) one cite it",
        "B1: cited by rules, but no golden case covers it",
        "rule three (pack/rules.yaml:14) cites unknown claim A9",
        "case a.json: unknown claim Z9",
        "case a.json: expects gone, which is not a rule of the pack",
        "case broken.json: cannot read it as JSON: boom",
    )
    markdown = report.to_markdown()
    assert "| problems | 8 |" in markdown
    assert "- A4: no rule cites it and it has no excuse" in markdown


def test_a_clean_pack_has_no_problems() -> None:
    """Cited claims covered by cases and excused claims give no problem and say None."""
    claims = [CLAIMS[0], CLAIMS[1]]
    report = build_report(ruleset([RULES[0]], claims), [case("a.json", codes=("two",))])
    assert report.problems == ()
    assert "## Problems\n\nNone.\n" in report.to_markdown()


def test_markdown_shows_claims_rules_cases_and_excuses() -> None:
    """Each claim section shows its text, source, excuse, rules with file:line, and cases."""
    report = build_report(ruleset(RULES, CLAIMS), [case("a.json", codes=("ten",))])
    markdown = report.to_markdown()
    assert "### A1 (§一)\n\nDefines cancelling.\n\n- Excused: Not a condition.\n" in markdown
    assert (
        "### A10\n\nCited and covered by a case's expected code.\n\n- Rules:\n"
        "  - `ten` (advice), pack/rules.yaml:9\n- Cases: `a.json`\n" in markdown
    )
    assert (
        "### A3\n\nCited, but no case covers it.\n\n- Rules:\n"
        "  - `three` (warning), pack/rules.yaml:14\n- Cases: **none**\n" in markdown
    )
    assert "### A4\n\nNeither cited nor excused.\n\n- Rules: **none** (and no excuse)\n" in markdown
    assert "Source: A newspaper" in markdown
    assert "| claims | 6 |" in markdown
    assert "| cited by rules | 4 |" in markdown
    assert "| excused | 1 |" in markdown
    assert markdown.endswith("\n")
    assert not markdown.endswith("\n\n")


def test_output_does_not_depend_on_input_order() -> None:
    """Shuffling rules, claims and cases gives the same bytes."""
    cases = [case("a.json", codes=("ten",)), case("b.json", claims=("A3",)), case("c.json", claims=("A2",))]
    expected = build_report(ruleset(RULES, CLAIMS), cases).to_markdown()
    shuffler = random.Random(7)
    for _ in range(10):
        rules, claims, some = list(RULES), list(CLAIMS), list(cases)
        for items in (rules, claims, some):
            shuffler.shuffle(items)
        assert build_report(ruleset(rules, claims), some).to_markdown() == expected


def test_load_cases_reads_claims_and_every_expected_code(tmp_path: Path) -> None:
    """Claims and the blocking, warning, advice and route codes are read; other keys ignored."""
    (tmp_path / "one.json").write_text(
        json.dumps(
            {
                "description": "x",
                "claims": ["A4"],
                "state": {},
                "expect": {
                    "blocking": ["b"],
                    "warnings": ["w"],
                    "advice": ["a"],
                    "route": "online",
                    "route_code": "r",
                    "alternatives": ["ask_provider"],
                },
            }
        ),
        encoding="utf-8",
    )
    (tmp_path / "notes.txt").write_text("not a case", encoding="utf-8")
    assert load_cases(tmp_path) == (case("one.json", claims=("A4",), codes=("b", "w", "a", "r")),)


def test_load_cases_turns_bad_files_into_problems(tmp_path: Path) -> None:
    """Unreadable JSON, a non-object, or wrongly typed fields become problems, not exceptions."""
    (tmp_path / "a.json").write_text("{oops", encoding="utf-8")
    (tmp_path / "b.json").write_text("[]", encoding="utf-8")
    (tmp_path / "c.json").write_text(
        json.dumps({"claims": "A4", "expect": {"blocking": [1], "route_code": 5}}), encoding="utf-8"
    )
    (tmp_path / "d.json").write_bytes(b"\xff\xfe")
    a, b, c, d = load_cases(tmp_path)
    assert a.problems[0].startswith("cannot read it as JSON: ")
    assert b.problems == ("expected a JSON object",)
    assert c.problems == (
        "$.claims: expected a list of claim ids",
        "$.expect.blocking: expected a list of rule ids",
        "$.expect.route_code: expected a rule id",
    )
    assert d.problems[0].startswith("cannot read it as JSON: ")


def test_load_cases_of_a_missing_directory_is_empty(tmp_path: Path) -> None:
    """No cases directory means no cases (an installed package has none)."""
    assert load_cases(tmp_path / "absent") == ()


def test_shipped_report_lists_every_claim_and_real_rule_lines() -> None:
    """For the built-in pack every claim appears, and each rule's file:line is its '- id:' line."""
    rules = default_rules()
    markdown = build_report(rules, load_cases(CASES)).to_markdown()
    headings = re.findall(r"^### (\S+)", markdown, flags=re.MULTILINE)
    assert headings == sorted(rules.claims, key=claim_sort_key)
    assert headings[:2] == ["A1", "A2"]
    assert headings[-1] == "B12"
    assert any(found.file.startswith("rules/public-facts/") for found in rules.rules)
    for found in rules.rules:
        assert f"`{found.id}` ({found.kind.value}), {found.file}:{found.line}" in markdown
        lines = (builtin_rules_path().parent / found.file).read_text(encoding="utf-8").splitlines()
        assert lines[found.line - 1].strip() == f"- id: {found.id}"


def test_shipped_report_has_no_absolute_paths() -> None:
    """The report names files relative to the pack, never where it is installed."""
    markdown = build_report(default_rules(), load_cases(CASES)).to_markdown()
    assert str(builtin_rules_path()) not in markdown
    assert str(Path.cwd()) not in markdown


@pytest.mark.parametrize("claim_id", sorted(default_rules().claims, key=claim_sort_key))
def test_every_shipped_claim_is_cited_or_excused(claim_id: str) -> None:
    """Each claim of the built-in pack is encoded by some rule or carries an excuse."""
    rules = default_rules()
    cited = any(claim_id in found.claims for found in rules.rules)
    assert cited or rules.claims[claim_id].excuse is not None
