"""``_decide.decide``: fired rule ids -> Assessment, on tiny rule packs written to tmp_path."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from simcancel import (
    NoRouteError,
    RouteKind,
    RuleSet,
    SimcancelError,
    Stage,
    UserState,
    assess,
    default_rules,
    load_rules,
)
from simcancel._decide import decide
from simcancel._facts import EngineValue, facts_for
from tests.packs import clean_state, report_labels

AS_OF = dt.date(2026, 11, 24)

MANIFEST = """\
name: tiny
version: "1.0"
locales: [en, zh-CN]
"""
CLAIMS = """\
claims:
  - {id: T1, text: "First test claim."}
  - {id: T2, text: "Second test claim."}
  - {id: T3, text: "Third test claim."}
"""
PROVIDER = """\
id: acme
name: Acme Mobile
kind: local_operator
online_cancellation: unknown
in_person_confirmation: unknown
channels: [store]
review_days: unknown
languages: unknown
sources:
  - title: "test fixture"
checked: 2026-01-01
"""
LABELS = {
    "en": 'labels:\n  document.passport_copy: "Passport copy"\n  document.sim_card: "SIM card"\n'
    + report_labels("en"),
    "zh-CN": 'labels:\n  document.passport_copy: "护照复印件"\n  document.sim_card: "电话卡"\n'
    + report_labels("zh-CN"),
}


def _route(  # noqa: PLR0913 (the optional fields of a YAML route rule, each with a default)
    rule_id: str,
    route: str,
    priority: int,
    *,
    when: str = "always",
    steps: tuple[str, ...] = ("go",),
    documents: str = "[]",
) -> str:
    lines = [
        f"  - id: {rule_id}",
        "    kind: route",
        f"    route: {route}",
        f"    priority: {priority}",
        "    claims: [T1]",
        f"    when: {when}",
        f'    message: {{en: "reason {rule_id}", zh-CN: "理由 {rule_id}"}}',
        f"    documents: {documents}",
        "    steps:" if steps else "    steps: []",
    ]
    lines.extend(f'      - {{en: "{step}", zh-CN: "步骤 {step}"}}' for step in steps)
    return "\n".join(lines) + "\n"


def _issue(  # noqa: PLR0913 (the optional fields of a YAML issue rule, each with a default)
    rule_id: str,
    kind: str,
    *,
    stage: str | None = None,
    when: str = "always",
    claims: str = "[T2]",
    extra: str = "",
) -> str:
    lines = [
        f"  - id: {rule_id}",
        f"    kind: {kind}",
        f"    claims: {claims}",
        f"    when: {when}",
        f'    message: {{en: "issue {rule_id}", zh-CN: "问题 {rule_id}"}}',
    ]
    if stage is not None:
        lines += [f"    stage: {stage}", f'    fix: {{en: "fix {rule_id}", zh-CN: "修复 {rule_id}"}}']
    if extra:
        lines.append(extra)
    return "\n".join(lines) + "\n"


def write_pack(root: Path, files: Mapping[str, str]) -> RuleSet:
    """Write a pack with the common manifest, claims, provider and labels, plus ``files``."""
    (root / "providers").mkdir(parents=True)
    (root / "locales").mkdir()
    (root / "ruleset.yaml").write_text(MANIFEST, encoding="utf-8")
    (root / "claims.yaml").write_text(CLAIMS, encoding="utf-8")
    (root / "providers" / "acme.yaml").write_text(PROVIDER, encoding="utf-8")
    for locale, text in LABELS.items():
        (root / "locales" / f"{locale}.yaml").write_text(text, encoding="utf-8")
    for name, rules in files.items():
        (root / name).write_text("rules:\n" + rules, encoding="utf-8")
    return load_rules(root)


def make_state(**changes: Any) -> UserState:
    """A clean acme state; ``changes`` replace top-level fields."""
    state = UserState.from_dict(clean_state(provider="acme"))
    return attrs.evolve(state, **changes)


def facts(rules: RuleSet, state: UserState | None = None, as_of: dt.date = AS_OF) -> dict[str, EngineValue]:
    """The engine facts of ``state`` (default: the clean one)."""
    state = make_state() if state is None else state
    return facts_for(state, rules.provider(state.provider), as_of)


def all_ids(rules: RuleSet) -> set[str]:
    """Every rule id of ``rules``: decide() as if all of them fired."""
    return {rule.id for rule in rules.rules}


def test_primary_route_is_the_highest_priority(tmp_path: Path) -> None:
    """The route rule with the highest priority is primary, whatever its place in the file."""
    rules = write_pack(
        tmp_path,
        {
            "routes.yaml": _route("low", "ask_provider", 10)
            + _route("high", "in_store", 50)
            + _route("mid", "online", 30)
        },
    )
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert result.route.code == "high"
    assert result.route.route is RouteKind.IN_STORE
    assert result.route.reason == "reason high"
    assert [option.code for option in result.alternatives] == ["mid", "low"]


def test_equal_priorities_are_ordered_by_rule_id(tmp_path: Path) -> None:
    """Two route rules of equal priority: the smaller rule id is primary (a stable tie-break)."""
    rules = write_pack(
        tmp_path, {"routes.yaml": _route("zeta", "online", 10) + _route("alpha", "in_store", 10)}
    )
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert result.route.code == "alpha"
    assert [option.code for option in result.alternatives] == ["zeta"]


def test_alternatives_keep_one_rule_per_route_kind(tmp_path: Path) -> None:
    """Alternatives skip the primary's kind and repeats of a kind, keeping the best-ranked rule."""
    rules = write_pack(
        tmp_path,
        {
            "routes.yaml": _route("r-online-50", "online", 50)
            + _route("r-store-40", "in_store", 40)
            + _route("r-online-30", "online", 30)
            + _route("r-ask-20", "ask_provider", 20)
            + _route("r-store-10", "in_store", 10)
        },
    )
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert result.route.code == "r-online-50"
    assert [(option.code, option.route) for option in result.alternatives] == [
        ("r-store-40", RouteKind.IN_STORE),
        ("r-ask-20", RouteKind.ASK_PROVIDER),
    ]
    # Only the chosen rules' claims count: r-online-30 and r-store-10 are dropped.
    assert result.claims == ("T1",)


