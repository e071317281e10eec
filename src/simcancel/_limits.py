"""durable-rules' limits on a rule set, and how a condition counts against them.

durable answers a rule set past its limits with a bare error code or never returns, so
the loader checks these numbers first.  The C sources named below are durable-rules
2.0.28's (``src/rules/rete.h``, ``rules.h``, ``rete.c``, ``events.c``), the version
``pyproject.toml`` pins; each number was also measured against that build.

Two kinds of limit:

* per rule (:data:`MAX_TESTS_PER_RULE`, :data:`MAX_GROUPS`): :func:`count_tests` and
  :func:`group_count` of one condition;
* across the whole rule set (:data:`MAX_TESTS_AFTER_ONE`, :data:`MAX_RULES_PER_TEST`,
  :data:`MAX_PENDING`): :class:`AlphaNetwork` rebuilds the network of tests durable makes
  of the compiled rules (``rete.c``, ``createAlpha``/``findAlpha``/``linkAlpha``) and
  counts what durable counts in it.

How durable builds that network: every test is a node; a rule's first test hangs off one
root node, and each next test of an ``$and`` off the test before it; equal tests (same
fact, operator and constant) under the same node are one node, shared by every rule that
reaches it.  An ``$or`` starts each branch from the node the ``$or`` hangs off and joins
the branches in a fresh *join* node of its own (``createForwardAlpha``), off which the
next test hangs.  The rule itself hangs off its last node.  So an ``in`` of 30 values at
the top of 18 rules puts up to 540 distinct tests under the root.
"""

from __future__ import annotations

import bisect
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

import attrs

from simcancel._compile import ALWAYS_FIELD
from simcancel._ruleset import AllOf, AnyOf, Comparison, Condition, Op

__all__ = [
    "ALWAYS_RULE",
    "DURABLE_JOINS",
    "DURABLE_PENDING",
    "DURABLE_RULES_PER_TEST",
    "DURABLE_TESTS_AFTER_ONE",
    "MAX_GROUPS",
    "MAX_PENDING",
    "MAX_RULES",
    "MAX_RULES_PER_TEST",
    "MAX_TESTS_AFTER_ONE",
    "MAX_TESTS_PER_RULE",
    "AlphaNetwork",
    "Crossing",
    "NetworkLimit",
    "count_tests",
    "group_count",
]

MAX_RULES = 400
"""The most rules in one rule set: simcancel's own cap, far below durable's
``MAX_ACTIONS`` (4096, ``rete.c``).  What durable runs out of first is counted across the
rule set by :class:`AlphaNetwork` (:data:`MAX_TESTS_AFTER_ONE` and the others)."""

MAX_TESTS_PER_RULE = 30
"""The most tests in one condition (:func:`count_tests`): simcancel's own cap, not
durable's.  It was first set below durable's ``MAX_SEQUENCE_EXPRESSIONS`` (32 per rule,
``rete.h``), but plain tests are alpha nodes that take no slot of it (500 in one ``$or``
register); it keeps one rule's share of the rule-set-wide limits small, and
:data:`MAX_GROUPS` is the per-rule limit durable enforces."""

MAX_GROUPS = 15
"""The most ``$and``/``$or`` groups in one condition (:func:`group_count`).  durable keeps
at most 31 expressions per rule (``MAX_SEQUENCE_EXPRESSIONS`` 32 in ``rete.h``: the
``GET_EXPRESSION`` macro of ``rete.c`` fails when a sequence reaches 32) and each
``$and``/``$or`` takes two (the operator and its end), while plain tests take none (they
are alpha nodes): 16 groups fail with error 113 (``ERR_EXPRESSION_LIMIT_EXCEEDED`` in
``rules.h``), 15 pass."""

DURABLE_TESTS_AFTER_ONE = 511
"""The most distinct tests under one node durable evaluates (of its 512 slots)."""
MAX_TESTS_AFTER_ONE = 400
"""The most distinct tests under one node of the network (the root: the distinct first
tests of all rules, the engine's own ``always`` rule included).  durable keeps them in a
hash set of ``NEXT_BUCKET_LENGTH`` (512) slots (``rules.h``) probed linearly with no stop
when it is full (``findAlpha`` in ``rete.c``, ``handleAlpha`` in ``events.c``): measured,
511 work, 512 hang the first evaluation and 513 hang ``create_ruleset`` (spinning with
the engine lock held, deaf to SIGINT).  400 keeps a margin of 111."""

DURABLE_RULES_PER_TEST = 256
"""durable's slots for the rules ending at one node; 255 keep the list's end marker."""
MAX_RULES_PER_TEST = 200
"""The most rules ending at the same node (rules whose conditions end with the same test
after the same tests).  durable lists them in ``BETA_LIST_LENGTH`` (256) slots
(``rules.h``) and checks for the end only after reading past it (``linkAlpha``):
measured, 256 register (the list is then read one slot past its end), 257 fail with
error 108 (``ERR_RULE_BETA_LIMIT_EXCEEDED``).  200 keeps a margin of 56."""

