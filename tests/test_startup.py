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


def _cli_script(argv: list[str], *, before: str = "", after: str = "") -> str:
    """Source that runs `python -m simcancel *argv` in-process, output discarded, with
    ``before`` and ``after`` around it."""
    return (
        "import contextlib, io, runpy\n"
        f"{before}"
        f"sys.argv = {['simcancel', *argv]!r}\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    runpy.run_module('simcancel', run_name='__main__')\n"
        f"{after}"
    )


def _assess_script(*output: str, before: str = "", after: str = "") -> str:
    """:func:`_cli_script` of `simcancel assess EXAMPLE --locale en *output`."""
    return _cli_script(["assess", str(EXAMPLE), "--locale", "en", *output], before=before, after=after)


def test_import_simcancel_loads_nothing_heavy() -> None:
    """`import simcancel` loads no hypothesis, analysis, jsonschema or Dask."""
    assert _heavy(_modules("import simcancel")) == []


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_simcancel_assess_loads_nothing_heavy(output: list[str]) -> None:
    """`simcancel assess` (text and --json) loads no hypothesis, analysis, jsonschema or Dask."""
    modules = _modules(_assess_script(*output))
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


def test_the_program_freezes_what_it_loaded_before_running() -> None:
    """`simcancel` and `python -m simcancel` run cli.program: gc.freeze(), then main()."""
    import tomllib

    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    assert pyproject["project"]["scripts"] == {"simcancel": "simcancel.cli:program"}
    run = _assess_script(
        before="import gc\n"
        "import simcancel.cli\n"
        "frozen = []\n"
        "main = simcancel.cli.main\n"
        "simcancel.cli.main = lambda: frozen.append(gc.get_freeze_count()) or main()\n",
        after="assert len(frozen) == 1 and frozen[0] > 10_000, frozen\n",
    )
    assert "simcancel.cli" in _modules(run)


def test_main_in_a_longer_lived_process_freezes_nothing() -> None:
    """cli.main() called in-process (tests, embedding) leaves the garbage collector as it was."""
    import contextlib
    import gc
    import io

    from simcancel.cli import main

    before = gc.get_freeze_count()
    with contextlib.redirect_stdout(io.StringIO()):
        main(["assess", str(EXAMPLE), "--locale", "en"])
    assert gc.get_freeze_count() == before


@pytest.mark.parametrize("output", [[], ["--json"]])
def test_simcancel_assess_loads_neither_openssl_nor_package_metadata(output: list[str]) -> None:
    """`simcancel assess` hashes its cache key without hashlib (OpenSSL) and reads no package metadata."""
    modules = _modules(_assess_script(*output))
    assert "simcancel._rules_cache" in modules  # the key was computed
    unwanted = ("hashlib", "_hashlib", "importlib.metadata", "importlib.resources", "email", "zipfile")
    assert [name for name in modules if name in unwanted] == []


@pytest.mark.parametrize("argv", [["--version"], ["--help"], ["schema", "state"], ["lint"], ["providers"]])
def test_commands_that_read_no_state_do_not_load_cattrs(argv: list[str]) -> None:
    """Only reading a state needs cattrs: --version, --help, schema, lint and providers skip it."""
    modules = _modules(_cli_script(argv))
    assert "simcancel.cli" in modules
    assert [name for name in modules if name.split(".")[0] == "cattrs"] == []
