"""durable-rules' limits: how conditions count against them, that the numbers are durable's
own (checked against the real engine), and that the loader refuses a pack past each one."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import EngineError, RuleFileError, RuleSet, UserState, default_rules, load_rules
from simcancel._compile import compile_condition
from simcancel._engine import compiled, evaluate
from simcancel._facts import FACTS, EngineValue, FactKind, facts_for
from simcancel._limits import (
    DURABLE_PENDING,
    DURABLE_RULES_PER_TEST,
    DURABLE_TESTS_AFTER_ONE,
    MAX_GROUPS,
    MAX_PENDING,
    MAX_RULES,
    MAX_RULES_PER_TEST,
    MAX_TESTS_AFTER_ONE,
    MAX_TESTS_PER_RULE,
    AlphaNetwork,
    NetworkLimit,
    count_tests,
    group_count,
)
from simcancel._loader import NETWORK_LIMITS
from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op
from tests.packs import VALID_STATE, minimal_pack

RULE = "rules:\n  - {{id: r, kind: advice, claims: [A1], when: {when}, message: {{zh-CN: x, en: x}}}}\n"


def _problems(tmp_path: Path, body: str) -> list[str]:
    """The problems of a minimal pack with ``body`` as ``extra.yaml``."""
    with pytest.raises(RuleFileError) as caught:
        load_rules(minimal_pack(tmp_path / "pack", {"extra.yaml": body}))
    return [str(problem) for problem in caught.value.problems]


def _gt(value: int) -> Comparison:
    return Comparison(fact="balance", op=Op.GT, value=value)


def _two_values(value: int) -> Comparison:
    """A two-value ``in``: one group of its own."""
    return Comparison(fact="unused_sms", op=Op.IN, value=(value, value + 1))


def _groups(count: int) -> Condition:
    """A condition of exactly ``count`` groups: an ``any`` of ``count - 1`` two-value ``in``s."""
    return AnyOf(parts=tuple(_two_values(value) for value in range(count - 1)))


def _ruleset(*conditions: Condition) -> RuleSet:
    """The shipped rule set with its rules replaced by one advice rule per condition."""
    shipped = default_rules()
    template = next(rule for rule in shipped.rules if rule.route is None)
    rules = tuple(
        attrs.evolve(template, id=f"r{index}", when=condition) for index, condition in enumerate(conditions)
    )
    return attrs.evolve(shipped, rules=rules)


# --- counting ---------------------------------------------------------------------------------


def test_count_tests_counts_each_value_of_in_and_always_as_one() -> None:
    """A comparison is one test, an in/not_in one per value, always one; all/any add their parts."""
    assert count_tests(_gt(0)) == 1
    assert count_tests(_two_values(1)) == 2
    assert count_tests(Always()) == 1
    assert count_tests(AllOf(parts=(_gt(0), AnyOf(parts=(_two_values(1), Always()))))) == 4


def test_group_count_counts_combinators_and_multi_value_sets_only() -> None:
    """all/any and an in/not_in of two or more values are groups; a one-value in and plain tests are not."""
    assert group_count(_gt(0)) == 0
    assert group_count(Always()) == 0
    assert group_count(Comparison(fact="unused_sms", op=Op.IN, value=(1,))) == 0
    assert group_count(Comparison(fact="unused_sms", op=Op.NOT_IN, value=(1, 2))) == 1
    assert group_count(AllOf(parts=(_gt(0), AnyOf(parts=(_two_values(1), _gt(2)))))) == 3


def _group_keys(expression: Any) -> int:
    """How many ``$and``/``$or`` keys a compiled durable expression holds."""
    if isinstance(expression, dict):
        own = sum(1 for key in expression if key in ("$and", "$or"))
        return own + sum(_group_keys(value) for value in expression.values())
    if isinstance(expression, list):
        return sum(_group_keys(item) for item in expression)
    return 0


_leaves = st.one_of(
    st.builds(_gt, st.integers(min_value=0, max_value=100)),
    st.builds(
        Comparison,
        fact=st.just("unused_sms"),
        op=st.sampled_from([Op.IN, Op.NOT_IN]),
        value=st.lists(st.integers(min_value=0, max_value=9), min_size=1, max_size=3).map(tuple),
    ),
    st.just(Always()),
)
_conditions: st.SearchStrategy[Condition] = st.recursive(
    _leaves,
    lambda children: (
        st.builds(AllOf, parts=st.lists(children, min_size=1, max_size=3).map(tuple))
        | st.builds(AnyOf, parts=st.lists(children, min_size=1, max_size=3).map(tuple))
    ),
    max_leaves=10,
)


@given(_conditions)
def test_group_count_is_the_number_of_groups_the_compiler_emits(condition: Condition) -> None:
    """group_count agrees with the $and/$or groups in compile_condition's output, for any condition."""
    assert group_count(condition) == _group_keys(compile_condition(condition))


