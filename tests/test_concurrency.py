"""Many threads at once: the same answers as one thread, no session left, errors stay local.

By default 8 threads x 500 assessments (``make test``); ``SIMCANCEL_LONG=1`` (``make
stress``) runs issue 4's full 8 x 10,000.
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings

from simcancel import Assessment, InvalidStateError, UserState, assess, default_rules, live_sessions
from simcancel._engine import compiled, evaluate
from simcancel._facts import facts_for
from simcancel.testing import user_states
from tests.packs import issued_by

THREADS = 8
PER_THREAD = 10_000 if os.environ.get("SIMCANCEL_LONG") else 500
AS_OF = dt.date(2026, 11, 24)


@pytest.fixture(scope="module")
def states() -> list[UserState]:
    """200 varied valid states, drawn once."""
    drawn: list[UserState] = []

    @settings(
        database=None,
        derandomize=True,
        max_examples=400,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(user_states(activated_on=issued_by(AS_OF)))
    def collect(state: UserState) -> None:
        if len(drawn) < 200:
            drawn.append(state)

    collect()
    return drawn


@pytest.fixture(scope="module")
def sequential(states: list[UserState]) -> list[Assessment]:
    """Each state assessed once, in one thread, in order."""
    return [assess(state, locale="en", as_of=AS_OF) for state in states]


def _run(workers: list[Callable[[], None]]) -> list[BaseException]:
    errors: list[BaseException] = []

    def guarded(work: Callable[[], None]) -> None:
        try:
            work()
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=guarded, args=(work,)) for work in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors


def test_threads_give_the_sequential_answers(states: list[UserState], sequential: list[Assessment]) -> None:
    """8 threads, each walking the states in its own order, match sequential evaluation."""
    mismatches: list[tuple[int, int]] = []

    def worker(offset: int) -> Callable[[], None]:
        def work() -> None:
            for step in range(PER_THREAD):
                index = (offset * 37 + step * (offset + 1)) % len(states)
                if assess(states[index], locale="en", as_of=AS_OF) != sequential[index]:
                    mismatches.append((offset, index))

        return work

    assert _run([worker(offset) for offset in range(THREADS)]) == []
    assert mismatches == []
    assert live_sessions() == 0


def test_failures_in_one_thread_do_not_disturb_the_others(
    states: list[UserState], sequential: list[Assessment]
) -> None:
    """Invalid states, unknown providers and raising callbacks in some threads leave others right."""
    rules = compiled(default_rules())
    mismatches: list[int] = []
    caught: list[str] = []

    def good() -> None:
        for step in range(PER_THREAD // 2):
            index = step % len(states)
            if assess(states[index], locale="en", as_of=AS_OF) != sequential[index]:
                mismatches.append(index)

    def bad_input() -> None:
        for _ in range(PER_THREAD // 2):
            try:
                UserState.from_dict({"provider": "jazz", "balance": "-1"})
            except InvalidStateError:
                caught.append("state")
            try:
                assess(UserState.from_dict(dict(states[0].to_dict(), provider="nobody")))
            except InvalidStateError:
                caught.append("provider")

    def raising_callback() -> None:
        state = states[1]
        fact = facts_for(state, default_rules().provider(state.provider), AS_OF)

        def boom(rule_id: str) -> None:
            raise RuntimeError(rule_id)

        for _ in range(PER_THREAD // 2):
            try:
                evaluate(rules, fact, on_fire=boom)
            except RuntimeError:
                caught.append("action")

    workers = [good, good, good, good, good, bad_input, raising_callback, raising_callback]
    assert _run(workers) == []
    assert mismatches == []
    half = PER_THREAD // 2
    assert (caught.count("state"), caught.count("provider"), caught.count("action")) == (half, half, 2 * half)
    assert live_sessions() == 0


def test_live_sessions_never_exceed_one_across_threads(states: list[UserState]) -> None:
    """However many threads, at most one durable session is alive: durable's cap (1024) is unreachable."""
    rules = compiled(default_rules())
    peak = [0]

    def worker(offset: int) -> Callable[[], None]:
        def work() -> None:
            for step in range(50):
                state = states[(offset + step) % len(states)]
                fact = facts_for(state, default_rules().provider(state.provider), AS_OF)
                evaluate(
                    rules, fact, on_fire=lambda _rule_id: peak.__setitem__(0, max(peak[0], live_sessions()))
                )

        return work

    assert _run([worker(offset) for offset in range(64)]) == []
    assert peak[0] == 1
    assert live_sessions() == 0
