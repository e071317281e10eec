"""The only module that imports durable-rules.

It drives durable's C extension directly with a lean action loop, not through
``durable.engine.Host``: the Host starts timer threads that dispatch actions behind the
caller's back (error 307, then segfaults, when pushed), stores action exceptions as
strings instead of raising them, and costs ~12 µs of JSON round trips per fired rule.

Every evaluation runs in a fresh session that is deleted on every path, under one lock
(the C extension is not thread-safe), so at most one session is ever alive and
durable's cap of 1024 live sessions cannot be reached, whatever the thread count.

No interrupt can leave a session behind: a session is recorded in ``_OPEN`` before it
is created and leaves it only once durable has deleted it; in the main thread the
asynchronous signals are blocked while a session exists (a pending one is delivered
right after the deletion); an exception that lands in the deletion anyway (an
asynchronous exception in another thread) triggers a second deletion, and whatever is
still recorded is deleted by the next call that takes the lock.

Registrations are per process: a ``CompiledRules`` holds the rules, not a durable
handle, and is registered lazily in each process that evaluates it, so a forked child
or a process that unpickled one never uses a handle of another process.
"""

from __future__ import annotations

import contextlib
import importlib
import itertools
import json
import os
import signal
import threading
import weakref
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import durable_rules_engine as _durable

from simcancel._compile import ALWAYS_FIELD, compile_ruleset
from simcancel._errors import EngineError
from simcancel._facts import EngineValue, fact_text
from simcancel._limits import DURABLE_JOINS, DURABLE_RULES_PER_TEST, DURABLE_TESTS_AFTER_ONE, AlphaNetwork
from simcancel._ruleset import RuleSet

__all__ = ["MAX_BATCH", "CompiledRules", "compiled", "evaluate", "evaluate_many", "live_sessions"]

_LOCK = threading.Lock()
_holder: int | None = None
"""The thread that holds ``_LOCK`` (so ``live_sessions`` may be called from ``on_fire``)."""
_SESSION_IDS = itertools.count(1)
_RULESET_IDS = itertools.count(1)
_COMPILED: weakref.WeakKeyDictionary[RuleSet, CompiledRules] = weakref.WeakKeyDictionary()
_HANDLES: weakref.WeakKeyDictionary[CompiledRules, int] = weakref.WeakKeyDictionary()
"""The durable handle of each registration made in this process."""
_OPEN: set[tuple[int, str]] = set()
"""(ruleset handle, sid) of every session that may exist in durable: added before the
session is created, removed only once durable has deleted it."""
_DOOMED: list[int] = []
"""Handles of rulesets nobody can reach any more, deleted at the next call that holds _LOCK."""
_generation = 0
"""Bumped in a forked child: a registration of an earlier generation is not this process's."""

# durable's assert_fact result codes (durable/engine.py, Ruleset._handle_result).
_HANDLED, _NOT_HANDLED, _OBSERVED, _QUEUED = 0, 1, 2, 3
_NO_SUCH_SESSION, _INVALID_HANDLE = "error code: 309", "error code: 111"

# Registered with every ruleset: a rule on the always-true field, so every fact is
# handled and fires at least one action.  durable 2.0.28 frees an invalid pointer in
# delete_state for a session in which no action ran (abort or segfault, depending on
# heap layout), which a user pack with a gap would otherwise reach.  The loader only
# accepts ids starting with a letter or digit, so this one cannot clash.
_SEEN = "_seen"