# --- the numbers are durable's ------------------------------------------------------------------


def test_max_groups_is_the_most_durable_accepts() -> None:
    """durable registers a rule of MAX_GROUPS groups and refuses one more with error 113."""
    assert group_count(_groups(MAX_GROUPS)) == MAX_GROUPS
    compiled(_ruleset(_groups(MAX_GROUPS)))
    with pytest.raises(EngineError, match="error code: 113"):
        compiled(_ruleset(_groups(MAX_GROUPS + 1)))


def test_max_tests_per_rule_fit_in_one_durable_rule() -> None:
    """A condition of MAX_TESTS_PER_RULE tests (one group) registers in durable."""
    condition = AllOf(parts=tuple(_gt(value) for value in range(MAX_TESTS_PER_RULE)))
    assert count_tests(condition) == MAX_TESTS_PER_RULE
    compiled(_ruleset(condition))


def test_as_many_distinct_first_tests_as_the_loader_allows_register_in_durable() -> None:
    """MAX_TESTS_AFTER_ONE distinct tests under the root (the engine's always test one of them) register."""
    compiled(_ruleset(*(_gt(value) for value in range(MAX_TESTS_AFTER_ONE - 1))))


# --- the loader refuses a pack past each limit ----------------------------------------------------


def test_too_many_tests_in_one_condition_are_refused(tmp_path: Path) -> None:
    """A condition past the test cap is refused with the count, at the rule's when."""
    values = ", ".join(str(value) for value in range(MAX_TESTS_PER_RULE + 1))
    assert _problems(tmp_path, RULE.format(when=f"{{months_held: {{in: [{values}]}}}}")) == [
        f"pack/extra.yaml:2: $.rules[0].when: expected at most {MAX_TESTS_PER_RULE} "
        f"tests in one condition (simcancel's own cap), got {MAX_TESTS_PER_RULE + 1}"
    ]


def test_too_many_tests_spread_over_any_and_all_are_counted(tmp_path: Path) -> None:
    """Tests nested in all/any count towards the same cap."""
    parts = ", ".join(f"{{balance: {{gt: {value}}}}}" for value in range(MAX_TESTS_PER_RULE + 5))
    problems = _problems(tmp_path, RULE.format(when=f"{{any: [{{all: [{parts}]}}]}}"))
    assert problems[0].endswith(f"got {MAX_TESTS_PER_RULE + 5}")