def test_only_fired_rules_count(tmp_path: Path) -> None:
    """Rules whose ids did not fire contribute nothing, even at a higher priority."""
    rules = write_pack(
        tmp_path,
        {
            "routes.yaml": _route("best", "online", 90) + _route("fallback", "ask_provider", 0),
            "issues.yaml": _issue("silent", "warning"),
        },
    )
    result = decide(rules, {"fallback"}, facts(rules), locale="en", as_of=AS_OF)
    assert result.route.code == "fallback"
    assert result.alternatives == ()
    assert result.warnings == ()


def test_steps_follow_stage_order_and_route_steps_keep_theirs(tmp_path: Path) -> None:
    """Steps run arrears, balance, services, documents, route (in the rule's order), after."""
    issues = (
        _issue("z-after", "advice", stage="after")
        + _issue("y-documents", "advice", stage="documents")
        + _issue("x-services", "blocking", stage="services")
        + _issue("w-balance", "blocking", stage="balance")
        + _issue("v-arrears", "blocking", stage="arrears")
        + _issue("u-no-stage", "warning")
    )
    rules = write_pack(
        tmp_path,
        {
            "a.yaml": _route("go", "in_store", 1, steps=("third", "first", "second")),
            "b.yaml": issues,
        },
    )
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert [(step.stage, step.text) for step in result.steps] == [
        (Stage.ARREARS, "fix v-arrears"),
        (Stage.BALANCE, "fix w-balance"),
        (Stage.SERVICES, "fix x-services"),
        (Stage.DOCUMENTS, "fix y-documents"),
        (Stage.ROUTE, "third"),
        (Stage.ROUTE, "first"),
        (Stage.ROUTE, "second"),
        (Stage.AFTER, "fix z-after"),
    ]
    assert [step.code for step in result.steps if step.stage is Stage.ROUTE] == ["go"] * 3


def test_steps_of_one_stage_are_ordered_by_rule_id(tmp_path: Path) -> None:
    """Two fixes in the same stage come in rule id order, not file order."""
    rules = write_pack(
        tmp_path,
        {
            "a.yaml": _route("go", "online", 1, steps=()),
            "b.yaml": _issue("pay-b", "blocking", stage="arrears")
            + _issue("pay-a", "blocking", stage="arrears"),
        },
    )
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert [step.code for step in result.steps] == ["pay-a", "pay-b"]


def test_issues_order_ignores_file_and_rule_order(tmp_path: Path) -> None:
    """Issues come by stage, then rule id; shuffling files and rules changes nothing."""
    route = _route("go", "in_store", 1)
    issues = [
        _issue("m-blocking", "blocking", stage="documents"),
        _issue("a-blocking", "blocking", stage="documents"),
        _issue("b-blocking", "blocking", stage="arrears"),
        _issue("c-warning", "warning"),
        _issue("a-warning", "warning", stage="after"),
        _issue("b-advice", "advice"),
        _issue("a-advice", "advice"),
    ]
    forwards = write_pack(tmp_path / "forwards", {"1.yaml": route, "2.yaml": "".join(issues)})
    backwards = write_pack(tmp_path / "backwards", {"1.yaml": "".join(reversed(issues)), "2.yaml": route})
    results = [
        decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
        for rules in (forwards, backwards)
    ]
    assert results[0] == results[1]
    result = results[0]
    assert [issue.code for issue in result.blocking] == ["b-blocking", "a-blocking", "m-blocking"]
    assert [issue.code for issue in result.warnings] == ["a-warning", "c-warning"]
    assert [issue.code for issue in result.advice] == ["a-advice", "b-advice"]