DURABLE_PENDING = 64
"""durable's evaluation stack (``MAX_STACK_SIZE``): the most nodes pending at once."""
MAX_PENDING = 48
"""The most matched nodes that may wait on durable's evaluation stack at once.  durable
walks the network depth first with a stack of ``MAX_STACK_SIZE`` (64) entries
(``handleAlpha`` in ``events.c``): visiting a node pushes each of its children whose test
holds, and every join node hanging off it, and a state that needs a 65th entry fails
with error 303 (``ERR_MAX_STACK_SIZE``): measured, 64 tests true at once under the root
pass, 65 fail.  :meth:`AlphaNetwork.pending` bounds the stack from above for every state
(it takes the worst visiting order and, per node, the most children one value of each
fact can make true); 48 keeps a margin of 16.  A node's list of the joins hanging off it
(:data:`DURABLE_JOINS`) is bounded by this too: every one of them counts as pending."""

DURABLE_JOINS = 127
"""The most ``$or`` joins hanging off one node that durable handles safely: its list has
``NEXT_LIST_LENGTH`` (128) slots, read up to a zero (``linkAlpha``, ``handleAlpha``), so
the 128th leaves no end marker and the 129th fails with error 107
(``ERR_RULE_EXISTS_LIMIT_EXCEEDED``).  The loader's :data:`MAX_PENDING` keeps far below."""

_EQ = "$eq"
_OPERATORS = {"$neq": "ne", "$gt": "gt", "$gte": "gte", "$lt": "lt", "$lte": "lte", _EQ: "eq"}
"""durable's operators, as a rule file spells them."""

ALWAYS_RULE: Mapping[str, Any] = {ALWAYS_FIELD: True}
"""The condition of the engine's own rule (``_engine._SEEN``), registered with every rule
set: its test counts like any other."""


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


# --- the network --------------------------------------------------------------------------------

_Test = tuple[str, str, Any]
"""(fact, durable operator, constant) of one test."""


def _key(test: _Test) -> tuple[str, str, str, str]:
    """Which tests durable merges: same fact, operator and constant (``true`` is not ``1``)."""
    fact, operator, value = test
    return (fact, operator, type(value).__name__, json.dumps(value))


@attrs.define(eq=False)
class _Node:
    """One node of durable's network: a test, the root, or the join of an ``$or``."""

    shown: str
    test: _Test | None = None
    tests: dict[tuple[str, str, str, str], _Node] = attrs.Factory(dict)
    """The distinct tests hanging off this node (durable's hash set of 512 slots)."""
    joins: list[_Node] = attrs.Factory(list)
    """The join nodes of ``$or``s with a branch ending here (durable's list of 128)."""
    rules: int = 0
    """The rules ending here (durable's list of 256)."""


NetworkLimit = Literal["tests", "rules", "pending"]
"""A rule-set-wide limit: :data:`MAX_TESTS_AFTER_ONE`, :data:`MAX_RULES_PER_TEST`,
:data:`MAX_PENDING`."""


@attrs.frozen(kw_only=True)
class Crossing:
    """A rule-set-wide limit a rule crossed: which, its value, the count, and where."""

    kind: NetworkLimit
    limit: int
    count: int
    at: str = ""
    """The node, as a rule author reads it (``the start of every condition``, a test);
    empty for :data:`MAX_PENDING`, a bound over the whole network."""


def _shown(test: _Test) -> str:
    fact, operator, value = test
    return f"'{fact} {_OPERATORS[operator]} {json.dumps(value, ensure_ascii=False)}'"