def test_too_many_groups_are_refused(tmp_path: Path) -> None:
    """A condition of MAX_GROUPS + 1 groups is refused with the count; MAX_GROUPS load."""
    parts = ", ".join(f"{{unused_sms: {{in: [{value}, {value + 1}]}}}}" for value in range(MAX_GROUPS))
    assert _problems(tmp_path, RULE.format(when=f"{{any: [{parts}]}}")) == [
        f"pack/extra.yaml:2: $.rules[0].when: expected at most {MAX_GROUPS} all/any groups and "
        "multi-value in/not_in tests in one condition (durable-rules' limit of 31 expressions, "
        f"two per group), got {MAX_GROUPS + 1}"
    ]
    fitting = ", ".join(f"{{unused_sms: {{in: [{value}, {value + 1}]}}}}" for value in range(MAX_GROUPS - 1))
    load_rules(minimal_pack(tmp_path / "fits", {"extra.yaml": RULE.format(when=f"{{any: [{fitting}]}}")}))


def test_too_many_rules_are_refused(tmp_path: Path) -> None:
    """More rules than MAX_RULES in one rule set are refused by the loader, with the count."""
    rule = (
        "  - {{id: r{0}, kind: advice, claims: [A1], when: {{balance: {{gt: {0}}}}}, "
        "message: {{zh-CN: x, en: x}}}}\n"
    )
    body = "rules:\n" + "".join(rule.format(index) for index in range(MAX_RULES + 1))
    assert _problems(tmp_path, body) == [
        f"pack/extra.yaml:2: $.rules: expected at most {MAX_RULES} rules in a rule set "
        f"(simcancel's own cap), got {MAX_RULES + 1}"
    ]


# --- the network of tests across the rule set -------------------------------------------------------


def _network(*conditions: Condition) -> AlphaNetwork:
    """The network durable builds for one rule per condition (and the engine's always rule)."""
    network = AlphaNetwork()
    for condition in conditions:
        network.add(compile_condition(condition))
    return network


def _eq(value: int, fact: str = "unused_sms") -> Comparison:
    return Comparison(fact=fact, op=Op.EQ, value=value)


def _ne(value: int, fact: str = "unused_sms") -> Comparison:
    return Comparison(fact=fact, op=Op.NE, value=value)


def test_equal_tests_under_the_same_node_are_one_node() -> None:
    """Rules starting with the same test share it; each in value and each ne is a test of its own."""
    network = _network(
        _eq(1),
        AllOf(parts=(_eq(1), _gt(5))),
        Comparison(fact="unused_sms", op=Op.IN, value=(1, 2, 3)),
        _ne(1),
    )
    # always (the engine's rule), unused_sms eq 1, 2, 3, unused_sms ne 1
    assert len(network.root.tests) == 5
    assert network.root.tests[("unused_sms", "$eq", "int", "1")].rules == 1


def test_an_any_branches_from_where_it_hangs_and_the_next_test_hangs_off_its_join() -> None:
    """all: [a, any: [b, c], d] puts b and c under a, joins them, and puts d under the join."""
    network = _network(AllOf(parts=(_eq(1), AnyOf(parts=(_gt(1), _gt(2))), _eq(7, "unused_minutes"))))
    first = network.root.tests[("unused_sms", "$eq", "int", "1")]
    assert len(first.tests) == 2
    joins = {id(join) for branch in first.tests.values() for join in branch.joins}
    assert len(joins) == 1
    (join,) = first.tests[("balance", "$gt", "int", "1")].joins
    assert list(join.tests) == [("unused_minutes", "$eq", "int", "7")]
    assert join.tests[("unused_minutes", "$eq", "int", "7")].rules == 1


def test_pending_takes_per_fact_the_most_tests_one_value_makes_true() -> None:
    """eq tests of one fact exclude each other, ne tests and overlapping ranges do not; facts add up."""
    assert _network().pending() == 1
    assert _network(*(_eq(value) for value in range(20))).pending() == 2
    assert _network(*(_ne(value) for value in range(20))).pending() == 21
    assert _network(_gt(1), _gt(2), Comparison(fact="balance", op=Op.LT, value=0)).pending() == 3
    assert _network(_eq(1), _eq(1, "unused_minutes"), _eq(1, "months_held")).pending() == 4


