"""The claims traceability report: per claim, the rules citing it and the cases covering it.

``docs/traceability.md`` is this report for the built-in rules and ``tests/cases``;
``simcancel traceability --check`` fails when the file is stale, so it cannot drift.
The output depends only on its inputs (sorted, no timestamps, paths as given), so the
same rules and cases always give the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from simcancel._ruleset import Claim, Rule, RuleSet, claim_sort_key

__all__ = ["CaseFile", "ClaimRow", "TraceabilityReport", "build_report", "load_cases"]

_CODE_LISTS = ("blocking", "warnings", "advice")


@attrs.frozen(kw_only=True)
class CaseFile:
    """What the report needs from one golden case: its name, claims and expected codes."""

    name: str
    """The file name inside the cases directory (``a4-balance.json``)."""
    claims: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    """Every rule id the case expects: blocking, warnings, advice and the route code."""
    problems: tuple[str, ...] = ()
    """Why (part of) the file could not be read; the report lists these."""


def _strings(value: object) -> tuple[str, ...] | None:
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return tuple(value)
    return None


def _read_case(name: str, data: Any) -> CaseFile:
    if not isinstance(data, dict):
        return CaseFile(name=name, problems=("expected a JSON object",))
    problems: list[str] = []
    claims = _strings(data.get("claims", []))
    if claims is None:
        problems.append("$.claims: expected a list of claim ids")
    expect = data.get("expect")
    codes: list[str] = []
    if not isinstance(expect, dict):
        problems.append("$.expect: expected an object")
    else:
        for key in _CODE_LISTS:
            found = _strings(expect.get(key, []))
            if found is None:
                problems.append(f"$.expect.{key}: expected a list of rule ids")
            else:
                codes.extend(found)
        route_code = expect.get("route_code")
        if isinstance(route_code, str):
            codes.append(route_code)
        elif route_code is not None:
            problems.append("$.expect.route_code: expected a rule id")
    return CaseFile(name=name, claims=claims or (), codes=tuple(codes), problems=tuple(problems))


def load_cases(directory: str | Path) -> tuple[CaseFile, ...]:
    """Read every ``*.json`` golden case in ``directory`` (none if it does not exist), by name."""
    folder = Path(directory)
    if not folder.is_dir():
        return ()
    cases = []
    for path in sorted(folder.glob("*.json")):
        try:
            data = json.loads(path.read_bytes())
        except (OSError, UnicodeDecodeError, ValueError) as error:
            cases.append(CaseFile(name=path.name, problems=(f"cannot read it as JSON: {error}",)))
            continue
        cases.append(_read_case(path.name, data))
    return tuple(cases)


@attrs.frozen(kw_only=True)
class ClaimRow:
    """One claim with what covers it."""

    claim: Claim
    rules: tuple[Rule, ...]
    """The rules citing it, by file and line."""
    cases: tuple[str, ...]
    """The golden cases covering it, by name."""


@attrs.frozen(kw_only=True)
class TraceabilityReport:
    """Claims, their rules and cases, and the problems found."""

    ruleset: str
    cases_dir: str
    rows: tuple[ClaimRow, ...]
    rule_count: int
    case_count: int
    problems: tuple[str, ...]

    def to_markdown(self) -> str:
        """The report as Markdown, ending with one newline."""
        return _markdown(self)


def _covering_cases(
    claim_id: str, cases: Sequence[CaseFile], citing: Mapping[str, frozenset[str]]
) -> tuple[str, ...]:
    return tuple(
        case.name
        for case in cases
        if claim_id in case.claims or citing.get(claim_id, frozenset()) & set(case.codes)
    )


def build_report(
    rules: RuleSet, cases: Iterable[CaseFile], *, cases_dir: str = "tests/cases"
) -> TraceabilityReport:
    """Cross the claims register with the rules citing each claim and the cases covering it."""
    case_list = sorted(cases, key=lambda case: case.name)
    by_claim: dict[str, list[Rule]] = {}
    for rule in rules.rules:
        for claim_id in rule.claims:
            by_claim.setdefault(claim_id, []).append(rule)
    citing = {claim_id: frozenset(rule.id for rule in cited) for claim_id, cited in by_claim.items()}
    rule_ids = {rule.id for rule in rules.rules}

    problems: list[str] = []
    rows = []
    for claim_id in sorted(rules.claims, key=claim_sort_key):
        claim = rules.claims[claim_id]
        cited = tuple(sorted(by_claim.get(claim_id, ()), key=lambda rule: (rule.file, rule.line, rule.id)))
        covering = _covering_cases(claim_id, case_list, citing)
        rows.append(ClaimRow(claim=claim, rules=cited, cases=covering))
        if not cited and claim.excuse is None:
            problems.append(f"{claim_id}: no rule cites it and it has no excuse")
        if cited and claim.excuse is not None:
            problems.append(
                f"{claim_id}: has an excuse, yet rule(s) {', '.join(rule.id for rule in cited)} cite it"
            )
        if cited and not covering:
            problems.append(f"{claim_id}: cited by rules, but no golden case covers it")
    problems.extend(
        f"rule {rule.id} ({rule.file}:{rule.line}) cites unknown claim {claim_id}"
        for rule in sorted(rules.rules, key=lambda rule: rule.id)
        for claim_id in rule.claims
        if claim_id not in rules.claims
    )
    for case in case_list:
        problems.extend(f"case {case.name}: {problem}" for problem in case.problems)
        problems.extend(
            f"case {case.name}: unknown claim {claim_id}"
            for claim_id in case.claims
            if claim_id not in rules.claims
        )
        problems.extend(
            f"case {case.name}: expects {code}, which is not a rule of the pack"
            for code in dict.fromkeys(case.codes)
            if code not in rule_ids
        )
    return TraceabilityReport(
        ruleset=rules.label,
        cases_dir=cases_dir,
        rows=tuple(rows),
        rule_count=len(rules.rules),
        case_count=len(case_list),
        problems=tuple(problems),
    )


def _heading(claim: Claim) -> str:
    return f"### {claim.id} (§{claim.section})" if claim.section else f"### {claim.id}"


def _markdown(report: TraceabilityReport) -> str:
    rows = report.rows
    by_rules = sum(1 for row in rows if row.rules)
    excused = sum(1 for row in rows if not row.rules and row.claim.excuse is not None)
    uncovered = sum(1 for row in rows if not row.rules and row.claim.excuse is None)
    without_case = sum(1 for row in rows if row.rules and not row.cases)
    lines = [
        "# Claims traceability",
        "",
        (
            f"Generated by `simcancel traceability` from the rule set `{report.ruleset}` and the "
            f"golden cases in `{report.cases_dir}`. Do not edit: `make traceability` regenerates "
            "it and `make test` fails when it is stale."
        ),
        "",
        (
            "A case covers a claim when its `claims` list it, or when it expects an issue or "
            "route of a rule citing it."
        ),
        "",
        "## Summary",
        "",
        "| | count |",
        "|---|---:|",
        f"| claims | {len(rows)} |",
        f"| cited by rules | {by_rules} |",
        f"| excused | {excused} |",
        f"| neither cited nor excused | {uncovered} |",
        f"| cited by rules, covered by no case | {without_case} |",
        f"| rules | {report.rule_count} |",
        f"| golden cases | {report.case_count} |",
        f"| problems | {len(report.problems)} |",
        "",
        "## Problems",
        "",
    ]
    lines.extend(f"- {problem}" for problem in report.problems)
    if not report.problems:
        lines.append("None.")
    lines.extend(["", "## Claims"])
    for row in rows:
        lines.extend(["", _heading(row.claim), "", row.claim.text])
        if row.claim.source:
            lines.extend(["", f"Source: {row.claim.source}"])
        lines.append("")
        if row.claim.excuse is not None:
            lines.append(f"- Excused: {row.claim.excuse}")
        if row.rules:
            lines.append("- Rules:")
            lines.extend(
                f"  - `{rule.id}` ({rule.kind.value}), {rule.file}:{rule.line}" for rule in row.rules
            )
        elif row.claim.excuse is None:
            lines.append("- Rules: **none** (and no excuse)")
        if row.cases:
            lines.append(f"- Cases: {', '.join(f'`{name}`' for name in row.cases)}")
        elif row.rules:
            lines.append("- Cases: **none**")
    return "\n".join(lines) + "\n"
