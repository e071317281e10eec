"""durable-rules' limits: how conditions count against them, that the numbers are durable's
own (checked against the real engine), and that the loader refuses a pack past each one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from simcancel import EngineError, RuleFileError, RuleSet, default_rules, load_rules
from simcancel._compile import compile_condition
from simcancel._engine import compiled
from simcancel._limits import MAX_GROUPS, MAX_RULES, MAX_TESTS_PER_RULE, count_tests, group_count
from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op
from tests.packs import minimal_pack

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


def test_max_rules_distinct_rules_register_in_durable() -> None:
    """MAX_RULES rules with distinct conditions register (durable hangs past 512 of them)."""
    assert MAX_RULES < 512
    compiled(_ruleset(*(_gt(value) for value in range(MAX_RULES))))


# --- the loader refuses a pack past each limit ----------------------------------------------------


def test_too_many_tests_in_one_condition_are_refused(tmp_path: Path) -> None:
    """A condition past the test cap is refused with the count, at the rule's when."""
    values = ", ".join(str(value) for value in range(MAX_TESTS_PER_RULE + 1))
    assert _problems(tmp_path, RULE.format(when=f"{{months_held: {{in: [{values}]}}}}")) == [
        f"pack/extra.yaml:2: $.rules[0].when: expected at most {MAX_TESTS_PER_RULE} "
        f"tests in one condition (durable-rules' limit), got {MAX_TESTS_PER_RULE + 1}"
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
        f"(durable-rules' limit), got {MAX_RULES + 1}"
    ]
