"""The only module that imports durable-rules.

It drives durable's C extension directly with a lean action loop, not through
``durable.engine.Host``: the Host starts timer threads that dispatch actions behind the
caller's back (error 307, then segfaults, when pushed), stores action exceptions as
strings instead of raising them, and costs ~12 µs of JSON round trips per fired rule.

Every evaluation runs in a fresh session that is deleted on every path, under one lock
(the C extension is not thread-safe), so at most one session is ever alive and
durable's cap of 1024 live sessions cannot be reached, whatever the thread count.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import threading
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import attrs
import durable_rules_engine as _durable

from simcancel._compile import ALWAYS_FIELD, compile_ruleset
from simcancel._errors import EngineError
from simcancel._facts import EngineValue
from simcancel._ruleset import RuleSet

__all__ = ["CompiledRules", "compiled", "evaluate", "live_sessions"]

_LOCK = threading.Lock()
_SESSION_IDS = itertools.count(1)
_RULESET_IDS = itertools.count(1)
_COMPILED: weakref.WeakKeyDictionary[RuleSet, CompiledRules] = weakref.WeakKeyDictionary()
_live = 0

# durable's assert_fact result codes (durable/engine.py, Ruleset._handle_result).
_HANDLED, _NOT_HANDLED, _OBSERVED, _QUEUED = 0, 1, 2, 3

# Registered with every ruleset: a rule on the always-true field, so every fact is
# handled and fires at least one action.  durable 2.0.28 frees an invalid pointer in
# delete_state for a session in which no action ran (abort or segfault, depending on
# heap layout), which a user pack with a gap would otherwise reach.  The loader only
# accepts ids starting with a letter or digit, so this one cannot clash.
_SEEN = "_seen"


@attrs.frozen(kw_only=True)
class CompiledRules:
    """A rule set registered in durable under a unique name."""

    name: str
    handle: int
    definition: Mapping[str, Any]
    """The rules as durable JSON (for the benchmark and debugging), without ``_seen``."""


_DOOMED: list[int] = []
"""Handles of rulesets nobody can reach any more, deleted at the next call that holds _LOCK."""


def _delete_ruleset(handle: int) -> None:
    # A finalizer: it may run inside a GC pass in a thread that already holds _LOCK, so
    # taking the lock here could deadlock; list.append is atomic, the deletion waits.
    _DOOMED.append(handle)


def _reap() -> None:
    """Delete the rulesets whose CompiledRules are gone (call with _LOCK held)."""
    while _DOOMED:
        with contextlib.suppress(_durable.error):
            _durable.delete_ruleset(_DOOMED.pop())


def compiled(rules: RuleSet) -> CompiledRules:
    """Compile and register ``rules`` once; later calls return the same registration."""
    if not _DOOMED:
        # The common case without the lock: a dict read is atomic under the GIL, and a
        # registration found here stays alive as long as the caller holds ``rules``.
        found = _COMPILED.get(rules)
        if found is not None:
            return found
    with _LOCK:
        _reap()
        found = _COMPILED.get(rules)
        if found is not None:
            return found
        definition = compile_ruleset(rules)
        name = f"simcancel-{next(_RULESET_IDS)}"
        registered = {**definition, _SEEN: {"all": [{"m": {ALWAYS_FIELD: True}}]}}
        try:
            handle = _durable.create_ruleset(name, json.dumps(registered, ensure_ascii=False))
        except _durable.error as error:
            raise EngineError(
                f"durable-rules refused rule set {rules.label}: {error}; "
                "the loader should have caught this, please report it"
            ) from None
        result = CompiledRules(name=name, handle=handle, definition=definition)
        _COMPILED[rules] = result
        # Tied to the CompiledRules, not the RuleSet: whoever holds the registration keeps
        # its durable ruleset alive (evaluating a deleted handle is a use-after-free).
        weakref.finalize(result, _delete_ruleset, handle)
        return result


def live_sessions() -> int:
    """How many durable sessions are alive now (0 between evaluations)."""
    return _live


def _fired(handle: int, state_handle: int, on_fire: Callable[[str], None] | None) -> set[str]:
    fired: set[str] = set()
    started = _durable.start_action_for_state(handle, state_handle)
    message = started[1] if started else None
    while message:
        # The message is ``{"<rule id>":{"m":{...}}}`` and rule ids need no JSON escaping
        # (the loader allows [a-z0-9_-] only), so slicing it out spares a JSON parse of
        # the whole fact per firing.  A set de-duplicates an ``$or`` that fires per branch.
        rule_id = message[2 : message.index('"', 2)]
        if rule_id != _SEEN:
            fired.add(rule_id)
            if on_fire is not None:
                on_fire(rule_id)
        message = _durable.complete_and_start_action(handle, state_handle)
    return fired


def evaluate(
    rules: CompiledRules, fact: Mapping[str, EngineValue], *, on_fire: Callable[[str], None] | None = None
) -> frozenset[str]:
    """The ids of the rules whose conditions hold for ``fact`` (complete and typed).

    ``on_fire`` is called for each firing, inside the session; an exception it raises
    propagates to the caller after the session is deleted.
    """
    global _live  # noqa: PLW0603 - one counter for the whole process, under _LOCK
    with _LOCK:
        sid = str(next(_SESSION_IDS))
        payload = dict(fact)
        payload.update(sid=sid, id="state", **{ALWAYS_FIELD: True})
        text = json.dumps(payload, ensure_ascii=False)
        _live += 1
        try:
            code, state_handle = _durable.assert_fact(rules.handle, text)
            if code == _NOT_HANDLED:
                return frozenset()
            if code not in (_HANDLED, _QUEUED):
                raise EngineError(f"durable-rules answered code {code} for a fresh session")
            return frozenset(_fired(rules.handle, state_handle, on_fire))
        except _durable.error as error:
            raise EngineError(
                f"durable-rules failed evaluating a state with rule set {rules.name}: {error}"
            ) from None
        finally:
            try:
                _delete_session(rules.handle, sid)
            finally:
                _live -= 1


def _delete_session(handle: int, sid: str) -> None:
    try:
        _durable.delete_state(handle, sid)
    except _durable.error as error:
        # 309: no such session, because assert_fact failed before creating it.
        if "309" not in str(error):
            raise EngineError(f"durable-rules could not delete session {sid}: {error}") from None