_HOLDS = {
    Op.EQ: lambda fact, value: fact == value,
    Op.NE: lambda fact, value: fact != value,
    Op.GT: lambda fact, value: fact > value,
    Op.GTE: lambda fact, value: fact >= value,
    Op.LT: lambda fact, value: fact < value,
    Op.LTE: lambda fact, value: fact <= value,
}


@given(
    st.lists(
        st.builds(
            Comparison,
            fact=st.just("unused_sms"),
            op=st.sampled_from(list(_HOLDS)),
            value=st.integers(min_value=0, max_value=10),
        ),
        max_size=30,
    )
)
def test_pending_of_flat_tests_is_the_most_one_value_makes_true(tests: list[Comparison]) -> None:
    """Without shared prefixes, pending is always plus the most distinct tests one value makes true."""
    distinct = {(test.op, test.value) for test in tests}
    most = max(sum(bool(_HOLDS[op](fact, value)) for op, value in distinct) for fact in range(-2, 13))
    assert _network(*tests).pending() == 1 + most


def test_pending_adds_the_worst_child_on_top_of_its_waiting_siblings() -> None:
    """A node's true children wait while the first is visited: the peak is k - 1 + its own peak."""
    nested = AllOf(parts=(_ne(0), *(_ne(value, "unused_minutes") for value in range(10))))
    # root: always and unused_sms ne 0 (2); ne 0 holds 1 chain of 10 tests, each with one child
    assert _network(nested).pending() == 2
    fan = [AllOf(parts=(_ne(0), _ne(value, "unused_minutes"))) for value in range(10)]
    assert _network(*fan).pending() == 1 + 10


# --- the network's numbers are durable's --------------------------------------------------------------

_SUBPROCESS_TIMEOUT = 60
"""Seconds a durable probe may run: durable spins forever, deaf to SIGINT, past some limits."""
_HANG_TIMEOUT = 5
"""Seconds after which a probe expected to hang is taken as hung (it registers in 0.2 s)."""


def _durable_run(code: str, *args: str, timeout: float = _SUBPROCESS_TIMEOUT) -> str:
    """The output (stdout, then stderr) of ``code`` driving durable in a subprocess (a crash or a hang there
    cannot take the test run with it), ``" hung"`` appended if it was killed."""
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as expired:
        out = expired.stdout or b""
        text = out.decode() if isinstance(out, bytes) else out
        return " ".join([*text.split(), "hung"])
    return " ".join([*done.stdout.split(), *done.stderr.split()])


_PROBE = """
import json, sys
import durable_rules_engine as durable
count, operator = int(sys.argv[1]), sys.argv[2]
def test(value):
    if operator == "same":
        return {"unused_sms": 0}
    return {"unused_sms": value} if operator == "eq" else {"$neq": {"unused_sms": value}}
rules = {f"r{index}": {"all": [{"m": test(index + 1)}]} for index in range(count)}
rules["_seen"] = {"all": [{"m": {"always": True}}]}
try:
    handle = durable.create_ruleset("probe", json.dumps(rules))
except durable.error as error:
    sys.exit(str(error))
print("created", flush=True)
try:
    durable.assert_fact(handle, json.dumps({"unused_sms": 0, "always": True, "sid": "1", "id": "s"}))
except durable.error as error:
    print(error)
else:
    print("evaluated")
"""
"""Registers ``count`` rules of one distinct test each (eq or ne; or ``same``: one test for
all) and the engine's always rule, then evaluates a fact that makes every ne test true."""


def test_durable_hangs_from_512_distinct_tests_under_one_node() -> None:
    """511 distinct tests under the root evaluate; the 512th hangs the evaluation, the 513th the creation."""
    assert _durable_run(_PROBE, str(DURABLE_TESTS_AFTER_ONE - 1), "eq") == "created evaluated"
    assert _durable_run(_PROBE, str(DURABLE_TESTS_AFTER_ONE), "eq", timeout=_HANG_TIMEOUT) == "created hung"
    assert _durable_run(_PROBE, str(DURABLE_TESTS_AFTER_ONE + 1), "eq", timeout=_HANG_TIMEOUT) == "hung"
    assert MAX_TESTS_AFTER_ONE < DURABLE_TESTS_AFTER_ONE


