"""simcancel.analysis._state_checks: totality, route soundness, monotonicity, clearable, dead
rules, overlaps."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from pathlib import Path

import attrs
import pytest

from simcancel import RuleFileError, UserState, assess, default_rules, load_rules
from simcancel._facts import state_for
from simcancel._jsontext import MAX_JSON_BYTES
from simcancel._statespace import state_space
from simcancel.analysis import (
    CheckResult,
    check_clearable,
    check_dead_rules,
    check_monotonicity,
    check_overlaps,
    check_route_soundness,
    check_totality,
)
from simcancel.cli import main
from simcancel.model import MAX_SERVICES
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


def test_a_gap_from_a_later_date_is_found_and_dated(tmp_path: Path) -> None:
    """A fallback route that ends with 2026 leaves Corner Mobile without a route from 2027-01-01:
    totality walks that stretch too and names the day, in the problem and the counterexample."""
    result = check_totality(load_rules(broken_pack("expiring_fallback", tmp_path)), as_of=AS_OF)
    assert not result.ok
    example = result.counterexamples[0]
    assert (
        example.problem
        == "as of 2027-01-01: no route rule fires for provider 'corner': the state has no route"
    )
    assert example.as_of == dt.date(2027, 1, 1)
    assert example.state is not None
    assert example.state["provider"] == "corner"


def test_an_online_route_from_a_later_date_breaks_a24(tmp_path: Path) -> None:
    """Online for everyone from 2027 sends a provider of unknown online policy online: route
    soundness fails on the first day of that stretch."""
    result = check_route_soundness(load_rules(broken_pack("online_from_2027", tmp_path)), as_of=AS_OF)
    assert not result.ok
    problem = result.counterexamples[0].problem
    assert problem.startswith(
        "as of 2027-01-01: route-online-for-all recommends online where provider_online = unknown"
    )


def test_alternatives_must_fit_the_provider_and_the_person_too(tmp_path: Path) -> None:
    """Online and the store offered as alternatives to someone who can use neither fail route
    soundness, though the primary route (ask the provider) fits; assess() does offer them."""
    rules = load_rules(broken_pack("unsound_alternatives", tmp_path))
    result = check_route_soundness(rules, as_of=AS_OF)
    assert not result.ok
    example = result.counterexamples[0]
    assert "offers as an alternative" in example.problem
    assert example.state is not None
    offered = assess(UserState.from_json(json.dumps(example.to_dict()["state"])), rules=rules, as_of=AS_OF)
    assert {option.route.value for option in offered.alternatives} == {"online", "in_store"}


def test_a_blocking_issue_that_fires_for_every_state_is_not_clearable(tmp_path: Path) -> None:
    """A blocking rule that fires whatever the state fails clearable, with its file and line and a
    state it blocks."""
    result = check_clearable(load_rules(broken_pack("blocks_everyone", tmp_path)), as_of=AS_OF)
    assert (result.ok, result.mode) == (False, "exhaustive")
    problem = result.counterexamples[0].problem
    assert problem.startswith("blocking rule always-blocked (")
    assert problem.endswith("pitfalls.yaml:3) is cleared for none of all 1 classes of its facts")
    rules = load_rules(broken_pack("blocks_everyone", tmp_path / "again"))
    shown = result.counterexamples[0].to_dict()["state"]
    blocked = assess(UserState.from_json(json.dumps(shown)), rules=rules, as_of=AS_OF)
    assert "always-blocked" in {issue.code for issue in blocked.blocking}


def test_a_blocking_issue_pinned_to_a_provider_is_not_clearable_by_changing_provider(tmp_path: Path) -> None:
    """A blocking rule that fires for every state of one provider fails: the provider's policy is
    not a change a person can make, so each provider class is tried on its own."""
    pack = broken_pack("good", tmp_path)
    (pack / "pitfalls.yaml").write_text(
        "rules:\n  - id: corner-blocks\n    kind: blocking\n    claims: [A4]\n    stage: balance\n"
        "    when: {provider: corner}\n"
        '    message: {zh-CN: "不行。", en: "No."}\n    fix: {zh-CN: "换一家。", en: "Switch."}\n',
        encoding="utf-8",
    )
    result = check_clearable(load_rules(pack), as_of=AS_OF)
    assert not result.ok
    assert [example.problem.split(" (")[0] for example in result.counterexamples] == [
        "blocking rule corner-blocks"
    ]
    assert "is cleared with provider = corner (no one changes it)" in result.counterexamples[0].problem
    shown = result.counterexamples[0].state
    assert shown is not None
    assert shown["provider"] == "corner"
    blocked = assess(UserState.from_dict(shown), rules=load_rules(pack), as_of=AS_OF)
    assert "corner-blocks" in {issue.code for issue in blocked.blocking}


def test_shipped_blocking_issues_are_clearable() -> None:
    """Every shipped blocking rule can be cleared by some change of the state, proved exhaustively."""
    result = check_clearable(default_rules(), as_of=AS_OF)
    assert (result.ok, result.mode) == (True, "exhaustive"), result.counterexamples
    assert result.evaluated > 0


def test_a_rule_pinned_to_a_provider_its_policy_excludes_is_dead_not_latent(tmp_path: Path) -> None:
    """A rule pinned to a provider of the pack whose policy never lets it fire is dead: only a
    provider the pack lacks can make a rule latent."""
    result = check_dead_rules(load_rules(broken_pack("pinned_dead", tmp_path)), as_of=AS_OF)
    assert not result.ok
    assert result.counterexamples[0].problem.startswith("rule acme-in-person (")
    assert "latent" not in result.message


def _many_services_pack(tmp_path: Path, when: str) -> Path:
    pack = broken_pack("good", tmp_path)
    (pack / "routes.yaml").write_text(
        "rules:\n  - id: route-online\n    kind: route\n    route: online\n    priority: 30\n"
        f"    claims: [A7]\n    when: {when}\n"
        '    message: {zh-CN: "可以在线销户。", en: "Cancel online."}\n'
        "  - id: route-ask\n    kind: route\n    route: ask_provider\n    priority: 0\n"
        '    claims: [A24]\n    when: always\n    message: {zh-CN: "先问客服。", en: "Ask first."}\n',
        encoding="utf-8",
    )
    return pack


def test_a_counterexample_is_its_class_smallest_member_and_assess_accepts_its_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A finding at more than 9,000 services is shown with 9,001 (its class's smallest member), and
    the counterexample's JSON, pretty-printed to a file, is read by `simcancel assess`."""
    pack = _many_services_pack(tmp_path, "{active_services: {gt: 9000}}")
    result = check_route_soundness(load_rules(pack), as_of=AS_OF)
    assert not result.ok
    example = result.counterexamples[0]
    assert example.state is not None
    assert len(example.state["services"]) == 9001
    state_file = tmp_path / "state.json"
    state_file.write_text(json.dumps(example.to_dict()["state"], indent=2), encoding="utf-8")
    code = main(["assess", str(state_file), "--rules", str(pack), "--as-of", AS_OF.isoformat(), "--json"])
    assert code in (0, 1)  # assessed: 0 can cancel now, 1 something blocks (2 would be refused input)
    assert json.loads(capsys.readouterr().out)["route"]["route"] == "online"


