"""One value per rule set, kept as long as the rule set lives.

A rule set hashes by identity and is immutable, so what is computed from it alone can be
kept beside it; a weak dictionary lets a rule set no one holds any more be freed, with
what was computed from it.  What is kept must not refer to the rule set itself: a value
holding its own key keeps it alive for ever (each such cache has a test that a rule set
used once is freed).
"""

from __future__ import annotations

import functools
import os
import threading
import weakref
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

if TYPE_CHECKING:
    from simcancel._ruleset import RuleSet

__all__ = ["ForkSafeLock", "per_rule_set"]

T = TypeVar("T")


def per_rule_set(function: Callable[[RuleSet], T]) -> Callable[[RuleSet], T]:
    """``function(rules)``, computed once per rule set (two threads may both compute it the
    first time: the one stored first is kept, and both return it)."""
    kept: weakref.WeakKeyDictionary[RuleSet, T] = weakref.WeakKeyDictionary()
    lock = ForkSafeLock()

    @functools.wraps(function)
    def cached(rules: RuleSet) -> T:
        try:
            return kept[rules]
        except KeyError:
            pass
        value = function(rules)
        with lock.lock:
            return kept.setdefault(rules, value)

    return cached


class ForkSafeLock:
    """A lock that a forked child gets free: the parent's may be held, at the fork, by a
    thread that does not exist in the child, which would then wait on it for ever.

    Use it as ``with holder.lock:``: the ``with`` then runs the C lock's own ``__enter__``,
    so a signal handler's exception cannot land between the acquisition and the ``with``
    block (it could inside a ``__enter__`` written in Python, leaving the lock held).
    """

    __slots__ = ("__weakref__", "lock")

    def __init__(self) -> None:
        self.lock = threading.Lock()
        _LOCKS.add(self)


_LOCKS: weakref.WeakSet[ForkSafeLock] = weakref.WeakSet()


def _free_in_child() -> None:
    for holder in _LOCKS:
        holder.lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_free_in_child)
