"""Rule conditions compiled from the rule AST to the source of one plain Python function.

``fired_function(rules)`` writes, once per rule set, a function of the complete typed
facts that tests every rule's condition inline (an if-chain, no closures, no engine) and
returns the ids of the rules whose conditions hold, in rule-set order.  It has the
reference evaluator's semantics (:mod:`simcancel._reference`: ``eq``/``in`` compare type
and value, so ``True`` is not ``1``) and is checked against it by the tests.  Uses: the
benchmark's hand-written floor for the shipped rules, and fast predicates for the
exhaustive class walk of ``simcancel verify``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from simcancel._facts import EngineValue
from simcancel._ruleset import AllOf, Always, AnyOf, Comparison, Condition, Op, RuleSet

__all__ = ["fired_function", "fired_source", "predicate_function"]

Facts = Mapping[str, EngineValue]

_ORDERED = {Op.GT: ">", Op.GTE: ">=", Op.LT: "<", Op.LTE: "<="}
_TYPES = {bool: "bool", int: "int", str: "str"}


class _Writer:
    """Expression text of conditions, with the fact locals and constants they use."""

    def __init__(self) -> None:
        self.local: dict[str, str] = {}
        self.constants: dict[str, object] = {}

    def name(self, fact: str) -> str:
        found = self.local.get(fact)
        if found is None:
            found = self.local[fact] = f"f{len(self.local)}"
        return found

    def expression(self, condition: Condition) -> str:
        if isinstance(condition, Always):
            return "True"
        if isinstance(condition, (AllOf, AnyOf)):
            if not condition.parts:
                return "True" if isinstance(condition, AllOf) else "False"
            joiner = " and " if isinstance(condition, AllOf) else " or "
            return "(" + joiner.join(self.expression(part) for part in condition.parts) + ")"
        return self._comparison(condition)

    def _comparison(self, test: Comparison) -> str:
        local, op, wanted = self.name(test.fact), test.op, test.value
        if op in (Op.IN, Op.NOT_IN):
            assert isinstance(wanted, tuple)
            constant = f"m{len(self.constants)}"
            self.constants[constant] = frozenset((type(item), item) for item in wanted)
            test_text = f"(type({local}), {local}) in {constant}"
            return f"({test_text})" if op is Op.IN else f"(not {test_text})"
        if op in (Op.EQ, Op.NE):
            same = f"(type({local}) is {_TYPES[type(wanted)]} and {local} == {wanted!r})"
            return same if op is Op.EQ else f"(not {same})"
        return f"({local} {_ORDERED[op]} {wanted!r})"


def fired_source(rules: RuleSet, name: str = "fired") -> tuple[str, dict[str, object]]:
    """The source of ``name(facts) -> list of rule ids`` and the constants it reads."""
    writer = _Writer()
    body = [
        f"    if {writer.expression(rule.when)}:\n        out.append({rule.id!r})" for rule in rules.rules
    ]
    head = [f"def {name}(facts):", "    out = []"]
    head.extend(f"    {local} = facts[{fact!r}]" for fact, local in writer.local.items())
    return "\n".join([*head, *body, "    return out", ""]), writer.constants


def fired_function(rules: RuleSet) -> Callable[[Facts], list[str]]:
    """:func:`fired_source` compiled: the rule ids whose conditions hold, in rule-set order."""
    source, constants = fired_source(rules)
    namespace: dict[str, object] = dict(constants)
    exec(compile(source, f"<simcancel rules {rules.label}>", "exec"), namespace)  # noqa: S102 (our own source, from the checked AST)
    function: Callable[[Facts], list[str]] = namespace["fired"]  # type: ignore[assignment]
    return function


def predicate_function(condition: Condition) -> Callable[[Facts], bool]:
    """One condition compiled the same way: a function of the facts, true when it holds."""
    writer = _Writer()
    expression = writer.expression(condition)
    lines = ["def holds(facts):"]
    lines.extend(f"    {local} = facts[{fact!r}]" for fact, local in writer.local.items())
    lines.append(f"    return bool({expression})")
    namespace: dict[str, object] = dict(writer.constants)
    exec(compile("\n".join(lines) + "\n", "<simcancel condition>", "exec"), namespace)  # noqa: S102 (our own source, from the checked AST)
    function: Callable[[Facts], bool] = namespace["holds"]  # type: ignore[assignment]
    return function
