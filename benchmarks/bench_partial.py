"""ms per call of ``assess_partial`` and ``next_questions``, next to ``assess()``, in one run.

The same 50 states of ``bench_assess.make_states``, each turned into a partial state with
0, 3, 10 or all fields forgotten (the fields picked by ``random.Random(1)``).  For each
amount of unknown fields the table gives CPU ms per call (median of the rounds) of
``assess_partial`` and ``next_questions`` and their ratio to ``assess()`` of the complete
state in the same run.  Then the tree of top questions: how many questions an interview
asks before the primary route is determined, over every class completion of the state
space (exact, weighted by completions), against asking every field.

Goals (issue "Serve the conversation"): with every field unknown, ``next_questions`` under
50 ms; with three unknown, under 5x ``assess()``.  Printed, never asserted: machines are
shared and noisy.

Run: ``python benchmarks/bench_partial.py [--rounds 5] [--states 50]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from bench_assess import AS_OF, make_states

from simcancel import PartialState, UserState, assess, assess_partial, default_rules, next_questions
from simcancel._fields import FIELDS
from simcancel._interview_tree import question_counts

_WIDTHS = (15, 17, 8, 17, 8)


def _forget(state: UserState, count: int, chooser: random.Random) -> PartialState:
    known = PartialState.from_state(state).known
    forgotten = set(chooser.sample([field.path for field in FIELDS], count))
    return PartialState(known={path: value for path, value in known.items() if path not in forgotten})


def _per_call(call: Callable[[object], object], items: list[object]) -> float:
    start = time.process_time()
    for item in items:
        call(item)
    return (time.process_time() - start) / len(items) * 1000


def main(argv: list[str] | None = None) -> int:
    """Print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--states", type=int, default=50)
    args = parser.parse_args(argv)
    rules = default_rules()
    states = make_states(args.states)
    chooser = random.Random(1)
    amounts = {"0": 0, "3": 3, "10": 10, f"all ({len(FIELDS)})": len(FIELDS)}
    partials = {name: [_forget(state, count, chooser) for state in states] for name, count in amounts.items()}
    for state in states:  # warm every cache (plans, tables, the engine) before timing
        assess(state, rules=rules, as_of=AS_OF)
    for items in partials.values():
        assess_partial(items[0], rules=rules, as_of=AS_OF)
        next_questions(items[0], rules=rules, as_of=AS_OF)

    def run_assess(state: object) -> object:
        assert isinstance(state, UserState)
        return assess(state, rules=rules, as_of=AS_OF)

    def run_partial(partial: object) -> object:
        assert isinstance(partial, PartialState)
        return assess_partial(partial, rules=rules, as_of=AS_OF)

    def run_questions(partial: object) -> object:
        assert isinstance(partial, PartialState)
        return next_questions(partial, rules=rules, as_of=AS_OF)

    timings: dict[str, list[float]] = {}
    for _ in range(args.rounds):
        timings.setdefault("assess", []).append(_per_call(run_assess, list(states)))
        for name, items in partials.items():
            timings.setdefault(f"partial {name}", []).append(_per_call(run_partial, list(items)))
            timings.setdefault(f"questions {name}", []).append(_per_call(run_questions, list(items)))
    median = {key: statistics.median(values) for key, values in timings.items()}
    base = median["assess"]
    load = os.getloadavg()
    print(f"load average {load[0]:.2f} {load[1]:.2f}; {args.states} states, {args.rounds} rounds")
    header = ("unknown fields", "assess_partial ms", "x assess", "next_questions ms", "x assess")
    print(" | ".join(f"{title:>{width}}" for title, width in zip(header, _WIDTHS, strict=True)))
    print(f"{'(assess)':>15} | {base:17.3f} | {1:8.1f} | {'':>17} | {'':>8}")
    for name in amounts:
        partial, questions = median[f"partial {name}"], median[f"questions {name}"]
        row = (name, f"{partial:.3f}", f"{partial / base:.1f}", f"{questions:.3f}", f"{questions / base:.1f}")
        print(" | ".join(f"{cell:>{width}}" for cell, width in zip(row, _WIDTHS, strict=True)))
    start = time.process_time()
    counts = question_counts(rules, AS_OF)
    walked = time.process_time() - start
    print()
    print(
        f"questions to a determined primary route, over every class completion: average "
        f"{counts.average:.2f}, worst {counts.worst} ({counts.leaves} paths, {counts.repeated} repeating a "
        f"field); asking every field: {counts.fields}; tree walked in {walked:.2f} s CPU"
    )
    start_day = dt.date.today()  # noqa: DTZ011 - only printed
    print(f"(run on {start_day.isoformat()}, as_of {AS_OF.isoformat()})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