_SYNCHRONOUS = {"SIGSEGV", "SIGBUS", "SIGFPE", "SIGILL", "SIGTRAP", "SIGSYS", "SIGABRT", "SIGKILL", "SIGSTOP"}
# The C function behind signal.pthread_sigmask: it takes and returns plain ints, where the
# wrapper turns every returned signal into an enum member (~140 µs for a full mask).
_sigmask: Callable[[int, Iterable[int]], set[int]] | None = getattr(
    importlib.import_module("_signal"), "pthread_sigmask", None
)
_ASYNC_SIGNALS = tuple(
    sorted(
        int(number)
        for number in signal.valid_signals()
        if not (isinstance(number, signal.Signals) and number.name in _SYNCHRONOUS)
    )
)
"""Blocked in the main thread while a session exists: their Python handlers (a
KeyboardInterrupt, a SIGALRM timeout) run right after it is deleted, never inside.
(A tuple of ints: the fastest iterable for the C function to read.)"""


@attrs.frozen(kw_only=True, eq=False)
class CompiledRules:
    """A rule set compiled for durable, registered in each process that evaluates it.

    Pickling sends the rules, not a handle: the receiving process registers them anew.
    """

    name: str
    definition: Mapping[str, Any]
    """The rules as durable JSON (for the benchmark and debugging), without ``_seen``."""

    @property
    def handle(self) -> int:
        """The durable handle of this rule set in this process (registered on first use)."""
        with _locked():
            return _handle(self)

    def __reduce__(self) -> tuple[Any, ...]:
        return (_received, (self.name, dict(self.definition)))


def _received(name: str, definition: dict[str, Any]) -> CompiledRules:
    """A CompiledRules unpickled in this process: registered when it is first evaluated."""
    return CompiledRules(name=name, definition=definition)


@contextlib.contextmanager
def _locked() -> Any:
    """Hold ``_LOCK``; refuse re-entry from the thread that holds it (an ``on_fire`` callback)."""
    global _holder  # noqa: PLW0603 - the holder of the one process-wide lock
    me = threading.get_ident()
    if _holder == me:
        raise EngineError("the engine was re-entered from inside an evaluation (an on_fire callback)")
    with _LOCK:
        _holder = me
        try:
            yield
        finally:
            _holder = None


def _delete_ruleset(handle: int, generation: int) -> None:
    # A finalizer: it may run inside a GC pass in a thread that already holds _LOCK, so
    # taking the lock here could deadlock; list.append is atomic, the deletion waits.
    # A registration of the parent process (before a fork) is not this process's to delete.
    if generation == _generation:
        _DOOMED.append(handle)


def _reap() -> None:
    """Delete the sessions an interrupt left behind, then the rulesets whose
    CompiledRules are gone (call with _LOCK held)."""
    while _OPEN:
        handle, sid = key = next(iter(_OPEN))
        with contextlib.suppress(_durable.error):
            _durable.delete_state(handle, sid)
        _OPEN.discard(key)
    while _DOOMED:
        with contextlib.suppress(_durable.error):
            _durable.delete_ruleset(_DOOMED.pop())


def _handle(rules: CompiledRules, shown: str | None = None) -> int:
    """The handle of ``rules`` in this process, registering it if needed (_LOCK held)."""
    found = _HANDLES.get(rules)
    if found is not None:
        return found
    beyond = _beyond_durable(rules.definition)
    if beyond is not None:
        # The loader refuses such packs; a RuleSet built in memory reaches this instead of
        # a durable that spins forever holding _LOCK.
        raise EngineError(
            f"durable-rules would hang or fail on rule set {shown or rules.name}: {beyond}; "
            "load rule sets with load_rules, which refuses this with file and line"
        )
    registered = {**rules.definition, _SEEN: {"all": [{"m": {ALWAYS_FIELD: True}}]}}
    try:
        handle: int = _durable.create_ruleset(rules.name, json.dumps(registered, ensure_ascii=False))
    except _durable.error as error:
        failure = str(error)
    else:
        _HANDLES[rules] = handle
        # Tied to the CompiledRules, not the RuleSet: whoever holds the registration keeps
        # its durable ruleset alive (evaluating a deleted handle is a use-after-free).
        weakref.finalize(rules, _delete_ruleset, handle, _generation)
        return handle
    # Raised outside the except block, so no durable exception rides along as __context__.
    raise EngineError(
        f"durable-rules refused rule set {shown or rules.name}: {failure}; "
        "the loader should have caught this, please report it"
    )


