"""The conditions compiled to Python source agree with the reference evaluator."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping

from hypothesis import given

from simcancel import default_rules
from simcancel._facts import EngineValue, facts_for
from simcancel._pysource import fired_function, predicate_function
from simcancel._reference import fired, holds
from simcancel._ruleset import AllOf, AnyOf, Comparison, Condition, Op
from simcancel.model import UserState
from simcancel.testing import user_states

AS_OF = dt.date(2026, 11, 24)


@given(user_states())
def test_compiled_rules_fire_what_the_reference_fires(state: UserState) -> None:
    for public_facts in (True, False):
        rules = default_rules(public_facts=public_facts)
        facts = facts_for(state, rules.provider(state.provider), AS_OF)
        ids = _compiled(public_facts)(facts)
        assert frozenset(ids) == fired(rules, facts)
        assert ids == [rule.id for rule in rules.rules if rule.id in set(ids)]


_CACHE: dict[bool, Callable[[Mapping[str, EngineValue]], list[str]]] = {}


def _compiled(public_facts: bool) -> Callable[[Mapping[str, EngineValue]], list[str]]:
    if public_facts not in _CACHE:
        _CACHE[public_facts] = fired_function(default_rules(public_facts=public_facts))
    return _CACHE[public_facts]


def test_compiled_conditions_keep_bool_and_int_apart() -> None:
    facts: dict[str, EngineValue] = {"a": True, "b": 1, "c": "x"}
    cases: list[Condition] = [
        Comparison(fact="a", op=Op.EQ, value=1),
        Comparison(fact="b", op=Op.EQ, value=True),
        Comparison(fact="b", op=Op.IN, value=(True, 2)),
        Comparison(fact="b", op=Op.NOT_IN, value=(True, 2)),
        Comparison(fact="a", op=Op.NE, value=True),
        Comparison(fact="b", op=Op.GTE, value=1),
        AllOf(parts=()),
        AnyOf(parts=()),
        AnyOf(parts=(Comparison(fact="c", op=Op.EQ, value="x"), Comparison(fact="b", op=Op.LT, value=0))),
    ]
    for condition in cases:
        assert predicate_function(condition)(facts) is holds(condition, facts), condition
