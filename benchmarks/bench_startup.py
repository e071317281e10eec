"""Start-up: ``simcancel assess FILE`` against ``import simcancel``, CPU ms of child processes.

Each command is a fresh child process with ``PYTHONPATH`` on a tree's ``src`` (and bytecode
caches written, so no run compiles sources):

* ``python -c pass``: the interpreter alone;
* ``import simcancel``: ``python -c "import simcancel"``;
* ``simcancel assess FILE``: what the ``simcancel`` console script runs (the function its
  ``pyproject.toml`` names, e.g. ``from simcancel.cli import program;
  sys.exit(program())``) with ``assess examples/jazz-blocked.json --locale en``;
* ``python -m simcancel assess FILE``: the same through ``runpy``.

The time of a run is the CPU time (user + sys) of its child, from the deltas of
``resource.getrusage(RUSAGE_CHILDREN)``.  Every command of every tree runs once as a
warm-up (writing bytecode caches and the tree's rule-set cache, each tree in its own
cache directory, so that the trees do not evict each other's entry), then ``--runs``
rounds each run every command of every tree once, interleaved, so machine noise hits them
alike.  The table gives best and median ms per command and tree, and the ratios of the
command to the import (of bests and of medians); the load average is printed before and
after.  Printed, never asserted: machines are shared and noisy.

Run: ``python benchmarks/bench_startup.py [--runs 15] [--before TREE] [--tree LABEL=TREE ...]
[--after TREE]``
(a tree is a directory with ``src/``, ``rules/`` and ``pyproject.toml``, e.g. ``git archive``
of an older commit; ``--after`` defaults to this checkout).
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

_HERE = Path(__file__).resolve().parents[1]
EXAMPLE = "examples/jazz-blocked.json"
_ASSESS = ("simcancel assess FILE", "python -m simcancel assess FILE")


def _commands(tree: Path) -> dict[str, list[str]]:
    """The arguments of ``python`` for each command measured in ``tree``."""
    scripts = tomllib.loads((tree / "pyproject.toml").read_text(encoding="utf-8"))["project"]["scripts"]
    module, function = scripts["simcancel"].split(":")
    script = f"import sys\nfrom {module} import {function}\nsys.exit({function}())"
    return {
        "python -c pass": ["-c", "pass"],
        "import simcancel": ["-c", "import simcancel"],
        "simcancel assess FILE": ["-c", script, "assess", EXAMPLE, "--locale", "en"],
        "python -m simcancel assess FILE": ["-m", "simcancel", "assess", EXAMPLE, "--locale", "en"],
    }


def _cpu_ms(arguments: list[str], env: dict[str, str], cwd: Path) -> float:
    """CPU ms (user + sys) of one child process running ``python arguments``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(  # noqa: S603 - this interpreter, our own arguments
        [sys.executable, *arguments],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    # jazz-blocked.json is blocked: the command exits 1; anything else is a failure.
    assert done.returncode in {0, 1}, (arguments, done.returncode, done.stderr.decode())
    used = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return used * 1000


def _environment(tree: Path, cache: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPATH"] = str(tree / "src")
    env["SIMCANCEL_CACHE_DIR"] = str(cache)
    return env


def _load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def main() -> None:
    """Measure, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs per command and tree (default 15)")
    parser.add_argument("--before", type=Path, help="an older tree to compare (its row comes first)")
    parser.add_argument(
        "--tree",
        action="append",
        default=[],
        metavar="LABEL=TREE",
        help="another tree to compare, in a row of its own after --before (repeatable)",
    )
    parser.add_argument("--after", type=Path, default=_HERE, help="the tree measured (default: this one)")
    args = parser.parse_args()
    trees = {"before": args.before} if args.before else {}
    for labelled in args.tree:
        label, _, path = labelled.partition("=")
        trees[label] = Path(path)
    trees["after"] = args.after
    commands = {tree: _commands(path.resolve()) for tree, path in trees.items()}
    names = list(commands["after"])
    times: dict[tuple[str, str], list[float]] = {(tree, name): [] for tree in trees for name in names}
    print(f"load average before: {_load()}")
    with tempfile.TemporaryDirectory() as scratch:
        envs = {}
        for tree, path in trees.items():
            cache = Path(scratch) / tree
            cache.mkdir(mode=0o700)
            envs[tree] = _environment(path.resolve(), cache)
        for tree in trees:  # warm-up: bytecode and rule-set caches
            for arguments in commands[tree].values():
                _cpu_ms(arguments, envs[tree], _HERE)
        for _ in range(args.runs):
            for tree in trees:
                for name, arguments in commands[tree].items():
                    times[tree, name].append(_cpu_ms(arguments, envs[tree], _HERE))
    print(f"load average after:  {_load()}")
    print(f"{args.runs} runs each, CPU ms (user + sys) of the child, best / median")
    print()
    print("| | " + " | ".join(f"`{name}`" for name in names) + " | assess / import | -m assess / import |")
    print("|---" + "|---:" * (len(names) + 2) + "|")
    for tree in trees:
        best = {name: min(times[tree, name]) for name in names}
        median = {name: statistics.median(times[tree, name]) for name in names}
        cells = [f"{best[name]:.1f} / {median[name]:.1f}" for name in names]
        ratios = [
            f"{best[name] / best['import simcancel']:.2f} / {median[name] / median['import simcancel']:.2f}"
            for name in _ASSESS
        ]
        print(f"| {tree} | " + " | ".join(cells + ratios) + " |")


if __name__ == "__main__":
    main()
