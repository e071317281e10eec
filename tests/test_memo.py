"""simcancel._memo: one value per rule set, kept only while the rule set lives."""

from __future__ import annotations

import gc
import weakref

from simcancel import RuleSet, builtin_rules_path, load_rules
from simcancel._memo import per_rule_set


def test_a_value_is_computed_once_per_rule_set_and_dropped_with_it() -> None:
    """The same rule set gets the value computed first; another its own; a freed one takes it along."""
    calls: list[RuleSet] = []

    class Value:
        """A value weak references can follow."""

    @per_rule_set
    def value_of(rules: RuleSet) -> Value:
        calls.append(rules)
        return Value()

    first, second = load_rules(builtin_rules_path()), load_rules(builtin_rules_path())
    kept = value_of(first)
    assert value_of(first) is kept
    assert value_of(second) is not kept
    assert len(calls) == 2
    calls.clear()
    gone = weakref.ref(kept)
    del first, kept
    gc.collect()
    assert gone() is None
