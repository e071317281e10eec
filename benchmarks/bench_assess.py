"""µs per assessment: ``assess()`` against the floors of its engine, on the same states.

The same 200 states (drawn once from ``random.Random(0)``), evaluated by:

* ``assess()``: the whole library call (facts, engine, decision, messages);
* ``assess()`` on unseen states: the same call on states drawn from another seed, each
  assessed once (amounts and counts ``decide`` has not remembered);
* the C-extension floor: durable's C extension driven with nothing around it, on
  precomputed facts: ``json.dumps`` of the fact, ``assert_fact``, the action loop
  (``start_action_for_state`` / ``complete_and_start_action``), ``delete_state``; no lock,
  no session counter, no result set.  This is the floor for our engine;
* durable's Host layer: ``durable.engine.Host`` with the same JSON ruleset and a ``run``
  callable per rule (durable's own Python layer, which simcancel does not use);
* the reference evaluator: ``simcancel._reference.fired`` (the rule AST walked);
* the if-chain floor: every rule's condition compiled from the rule AST to one plain
  Python function of the facts (``simcancel._pysource``), the cheapest evaluation;

and each stage of ``assess()`` on its own: ``facts_for``, ``_engine.evaluate``,
``_decide.decide``, ``Assessment.to_dict``, ``to_json()`` (indent 2),
``to_json(indent=None)`` and ``json.dumps(to_dict())`` compact.

Times are CPU time of this process (``time.process_time``).  Each round times every
method once, in a rotating order so machine noise hits them alike;
the table reports the median of the rounds, the ratios are of medians of one run, and the
load average is printed.  Before timing, the script asserts that every evaluator fires
exactly the rule ids our engine reports, state by state.

Run: ``python benchmarks/bench_assess.py [--rounds 7] [--states 200]``.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from importlib import metadata
from typing import Any

import durable_rules_engine as durable_c
from durable.engine import Host

from simcancel import UserState, assess, default_rules
from simcancel._compile import ALWAYS_FIELD
from simcancel._decide import decide
from simcancel._engine import compiled, evaluate
from simcancel._facts import EngineValue, facts_for
from simcancel._pysource import fired_function
from simcancel._reference import fired as reference_fired

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


class CFloor:
    """durable's C extension with nothing around it: assert, action loop, delete."""

    def __init__(self, handle: int) -> None:
        """Drive the registered ruleset ``handle``, one fresh session id per evaluation."""
        self.handle = handle
        self.sid = 0

    def evaluate(self, fact: dict[str, EngineValue]) -> list[str]:
        """The ids of every action fired (durable's internal ``_seen`` rule included)."""
        handle = self.handle
        self.sid += 1
        sid = str(self.sid)
        payload = dict(fact)
        payload.update(sid=sid, id="state", **{ALWAYS_FIELD: True})
        _code, state = durable_c.assert_fact(handle, json.dumps(payload, ensure_ascii=False))
        ids = []
        started = durable_c.start_action_for_state(handle, state)
        message = started[1] if started else None
        while message:
            ids.append(message[2 : message.index('"', 2)])
            message = durable_c.complete_and_start_action(handle, state)
        durable_c.delete_state(handle, sid)
        return ids


def _time_per_call(call: Callable[[], object], items: int) -> float:
    # CPU time of this process: the shared machine's other jobs preempt us at random, which
    # wall time would count; they still slow us through the caches, so ratios are the result.
    start = time.process_time()
    call()
    return (time.process_time() - start) / items * 1e6