def test_durable_fails_with_error_303_past_64_pending_tests() -> None:
    """63 ne tests true at once with always evaluate (pending 64); one more fails with 303."""
    fitting = [_ne(value) for value in range(1, DURABLE_PENDING)]
    assert _network(*fitting).pending() == DURABLE_PENDING
    assert _durable_run(_PROBE, str(DURABLE_PENDING - 1), "ne") == "created evaluated"
    assert _network(*fitting, _ne(DURABLE_PENDING)).pending() == DURABLE_PENDING + 1
    assert _durable_run(_PROBE, str(DURABLE_PENDING), "ne") == (
        "created Could not assert fact, error code: 303"
    )
    assert MAX_PENDING < DURABLE_PENDING


def test_durable_takes_at_most_256_rules_ending_at_one_test() -> None:
    """255 rules ending with the same test register and evaluate; 257 fail with error 108 in a
    fresh process (past 256 durable reads beyond its list, so in a used heap it may not)."""
    assert _durable_run(_PROBE, str(DURABLE_RULES_PER_TEST - 1), "same") == "created evaluated"
    assert _durable_run(_PROBE, str(DURABLE_RULES_PER_TEST + 1), "same").endswith("error code: 108")
    assert MAX_RULES_PER_TEST < DURABLE_RULES_PER_TEST


_FUZZ = """
import itertools, json, random, sys
import durable_rules_engine as durable
from simcancel._limits import AlphaNetwork
chooser = random.Random(int(sys.argv[1]))
facts = ("x", "y", "z")
operators = ("eq", "$neq", "$neq", "$gt", "$lt", "$gte", "$lte")
def condition(depth):
    roll = chooser.random()
    if depth < 2 and roll < 0.3:
        return {"$and": [condition(depth + 1) for _ in range(chooser.randint(1, 3))]}
    if depth < 2 and roll < 0.5:
        return {"$or": [condition(depth + 1) for _ in range(chooser.randint(1, 3))]}
    fact, operator, value = chooser.choice(facts), chooser.choice(operators), chooser.randint(0, 30)
    return {fact: value} if operator == "eq" else {operator: {fact: value}}
results = []
for trial in range(int(sys.argv[2])):
    conditions = [condition(0) for _ in range(chooser.randint(40, 110))]
    network = AlphaNetwork()
    for expression in conditions:
        network.add(expression)
    rules = {f"r{index}": {"all": [{"m": expression}]} for index, expression in enumerate(conditions)}
    rules["_seen"] = {"all": [{"m": {"always": True}}]}
    handle = durable.create_ruleset(f"fuzz{trial}", json.dumps(rules))
    failed = False
    for sid, values in enumerate(itertools.product((-1, 0, 5, 15, 31), repeat=3)):
        fact = {**dict(zip(facts, values)), "always": True, "sid": str(sid), "id": "s"}
        try:
            durable.assert_fact(handle, json.dumps(fact))
        except durable.error as error:
            assert "error code: 303" in str(error), error
            failed = True
    results.append([network.pending(), failed])
print(json.dumps(results))
"""
"""Random rule sets near the stack limit, each evaluated for 125 facts: [pending(), failed]."""


@pytest.mark.parametrize("seed", range(2))
def test_pending_bounds_durable_from_above(seed: int) -> None:
    """In random rule sets near the limit durable fails with 303 only where pending() passes 64."""
    results = json.loads(_durable_run(_FUZZ, str(seed), "12"))
    assert all(bound > DURABLE_PENDING for bound, failed in results if failed)
    assert any(failed for _, failed in results)  # the sample reaches the limit


