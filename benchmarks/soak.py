"""Soak test: one million assessments in one process, resident memory sampled as it goes.

Run with ``make soak`` (or ``python benchmarks/soak.py [TOTAL] [EVERY]``).  It cycles a
fixed, varied set of states (every provider, blocking and clean, both locales), samples
the resident set size (``VmRSS``) every ``EVERY`` assessments and prints a table.  The
goal (issue 4) is growth of at most 5 MiB between the first sample, taken after a
warm-up, and the last.  The exit code is 1 when the goal is missed, so it can gate a
release, but it is never part of ``make test``: it takes minutes and timings are noisy.
"""

from __future__ import annotations

import datetime as dt
import gc
import resource
import sys
import time
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from simcancel import UserState, assess, default_rules, live_sessions
from simcancel.testing import user_states

GOAL_MIB = 5.0
WARMUP = 20_000
STATES = 64
AS_OF = dt.date(2026, 11, 24)


def rss_kib() -> int:
    """Current resident set size in KiB (``VmRSS``; peak RSS where /proc is missing)."""
    status = Path("/proc/self/status")
    if status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def varied_states(count: int) -> list[UserState]:
    """``count`` different valid states, drawn once with a fixed seed (reproducible)."""
    drawn: list[UserState] = []

    @settings(
        database=None,
        derandomize=True,
        max_examples=count * 4,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    # Issued on or before AS_OF (or unknown): user_states() alone draws issue dates up to 2030.
    @given(user_states(activated_on=st.none() | st.dates(max_value=AS_OF)))
    def collect(state: UserState) -> None:
        if len(drawn) < count and state not in drawn:
            drawn.append(state)

    collect()
    # Pin the two extremes too: nothing to fix, and everything to fix.
    clean = dict(drawn[0].to_dict(), balance="0", arrears="0", services=[])
    drawn[-1] = UserState.from_dict(clean)
    drawn[-2] = UserState.from_dict(
        dict(drawn[1].to_dict(), balance="999999999.99", arrears=str(Decimal("0.01")))
    )
    return drawn


def main(argv: list[str]) -> int:
    """Run the soak; print a table of RSS samples; 0 when growth stays within the goal."""
    total = int(argv[1]) if len(argv) > 1 else 1_000_000
    every = int(argv[2]) if len(argv) > 2 else 100_000
    states = varied_states(STATES)
    locales = ("zh-CN", "en")
    default_rules()
    for index in range(WARMUP):
        assess(states[index % len(states)], locale=locales[index % 2], as_of=AS_OF)
    gc.collect()
    first = rss_kib()
    print(f"soak: {total:,} assessments over {len(states)} states, RSS sampled every {every:,}")
    print(f"{'assessments':>12} {'RSS MiB':>9} {'growth MiB':>11} {'µs/assess':>10}")
    print(f"{0:>12,} {first / 1024:>9.2f} {0.0:>11.2f} {'':>10}")
    started = time.perf_counter()
    last_tick = started
    last = first
    for index in range(1, total + 1):
        assess(states[index % len(states)], locale=locales[index % 2], as_of=AS_OF)
        if index % every == 0:
            now = time.perf_counter()
            last = rss_kib()
            per = (now - last_tick) / every * 1e6
            last_tick = now
            print(f"{index:>12,} {last / 1024:>9.2f} {(last - first) / 1024:>11.2f} {per:>10.1f}", flush=True)
    elapsed = time.perf_counter() - started
    growth = (last - first) / 1024
    print(
        f"total {elapsed:.1f} s ({elapsed / total * 1e6:.1f} µs per assessment); "
        f"RSS growth {growth:+.2f} MiB (goal <= {GOAL_MIB} MiB); live sessions {live_sessions()}"
    )
    return 0 if growth <= GOAL_MIB and live_sessions() == 0 else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