@pytest.mark.parametrize(
    ("as_of", "applies"),
    [
        (dt.date(2023, 12, 31), False),
        (dt.date(2024, 1, 1), True),
        (dt.date(2024, 12, 31), True),
        (dt.date(2025, 1, 1), False),
    ],
)
def test_effective_dates_are_inclusive(tmp_path: Path, as_of: dt.date, applies: bool) -> None:
    """A rule counts from its effective_from through its effective_until, both days included."""
    dated = _issue(
        "dated",
        "warning",
        claims="[T3]",
        extra="    effective_from: 2024-01-01\n    effective_until: 2024-12-31",
    )
    rules = write_pack(tmp_path, {"r.yaml": _route("go", "online", 1) + dated})
    result = decide(rules, all_ids(rules), facts(rules, as_of=as_of), locale="en", as_of=as_of)
    assert ([issue.code for issue in result.warnings] == ["dated"]) is applies
    assert ("T3" in result.claims) is applies
    assert result.as_of == as_of


def test_a_route_out_of_effect_does_not_route(tmp_path: Path) -> None:
    """A route rule past its effective_until gives way to the next route."""
    expired = _route("old", "online", 90).rstrip("\n") + "\n    effective_until: 2020-12-31\n"
    rules = write_pack(tmp_path, {"r.yaml": expired + _route("new", "ask_provider", 1)})
    result = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    assert result.route.code == "new"
    assert result.alternatives == ()


def test_no_route_is_no_route_error(tmp_path: Path) -> None:
    """When no route rule fired, decide raises NoRouteError (a SimcancelError and LookupError)."""
    rules = write_pack(tmp_path, {"r.yaml": _route("go", "online", 1) + _issue("note", "advice")})
    with pytest.raises(NoRouteError, match="gives no route for provider 'acme'") as caught:
        decide(rules, {"note"}, facts(rules), locale="en", as_of=AS_OF)
    assert isinstance(caught.value, SimcancelError)
    assert isinstance(caught.value, LookupError)


def test_assess_reports_a_gap_as_no_route_error(tmp_path: Path) -> None:
    """Through assess(), a state no route rule matches is a NoRouteError, and the next call works."""
    rules = write_pack(tmp_path, {"r.yaml": _route("store", "in_store", 1, when="{can_visit_store: true}")})
    away = make_state(situation=attrs.evolve(make_state().situation, can_visit_store=False))
    with pytest.raises(NoRouteError):
        assess(away, rules=rules, locale="en", as_of=AS_OF)
    assert assess(make_state(), rules=rules, locale="en", as_of=AS_OF).route.code == "store"


def test_money_renders_as_pkr_with_two_decimals(tmp_path: Path) -> None:
    """Money placeholders and trigger facts show PKR with two decimals, from paisa in the engine."""
    owing = (
        "  - id: owes\n    kind: blocking\n    claims: [T2]\n    stage: arrears\n"
        "    when: {arrears: {gt: 0}}\n"
        '    message: {en: "owes PKR {arrears} to {provider}", zh-CN: "欠 {provider} {arrears} 卢比"}\n'
        '    fix: {en: "pay PKR {arrears}", zh-CN: "缴清 {arrears} 卢比"}\n'
    )
    rules = write_pack(tmp_path, {"r.yaml": _route("go", "online", 1) + owing})
    for amount, shown in [("0.01", "0.01"), ("10.5", "10.50"), ("1234567.89", "1234567.89"), ("7", "7.00")]:
        state = make_state(arrears=Decimal(amount))
        fact = facts(rules, state)
        assert fact["arrears"] == int(Decimal(amount) * 100)
        result = decide(rules, all_ids(rules), fact, locale="en", as_of=AS_OF)
        [issue] = result.blocking
        assert issue.message == f"owes PKR {shown} to Acme Mobile"
        assert issue.fix == f"pay PKR {shown}"
        assert issue.facts == (("arrears", shown),)
        assert result.steps[0].text == f"pay PKR {shown}"
        chinese = decide(rules, all_ids(rules), fact, locale="zh-CN", as_of=AS_OF)
        assert chinese.blocking[0].message == f"欠 Acme Mobile {shown} 卢比"