# --- the loader refuses a rule set past each network limit, before durable sees it ---------------------


def _rules(*whens: str) -> str:
    """A rule file of advice rules r0, r1, ... with these conditions, one a line."""
    line = "  - {{id: r{0}, kind: advice, claims: [A1], when: {1}, message: {{zh-CN: x, en: x}}}}\n"
    return "rules:\n" + "".join(line.format(index, when) for index, when in enumerate(whens))


def _in(values: range) -> str:
    return f"{{unused_sms: {{in: [{', '.join(map(str, values))}]}}}}"


def _refused(tmp_path: Path, body: str) -> list[str]:
    """The problems of a pack with ``body`` as ``extra.yaml``, durable never called."""
    with pytest.MonkeyPatch.context() as patch:

        def called(*_: object) -> None:
            pytest.fail("durable was called")

        patch.setattr("simcancel._engine._durable.create_ruleset", called)
        return _problems(tmp_path, body)


def _all_zero() -> dict[str, Any]:
    """The complete fact of the known-good state, every count 0."""
    state = UserState.from_dict(VALID_STATE)
    rules = default_rules()
    fact = dict(facts_for(state, rules.provider(state.provider), dt.date(2026, 11, 24)))
    return {name: 0 if FACTS[name].kind is FactKind.COUNT else value for name, value in fact.items()}


def _fires(tmp_path: Path, body: str, **fact: EngineValue) -> frozenset[str]:
    """What a minimal pack with ``body`` fires through real durable for the known-good fact
    with every count 0, changed by ``fact``."""
    loaded = load_rules(minimal_pack(tmp_path / "fits", {"extra.yaml": body}))
    return evaluate(compiled(loaded), {**_all_zero(), **fact})


def test_distinct_tests_under_one_node_up_to_the_cap_load_and_one_more_is_refused(tmp_path: Path) -> None:
    """13 in-lists of 30 values and one of 9 (399 tests and always) load and fire; a 10th value is refused."""
    whens = [_in(range(start, start + 30)) for start in range(0, 390, 30)]
    assert "r5" in _fires(tmp_path, _rules(*whens, _in(range(390, 399))), unused_sms=151)
    assert _refused(tmp_path, _rules(*whens, _in(range(390, 400)))) == [
        f"pack/extra.yaml:15: $.rules[13].when: expected at most {MAX_TESTS_AFTER_ONE} distinct tests "
        f"after the start of every condition across the rule set, got {MAX_TESTS_AFTER_ONE + 1} with "
        "this rule (durable-rules hangs from 512; 400 keeps a margin below it): each value of an "
        "in/not_in and each branch of an any is a test of its own"
    ]


def test_distinct_tests_after_a_shared_test_are_counted_under_it(tmp_path: Path) -> None:
    """Tests after the same first test count under it, named in the problem."""
    whens = [f"{{all: [{{plan: prepaid}}, {_in(range(start, start + 29))}]}}" for start in range(0, 406, 29)]
    problems = _refused(tmp_path, _rules(*whens))
    assert len(problems) == 1
    assert problems[0].startswith(
        "pack/extra.yaml:15: $.rules[13].when: expected at most 400 distinct tests after "
        "'plan eq \"prepaid\"' across the rule set, got 406 with this rule"
    )


def test_rules_ending_at_one_test_up_to_the_cap_load_and_one_more_is_refused(tmp_path: Path) -> None:
    """200 rules with the same condition load and all fire; a 201st is refused at its line."""
    assert len(_fires(tmp_path, _rules(*["{unused_sms: 3}"] * 200), unused_sms=3)) == 201  # route-ask too
    assert _refused(tmp_path, _rules(*["{unused_sms: 3}"] * 201)) == [
        f"pack/extra.yaml:202: $.rules[200].when: expected at most {MAX_RULES_PER_TEST} rules ending "
        "with the test 'unused_sms eq 3' after the same tests, got 201 with this rule (durable-rules "
        "fails with error 108 past 256; 200 keeps a margin below it): give some of them a test of "
        "their own"
    ]


