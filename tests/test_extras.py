"""Hypothesis is the ``testing`` extra: simcancel works without it and says how to get it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_BLOCKER = """
import sys

class _NoHypothesis:
    def find_spec(self, name, path=None, target=None):
        if name == "hypothesis" or name.startswith("hypothesis."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

sys.meta_path.insert(0, _NoHypothesis())
"""


def _run_without_hypothesis(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "sitecustomize.py").write_text(_BLOCKER, encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT / "src")])}
    return subprocess.run(
        [sys.executable, *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )


def test_importing_simcancel_does_not_import_hypothesis() -> None:
    """`import simcancel` leaves Hypothesis unimported (it is an extra)."""
    code = "import simcancel, sys; print('hypothesis' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert result.stdout.strip() == "False"


def test_assess_runs_without_hypothesis(tmp_path: Path) -> None:
    """assess needs no Hypothesis: the blocker makes it unimportable and assess still answers."""
    state = ROOT / "examples" / min(p.name for p in (ROOT / "examples").glob("*.json"))
    result = _run_without_hypothesis(tmp_path, "-m", "simcancel", "assess", str(state), "--json")
    assert result.returncode in (0, 1), result.stderr
    check = _run_without_hypothesis(tmp_path, "-c", "import hypothesis")
    assert "No module named 'hypothesis'" in check.stderr


def test_verify_without_hypothesis_says_how_to_install_it(tmp_path: Path) -> None:
    """verify without Hypothesis exits 2 naming `pip install "simcancel[testing]"`, no traceback."""
    result = _run_without_hypothesis(tmp_path, "-m", "simcancel", "verify")
    assert result.returncode == 2
    assert 'pip install "simcancel[testing]"' in result.stderr
    assert "Traceback" not in result.stderr


def test_importing_testing_without_hypothesis_says_how_to_install_it(tmp_path: Path) -> None:
    """`import simcancel.testing` without Hypothesis raises a SimcancelError naming the extra."""
    code = (
        "import simcancel\n"
        "try:\n"
        "    import simcancel.testing\n"
        "except simcancel.SimcancelError as error:\n"
        "    assert isinstance(error, ImportError)\n"
        "    print(error)\n"
    )
    result = _run_without_hypothesis(tmp_path, "-c", code)
    assert result.returncode == 0, result.stderr
    assert 'pip install "simcancel[testing]"' in result.stdout
