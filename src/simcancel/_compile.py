"""Rule conditions -> durable-rules JSON rulesets.

The output only ever uses equality, ``$neq``, ``$lt``/``$lte``/``$gt``/``$gte``, ``$and``
and ``$or``: never a presence test (``$ex``/``$nex``), which can hang durable, and only
constants the loader has typed and bounded.
"""

from __future__ import annotations

from typing import Any

from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op, RuleSet

__all__ = ["ALWAYS_FIELD", "compile_condition", "compile_ruleset"]

ALWAYS_FIELD = "always"
"""An engine-only field, true in every fact, that ``when: always`` tests."""

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


def compile_ruleset(rules: RuleSet) -> dict[str, Any]:
    """The durable-rules definition of a rule set: one rule per rule id, on facts ``m``."""
    return {rule.id: {"all": [{"m": compile_condition(rule.when)}]} for rule in rules.rules}