def _beyond_durable(definition: Mapping[str, Any]) -> str | None:
    """What of ``definition`` (with the ``_seen`` rule) passes the limits past which durable
    hangs or reads beyond its lists (:mod:`simcancel._limits`), or ``None``."""
    network = AlphaNetwork()
    for rule in definition.values():
        network.add(rule["all"][0]["m"])
    tests, rules, joins = network.widest()
    if tests > DURABLE_TESTS_AFTER_ONE:
        return f"{tests} distinct tests under one node, where it hangs from {DURABLE_TESTS_AFTER_ONE + 1}"
    if rules >= DURABLE_RULES_PER_TEST:
        return f"{rules} rules ending at one node, of {DURABLE_RULES_PER_TEST} slots and an end marker"
    if joins > DURABLE_JOINS:
        return f"{joins} any groups ending at one node, of {DURABLE_JOINS + 1} slots and an end marker"
    return None


def compiled(rules: RuleSet) -> CompiledRules:
    """Compile and register ``rules`` once; later calls return the same registration."""
    if not _DOOMED:
        # The common case without the lock: a dict read is atomic under the GIL, and a
        # registration found here stays alive as long as the caller holds ``rules``.
        found = _COMPILED.get(rules)
        if found is not None:
            return found
    with _locked():
        _reap()
        found = _COMPILED.get(rules)
        if found is not None:
            return found
        result = CompiledRules(name=f"simcancel-{next(_RULESET_IDS)}", definition=compile_ruleset(rules))
        _handle(result, shown=rules.label)
        _COMPILED[rules] = result
        return result


def live_sessions() -> int:
    """How many sessions opened by simcancel durable still holds (0 between evaluations).

    Asks durable about every session simcancel may have created, so a session an
    interrupt left behind would be counted, not hidden.
    """
    if _holder == threading.get_ident():  # called from an on_fire callback
        return _count_open()
    with _locked():
        return _count_open()


def _count_open() -> int:
    alive = 0
    for handle, sid in list(_OPEN):
        try:
            _durable.get_state(handle, sid)
        except _durable.error:
            continue
        alive += 1
    return alive


def _c_encoder() -> Callable[[Mapping[str, EngineValue], int], Any] | None:
    """json's C encoder, built once with ``json.dumps(..., ensure_ascii=False)``'s settings,
    or ``None`` where it is missing or does not write exactly what ``json.dumps`` writes.

    ``json.dumps`` with a keyword argument builds a ``JSONEncoder`` and a C encoder per call
    (a few µs on a fact of 30 keys); every evaluation serializes one fact.
    """
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:  # pragma: no cover - CPython has the C accelerator
        return None
    sample = {"text": 'é"\\\n', "count": -12, "yes": True, "no": False}
    try:
        # The arguments JSONEncoder.iterencode passes it, from an encoder of json.dumps' settings.
        encode = make(
            None,
            _ENCODER.default,
            json.encoder.encode_basestring,
            _ENCODER.indent,
            _ENCODER.key_separator,
            _ENCODER.item_separator,
            _ENCODER.sort_keys,
            _ENCODER.skipkeys,
            _ENCODER.allow_nan,
        )
        if "".join(encode(sample, 0)) != json.dumps(sample, ensure_ascii=False):  # pragma: no cover
            return None
    except (TypeError, ValueError):  # pragma: no cover - another signature in another CPython
        return None
    return encode  # type: ignore[no-any-return]


_ENCODER = json.JSONEncoder(ensure_ascii=False)
_C_ENCODE = _c_encoder()
_ALWAYS_TAIL = f", {_ENCODER.encode(ALWAYS_FIELD)}: true}}"
"""What follows the fact's id in its text (the engine-only field every fact has)."""


