"""One value per rule set, kept as long as the rule set lives.

A rule set hashes by identity and is immutable, so what is computed from it alone can be
kept beside it; a weak dictionary lets a rule set no one holds any more be freed, with
what was computed from it.  What is kept must not refer to the rule set itself: a value
holding its own key keeps it alive for ever (each such cache has a test that a rule set
used once is freed).
"""

from __future__ import annotations

import functools
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from simcancel._ruleset import RuleSet

__all__ = ["per_rule_set"]

T = TypeVar("T")


def per_rule_set(function: Callable[[RuleSet], T]) -> Callable[[RuleSet], T]:
    """``function(rules)``, computed once per rule set (two threads may both compute it the
    first time: the one stored first is kept, and both return it)."""
    kept: weakref.WeakKeyDictionary[RuleSet, T] = weakref.WeakKeyDictionary()
    lock = threading.Lock()

    @functools.wraps(function)
    def cached(rules: RuleSet) -> T:
        try:
            return kept[rules]
        except KeyError:
            pass
        value = function(rules)
        with lock:
            return kept.setdefault(rules, value)

    return cached