class AlphaNetwork:
    """The network of tests durable builds for compiled rules, and its counts.

    Feed it every rule's compiled condition (``_compile.compile_condition``) with
    :meth:`add`; it starts with the engine's own rule (:data:`ALWAYS_RULE`).
    """

    __slots__ = ("root",)

    def __init__(self) -> None:
        self.root = _Node(shown="the start of every condition")
        self.add(ALWAYS_RULE)

    def add(self, expression: Mapping[str, Any]) -> list[Crossing]:
        """Add one rule; the rule-set-wide limits (except :data:`MAX_PENDING`) it crosses,
        each with the count once the whole rule is in."""
        crossed: list[_Node] = []
        end = self._add(expression, self.root, crossed)
        end.rules += 1
        crossings = [
            Crossing(kind="tests", limit=MAX_TESTS_AFTER_ONE, count=len(node.tests), at=node.shown)
            for node in crossed
        ]
        if end.rules == MAX_RULES_PER_TEST + 1:
            crossings.append(Crossing(kind="rules", limit=MAX_RULES_PER_TEST, count=end.rules, at=end.shown))
        return crossings

    def _add(self, expression: Mapping[str, Any], parent: _Node, crossed: list[_Node]) -> _Node:
        """Add the nodes of one expression under ``parent`` as ``rete.c``'s ``createAlpha``
        does; its last node (where the rule or the next test hangs)."""
        ((name, operand),) = expression.items()
        if name == "$and":
            node = parent
            for part in operand:
                node = self._add(part, node, crossed)
            return node
        if name == "$or":
            join = _Node(shown=f"the join of an any/in group after {parent.shown}")
            for part in operand:
                self._add(part, parent, crossed).joins.append(join)
            return join
        if name in _OPERATORS:
            ((fact, value),) = operand.items()
            test: _Test = (fact, name, value)
        else:
            test = (name, _EQ, operand)
        key = _key(test)
        found = parent.tests.get(key)
        if found is not None:
            return found
        node = parent.tests[key] = _Node(shown=_shown(test), test=test)
        if len(parent.tests) == MAX_TESTS_AFTER_ONE + 1:
            crossed.append(parent)
        return node

    def pending(self) -> int:
        """The most entries durable's evaluation stack can hold for any state (an upper bound).

        Visiting a node pushes ``k`` children (the tests that can hold at once, plus every
        join); the first one visited leaves ``k - 1`` waiting underneath: so the peak under
        a node is ``max(k, k - 1 + peak of its worst child)``.
        """
        peaks: dict[int, int] = {}

        def peak(node: _Node) -> int:
            known = peaks.get(id(node))
            if known is not None:
                return known
            children = [*node.tests.values(), *node.joins]
            result = 0
            if children:
                held = _most_true(node.tests.values()) + len(node.joins)
                result = max(held, held - 1 + max(peak(child) for child in children))
            peaks[id(node)] = result
            return result

        return peak(self.root)

    def widest(self) -> tuple[int, int, int]:
        """The most distinct tests under one node, rules ending at one node and joins
        hanging off one node, over the whole network."""
        seen: set[int] = set()
        tests = rules = joins = 0
        waiting = [self.root]
        while waiting:
            node = waiting.pop()
            if id(node) in seen:
                continue
            seen.add(id(node))
            tests, rules, joins = (
                max(tests, len(node.tests)),
                max(rules, node.rules),
                max(joins, len(node.joins)),
            )
            waiting.extend((*node.tests.values(), *node.joins))
        return tests, rules, joins


def _most_true(nodes: Iterable[_Node]) -> int:
    """The most of these tests one state can make true: per fact, the best single value."""
    by_fact: dict[str, list[tuple[str, Any]]] = {}
    for node in nodes:
        assert node.test is not None  # every node in a hash set is a test
        fact, operator, value = node.test
        by_fact.setdefault(fact, []).append((operator, value))
    return sum(_most_true_of_one(tests) for tests in by_fact.values())


_OTHER = object()
"""A value equal to no constant (a word a test does not name)."""


def _most_true_of_one(tests: Sequence[tuple[str, Any]]) -> int:
    """The most of these tests on one fact a single value makes true."""
    equal: dict[Any, int] = {}
    unequal: dict[Any, int] = {}
    bounds: dict[str, list[Any]] = {"$gt": [], "$gte": [], "$lt": [], "$lte": []}
    for operator, value in tests:
        if operator == _EQ:
            equal[value] = equal.get(value, 0) + 1
        elif operator == "$neq":
            unequal[value] = unequal.get(value, 0) + 1
        else:
            bounds[operator].append(value)
    for values in bounds.values():
        values.sort()
    constants = [value for _, value in tests]
    candidates: set[Any]
    if all(isinstance(value, bool) for value in constants):
        candidates = {True, False}
    elif all(isinstance(value, int) for value in constants):
        # Between and beyond the constants every count is one of these values' counts.
        candidates = {value + step for value in constants for step in (-1, 0, 1)}
    else:
        candidates = {*constants, _OTHER}
    unequal_total = sum(unequal.values())
    ordered = any(bounds.values())

    def holds(candidate: Any) -> int:
        count = equal.get(candidate, 0) + unequal_total - unequal.get(candidate, 0)
        if ordered and candidate is not _OTHER:
            count += (
                bisect.bisect_left(bounds["$gt"], candidate)  # constants below it
                + bisect.bisect_right(bounds["$gte"], candidate)  # constants up to it
                + len(bounds["$lt"])
                - bisect.bisect_right(bounds["$lt"], candidate)  # constants above it
                + len(bounds["$lte"])
                - bisect.bisect_left(bounds["$lte"], candidate)  # constants from it up
            )
        return count

    return max(holds(candidate) for candidate in candidates)