def test_pending_tests_up_to_the_cap_load_and_one_more_is_refused(tmp_path: Path) -> None:
    """47 ne tests and always (48 pending) load and fire; a 48th ne test is refused at its rule."""
    whens = [f"{{unused_sms: {{ne: {value}}}}}" for value in range(1, MAX_PENDING)]
    assert len(_fires(tmp_path, _rules(*whens))) == MAX_PENDING
    problems = _refused(tmp_path, _rules(*whens, "{unused_sms: {ne: 99}}"))
    assert problems == [
        f"pack/extra.yaml:49: $.rules[47].when: expected at most {MAX_PENDING} tests pending at once "
        f"in durable-rules' evaluation, got {MAX_PENDING + 1} with this rule (durable-rules fails "
        "with error 303 past 64; 48 keeps a margin below it): tests one state can make true together "
        "(ne, not_in, overlapping gt/lt ranges) and each any or multi-value in count; fewer such "
        "rules, or fewer tests shared before them"
    ]


def test_any_groups_ending_at_one_test_count_as_pending(tmp_path: Path) -> None:
    """47 two-value ins on one fact load (each value's node holds 47 joins); a 48th is refused."""
    assert len(_fires(tmp_path, _rules(*[_in(range(1, 3))] * 47), unused_sms=2)) == 48  # route-ask too
    problems = _refused(tmp_path, _rules(*[_in(range(1, 3))] * 48))
    assert problems[0].startswith("pack/extra.yaml:49: $.rules[47].when: expected at most 48 tests pending")


def test_a_pack_durable_would_hang_on_is_refused_in_a_bounded_time(tmp_path: Path) -> None:
    """18 rules of in over 30 values (540 distinct first tests) are refused at once, not hung on."""
    whens = [_in(range(start, start + 30)) for start in range(0, 540, 30)]
    pack = minimal_pack(tmp_path / "pack", {"extra.yaml": _rules(*whens)})
    code = (
        "import sys\n"
        "from simcancel import RuleFileError, load_rules\n"
        "from simcancel._engine import compiled\n"
        "try:\n"
        "    compiled(load_rules(sys.argv[1]))\n"
        "except RuleFileError as error:\n"
        "    print(*error.problems, sep='\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(pack)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.startswith("pack/extra.yaml:15: $.rules[13].when: expected at most 400 distinct tests")


def test_docs_list_the_network_limits_and_their_messages() -> None:
    """docs/errors.md shows each network message and docs/rule-authoring.md each number."""
    docs = Path(__file__).resolve().parents[1] / "docs"
    errors = (docs / "errors.md").read_text(encoding="utf-8")
    limits: dict[NetworkLimit, int] = {
        "tests": MAX_TESTS_AFTER_ONE,
        "rules": MAX_RULES_PER_TEST,
        "pending": MAX_PENDING,
    }
    for kind, limit in limits.items():
        _, durable, hint = NETWORK_LIMITS[kind]
        assert f"({durable}; {limit} keeps a margin below it): {hint}`" in errors
    authoring = (docs / "rule-authoring.md").read_text(encoding="utf-8")
    for limit, durable_limit in (
        (MAX_TESTS_AFTER_ONE, f"{DURABLE_TESTS_AFTER_ONE} (hangs from {DURABLE_TESTS_AFTER_ONE + 1})"),
        (MAX_RULES_PER_TEST, f"{DURABLE_RULES_PER_TEST} (error 108 past it)"),
        (MAX_PENDING, f"{DURABLE_PENDING} (error 303 past it)"),
        (MAX_GROUPS, f"{MAX_GROUPS} (error 113 at {MAX_GROUPS + 1})"),
    ):
        assert f"| {limit} | {durable_limit} |" in authoring
