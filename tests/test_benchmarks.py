"""benchmarks/: every script runs to its table at its smallest size (timings are never tested)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]

SMALLEST = {
    "bench_assess.py": ["--rounds", "1", "--states", "4", "--repeat", "1"],
    "bench_partial.py": ["--rounds", "1", "--states", "2"],
    "bench_verify.py": ["--sizes", "2", "3"],
    "bench_startup.py": ["--runs", "1"],
    "bench_batch.py": ["--states", "40", "--partitions", "2", "--stream", "200", "--every", "100"],
    "soak.py": ["200", "100"],
}


def test_every_benchmark_script_has_a_smallest_run() -> None:
    """A new script in benchmarks/ gets a smoke run here too."""
    assert sorted(SMALLEST) == sorted(path.name for path in (ROOT / "benchmarks").glob("*.py"))


@pytest.mark.parametrize("script", sorted(SMALLEST))
def test_the_script_runs_and_prints_its_load(script: str) -> None:
    """The script exits 0 and prints the machine's load (or, for the soak, its RSS table)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / script), *SMALLEST[script]],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, (done.stdout[-2000:], done.stderr[-3000:])
    assert ("RSS" if script == "soak.py" else "load") in done.stdout, done.stdout[-2000:]