def main(argv: list[str] | None = None) -> int:  # noqa: PLR0915 (one table, row by row)
    """Check every evaluator agrees with the engine, then print the timing table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--states", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3, help="passes over the states per round")
    args = parser.parse_args(argv)

    rules = default_rules()
    engine_rules = compiled(rules)
    states = make_states(args.states)
    facts = [facts_for(state, rules.provider(state.provider), AS_OF) for state in states]
    raw = RawDurable(dict(engine_rules.definition))
    floor = CFloor(engine_rules.handle)
    if_chain = fired_function(rules)

    # Same rules must fire every way, or the comparison means nothing.
    fired = []
    for state, fact in zip(states, facts, strict=True):
        ours = evaluate(engine_rules, fact)
        fired.append(ours)
        others = {
            "durable Host": set(raw.evaluate(fact)),
            "C floor": set(floor.evaluate(fact)) - {"_seen"},
            "reference": set(reference_fired(rules, fact)),
            "if-chain": set(if_chain(fact)),
        }
        for name, theirs in others.items():
            if theirs != ours:
                raise AssertionError(f"{name} fired {sorted(theirs)}, engine {sorted(ours)} for {state!r}")
    fired_per_state = statistics.mean(len(ids) for ids in fired)
    results = [assess(state, rules=rules, locale="en", as_of=AS_OF) for state in states]
    for result, fact, ids in zip(results, facts, fired, strict=True):
        assert decide(rules, ids, fact, locale="en", as_of=AS_OF) == result
        assert result.to_json() == json.dumps(result.to_dict(), ensure_ascii=False, indent=2)

    items = len(states) * args.repeat

    def over_states(call: Callable[[UserState], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(args.repeat):
                for state in states:
                    call(state)

        return run

    def over(items_: list[Any], call: Callable[[Any], object]) -> Callable[[], None]:
        def run() -> None:
            for _ in range(args.repeat):
                for item in items_:
                    call(item)

        return run

    # States never assessed before, a new slice per timed run: amounts and counts the
    # memos of decide have not seen (they keep the first 256 values per rule), so this
    # row is what a stream of varied states costs, where "assess()" repeats 200 states.
    unseen = make_states(items * (args.rounds + 1), seed=1)
    unseen_runs = iter(range(args.rounds + 1))

    def over_unseen() -> None:
        start = next(unseen_runs) * items
        for state in unseen[start : start + items]:
            assess(state, rules=rules, locale="en", as_of=AS_OF)

    pairs = list(zip(fired, facts, strict=True))
    methods: dict[str, Callable[[], None]] = {
        "assess()": over_states(lambda state: assess(state, rules=rules, locale="en", as_of=AS_OF)),
        "assess() unseen states": over_unseen,
        "C-extension floor": over(facts, floor.evaluate),
        "durable Host layer": over(facts, raw.evaluate),
        "reference evaluator": over(facts, lambda fact: reference_fired(rules, fact)),
        "if-chain floor": over(facts, if_chain),
        "stage facts_for": over_states(lambda state: facts_for(state, rules.provider(state.provider), AS_OF)),
        "stage evaluate": over(facts, lambda fact: evaluate(engine_rules, fact)),
        "stage decide": over(pairs, lambda pair: decide(rules, pair[0], pair[1], locale="en", as_of=AS_OF)),
        "stage to_dict": over(results, lambda result: result.to_dict()),
        "stage to_json()": over(results, lambda result: result.to_json()),
        "to_json(indent=None)": over(results, lambda result: result.to_json(indent=None)),
        "dumps(to_dict()) compact": over(
            results, lambda result: json.dumps(result.to_dict(), ensure_ascii=False)
        ),
        "dumps(to_dict(), indent=2)": over(
            results, lambda result: json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
        ),
    }
    for run in methods.values():  # warm-up: caches, allocator, branch predictors
        run()
    samples: dict[str, list[float]] = {name: [] for name in methods}
    names = list(methods)
    load_before = os.getloadavg()
    for round_index in range(args.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            samples[name].append(_time_per_call(methods[name], items))
    load_after = os.getloadavg()

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
    print(f"load average before {load_before[0]:.2f}, after {load_after[0]:.2f} (1 min)")
    print()
    print(f"{'method':<27} {'median µs':>10} {'min µs':>8} {'max µs':>8}")
    for name in names:
        values = samples[name]
        print(f"{name:<27} {median[name]:>10.1f} {min(values):>8.1f} {max(values):>8.1f}")
    floor_us = median["C-extension floor"]
    print()
    print("ratios (medians of this run):")
    for name in (
        "assess()",
        "assess() unseen states",
        "stage evaluate",
        "durable Host layer",
        "reference evaluator",
        "if-chain floor",
    ):
        print(f"  {name + ' / C-extension floor':<45} {median[name] / floor_us:5.2f}")
    print(f"  {'assess() goal':<45} <= 1.50")
    compact = median["dumps(to_dict()) compact"]
    for name in ("stage to_json()", "dumps(to_dict(), indent=2)", "to_json(indent=None)"):
        print(f"  {name + ' / dumps(to_dict()) compact':<45} {median[name] / compact:5.2f}")
    print(f"  {'stage to_json() goal':<45} <= 1.50")
    return 0


if __name__ == "__main__":
    sys.exit(main())
