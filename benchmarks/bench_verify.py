"""How ``simcancel verify`` grows with the number of providers that each have a numeric
threshold of their own.

For each N in ``--sizes`` (default 20, 50, 100, 200) it writes, in a temporary directory,
a pack of N providers (``p1`` .. ``pN``) with one blocking rule each, ``provider is pI and
balance > I * 100`` paisa (so the balance has N + 1 classes), a blocking rule on arrears,
and one route; then runs the state checks of :func:`simcancel.analysis.verify` with a
``max_classes`` above every walk (so each is exhaustive), printing the seconds of each
check and the growth exponent between consecutive sizes (``log(t2/t1) / log(N2/N1)``).

Run: ``python benchmarks/bench_verify.py [--sizes 20 50 100 200]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.packs import minimal_pack

from simcancel import load_rules
from simcancel.analysis._options import VerifyOptions
from simcancel.analysis._search import Search
from simcancel.analysis._verify import STATE_CHECKS

AS_OF = dt.date(2026, 11, 24)
PROVIDER = """\
id: p{index}
name: Provider {index}
kind: local_operator
online_cancellation: unknown
in_person_confirmation: unknown
channels: []
review_days: unknown
languages: unknown
sources: [{{title: "generated", claims: [A1]}}]
checked: 2026-11-24
"""
RULE = """\
  - id: p{index}-balance
    kind: blocking
    claims: [A1]
    stage: balance
    when: {{provider: p{index}, balance: {{gt: {threshold}}}}}
    message: {{zh-CN: "余额 {{balance}}。", en: "Balance {{balance}}."}}
    fix: {{zh-CN: "用完。", en: "Spend it."}}
"""
ARREARS = """\
rules:
  - id: arrears-owed
    kind: blocking
    claims: [A2]
    stage: arrears
    when: {arrears: {gt: 0}}
    message: {zh-CN: "欠费 {arrears}。", en: "Arrears {arrears}."}
    fix: {zh-CN: "缴清。", en: "Pay."}
"""


_PER_PACK = 150
"""Providers per pack directory: the loader takes at most 200 files from one pack."""


def write_pack(dest: Path, providers: int) -> list[Path]:
    """Packs (loaded together) of ``providers`` providers, each with its own balance threshold."""
    packs = [minimal_pack(dest / "pack")]
    for index in range(1, providers + 1):
        if index > len(packs) * _PER_PACK:
            packs.append(dest / f"more{len(packs)}")
        folder = packs[-1] / "providers"
        folder.mkdir(parents=True, exist_ok=True)
        (folder / f"p{index}.yaml").write_text(PROVIDER.format(index=index))
    rules = ARREARS + "".join(RULE.format(index=i, threshold=i * 100) for i in range(1, providers + 1))
    (packs[0] / "preconditions.yaml").write_text(rules)
    return packs


def main(argv: list[str] | None = None) -> int:
    """Time the state checks per size; print the curve and the growth exponents."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--sizes", type=int, nargs="+", default=[20, 50, 100, 200])
    args = parser.parse_args(argv)
    print(f"simcancel bench_verify: sizes {args.sizes}, load average {os.getloadavg()[0]:.2f} (1 min)")
    totals: dict[int, float] = {}
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as tmp:
            rules = load_rules(*write_pack(Path(tmp), size))
        options = VerifyOptions.of(as_of=AS_OF, max_classes=10**9, samples=200)
        started = time.process_time()
        search = Search.of(rules, options)
        times = {"space": time.process_time() - started}
        for check in STATE_CHECKS:
            began = time.process_time()
            result = check(search)
            times[check.__name__] = time.process_time() - began
            if not result.ok and check.__name__ != "dead_rules":
                print(f"  N={size}: {check.__name__} failed: {result.message}")
        totals[size] = sum(times.values())
        detail = ", ".join(f"{name} {seconds:.2f}" for name, seconds in times.items())
        print(f"N={size:>4}: {totals[size]:7.2f} s CPU ({search.space.size} classes; {detail})")
    sizes = sorted(totals)
    for small, large in itertools.pairwise(sizes):
        exponent = math.log(totals[large] / totals[small]) / math.log(large / small)
        print(f"growth {small} -> {large}: exponent {exponent:.2f}")
    print(f"load average at end {os.getloadavg()[0]:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
