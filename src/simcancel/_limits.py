"""durable-rules' limits on a rule set, and how a condition counts against them.

durable answers a rule set past its limits with a bare error code or never returns, so
the loader checks these numbers first.  The C sources named below are durable-rules
2.0.28's (``src/rules/rete.h``, ``rules.h``, ``rete.c``), the version ``pyproject.toml``
pins; each number was also measured against that build.
"""

from __future__ import annotations

from simcancel._ruleset import AllOf, AnyOf, Comparison, Condition, Op

__all__ = ["MAX_GROUPS", "MAX_RULES", "MAX_TESTS_PER_RULE", "count_tests", "group_count"]

MAX_RULES = 400
"""The most rules in one rule set.  durable hangs the first test of every rule off one
alpha node, whose children share a hash set of ``NEXT_BUCKET_LENGTH`` (512) slots
(``rules.h``); with all of them taken, ``rete.c`` probes for a free slot forever, so
``create_ruleset`` never returns (512 rules with distinct tests register, 513 hang).
400 leaves room for the engine's own rule."""

MAX_TESTS_PER_RULE = 30
"""The most tests in one condition (:func:`count_tests`).  Set below durable's
``MAX_SEQUENCE_EXPRESSIONS`` (32 per rule, ``rete.h``), the limit conditions were first
measured against; plain tests turned out to be alpha nodes that take no slot of it (500
in one ``$or`` register), so this cap is ours: it bounds the alpha nodes one rule adds,
and :data:`MAX_GROUPS` is the limit durable enforces."""

MAX_GROUPS = 15
"""The most ``$and``/``$or`` groups in one condition (:func:`group_count`).  durable keeps
at most 31 expressions per rule (``MAX_SEQUENCE_EXPRESSIONS`` 32 in ``rete.h``: the
``GET_EXPRESSION`` macro of ``rete.c`` fails when a sequence reaches 32) and each
``$and``/``$or`` takes two (the operator and its end), while plain tests take none (they
are alpha nodes): 16 groups fail with error 113 (``ERR_EXPRESSION_LIMIT_EXCEEDED`` in
``rules.h``), 15 pass."""


def count_tests(condition: Condition) -> int:
    """How many tests a condition makes (``in``/``not_in`` count each value, ``always`` one)."""
    if isinstance(condition, Comparison):
        return len(condition.value) if isinstance(condition.value, tuple) else 1
    if isinstance(condition, (AllOf, AnyOf)):
        return sum(count_tests(part) for part in condition.parts)
    return 1


def group_count(condition: Condition) -> int:
    """How many ``$and``/``$or`` groups ``_compile.compile_condition`` emits for ``condition``
    (a single-value ``in``/``not_in`` compiles to a plain test, not a group)."""
    if isinstance(condition, Comparison):
        value = condition.value
        return int(condition.op in (Op.IN, Op.NOT_IN) and isinstance(value, tuple) and len(value) > 1)
    if isinstance(condition, (AllOf, AnyOf)):
        return 1 + sum(group_count(part) for part in condition.parts)
    return 0
