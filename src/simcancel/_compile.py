"""Rule conditions -> durable-rules JSON rulesets.

The output only ever uses equality, ``$neq``, ``$lt``/``$lte``/``$gt``/``$gte``, ``$and``
and ``$or``: never a presence test (``$ex``/``$nex``), which can hang durable, and only
constants the loader has typed and bounded.
"""

from __future__ import annotations

from typing import Any

from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op, RuleSet

__all__ = ["ALWAYS_FIELD", "MAX_GROUPS", "compile_condition", "compile_ruleset", "group_count"]

ALWAYS_FIELD = "always"
"""An engine-only field, true in every fact, that ``when: always`` tests."""

MAX_GROUPS = 15
"""durable-rules keeps at most 31 expressions per rule (MAX_SEQUENCE_EXPRESSIONS 32 in
rete.h) and each ``$and``/``$or`` takes two (the operator and its end), while plain tests
take none (they are alpha nodes): 16 groups fail with error 113, 15 pass."""

_DURABLE_OP = {Op.NE: "$neq", Op.GT: "$gt", Op.GTE: "$gte", Op.LT: "$lt", Op.LTE: "$lte"}


def _test(test: Comparison) -> dict[str, Any]:
    if test.op is Op.EQ:
        return {test.fact: test.value}
    if test.op in (Op.IN, Op.NOT_IN):
        assert isinstance(test.value, tuple)  # the loader guarantees it
        tests: list[dict[str, Any]]
        if test.op is Op.IN:
            tests = [{test.fact: value} for value in test.value]
            return tests[0] if len(tests) == 1 else {"$or": tests}
        tests = [{"$neq": {test.fact: value}} for value in test.value]
        return tests[0] if len(tests) == 1 else {"$and": tests}
    return {_DURABLE_OP[test.op]: {test.fact: test.value}}


def compile_condition(condition: Condition) -> dict[str, Any]:
    """One condition as a durable-rules expression."""
    if isinstance(condition, Comparison):
        return _test(condition)
    if isinstance(condition, AllOf):
        return {"$and": [compile_condition(part) for part in condition.parts]}
    if isinstance(condition, AnyOf):
        return {"$or": [compile_condition(part) for part in condition.parts]}
    assert isinstance(condition, Always)
    return {ALWAYS_FIELD: True}


def group_count(condition: Condition) -> int:
    """How many ``$and``/``$or`` groups :func:`compile_condition` emits for ``condition``."""
    if isinstance(condition, Comparison):
        is_set = condition.op in (Op.IN, Op.NOT_IN) and isinstance(condition.value, tuple)
        return 1 if is_set and len(condition.value) > 1 else 0  # type: ignore[arg-type]
    if isinstance(condition, (AllOf, AnyOf)):
        return 1 + sum(group_count(part) for part in condition.parts)
    return 0


def compile_ruleset(rules: RuleSet) -> dict[str, Any]:
    """The durable-rules definition of a rule set: one rule per rule id, on facts ``m``."""
    return {rule.id: {"all": [{"m": compile_condition(rule.when)}]} for rule in rules.rules}
