"""µs per assessment: ``assess()`` against raw durable-rules on the same compiled ruleset.

Three ways to evaluate the same 200 states (drawn once from ``random.Random(0)``):

* ``assess()``: the whole library call (facts, engine, decision, messages);
* raw durable: ``durable.engine.Host`` with the same JSON ruleset plus a ``run`` callable
  per rule that records its id: ``assert_fact``, collect, ``delete_state``; no wrapper;
* the engine alone: ``simcancel._engine.evaluate`` on precomputed facts.

Each round times all three, in a rotating order so machine noise hits them alike; the
table reports the median of the rounds.  Before timing, the script asserts that raw
durable fires exactly the rule ids our engine reports, state by state.

Run: ``python benchmarks/bench_assess.py [--rounds 5] [--states 200]``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

from durable.engine import Host

from simcancel import UserState, assess, default_rules
from simcancel._compile import ALWAYS_FIELD
from simcancel._engine import compiled, evaluate
from simcancel._facts import EngineValue, facts_for

AS_OF = dt.date(2026, 11, 24)
RAW_RULESET = "bench-raw"


def _amount(rng: random.Random) -> str:
    kind = rng.random()
    if kind < 0.4:
        return "0"
    if kind < 0.5:
        return "0.01"
    return f"{rng.randint(1, 500_000) / 100:.2f}"


def make_states(count: int, seed: int = 0) -> list[UserState]:
    """``count`` varied, valid states, the same for the same seed."""
    rng = random.Random(seed)
    providers = sorted(default_rules().providers)
    states = []
    for _ in range(count):
        services = [
            {
                "kind": rng.choice(["sms", "data", "voice", "other"]),
                "active": rng.random() < 0.5,
                "recurring": rng.random() < 0.5,
            }
            for _ in range(rng.randint(0, 3))
        ]
        activated = None
        if rng.random() < 0.5:
            activated = (AS_OF - dt.timedelta(days=rng.randint(0, 800))).isoformat()
        states.append(
            UserState.from_dict(
                {
                    "provider": rng.choice(providers),
                    "plan": rng.choice(["prepaid", "postpaid"]),
                    "balance": _amount(rng),
                    "arrears": _amount(rng),
                    "line_status": rng.choice(["active", "active", "suspended", "blocked"]),
                    "services": services,
                    "unused": {
                        key: rng.choice([0, 0, rng.randint(1, 5000)]) for key in ("data_mb", "minutes", "sms")
                    },
                    "documents": {
                        key: rng.random() < 0.7
                        for key in (
                            "passport_original",
                            "passport_copy",
                            "purchase_receipt",
                            "sim_card_usable",
                        )
                    },
                    "situation": {
                        "can_visit_store": rng.random() < 0.5,
                        "reads_english": rng.random() < 0.6,
                        "needs_it_fast": rng.random() < 0.3,
                    },
                    "intentions": {
                        "discard_card": rng.random() < 0.2,
                        "fast_cancellation_agent": rng.random() < 0.2,
                    },
                    "activated_on": activated,
                }
            )
        )
    return states


class RawDurable:
    """durable-rules' own Python host on our compiled definition, with a recording action."""

    def __init__(self, definition: dict[str, Any]) -> None:
        """Register ``definition`` with durable's Host under a fresh name."""
        self.fired: list[str] = []
        ruleset = copy.deepcopy(definition)
        for rule_id, rule in ruleset.items():
            rule["run"] = self._recorder(rule_id)
        self.host = Host()
        self.host.set_rulesets({RAW_RULESET: ruleset})
        self.sid = 0

    def _recorder(self, rule_id: str) -> Callable[[Any], None]:
        def run(_closure: Any) -> None:
            self.fired.append(rule_id)

        return run

    def evaluate(self, fact: dict[str, EngineValue]) -> list[str]:
        """Assert one complete fact in a fresh session, collect, delete the session."""
        self.sid += 1
        sid = str(self.sid)
        self.fired = []
        self.host.assert_fact(RAW_RULESET, {**fact, "sid": sid, "id": "state", ALWAYS_FIELD: True})
        self.host.delete_state(RAW_RULESET, sid)
        return self.fired


def _time_per_call(call: Callable[[], object], items: int) -> float:
    start = time.perf_counter()
    call()
    return (time.perf_counter() - start) / items * 1e6


def main(argv: list[str] | None = None) -> int:
    """Check raw durable agrees with the engine, then print the timing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=5, help="passes over the states per round")
    args = parser.parse_args(argv)

    rules = default_rules()
    engine_rules = compiled(rules)
    states = make_states(args.states)
    facts = [facts_for(state, rules.provider(state.provider), AS_OF) for state in states]
    raw = RawDurable(dict(engine_rules.definition))

    # Same rules must fire both ways, or the comparison means nothing.
    for state, fact in zip(states, facts, strict=True):
        ours = evaluate(engine_rules, fact)
        theirs = raw.evaluate(fact)
        if set(theirs) != ours:
            raise AssertionError(f"raw durable fired {sorted(theirs)}, engine {sorted(ours)} for {state!r}")
    fired_per_state = statistics.mean(len(evaluate(engine_rules, fact)) for fact in facts)

    items = len(states) * args.repeat

    def run_assess() -> None:
        for _ in range(args.repeat):
            for state in states:
                assess(state, rules=rules, locale="en", as_of=AS_OF)

    def run_raw() -> None:
        for _ in range(args.repeat):
            for fact in facts:
                raw.evaluate(fact)

    def run_engine() -> None:
        for _ in range(args.repeat):
            for fact in facts:
                evaluate(engine_rules, fact)

    methods = {"assess()": run_assess, "raw durable": run_raw, "engine alone": run_engine}
    for run in methods.values():  # warm-up: caches, allocator, branch predictors
        run()
    samples: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    for round_index in range(args.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_time_per_call(methods[name], items))

    median = {name: statistics.median(values) for name, values in samples.items()}
    malloc = {
        key: os.environ[key]
        for key in ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_")
        if key in os.environ
    }
    print(
        f"simcancel bench_assess: {len(states)} states x {args.repeat} passes x "
        f"{args.rounds} rounds, {fired_per_state:.1f} rules fired per state on average"
    )
    print(
        f"python {platform.python_version()}, durable_rules "
        f"{metadata.version('durable_rules')}, {os.cpu_count()} cpus, "
        f"{dt.date.today().isoformat()}, glibc malloc env: {malloc or 'default'}"  # noqa: DTZ011 (the server's day, until as_of follows Pakistan's)
    )
    print()
    print(f"{'method':<14} {'median µs':>10} {'min µs':>8} {'max µs':>8}")
    for name in names:
        values = samples[name]
        print(f"{name:<14} {median[name]:>10.1f} {min(values):>8.1f} {max(values):>8.1f}")
    ratio = median["assess()"] / median["raw durable"]
    print()
    print(f"ratio assess()/raw durable: {ratio:.2f} (goal <= 1.30)")
    print(f"ratio engine/raw durable:   {median['engine alone'] / median['raw durable']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