def _fact_text(fact: Mapping[str, EngineValue], sid: str, fact_id: str = "state") -> str:
    """``fact`` with the session's keys, as the JSON text durable reads (``sid`` and
    ``fact_id``: digits and letters, nothing JSON escapes)."""
    if type(fact) is dict and fact and "sid" not in fact and "id" not in fact and ALWAYS_FIELD not in fact:
        # The text of the merged dict below, without copying the fact: its text, then the keys.
        return f'{_dumps(fact)[:-1]}, "sid": "{sid}", "id": "{fact_id}"{_ALWAYS_TAIL}'
    return _dumps({**fact, "sid": sid, "id": fact_id, ALWAYS_FIELD: True})


def _dumps(fact: Mapping[str, EngineValue]) -> str:
    """``json.dumps(fact, ensure_ascii=False)``."""
    text = fact_text(fact)  # a fact as facts_for makes it: the names are not encoded again
    if text is not None:
        return text
    if _C_ENCODE is not None:
        return "".join(_C_ENCODE(fact, 0))
    return _ENCODER.encode(fact)  # pragma: no cover - without the C encoder


_FACT_AT = len('":{"m":')
"""Characters between a rule id's closing quote and the fact in a firing's message."""


def _fired(
    handle: int, state_handle: int, texts: Sequence[str], on_fire: Callable[[str], None] | None
) -> list[set[str]]:
    fired: list[set[str]] = [set() for _ in texts]
    # Which fact fired, when there are several: durable quotes the asserted text verbatim.
    index = {text: number for number, text in enumerate(texts)} if len(texts) > 1 else None
    started = _durable.start_action_for_state(handle, state_handle)
    message = started[1] if started else None
    while message:
        # The message is ``{"<rule id>":{"m":<fact as asserted>}}`` and rule ids need no
        # JSON escaping (the loader allows [a-z0-9_-] only), so slicing it out spares a
        # JSON parse of the whole fact per firing.  A set de-duplicates an ``$or`` that
        # fires per branch.
        end = message.index('"', 2)
        rule_id = message[2:end]
        if rule_id != _SEEN:
            number = 0 if index is None else index.get(message[end + _FACT_AT : -2])
            if number is None:
                raise EngineError(f"durable-rules fired rule {rule_id} for a fact it was not given")
            fired[number].add(rule_id)
            if on_fire is not None:
                on_fire(rule_id)
        message = _durable.complete_and_start_action(handle, state_handle)
    return fired


def evaluate(
    rules: CompiledRules, fact: Mapping[str, EngineValue], *, on_fire: Callable[[str], None] | None = None
) -> frozenset[str]:
    """The ids of the rules whose conditions hold for ``fact`` (complete and typed).

    ``on_fire`` is called for each firing, inside the session; an exception it raises
    propagates to the caller after the session is deleted.  A KeyboardInterrupt or a
    signal handler's exception is raised after the session is deleted too.
    """
    sid = str(next(_SESSION_IDS))  # atomic under the GIL: no lock needed
    text = _fact_text(fact, sid)
    return frozenset(_in_session(rules, sid, (text,), on_fire)[0])


MAX_BATCH = 100
"""The most facts :func:`evaluate_many` asserts into one session."""


def evaluate_many(rules: CompiledRules, facts: Sequence[Mapping[str, EngineValue]]) -> list[frozenset[str]]:
    """The ids of the rules whose conditions hold for each of ``facts``, in order, from
    one durable session per :data:`MAX_BATCH` facts.

    For ``verify``'s exhaustive walks.  durable allocates a session's memory per node of
    the rule set, so a session costs time in proportion to the number of rules, and one
    session per state makes a walk over N providers x N amounts cubic in N; a fact in a
    session already open costs the same whatever the rule count.  Every rule matches one
    fact (``all`` of one pattern ``m``), so facts in one session cannot change what fires
    for each other: each gets the ids :func:`evaluate` gives it (``verify`` checks this
    too, state by state, on every class representative).
    """
    results: list[frozenset[str]] = []
    for start in range(0, len(facts), MAX_BATCH):
        sid = str(next(_SESSION_IDS))
        texts = tuple(
            _fact_text(fact, sid, f"f{number}")
            for number, fact in enumerate(facts[start : start + MAX_BATCH])
        )
        results.extend(frozenset(fired) for fired in _in_session(rules, sid, texts, None))
    return results


