"""What ``import simcancel`` and ``simcancel assess FILE`` load (start-up cost, issue
"Fast where it counts"): the heavy optional machinery stays out of both."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).parents[1] / "examples" / "jazz-blocked.json"

# Never on these paths: property testing, the verifier, schema validation, batches on Dask.
_HEAVY = ("hypothesis", "simcancel.analysis", "jsonschema", "dask", "distributed")

_REPORT = """
import json, sys
{run}
print("@@" + json.dumps(sorted(sys.modules)))
"""


def _modules(run: str) -> list[str]:
    done = subprocess.run(
        [sys.executable, "-c", _REPORT.format(run=run)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    line = next((line for line in done.stdout.splitlines() if line.startswith("@@")), None)
    assert line is not None, done.stderr
    found: list[str] = json.loads(line[2:])
    return found


def _heavy(modules: list[str]) -> list[str]:
    return [name for name in modules if name.startswith(_HEAVY) and name.split(".")[0] in _ROOTS]


_ROOTS = {name.split(".")[0] for name in _HEAVY}


def test_import_simcancel_loads_nothing_heavy() -> None:
    assert _heavy(_modules("import simcancel")) == []


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_simcancel_assess_loads_nothing_heavy(output: list[str]) -> None:
    argv = ["simcancel", "assess", str(EXAMPLE), "--locale", "en", *output]
    run = (
        "import contextlib, io, runpy\n"
        f"sys.argv = {argv!r}\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    runpy.run_module('simcancel', run_name='__main__')\n"
    )
    modules = _modules(run)
    assert "simcancel.cli" in modules  # the command did run
    assert _heavy(modules) == []


def test_the_conversation_api_loads_on_first_use() -> None:
    """`import simcancel` leaves the partial-state machinery out; naming it loads it."""
    lazy = (
        "simcancel._partial",
        "simcancel._questions",
        "simcancel._partial_state",
        "simcancel._partial_model",
    )
    assert [name for name in _modules("import simcancel") if name in lazy] == []
    loaded = _modules("import simcancel\nsimcancel.next_questions")
    assert all(name in loaded for name in lazy)