def test_a_route_bounded_at_a_billion_services_is_refused_at_load(tmp_path: Path) -> None:
    """A state lists at most MAX_SERVICES services, so a rule comparing with a billion is refused
    with file and line before any state is built."""
    pack = _many_services_pack(tmp_path, "{active_services: {lt: 1000000000}}")
    with pytest.raises(RuleFileError, match=f"expected a constant from 0 to {MAX_SERVICES}"):
        load_rules(pack)


def test_the_largest_class_of_services_fits_in_an_assess_input() -> None:
    """A state with the most services the state space holds, pretty-printed, is within assess's cap."""
    facts = dict(state_space(default_rules()).base)
    facts.update(active_services=MAX_SERVICES, recurring_services=MAX_SERVICES)
    text = json.dumps(state_for(facts, AS_OF), indent=2)
    assert len(text.encode()) < MAX_JSON_BYTES
    assert len(UserState.from_json(text).services) == MAX_SERVICES


def _dated_overlap(tmp_path: Path, *, ask_until: str | None) -> Path:
    """overlapping_routes with route-in-store from 2027-01-01, route-ask until ``ask_until``."""
    pack = broken_pack("overlapping_routes", tmp_path)
    routes = pack / "routes.yaml"
    text = routes.read_text(encoding="utf-8")
    text = text.replace(
        "    when: {can_visit_store: true, provider_has_store: true}",
        "    effective_from: 2027-01-01\n    when: {can_visit_store: true, provider_has_store: true}",
    )
    if ask_until is not None:
        text = text.replace(
            "    claims: [A24]\n    when: always",
            f"    claims: [A24]\n    effective_until: {ask_until}\n    when: always",
        )
    routes.write_text(text, encoding="utf-8")
    return pack