def test_texts_and_labels_follow_the_locale(tmp_path: Path) -> None:
    """The same fired rules render in each locale, with the documents' labels of that locale."""
    rules = write_pack(tmp_path, {"r.yaml": _route("go", "online", 1, documents="[passport_copy, sim_card]")})
    english = decide(rules, all_ids(rules), facts(rules), locale="en", as_of=AS_OF)
    chinese = decide(rules, all_ids(rules), facts(rules), locale="zh-CN", as_of=AS_OF)
    assert [(doc.id, doc.name) for doc in english.documents] == [
        ("passport_copy", "Passport copy"),
        ("sim_card", "SIM card"),
    ]
    assert [doc.name for doc in chinese.documents] == ["护照复印件", "电话卡"]
    assert english.route.reason == "reason go"
    assert chinese.route.reason == "理由 go"
    assert [step.text for step in chinese.steps] == ["步骤 go"]
    assert english.ruleset == chinese.ruleset == "tiny@1.0"
    assert english.provider == "acme"


GAP_SCRIPT = """
import datetime as dt, sys
import attrs
sys.path.insert(0, sys.argv[1])
from test_decide import make_state, write_pack, _route
from simcancel import NoRouteError, assess
from pathlib import Path
rules = write_pack(Path(sys.argv[2]), {"r.yaml": _route("store", "in_store", 1,
                                                        when="{can_visit_store: true}")})
away = make_state(situation=attrs.evolve(make_state().situation, can_visit_store=False))
for _ in range(300):
    try:
        assess(away, rules=rules, locale="en", as_of=dt.date(2026, 1, 1))
    except NoRouteError:
        pass
    assess(make_state(), rules=rules, locale="en", as_of=dt.date(2026, 1, 1))
print("survived")
"""


def test_states_no_rule_matches_do_not_crash_the_process(tmp_path: Path) -> None:
    """A state that fires no rule at all is evaluated and cleaned up without crashing durable.

    durable 2.0.28 frees an invalid pointer when a session in which no action ran is
    deleted; whether that aborts depends on heap layout, so it runs in a fresh process
    with the imports a user has.
    """
    done = subprocess.run(
        [sys.executable, "-c", GAP_SCRIPT, str(Path(__file__).parent), str(tmp_path / "pack")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"


def test_the_lock_message_names_the_day_it_lifts() -> None:
    """The one-year-lock route says the calendar day the lock lifts: as_of plus the days left (B6)."""
    from simcancel import assess

    state = UserState.from_dict(clean_state(activated_on="2025-11-25"))
    for locale, said in (("en", "the lock lifts on 2026-11-25"), ("zh-CN", "即到 2026-11-25 才满一年")):
        result = assess(state, locale=locale, as_of=dt.date(2026, 11, 24))
        assert result.route.code == "route-ask-one-year-lock"
        assert said in result.route.reason
    later = assess(state, locale="en", as_of=dt.date(2026, 6, 30))
    assert "the lock lifts on 2026-11-25" in later.route.reason


def test_one_fired_set_on_days_in_and_out_of_effect(tmp_path: Path) -> None:
    """The same fired ids on alternate days keep or drop a dated rule each time (no stale shape)."""
    dated = _issue(
        "dated", "warning", extra="    effective_from: 2024-01-01\n    effective_until: 2024-12-31"
    )
    rules = write_pack(tmp_path, {"r.yaml": _route("go", "online", 1) + dated})
    fired = frozenset(all_ids(rules))
    for as_of, applies in [(dt.date(2024, 6, 1), True), (dt.date(2025, 6, 1), False)] * 2:
        result = decide(rules, fired, facts(rules, as_of=as_of), locale="en", as_of=as_of)
        assert [issue.code for issue in result.warnings] == (["dated"] if applies else [])


def test_unchecked_constructors_build_what_the_public_ones_build() -> None:
    """decide's unchecked objects equal, hash and hold the same field types as validated copies."""
    state = UserState.from_dict({**clean_state(provider="jazz"), "arrears": "12.50", "balance": "3"})
    result = assess(state, rules=default_rules(), locale="en", as_of=AS_OF)
    objects: list[Any] = [result, result.route, *result.alternatives, *result.steps]
    objects += [*result.blocking, *result.warnings, *result.advice]
    assert result.blocking
    assert result.steps
    for made in objects:
        public = type(made)(**{field.name: getattr(made, field.name) for field in attrs.fields(type(made))})
        assert made == public
        assert hash(made) == hash(public)
        for field in attrs.fields(type(made)):
            assert type(getattr(made, field.name)) is type(getattr(public, field.name)), field.name