def _in_session(
    rules: CompiledRules, sid: str, texts: Sequence[str], on_fire: Callable[[str], None] | None
) -> list[set[str]]:
    """The ids fired for each of ``texts``, asserted into session ``sid``, which is deleted
    on every path; one session at a time, asynchronous signals held back meanwhile."""
    global _holder  # noqa: PLW0603 - _locked() inlined: this is the hot path
    me = threading.get_ident()
    if _holder == me:
        raise EngineError("the engine was re-entered from inside an evaluation (an on_fire callback)")
    masking = _sigmask is not None and me == threading.main_thread().ident
    with _LOCK:
        _holder = me
        try:
            if _OPEN or _DOOMED:
                _reap()
            handle = _handle(rules)
            # Query first, block second: if a handler runs as the query returns, nothing is blocked yet.
            before = _sigmask(signal.SIG_BLOCK, ()) if _sigmask is not None and masking else None
            try:
                if _sigmask is not None and before is not None:
                    _sigmask(signal.SIG_BLOCK, _ASYNC_SIGNALS)
                try:
                    _OPEN.add((handle, sid))
                    return _session(rules.name, handle, texts, on_fire)
                finally:
                    # Inline, not a helper: an interrupt at a helper's entry would skip it.
                    try:
                        _delete_session(handle, sid)
                    except EngineError:
                        raise
                    except BaseException:
                        # An interrupt before or after delete_state: the retry deletes the
                        # session or finds it gone; if it is interrupted too, _reap deletes it.
                        _delete_session(handle, sid)
                        raise
            finally:
                if _sigmask is not None and before is not None:
                    # Pending signals are delivered here, their exceptions raised after cleanup.
                    _sigmask(signal.SIG_SETMASK, before)
        finally:
            _holder = None


def _session(
    name: str, handle: int, texts: Sequence[str], on_fire: Callable[[str], None] | None
) -> list[set[str]]:
    failure = None
    try:
        handled = False
        state_handle = 0
        for text in texts:
            code, state_handle = _durable.assert_fact(handle, text)
            if code not in (_HANDLED, _QUEUED, _NOT_HANDLED):
                break
            handled = handled or code != _NOT_HANDLED
        else:
            if not handled:
                return [set() for _ in texts]
            return _fired(handle, state_handle, texts, on_fire)
    except _durable.error as error:
        failure = str(error)
    if failure is None:
        raise EngineError(f"durable-rules answered code {code} for a fresh session")
    raise EngineError(f"durable-rules failed evaluating a state with rule set {name}: {failure}")


def _delete_session(handle: int, sid: str) -> None:
    failure = None
    try:
        _durable.delete_state(handle, sid)
    except _durable.error as error:
        failure = str(error)
    # 309: no such session (assert_fact failed before creating it, or it is deleted).
    if failure is None or _NO_SUCH_SESSION in failure or _INVALID_HANDLE in failure:
        _OPEN.discard((handle, sid))
        return
    raise EngineError(f"durable-rules could not delete session {sid}: {failure}")


def _after_fork_in_child() -> None:
    """A forked child starts with a free lock and registers its rule sets anew.

    The parent's lock may have been held by a thread that does not exist in the child,
    and the parent's sessions in flight belong to the parent.
    """
    global _LOCK, _holder, _HANDLES, _OPEN, _DOOMED, _generation  # noqa: PLW0603
    _LOCK = threading.Lock()
    _holder = None
    _HANDLES = weakref.WeakKeyDictionary()
    _OPEN = set()
    _DOOMED = []
    _generation += 1


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)
