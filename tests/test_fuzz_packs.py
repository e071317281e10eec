"""Random rule packs: the short run of ``make fuzz``'s pack fuzz, and its own machinery.

The long run is ``python -m tests.fuzz_packs --minutes 14`` (``make fuzz``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.errors import InvalidArgument

import simcancel
from simcancel.analysis import check_purity
from tests import fuzz_packs
from tests.fuzz_packs import Job, Tally, Worker
from tests.pack_strategies import DEFECTS, RandomPack, conditions, measure, rule_packs, texts
from tests.packs import clean_state, minimal_pack


@pytest.fixture(scope="module")
def worker() -> Iterator[Worker]:
    """One worker process for the module, stopped at its end."""
    found = Worker()
    yield found
    found.close()


def test_a_few_random_packs_load_verify_assess_and_render(worker: Worker, tmp_path: Path) -> None:
    """A few random packs go through load, verify, assess (durable = reference) and render."""
    tally = Tally()
    fuzz_packs.fuzz_packs(
        examples=6, max_rules=6, max_states=4, worker=worker, tally=tally, work=tmp_path, derandomize=True
    )
    print(tally.summary())
    assert tally.counts["packs generated"] >= 6
    assert tally.counts["verified"] == tally.counts["packs generated"]
    assert not tally.failures
    assert not tally.hangs
    assert not tally.crashes


@settings(max_examples=15, deadline=None)
@given(rule_packs(max_rules=4, defects=st.just(False)))
def test_a_pack_without_defects_loads(tmp_path_factory: pytest.TempPathFactory, pack: RandomPack) -> None:
    """Every pack drawn without a defect (and within durable's limits) loads."""
    directory = pack.write(tmp_path_factory.mktemp("pack"))
    if pack.defect is None:
        rules = simcancel.load_rules(*pack.directories(directory))
        assert set(rules.providers) == set(pack.providers)
        assert rules.locales == pack.all_locales


@settings(max_examples=len(DEFECTS), deadline=None)
@given(rule_packs(max_rules=3, defects=st.just(True)))
def test_a_pack_with_a_defect_is_refused(tmp_path_factory: pytest.TempPathFactory, pack: RandomPack) -> None:
    """Every defect the strategy puts in makes the loader refuse the pack with a RuleFileError."""
    directory = pack.write(tmp_path_factory.mktemp("pack"))
    with pytest.raises(simcancel.RuleFileError):
        simcancel.load_rules(*pack.directories(directory))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("always", (1, 0)),
        ({"plan": "prepaid"}, (1, 0)),
        ({"plan": "prepaid", "balance": {"gt": 0, "lt": 5}}, (3, 1)),
        ({"unused_sms": {"in": [1, 2, 3]}}, (3, 1)),
        ({"any": [{"plan": "prepaid"}, "always"]}, (2, 1)),
    ],
)
def test_measure_counts_tests_and_groups_as_the_loader_does(when: Any, expected: tuple[int, int]) -> None:
    """measure() counts a condition's tests and all/any groups as _limits does for the loaded rule."""
    assert measure(when) == expected


@pytest.mark.parametrize(
    "strategy",
    [
        rule_packs(max_rules=0),
        rule_packs(max_rules=True),
        rule_packs(defects=True),  # type: ignore[arg-type]
        rule_packs(locales=("en",)),  # type: ignore[arg-type]
        conditions(max_depth=9),
        conditions(providers=("jazz",)),  # type: ignore[arg-type]
        texts(locales=["en"]),  # type: ignore[arg-type]
    ],
)
def test_bad_arguments_are_refused_when_the_test_runs(strategy: st.SearchStrategy[Any]) -> None:
    """A bad argument builds a strategy; drawing from it raises InvalidArgument, as Hypothesis does."""

    @settings(max_examples=1, database=None)
    @given(strategy)
    def draw(value: Any) -> None:
        raise AssertionError("unreachable")

    with pytest.raises(InvalidArgument):
        draw()


def test_a_phase_past_its_timeout_is_reported_as_a_hang_and_the_worker_replaced(tmp_path: Path) -> None:
    """A phase that outlives its timeout is a hang in that phase; the next pack gets a new worker."""
    pack = minimal_pack(tmp_path / "pack")
    job = Job(directories=(str(pack),), defect=None, states=())
    hanging = Worker(timeouts=dict.fromkeys(fuzz_packs.PHASES, 0.0))
    try:
        outcome = hanging.run(job)
        assert outcome.hung in ("start", *fuzz_packs.PHASES)
        hanging.timeouts = dict(fuzz_packs.TIMEOUTS)
        again = hanging.run(job)
        assert again.hung is None
        assert again.counts["loaded"] == 1
        assert hanging.started == 2
    finally:
        hanging.close()


def test_a_refused_valid_pack_is_a_failure(worker: Worker, tmp_path: Path) -> None:
    """A pack said to have no defect that the loader refuses is reported as a failure."""
    pack = minimal_pack(tmp_path / "pack", {"bad.yaml": "rules: [{id: x}]\n"})
    outcome = worker.run(Job(directories=(str(pack),), defect=None, states=()))
    assert [failure.what for failure in outcome.failures] == ["a pack without a defect was refused"]