def test_route_rows_whose_dates_never_meet_do_not_overlap(tmp_path: Path) -> None:
    """Equal priority, different routes, but one ends the day before the other starts: no overlap."""
    result = check_overlaps(load_rules(_dated_overlap(tmp_path, ask_until="2026-12-31")), as_of=AS_OF)
    assert result.ok, result.counterexamples


def test_an_overlap_from_a_later_day_is_shown_on_that_day(tmp_path: Path) -> None:
    """Rows that overlap only from 2027-01-01 fail, named with that day, the state dated that day."""
    result = check_overlaps(load_rules(_dated_overlap(tmp_path, ask_until=None)), as_of=AS_OF)
    assert not result.ok
    example = result.counterexamples[0]
    assert example.problem.startswith(
        "as of 2027-01-01: route-ask (ask_provider) and route-in-store (in_store)"
    )
    assert example.as_of == dt.date(2027, 1, 1)


@pytest.mark.parametrize("test", ["{eq: 365}", "{gte: 365, lte: 365}"])
def test_a_rule_on_exactly_a_year_held_is_not_dead(tmp_path: Path, test: str) -> None:
    """365 days held reads as 11 or 12 months by the day; a rule cutting days there still fires."""
    pack = broken_pack("good", tmp_path)
    (pack / "pitfalls.yaml").write_text(
        "rules:\n  - id: a-year-exactly\n    kind: warning\n    claims: [A4]\n"
        f"    when: {{days_held: {test}, activation_known: true}}\n"
        '    message: {zh-CN: "刚满一年。", en: "A year today."}\n',
        encoding="utf-8",
    )
    result = check_dead_rules(load_rules(pack), as_of=AS_OF)
    assert result.ok, result.counterexamples


def test_a_rule_on_a_year_and_a_day_held_with_twelve_months_is_not_dead(tmp_path: Path) -> None:
    """366 days held is 12 months on every day: a rule on both fires, as assess says it does."""
    pack = broken_pack("good", tmp_path)
    (pack / "pitfalls.yaml").write_text(
        "rules:\n  - id: a-year-and-a-day\n    kind: warning\n    claims: [A4]\n"
        "    when: {activation_known: true, months_held: {gte: 12}, days_held: {lt: 367}}\n"
        '    message: {zh-CN: "刚满一年。", en: "Just over a year."}\n',
        encoding="utf-8",
    )
    rules = load_rules(pack)
    result = check_dead_rules(rules, as_of=AS_OF)
    assert result.ok, result.counterexamples
    state = UserState.from_dict(state_for(dict(state_space(rules).base), AS_OF))
    held = attrs.evolve(state, activated_on=AS_OF - dt.timedelta(days=366))
    assert "a-year-and-a-day" in {issue.code for issue in assess(held, rules=rules, as_of=AS_OF).warnings}


def test_a_blocking_issue_from_a_later_day_is_shown_on_a_day_it_blocks(tmp_path: Path) -> None:
    """A clearable failure of a rule in effect only later shows its state on that day, which assess blocks."""
    pack = broken_pack("blocks_everyone", tmp_path)
    text = (pack / "pitfalls.yaml").read_text(encoding="utf-8")
    (pack / "pitfalls.yaml").write_text(
        text.replace("    when: always\n", "    effective_from: 2027-01-01\n    when: always\n"),
        encoding="utf-8",
    )
    rules = load_rules(pack)
    result = check_clearable(rules, as_of=AS_OF)
    assert not result.ok
    example = result.counterexamples[0]
    assert example.as_of == dt.date(2027, 1, 1)
    assert example.problem.startswith("as of 2027-01-01: blocking rule always-blocked (")
    assert example.state is not None
    blocked = assess(UserState.from_dict(example.state), rules=rules, as_of=example.as_of)
    assert "always-blocked" in {issue.code for issue in blocked.blocking}
