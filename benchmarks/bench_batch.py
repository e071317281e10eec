"""States per second of ``assess_many`` over a Dask bag with 1 and 2 worker processes, and
the resident memory of streaming many states through ``assess_many`` in one process.

Both parts use the same input: ``--states`` varied states (``bench_assess.make_states``,
every provider), as dicts, the form a batch usually arrives in.  The Dask part runs a
``dask.bag`` with ``--partitions`` partitions on the ``processes`` scheduler with 1, then
2, then 1 worker again (so the machine's load hits both alike), each worker loading and
compiling the rules once; it checks that both give the assessments of a plain loop.  The
streaming part feeds ``--stream`` states (default one million), cycled from the input by a
generator, through one ``assess_many`` call and samples ``VmRSS`` as it goes: memory must
stay flat, since nothing holds more than one state.

Run: ``python benchmarks/bench_batch.py [--states 20000] [--stream 1000000]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import dask
import dask.bag as db

sys.path.insert(0, str(Path(__file__).parent))

from bench_assess import AS_OF, make_states
from soak import rss_kib

from simcancel import assess_many


def _dask_run(states: list[dict[str, object]], workers: int, partitions: int) -> tuple[float, list[object]]:
    bag = db.from_sequence(states, npartitions=partitions).map_partitions(  # type: ignore[no-untyped-call]
        assess_many, locale="en", as_of=AS_OF
    )
    start = time.perf_counter()
    with dask.config.set(scheduler="processes", num_workers=workers):
        results = bag.compute()
    return time.perf_counter() - start, results


def _cycled(states: list[dict[str, object]], total: int) -> Iterator[dict[str, object]]:
    return itertools.islice(itertools.cycle(states), total)


def main(argv: list[str] | None = None) -> int:
    """Print states/s for 1 and 2 Dask workers, then the RSS curve of one long stream."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--states", type=int, default=20_000)
    parser.add_argument("--partitions", type=int, default=8)
    parser.add_argument("--stream", type=int, default=1_000_000)
    parser.add_argument("--every", type=int, default=100_000)
    args = parser.parse_args(argv)

    states = [state.to_dict() for state in make_states(args.states)]
    expected = [result.to_dict() for result in assess_many(states, locale="en", as_of=AS_OF)]
    print(f"simcancel bench_batch: {len(states)} states, {args.partitions} partitions, {os.cpu_count()} cpus")
    print(f"load average at start: {os.getloadavg()[0]:.2f} (1 min)")
    rates: dict[int, list[float]] = {1: [], 2: []}
    for workers in (1, 2, 1, 2):
        seconds, results = _dask_run(states, workers, args.partitions)
        if [result.to_dict() for result in results] != expected:  # type: ignore[attr-defined]
            raise AssertionError(f"{workers} workers gave other assessments than a plain loop")
        rates[workers].append(len(states) / seconds)
        print(
            f"  dask, {workers} worker process(es): {len(states) / seconds:9.0f} states/s ({seconds:.2f} s)"
        )
    best = {workers: max(values) for workers, values in rates.items()}
    print(f"speed-up 2 workers / 1 worker (best of 2 each): {best[2] / best[1]:.2f}")
    print(f"load average after Dask: {os.getloadavg()[0]:.2f}")
    print()

    print(f"streaming {args.stream} states through one assess_many call, one process:")
    start = time.perf_counter()
    first = None
    peak = 0
    for index, _result in enumerate(assess_many(_cycled(states, args.stream), locale="en", as_of=AS_OF), 1):
        if index % args.every == 0:
            rss = rss_kib()
            first = rss if first is None else first
            peak = max(peak, rss)
            rate = index / (time.perf_counter() - start)
            print(f"  {index:>9} states  RSS {rss / 1024:7.1f} MiB  {rate:7.0f} states/s")
    assert first is not None
    print(f"RSS growth from the first sample to the peak: {(peak - first) / 1024:.1f} MiB")
    print(f"load average at end: {os.getloadavg()[0]:.2f} ({dt.datetime.now(dt.UTC):%H:%M} UTC)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