def test_states_are_assessed_and_rendered(worker: Worker, tmp_path: Path) -> None:
    """Each state is assessed (durable and reference) and rendered; the first also with what_if."""
    pack = minimal_pack(tmp_path / "pack")
    state = simcancel.UserState.from_dict(clean_state(provider="other")).to_dict()
    day = dt.date(2026, 11, 24)
    outcome = worker.run(
        Job(directories=(str(pack),), defect=None, states=((state, day, "en"), (state, day, "zh-CN")))
    )
    assert not outcome.failures
    assert outcome.counts["states assessed"] == outcome.counts["rendered"] == 2
    assert outcome.counts["what-ifs"] == outcome.counts["what-ifs rendered"] == 1


# --- what the pack fuzz found ----------------------------------------------------------------


def test_more_services_than_the_bound_are_refused() -> None:
    """A state lists at most MAX_SERVICES services: more is an InvalidStateError, so no count
    past the state space's last class can reach the rules."""
    from simcancel.model import MAX_SERVICES

    many = [{"kind": "data", "active": True, "recurring": True}] * (MAX_SERVICES + 1)
    with pytest.raises(simcancel.InvalidStateError, match=f"expected at most {MAX_SERVICES} services"):
        simcancel.UserState.from_dict(clean_state(services=many))


def test_a_service_count_past_the_bound_is_refused_by_the_loader(tmp_path: Path) -> None:
    """A constant above MAX_SERVICES for a service count is a RuleFileError naming the bound."""
    rule = (
        "rules:\n  - {id: many, kind: warning, claims: [A1], when: {active_services: {gte: 20000}},\n"
        "     message: {zh-CN: 多, en: many}}\n"
    )
    pack = minimal_pack(tmp_path / "pack", {"many.yaml": rule})
    with pytest.raises(
        simcancel.RuleFileError, match=r"expected a constant from 0 to 10000 for fact 'active_services'"
    ):
        simcancel.load_rules(pack)


def test_verify_writes_counterexamples_at_the_top_service_count(tmp_path: Path) -> None:
    """A rule on the highest service count verifies, with counterexample states one can list."""
    # Found by the pack fuzz: recurring_services: {lt: 1000000000} made verify write a
    # counterexample state with 10^9 services (it never finished).
    from simcancel.analysis import verify
    from simcancel.model import MAX_SERVICES

    rule = (
        "rules:\n  - {id: few, kind: route, route: online, priority: 5, claims: [A1],\n"
        f"     when: {{recurring_services: {{lt: {MAX_SERVICES}}}}}, message: {{zh-CN: 少, en: few}}}}\n"
    )
    rules = simcancel.load_rules(minimal_pack(tmp_path / "pack", {"few.yaml": rule}))
    report = verify(rules, as_of=dt.date(2026, 11, 24))
    states = [
        example.state
        for result in report.results
        for example in result.counterexamples
        if example.state is not None
    ]
    assert states
    assert all(len(state["services"]) <= MAX_SERVICES for state in states if "services" in state)


def test_a_durable_hang_in_create_ruleset_is_reported_as_a_hang_in_compile(tmp_path: Path) -> None:
    """A rule set past durable's 512 alpha-node children is a hang in compile, not a hung run."""
    # 200 rules of three distinct tests each load (the loader counts rules, not alpha nodes)
    # and durable's create_ruleset never returns; once the loader checks that limit the pack
    # is refused instead, which is what its defect says to expect.
    rules = ["rules:"]
    for index in range(200):
        tests = ", ".join(f"{{unused_sms: {value}}}" for value in range(3 * index, 3 * index + 3))
        rules.append(
            f"  - {{id: r{index}, kind: warning, claims: [A1], when: {{any: [{tests}]}},"
            " message: {zh-CN: x, en: x}}"
        )
    pack = minimal_pack(tmp_path / "pack", {"many.yaml": "\n".join(rules) + "\n"})
    hanging = Worker(timeouts={**fuzz_packs.TIMEOUTS, "compile": 5.0})
    try:
        outcome = hanging.run(
            Job(directories=(str(pack),), defect="past durable's alpha-node limit", states=())
        )
    finally:
        hanging.close()
    if outcome.hung is None:
        assert outcome.counts.get("refused") == 1
        assert not outcome.failures
    else:
        assert outcome.hung == "compile"


@pytest.mark.parametrize("text", ["1e100", "0x10", "null", "true", "2025-01-01", ".inf"])
def test_a_text_yaml_1_2_reads_as_another_type_is_written_quoted(tmp_path: Path, text: str) -> None:
    """A drawn text that YAML 1.2 would read as a number, null, bool or date is written quoted."""
    pack = RandomPack(files={"x.yaml": {"text": text, "plain": "ok"}}, providers=(), locales=(), days=())
    written = (pack.write(tmp_path) / "x.yaml").read_text(encoding="utf-8")
    assert f'text: "{text}"' in written
    assert "plain: ok" in written


@pytest.mark.parametrize("text", ["1e100", "0o17", "+12", ".nan"])
def test_purity_reloads_a_pack_whose_text_yaml_1_1_leaves_plain(tmp_path: Path, text: str) -> None:
    """verify's purity check reloads its reordered copy of a pack with a text like "1e100"."""
    rule = (
        "rules:\n  - {id: odd-text, kind: warning, claims: [A1], when: always,\n"
        f'     message: {{zh-CN: "{text}", en: "{text}"}}}}\n'
    )
    rules = simcancel.load_rules(minimal_pack(tmp_path / "pack", {"odd.yaml": rule}))
    result = check_purity(rules, as_of=dt.date(2026, 11, 24), samples=8)
    assert result.ok, result.message
