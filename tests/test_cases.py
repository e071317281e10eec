"""Golden cases: each ``tests/cases/*.json`` state must give exactly the expected assessment.

The format is described in ``docs/contributing.md``.  A case may name extra
rule packs (``"packs"``, directories relative to ``tests/cases``) that add test-only
providers, for the policies no shipped provider has.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from simcancel import Assessment, RuleSet, UserState, assess, builtin_rules_path, default_rules, load_rules

CASES_DIR = Path(__file__).parent / "cases"
CASE_FILES = sorted(CASES_DIR.glob("*.json"))
CASE_IDS = [path.stem for path in CASE_FILES]

REQUIRED_KEYS = {"description", "claims", "as_of", "locale", "state", "expect"}
OPTIONAL_KEYS = {"packs"}
EXPECT_KEYS = {
    "can_cancel_now",
    "blocking",
    "warnings",
    "advice",
    "route",
    "route_code",
    "alternatives",
    "documents",
    "stages",
}


def _load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


@functools.cache
def _rules(packs: tuple[str, ...]) -> RuleSet:
    # Cached so each combination of packs is compiled into durable once per run.
    if not packs:
        return default_rules()
    return load_rules(builtin_rules_path(), *(CASES_DIR / pack for pack in packs))


def _case_rules(case: dict[str, Any]) -> RuleSet:
    return _rules(tuple(case.get("packs", ())))


def _observed(result: Assessment) -> dict[str, Any]:
    return {
        "can_cancel_now": result.can_cancel_now,
        "blocking": [issue.code for issue in result.blocking],
        "warnings": [issue.code for issue in result.warnings],
        "advice": [issue.code for issue in result.advice],
        "route": result.route.route.value,
        "route_code": result.route.code,
        "alternatives": [option.route.value for option in result.alternatives],
        "documents": [document.id for document in result.documents],
        "stages": [step.stage.value for step in result.steps],
    }


def _run(case: dict[str, Any]) -> Assessment:
    return assess(
        UserState.from_dict(case["state"]),
        rules=_case_rules(case),
        locale=case["locale"],
        as_of=dt.date.fromisoformat(case["as_of"]),
    )


def test_there_are_golden_cases() -> None:
    """The case directory is found and holds cases (an empty glob would pass everything)."""
    assert len(CASE_FILES) >= 20


@pytest.mark.parametrize("path", CASE_FILES, ids=CASE_IDS)
def test_case_file_shape(path: Path) -> None:
    """Each case file has exactly the documented keys, with values of the documented form."""
    case = _load(path)
    assert REQUIRED_KEYS <= set(case) <= REQUIRED_KEYS | OPTIONAL_KEYS
    assert set(case["expect"]) == EXPECT_KEYS
    description = case["description"]
    assert isinstance(description, str)
    assert description.strip()
    assert "\n" not in description
    rules = _case_rules(case)
    assert case["claims"], "a case demonstrates at least one claim"
    assert all(claim in rules.claims for claim in case["claims"])
    assert len(set(case["claims"])) == len(case["claims"])
    assert case["locale"] in rules.locales
    dt.date.fromisoformat(case["as_of"])
    for key in EXPECT_KEYS - {"can_cancel_now", "route", "route_code"}:
        assert isinstance(case["expect"][key], list), key
    assert isinstance(case["expect"]["can_cancel_now"], bool)


@pytest.mark.parametrize("path", CASE_FILES, ids=CASE_IDS)
def test_case_gives_expected_assessment(path: Path) -> None:
    """The assessment of the case's state matches every expected list exactly, in order."""
    case = _load(path)
    result = _run(case)
    assert _observed(result) == case["expect"]
    assert result.locale == case["locale"]
    assert result.as_of == dt.date.fromisoformat(case["as_of"])


@pytest.mark.parametrize("path", CASE_FILES, ids=CASE_IDS)
def test_case_demonstrates_its_claims(path: Path) -> None:
    """Every claim a case lists is cited by a rule that is part of its assessment."""
    case = _load(path)
    result = _run(case)
    missing = set(case["claims"]) - set(result.claims)
    assert not missing, f"{path.name} lists claims its assessment does not rest on: {missing}"


def test_cases_cover_every_claim() -> None:
    """The cases together demonstrate exactly the claims the built-in rules must cover."""
    rules = default_rules()
    required = {claim.id for claim in rules.claims.values() if claim.excuse is None}
    covered = {claim for path in CASE_FILES for claim in _load(path)["claims"]}
    assert covered == required


def test_cases_exercise_every_rule() -> None:
    """Every built-in rule is the code of some expected issue or primary route of a case."""
    seen: set[str] = set()
    for path in CASE_FILES:
        expect = _load(path)["expect"]
        seen.update(expect["blocking"], expect["warnings"], expect["advice"])
        seen.add(expect["route_code"])
    assert {rule.id for rule in default_rules().rules} - seen == set()


def test_cases_cover_both_locales_and_the_b2_date() -> None:
    """Cases run in every locale, and on both sides of B2's effective date (2024-01-01)."""
    cases = [_load(path) for path in CASE_FILES]
    assert {case["locale"] for case in cases} == set(default_rules().locales)
    start = dt.date(2024, 1, 1)
    dates = {dt.date.fromisoformat(case["as_of"]) for case in cases}
    assert any(day < start for day in dates)
    assert start in dates
