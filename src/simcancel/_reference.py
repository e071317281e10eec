"""A plain-Python evaluation of rule conditions, independent of durable-rules.

It reads the same condition AST as the compiler (``_ruleset``) and the same complete,
typed fact (``_facts.facts_for``), and shares nothing else with the durable path: no
compilation to JSON, no engine, no session.  Two uses:

* the differential test: durable's fired set must equal this one on every state;
* the exhaustive check of :mod:`simcancel.analysis`: a condition turned into a Python
  closure costs well under a microsecond, durable about 90 µs per state.

Semantics are the plain ones a rule author reads in the YAML: ``eq``/``ne`` compare
values, ordered operators compare numbers, ``in``/``not_in`` test membership, ``all`` is
a conjunction, ``any`` a disjunction, ``always`` is true.  Effective dates are not a
condition: like the engine, this reports every rule whose condition holds, and
:func:`simcancel._decide.decide` applies the dates.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Callable, Mapping
from typing import Any

from simcancel._decide import decide
from simcancel._facts import EngineValue, facts_for
from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op, RuleSet
from simcancel.model import Assessment, UserState

__all__ = ["Predicate", "assess_reference", "fired", "holds", "predicate", "predicates"]

Facts = Mapping[str, EngineValue]
Predicate = Callable[[Facts], bool]

_COMPARE: dict[Op, Callable[[Any, Any], Any]] = {
    Op.EQ: operator.eq,
    Op.NE: operator.ne,
    Op.GT: operator.gt,
    Op.GTE: operator.ge,
    Op.LT: operator.lt,
    Op.LTE: operator.le,
}


def _same(found: EngineValue, wanted: object) -> bool:
    # bool is an int subclass in Python (True == 1); the rule language keeps them apart.
    return type(found) is type(wanted) and found == wanted


def holds(condition: Condition, facts: Facts) -> bool:
    """Whether ``condition`` is true for ``facts``: the AST walked directly, no caching."""
    if isinstance(condition, Always):
        return True
    if isinstance(condition, AllOf):
        return all(holds(part, facts) for part in condition.parts)
    if isinstance(condition, AnyOf):
        return any(holds(part, facts) for part in condition.parts)
    value = facts[condition.fact]
    if condition.op is Op.IN:
        assert isinstance(condition.value, tuple)
        return any(_same(value, item) for item in condition.value)
    if condition.op is Op.NOT_IN:
        assert isinstance(condition.value, tuple)
        return not any(_same(value, item) for item in condition.value)
    if condition.op is Op.EQ:
        return _same(value, condition.value)
    if condition.op is Op.NE:
        return not _same(value, condition.value)
    return bool(_COMPARE[condition.op](value, condition.value))


def predicate(condition: Condition) -> Predicate:
    """``condition`` as a closure: the same meaning as :func:`holds`, built once, fast."""
    if isinstance(condition, Always):
        return lambda _facts: True
    if isinstance(condition, AllOf):
        parts = tuple(predicate(part) for part in condition.parts)
        return lambda facts: all(part(facts) for part in parts)
    if isinstance(condition, AnyOf):
        parts = tuple(predicate(part) for part in condition.parts)
        return lambda facts: any(part(facts) for part in parts)
    return _test_predicate(condition)


def _test_predicate(test: Comparison) -> Predicate:
    name, op, wanted = test.fact, test.op, test.value
    if op in (Op.IN, Op.NOT_IN):
        assert isinstance(wanted, tuple)
        members = frozenset((type(item), item) for item in wanted)
        if op is Op.IN:
            return lambda facts: (type(facts[name]), facts[name]) in members
        return lambda facts: (type(facts[name]), facts[name]) not in members
    kind = type(wanted)
    if op is Op.EQ:
        return lambda facts: type(facts[name]) is kind and facts[name] == wanted
    if op is Op.NE:
        return lambda facts: not (type(facts[name]) is kind and facts[name] == wanted)
    compare = _COMPARE[op]
    return lambda facts: bool(compare(facts[name], wanted))


def predicates(rules: RuleSet) -> tuple[tuple[str, Predicate], ...]:
    """Every rule of ``rules`` as ``(rule id, predicate)``, in rule-set order."""
    return tuple((rule.id, predicate(rule.when)) for rule in rules.rules)


def fired(rules: RuleSet, facts: Facts) -> frozenset[str]:
    """The ids of the rules whose conditions hold for ``facts`` (complete and typed)."""
    return frozenset(rule.id for rule in rules.rules if holds(rule.when, facts))


def assess_reference(state: UserState, *, rules: RuleSet, locale: str, as_of: dt.date) -> Assessment:
    """What :func:`simcancel.assess` answers, with the reference evaluator instead of durable."""
    facts = facts_for(state, rules.provider(state.provider), as_of)
    return decide(rules, fired(rules, facts), facts, locale=locale, as_of=as_of)
